#pragma once
// A real Redis Cluster for tests: N masters (default 3, no replicas) started as RedisServer fixtures with
// cluster-enabled, joined with `redis-cli --cluster create … --cluster-yes`, and ready when every node reports
// cluster_state:ok. Each node's bus port is chosen free too (cluster-port, Redis 7+), since port+10000 may not be.
#include "RedisServer.h"

#include <memory>
#include <vector>

namespace cachelens::test {

class RedisCluster
{
public:
    explicit RedisCluster(int masters = 3);
    bool start();
    QString errorString() const { return m_error; }
    RedisServer& node(int i) { return *m_nodes.at(size_t(i)); }
    int size() const { return int(m_nodes.size()); }
    QString seedUrl() const;   // redis://127.0.0.1:<first node>
    // Runs redis-cli in cluster mode (-c) against the first node.
    QByteArray cli(const QStringList& args) const;

private:
    int m_masters;
    std::vector<std::unique_ptr<RedisServer>> m_nodes;
    QString m_error;
};

} // namespace cachelens::test
