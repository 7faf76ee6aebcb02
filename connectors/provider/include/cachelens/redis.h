#pragma once
// The engine over Redis (CacheLens::redis, pkg-config cachelens-redis): after registerRedisProvider(), a Cache made
// with CacheOptions::provider = "redis" and providerUrl = a Redis URL keeps its entries in Redis, optionally with a
// memory L1 in front kept coherent across processes by an invalidation bus (pub/sub), and with distributed
// single-flight for wrap(). Standalone, Sentinel (redis-sentinel://), TLS (rediss://), unix sockets and Redis
// Cluster. The README's "Using the engine over Redis" describes the keys it writes.
//
//   cachelens::provider::registerRedisProvider();
//   auto cache = cachelens::engine::Cache::create({.provider = "redis", .providerUrl = "redis://localhost:6379/0"});
//
// Needs only the C++ standard library, hiredis and OpenSSL at run time (no Qt).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <cachelens/cache.h>
#include <cachelens/policy.h>

namespace cachelens::provider {

using std::chrono::milliseconds;

// Every member has a default, so designated initialisers name only what they change.
struct RedisProviderOptions {
    std::string url{};                     // empty: CacheOptions::providerUrl, then redis://127.0.0.1:6379
    milliseconds timeout{250};             // every Redis call (connect + request + reply); a URL ?timeout= wins
    milliseconds retryAfter{500};          // after a failure, calls fail at once for this long (no pile-up of
                                           // timeouts); at least `timeout`, so a wrap() waits one timeout at most
    std::size_t pool = 8;                  // idle connections kept
    // redis-sentinel:// whose sentinels have their own `requirepass`/ACL user. Left empty, a sentinel that asks for
    // a password gets the URL's (the master's). The URL may carry them too (?sentinel_password=…&sentinel_user=…);
    // a non-empty sentinelPassword here wins over the URL's.
    std::string sentinelUser{}, sentinelPassword{};
    bool failOpen = true;                  // Redis down: wrap() runs the loader (true) or returns Errc::Unavailable
    // L1: a memory store in front of Redis; L1 TTL = min(L2's remaining soft TTL, l1MaxTtl).
    bool l1 = false;
    std::size_t l1MaxBytes = 16u << 20;
    engine::PolicyKind l1Policy = engine::PolicyKind::WTinyLfu;
    milliseconds l1MaxTtl{60'000};
    std::string busChannel = "cachelens:invalidate";
    std::string instanceId{};              // empty: random; messages carrying our own id are ignored
    milliseconds busPingInterval{1'000};   // an idle subscription is PINGed this often; no answer within `timeout`
                                           // is a disconnect (L1 unused until resubscribed, then cleared)
    // Distributed single-flight for wrap() misses.
    bool distributedSingleFlight = false;
    milliseconds lockTtl{5'000};           // a dead holder's lock expires after this
    milliseconds lockWait{5'000};          // waiters load themselves after this
    milliseconds lockPoll{5};
    milliseconds tagSweepInterval{60'000}; // sweep() runs sweepTags() at most this often (0 = never)
};

// Makes `name` (default "redis") available as CacheOptions::provider; `defaults` apply to every Cache made with it.
// Thread-safe; a later registration of the same name replaces the earlier one.
void registerRedisProvider(RedisProviderOptions defaults = {}, const std::string& name = "redis");

// What the provider did, beyond the Cache's own counters.
struct RedisProviderStats {
    std::uint64_t redisErrors = 0;       // calls that failed (I/O, timeout, Redis down)
    std::uint64_t failOpenLoads = 0;     // wrap() ran the loader because Redis was down
    std::uint64_t failClosedRefusals = 0;
    std::uint64_t l1Hits = 0, l1Misses = 0, l2Hits = 0, l2Misses = 0;
    std::uint64_t busPublished = 0, busReceived = 0, busIgnoredOwn = 0, busMalformed = 0;
    std::uint64_t l1ClearsOnReconnect = 0;
    std::uint64_t lockAcquired = 0, lockWaits = 0, lockWaitHits = 0, lockTimeouts = 0;
    std::uint64_t tagMembersSwept = 0;
    bool busConnected = false;
};

// The counters of a cache on a redis provider; nullopt for a cache on another provider.
std::optional<RedisProviderStats> redisProviderStats(engine::Cache& cache);
// Waits until the cache's invalidation bus has subscribed (its L1 is used only from then on); false when it has not
// within `timeout`, when the cache has no L1, or when it is not on a redis provider.
bool waitForInvalidationBus(engine::Cache& cache, milliseconds timeout);

} // namespace cachelens::provider
