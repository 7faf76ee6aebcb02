#pragma once
// A Sentinel-managed Redis for tests: one master, one replica and three sentinels (quorum 2, down-after 1 s), all
// RedisServer fixtures on free loopback ports. start() returns once the replica is in sync and every sentinel knows
// the replica and the two other sentinels, so a failover can really happen.
#include "RedisServer.h"

#include <memory>
#include <vector>

namespace cachelens::test {

class RedisSentinel
{
public:
    static constexpr const char* kMasterName = "mymaster";

    bool start();
    QString errorString() const { return m_error; }
    RedisServer& master() { return *m_master; }
    RedisServer& replica() { return *m_replica; }
    RedisServer& sentinel(int i) { return *m_sentinels.at(size_t(i)); }
    QString url() const;   // redis-sentinel://127.0.0.1:S1,127.0.0.1:S2,127.0.0.1:S3/mymaster
    // The master's port as the first sentinel reports it now (0 when unknown).
    quint16 reportedMasterPort() const;

private:
    std::unique_ptr<RedisServer> m_master, m_replica;
    std::vector<std::unique_ptr<RedisServer>> m_sentinels;
    QString m_error;
};

} // namespace cachelens::test
