// redis-sentinel:// URLs against a real master, replica and three sentinels: resolution, clear failures, and a
// real failover (the master is killed; Sentinel promotes the replica; the client reconnects there).
#include "connectors/ctl/Command.h"
#include "connectors/redis/SentinelResolver.h"

#include "RedisSentinel.h"

#include <QBuffer>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace cachelens;
using namespace cachelens::redis;
using cachelens::test::RedisSentinel;
using cachelens::test::RedisServer;

namespace {

ConnectionUrl parseUrl(const QString& text) { return *ConnectionUrl::parse(text).url; }

RedisReply call(RedisClient& client, const QList<QByteArray>& args)
{
    QObject context;
    std::optional<RedisReply> reply;
    client.command(args, &context, [&](const RedisReply& r) { reply = r; });
    (void)QTest::qWaitFor([&] { return reply.has_value(); }, 10000);
    return reply.value_or(RedisReply::error(RedisError::client(RedisError::Kind::Timeout, QStringLiteral("test wait"))));
}

std::unique_ptr<RedisClient> openClient(const QString& url, RedisClient::Options options = {})
{
    std::unique_ptr<RedisClient> client(SentinelResolver::createClient(parseUrl(url), options));
    client->open();
    (void)QTest::qWaitFor([&] { return client->state() == ConnectionState::Ready || client->state() == ConnectionState::Failed; }, 10000);
    return client;
}

} // namespace

class TestRedisSentinel : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisSentinel> m_set;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<ConnectionState>();
        m_set = std::make_unique<RedisSentinel>();
        QVERIFY2(m_set->start(), qPrintable(m_set->errorString()));
    }
    void cleanupTestCase() { m_set.reset(); }

    void theMasterIsFoundThroughTheSentinels()
    {
        auto client = openClient(m_set->url());
        QCOMPARE(client->state(), ConnectionState::Ready);
        QCOMPARE(client->endpoint().port, m_set->master().port());
        const RedisReply role = call(*client, {"ROLE"});
        QCOMPARE(role.elements().value(0).bytes(), QByteArray("master"));
    }

    void resolutionFailuresSayWhy_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("message");
        QTest::addRow("unknown master name") << QStringLiteral("SENTINELS/nosuch") << QStringLiteral("does not monitor a master named 'nosuch'");
        QTest::addRow("no sentinel reachable") << QStringLiteral("redis-sentinel://127.0.0.1:%1/mymaster").arg(RedisServer::freePort())
                                               << QStringLiteral("no sentinel could name the master");
    }
    void resolutionFailuresSayWhy()
    {
        QFETCH(QString, url);
        QFETCH(QString, message);
        url.replace(QLatin1String("SENTINELS/"), m_set->url().section(QLatin1Char('/'), 0, 2) + QLatin1Char('/'));
        RedisClient::Options options;
        options.maxReconnectAttempts = 0;
        auto client = openClient(url, options);
        QCOMPARE(client->state(), ConnectionState::Failed);
        QVERIFY2(client->stateDetail().contains(message), qPrintable(client->stateDetail()));
    }

    void cliPingsTheMasterThroughSentinels()
    {
        QString out, err;
        QTextStream o(&out), e(&err);
        QBuffer in;
        in.open(QIODevice::ReadOnly);
        QCOMPARE(ctl::run({QStringLiteral("ping"), m_set->url()}, o, e, in), 0);
        QVERIFY2(out.startsWith(QStringLiteral("PONG from 127.0.0.1:%1").arg(m_set->master().port())), qPrintable(out + err));
    }

    // Last: it kills the master.
    void failoverIsFollowed()
    {
        RedisClient::Options options;
        options.reconnectInitialMs = 100;
        options.reconnectMaxMs = 500;
        auto client = openClient(m_set->url(), options);
        QCOMPARE(client->state(), ConnectionState::Ready);
        QCOMPARE(call(*client, {"SET", "before-failover", "kept"}).bytes(), QByteArray("OK"));
        QCOMPARE(call(*client, {"WAIT", "1", "2000"}).toInteger(), 1);   // replicated before the master dies
        QSignalSpy states(client.get(), &RedisClient::stateChanged);
        m_set->master().kill();
        QTRY_VERIFY(!states.isEmpty());
        QCOMPARE(states.first().at(0).value<ConnectionState>(), ConnectionState::Reconnecting);
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ConnectionState::Ready, 30000);
        QCOMPARE(client->endpoint().port, m_set->replica().port());
        QCOMPARE(call(*client, {"ROLE"}).elements().value(0).bytes(), QByteArray("master"));
        QCOMPARE(call(*client, {"GET", "before-failover"}).bytes(), QByteArray("kept"));
    }
};

QTEST_GUILESS_MAIN(TestRedisSentinel)
#include "tst_redissentinel.moc"
