#include "RedisCluster.h"

#include "ChildProcess.h"

#include <QDeadlineTimer>
#include <QThread>

namespace cachelens::test {

RedisCluster::RedisCluster(int masters) : m_masters(masters) {}

QString RedisCluster::seedUrl() const { return m_nodes.empty() ? QString() : m_nodes.front()->url(); }

QByteArray RedisCluster::cli(const QStringList& args) const
{
    return m_nodes.front()->cli(QStringList{QStringLiteral("-c")} + args);
}

bool RedisCluster::start()
{
    QStringList endpoints;
    for (int i = 0; i < m_masters; ++i) {
        RedisServer::Options options;
        options.extraArgs = {QStringLiteral("--cluster-enabled"), QStringLiteral("yes"),
                             QStringLiteral("--cluster-config-file"), QStringLiteral("nodes.conf"),
                             QStringLiteral("--cluster-node-timeout"), QStringLiteral("2000"),
                             // Keep serving the slots that are up when a node dies (the node-down test needs it).
                             QStringLiteral("--cluster-require-full-coverage"), QStringLiteral("no"),
                             QStringLiteral("--cluster-port"), QString::number(RedisServer::freePort())};
        auto server = std::make_unique<RedisServer>(options);
        if (!server->start()) {
            m_error = server->errorString();
            return false;
        }
        endpoints << QStringLiteral("127.0.0.1:%1").arg(server->port());
        m_nodes.push_back(std::move(server));
    }
    const ChildProcess::Result create = ChildProcess::run(
        QStringLiteral("redis-cli"),
        QStringList{QStringLiteral("--cluster"), QStringLiteral("create")} + endpoints
            + QStringList{QStringLiteral("--cluster-replicas"), QStringLiteral("0"), QStringLiteral("--cluster-yes")},
        {}, 60000);
    if (!create.finished || create.exitCode != 0) {
        m_error = QStringLiteral("redis-cli --cluster create failed: %1 %2")
                      .arg(create.error, QString::fromLocal8Bit(create.output.right(800)));
        return false;
    }
    // The fixture's own start-up handshake (not a test synchronisation): every node must agree the cluster is ok.
    const QDeadlineTimer deadline(30000);
    while (!deadline.hasExpired()) {
        bool ok = true;
        for (const auto& node : m_nodes)
            ok = ok && node->cli({QStringLiteral("CLUSTER"), QStringLiteral("INFO")}).contains("cluster_state:ok");
        if (ok)
            return true;
        QThread::msleep(100);
    }
    m_error = QStringLiteral("the cluster did not reach cluster_state:ok within 30 s");
    return false;
}

} // namespace cachelens::test
