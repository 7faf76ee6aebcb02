#pragma once
// SentinelResolver: finds the current master of a Sentinel-monitored set for redis-sentinel:// URLs, by asking each
// sentinel in turn `SENTINEL get-master-addr-by-name NAME`. Installed as a RedisClient's EndpointResolver, it runs
// before every connection attempt, so after a failover (the old master dies, or Sentinel kills our connection with
// CLIENT KILL TYPE normal when it demotes it) the reconnect lands on the promoted replica.
//
// The URL's user/password/db are for the master. Sentinels with `requirepass` or an ACL user get
// `AUTH [sentinel_user] sentinel_password` (URL ?sentinel_password=…&sentinel_user=…) before the question. Without a
// sentinel password a sentinel is asked without AUTH, and one that answers NOAUTH is asked again with the master's
// user/password (the usual set-up gives sentinels the master's password) — as connectors/provider/BlockingRedis does.
// A sentinel that refuses every password we have is named in the error, with what to add to the URL; when every
// sentinel failed that way the error is NoAuth/WrongPass, which the client treats as final (no reconnect loop).
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
    enum class Credentials { None, Sentinel, Master };   // what the sentinel is sent before the question
    struct Failures {
        QStringList reasons;
        bool allAuth = true;   // every sentinel refused our credentials (retrying cannot help)
    };
    void ask(int index, Credentials credentials, std::shared_ptr<Done> done, Failures failures);

    ConnectionUrl m_url;
};

} // namespace cachelens::redis
