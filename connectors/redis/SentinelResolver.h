#pragma once
// SentinelResolver: finds the current master of a Sentinel-monitored set for redis-sentinel:// URLs, by asking each
// sentinel in turn `SENTINEL get-master-addr-by-name NAME`. Installed as a RedisClient's EndpointResolver, it runs
// before every connection attempt, so after a failover (the old master dies, or Sentinel kills our connection with
// CLIENT KILL TYPE normal when it demotes it) the reconnect lands on the promoted replica.
//
// The URL's user/password/db are for the master; sentinels are asked without AUTH (sentinel requirepass is not
// supported yet).
#include "connectors/ConnectionUrl.h"
#include "connectors/redis/RedisClient.h"

#include <QObject>

#include <functional>
#include <memory>

namespace cachelens::redis {

class SentinelResolver : public QObject
{
    Q_OBJECT
public:
    using Done = std::function<void(const Endpoint& master, const RedisError& error)>;

    explicit SentinelResolver(const ConnectionUrl& url, QObject* parent = nullptr);
    void resolve(Done done);

    // A RedisClient for the master behind `url` (scheme Sentinel), with a resolver installed (owned by the client).
    static RedisClient* createClient(const ConnectionUrl& url, const RedisClient::Options& options, QObject* parent = nullptr);

private:
    void ask(int index, std::shared_ptr<Done> done, QStringList failures);

    ConnectionUrl m_url;
};

} // namespace cachelens::redis
