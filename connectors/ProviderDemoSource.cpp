#include "connectors/ProviderDemoSource.h"

#include "connectors/ConnectionUrl.h"
#include "connectors/DemoWorkload.h"
#include <cachelens/cache.h>
#include <cachelens/redis.h>

#include <QDateTime>
#include <QLocale>
#include <QUuid>

namespace cachelens::provider {

ProviderDemoSource::ProviderDemoSource(const QString& connectionId, const QString& connectionName,
                                       const ConnectionUrl& url)
    : ProviderDemoSource(connectionId, connectionName, url, Options{})
{
}

ProviderDemoSource::ProviderDemoSource(const QString& connectionId, const QString& connectionName,
                                       const ConnectionUrl& url, Options options, const GuardPolicy& guard,
                                       const Confirmation& confirmation)
    : Source(ChangeGuard([&] {
          GuardPolicy p = guard;
          if (p.connection.isEmpty())
              p.connection = connectionName;
          return p;
      }())),
      m_connectionId(connectionId), m_connectionName(connectionName),
      m_prefix(QStringLiteral("cachelens:demo:%1:").arg(QUuid::createUuid().toString(QUuid::Id128).left(8))),
      m_url(url.toString(true).toStdString()), m_options(options), m_confirmation(confirmation)
{
}

ProviderDemoSource::~ProviderDemoSource() { close(); }

QString ProviderDemoSource::displayName() const { return tr("L1+L2 demo on %1").arg(m_connectionName); }

void ProviderDemoSource::open()
{
    if (m_a) return;
    SourceError refusal;
    m_ticket = guard().admit({tr("start L1+L2 demo"), tr("keys under %1*").arg(m_prefix)}, m_confirmation, &refusal);
    if (!m_ticket.valid()) {
        Q_EMIT stateChanged(ConnectionState::Failed, refusal.message);
        return;
    }
    const auto fail = [this](const QString& why) {
        m_ticket.finish(0, 0, QStringLiteral("failed"), why);
        m_ticket = {};
        Q_EMIT stateChanged(ConnectionState::Failed, why);
    };
    Q_EMIT stateChanged(ConnectionState::Connecting, tr("starting two engine instances over %1").arg(m_connectionName));
    const std::string provider = "cachelens-demo-" + m_prefix.toStdString();
    std::shared_ptr<engine::Cache> caches[2];
    for (int i = 0; i < 2; ++i) {
        RedisProviderOptions o;
        o.l1 = true;
        o.timeout = std::chrono::milliseconds(1000);
        o.instanceId = (i == 0 ? "demo-A-" : "demo-B-") + m_prefix.mid(15, 8).toStdString();
        registerRedisProvider(o, provider + (i == 0 ? "a" : "b"));
        engine::CacheOptions c;
        c.provider = provider + (i == 0 ? "a" : "b");
        c.providerUrl = m_url;
        c.keyPrefix = m_prefix.toStdString();
        auto made = engine::Cache::create(std::move(c));
        if (!made.ok())
            return fail(QString::fromStdString(made.error().message));
        caches[i] = std::move(made.value());
    }
    // One write says whether Redis takes us (wrong password, read-only replica, …) before any traffic starts.
    if (const auto probe = caches[0]->set("probe", "1"); !probe.ok())
        return fail(tr("the demo cannot write to %1: %2").arg(m_connectionName, QString::fromStdString(probe.error().message)));
    (void)caches[0]->del("probe");
    for (auto& c : caches) {
        if (!waitForInvalidationBus(*c, std::chrono::seconds(5)))
            return fail(tr("the invalidation bus did not subscribe on %1").arg(m_connectionName));
    }
    m_a = caches[0];
    m_b = caches[1];
    DemoWorkload::Options w;
    w.opsPerSecond = m_options.opsPerSecond;
    w.seed = 1;
    m_workA = std::make_unique<DemoWorkload>(m_a, w);
    w.seed = 2;
    m_workB = std::make_unique<DemoWorkload>(m_b, w);
    m_workA->start();
    m_workB->start();
    Q_EMIT stateChanged(ConnectionState::Ready,
                        tr("two instances (L1 in front of Redis, invalidation bus) writing under %1").arg(m_prefix));
}

void ProviderDemoSource::sample()
{
    StatsSample s;
    s.sourceId = id();
    s.time = QDateTime::currentDateTimeUtc();
    if (!m_a) {
        Q_EMIT statsSample(s);
        return;
    }
    s.hits = s.misses = s.sets = s.deletes = s.commands = 0;
    s.l1Hits = s.l1Misses = s.l2Hits = s.l2Misses = s.busMessages = 0;
    for (const auto& c : {m_a, m_b}) {
        const auto st = c->stats();
        s.hits += std::int64_t(st.at(engine::Counter::Hits));
        s.misses += std::int64_t(st.at(engine::Counter::Misses));
        s.sets += std::int64_t(st.at(engine::Counter::Sets));
        s.deletes += std::int64_t(st.at(engine::Counter::Deletes));
        const auto p = redisProviderStats(*c).value_or(RedisProviderStats{});
        s.l1Hits += std::int64_t(p.l1Hits);
        s.l1Misses += std::int64_t(p.l1Misses);
        s.l2Hits += std::int64_t(p.l2Hits);
        s.l2Misses += std::int64_t(p.l2Misses);
        s.busMessages += std::int64_t(p.busReceived);
    }
    s.commands = std::int64_t(m_workA->operations() + m_workB->operations());
    Q_EMIT statsSample(s);
}

void ProviderDemoSource::scan(quint64 requestId, const QByteArray&, int)
{
    Q_EMIT scanFinished(ScanSummary{requestId, 0, false,
                                    SourceError{SourceError::Kind::InvalidArgument,
                                                tr("the demo has no key browser; open %1 itself").arg(m_connectionName)}});
}

void ProviderDemoSource::stopDemo()
{
    if (!m_a) {
        Q_EMIT demoStopped(tr("The L1+L2 demo was not running."));
        return;
    }
    m_workA->stop();
    m_workB->stop();
    const std::uint64_t ops = m_workA->operations() + m_workB->operations();
    const std::size_t removed = m_a->clear(); // every key under the demo's prefix, on every master
    m_workA.reset();
    m_workB.reset();
    m_a.reset();
    m_b.reset();
    Q_EMIT stateChanged(ConnectionState::Disconnected, QString());
    const QLocale locale;
    const QString sentence = tr("L1+L2 demo on %1 stopped after %2 operations; removed %3 keys under %4.")
                                 .arg(m_connectionName, locale.toString(qulonglong(ops)), locale.toString(qulonglong(removed)),
                                      m_prefix);
    m_ticket.finish(qint64(ops), qint64(removed), QStringLiteral("completed"), sentence);
    m_ticket = {};
    Q_EMIT demoStopped(sentence);
}

void ProviderDemoSource::close()
{
    if (m_a) stopDemo();
}

} // namespace cachelens::provider
