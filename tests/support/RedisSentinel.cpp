#include "RedisSentinel.h"

#include <QDeadlineTimer>
#include <QThread>

namespace cachelens::test {

QString RedisSentinel::url() const
{
    QStringList hosts;
    for (const auto& s : m_sentinels)
        hosts << QStringLiteral("127.0.0.1:%1").arg(s->port());
    return QStringLiteral("redis-sentinel://%1/%2").arg(hosts.join(QLatin1Char(',')), QLatin1String(kMasterName));
}

quint16 RedisSentinel::reportedMasterPort() const
{
    const QByteArray reply = m_sentinels.front()->cli(
        {QStringLiteral("SENTINEL"), QStringLiteral("get-master-addr-by-name"), QLatin1String(kMasterName)});
    const QList<QByteArray> lines = reply.split('\n');
    return lines.size() == 2 ? quint16(lines.at(1).trimmed().toUInt()) : 0;
}

bool RedisSentinel::start()
{
    m_master = std::make_unique<RedisServer>();
    if (!m_master->start()) {
        m_error = m_master->errorString();
        return false;
    }
    RedisServer::Options replicaOptions;
    replicaOptions.extraArgs = {QStringLiteral("--replicaof"), QStringLiteral("127.0.0.1"), QString::number(m_master->port())};
    m_replica = std::make_unique<RedisServer>(replicaOptions);
    if (!m_replica->start()) {
        m_error = m_replica->errorString();
        return false;
    }
    for (int i = 0; i < 3; ++i) {
        RedisServer::Options options;
        options.sentinelConfig = {
            QStringLiteral("sentinel monitor %1 127.0.0.1 %2 2").arg(QLatin1String(kMasterName)).arg(m_master->port()),
            QStringLiteral("sentinel down-after-milliseconds %1 1000").arg(QLatin1String(kMasterName)),
            QStringLiteral("sentinel failover-timeout %1 5000").arg(QLatin1String(kMasterName)),
            QStringLiteral("sentinel parallel-syncs %1 1").arg(QLatin1String(kMasterName)),
        };
        auto sentinel = std::make_unique<RedisServer>(options);
        if (!sentinel->start()) {
            m_error = sentinel->errorString();
            return false;
        }
        m_sentinels.push_back(std::move(sentinel));
    }
    // The fixture's start-up handshake (not a test synchronisation): replication up, and every sentinel has found the
    // replica and its two peers (hello messages every 2 s), else a failover cannot get a majority.
    const QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        bool ready = m_replica->cli({QStringLiteral("INFO"), QStringLiteral("replication")}).contains("master_link_status:up");
        for (const auto& s : m_sentinels) {
            const QByteArray master = s->cli({QStringLiteral("SENTINEL"), QStringLiteral("master"), QLatin1String(kMasterName)});
            const QList<QByteArray> fields = master.split('\n');
            const qsizetype slaves = fields.indexOf("num-slaves");
            const qsizetype peers = fields.indexOf("num-other-sentinels");
            ready = ready && slaves >= 0 && peers >= 0 && fields.value(slaves + 1).trimmed() == "1"
                    && fields.value(peers + 1).trimmed() == "2";
        }
        if (ready)
            return true;
        QThread::msleep(100);
    }
    m_error = QStringLiteral("sentinels did not discover the replica and each other within 30 s");
    return false;
}

} // namespace cachelens::test
