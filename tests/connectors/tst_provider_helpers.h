#pragma once
// Helpers shared by the redis provider's tests (tst_provider_redis, tst_provider_topology).
#include "RedisServer.h"
#include "connectors/provider/RedisProvider.h"
#include <cachelens/cache.h>

#include <QByteArray>
#include <QStringList>

#include <atomic>
#include <chrono>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>

namespace cachelens::test {

inline std::optional<std::string> some(std::string s) { return std::optional<std::string>(std::move(s)); }
inline std::string str(const engine::ValueRef& v) { return std::string(v.value()); }

inline QByteArray cli(const RedisServer& server, std::initializer_list<const char*> args)
{
    QStringList list;
    for (const char* a : args) list << QString::fromUtf8(a);
    return server.cli(list);
}

inline provider::RedisProvider& redisOf(engine::Cache& c) { return dynamic_cast<provider::RedisProvider&>(engine::CacheInternals::provider(c)); }

// A Cache on the redis provider at `url`, with its own registered provider name carrying `o`; `c` for the rest.
inline std::unique_ptr<engine::Cache> makeCache(const std::string& url, provider::RedisProviderOptions o,
                                                std::string prefix = "app:", engine::CacheOptions c = {})
{
    static std::atomic<int> n{0};
    const std::string name = "redis-test-" + std::to_string(n++);
    provider::registerRedisProvider(std::move(o), name);
    c.provider = name;
    c.providerUrl = url;
    c.keyPrefix = std::move(prefix);
    c.backgroundThread = false;
    return std::make_unique<engine::Cache>(std::move(c));
}

inline std::unique_ptr<engine::Cache> makeCache(const RedisServer& server, provider::RedisProviderOptions o,
                                                std::string prefix = "app:", engine::CacheOptions c = {})
{
    return makeCache(server.url().toStdString(), std::move(o), std::move(prefix), std::move(c));
}

inline provider::RedisProviderOptions withL1(std::string id)
{
    provider::RedisProviderOptions o;
    o.l1 = true;
    o.instanceId = std::move(id);
    return o;
}

// A Cache with an L1 (`o.l1` is set here) whose invalidation bus has subscribed; nullptr when it did not within 5 s.
inline std::unique_ptr<engine::Cache> makeL1Cache(const std::string& url, provider::RedisProviderOptions o)
{
    o.l1 = true;
    auto c = makeCache(url, std::move(o));
    if (!redisOf(*c).waitForBus(std::chrono::seconds(5))) return nullptr;
    return c;
}

inline std::unique_ptr<engine::Cache> makeL1Cache(const RedisServer& server, provider::RedisProviderOptions o)
{
    return makeL1Cache(server.url().toStdString(), std::move(o));
}

} // namespace cachelens::test
