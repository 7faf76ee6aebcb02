#pragma once
// ProviderDemoSource: the sidebar's "Start L1+L2 demo" on a Redis connection. Two in-process engine instances, each
// a Cache on the redis provider with a memory L1 in front and the invalidation bus, run the local engine's demo
// traffic (DemoWorkload: cache-aside reads, writes that invalidate) against the same keys, so one instance's writes
// drop the other's L1 copies. Everything is written under a dedicated prefix (keyPrefix(), "cachelens:demo:<id>:"),
// and stopDemo() removes it all (SCAN + UNLINK on every master) and says so in demoStopped.
//
// A Source so the Dashboard can sample it like any other: StatsSample carries the two instances' summed l1Hits,
// l1Misses, l2Hits, l2Misses and busMessages (invalidations one instance received from the other). It has no key
// browser or invalidation of its own. Lives on its own worker thread (SourceHost): open() and stopDemo() make
// blocking Redis calls there, never on the GUI thread.
#include "connectors/ConnectionUrl.h"
#include "connectors/Source.h"

#include <memory>
#include <string>

namespace cachelens::engine {
class Cache;
}

namespace cachelens {
class DemoWorkload;
}

namespace cachelens::provider {

class ProviderDemoSource : public Source
{
    Q_OBJECT
public:
    struct Options {
        double opsPerSecond = 400;   // per instance, on average
    };
    // `url` carries the password, if any (it stays in memory only). The demo writes keys, so open() passes the
    // connection's guard first (`guard`: its flags; `confirmation`: the name typed on a production connection) and
    // writes the audit row, which stopDemo() completes.
    ProviderDemoSource(const QString& connectionId, const QString& connectionName, const ConnectionUrl& url,
                       Options options, const GuardPolicy& guard = {}, const Confirmation& confirmation = {});
    ProviderDemoSource(const QString& connectionId, const QString& connectionName, const ConnectionUrl& url);
    ~ProviderDemoSource() override;

    Kind kind() const override { return Kind::Redis; }
    QString id() const override { return QStringLiteral("demo:") + m_connectionId; }
    QString displayName() const override;
    QString keyPrefix() const { return m_prefix; }
    static bool isDemoId(const QString& sourceId) { return sourceId.startsWith(QLatin1String("demo:")); }

public Q_SLOTS:
    void open() override;
    void close() override;          // stops the demo (and removes its keys) if it runs
    void sample() override;
    void scan(quint64 requestId, const QByteArray& glob, int pageSize) override;
    void cancel(quint64) override {}
    void stopDemo();                // → demoStopped(sentence)

Q_SIGNALS:
    void demoStopped(const QString& sentence);

private:
    QString m_connectionId, m_connectionName, m_prefix;
    std::string m_url;
    Options m_options;
    std::shared_ptr<engine::Cache> m_a, m_b;
    std::unique_ptr<DemoWorkload> m_workA, m_workB;
    Confirmation m_confirmation;
    AuditTicket m_ticket;
};

} // namespace cachelens::provider
