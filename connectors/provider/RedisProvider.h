#pragma once
// RedisProvider: the engine's Provider on a Redis server, so `Cache` (<cachelens/cache.h>) runs unchanged on Redis
// (CacheOptions::provider = "redis", providerUrl = REDIS_URL), optionally with a memory L1 in front kept coherent
// across instances by an invalidation bus, and with distributed single-flight for wrap().
//
// Keys (the Cache already prepends CacheOptions::keyPrefix):
//   <prefix><key>            the value: a 16-byte header + tag block + the value bytes (see README, "Using the
//                            engine over Redis"); PX = soft TTL + grace, so stale-while-revalidate and fail-safe
//                            work across processes: a key is fresh while PTTL > grace, stale within the last grace ms
//   <prefix>tag:<name>       a set of the full keys carrying the tag (cleaned on overwrite/delete by the same Lua
//                            script, lazily by invalidation and by sweepTags() for keys that expired); on a Redis
//                            Cluster split per slot, see TagKeys.h
//   <prefix>lock:<key>       distributed single-flight lock (SET NX PX <token>)
// Standalone, sentinel (redis-sentinel://, the master re-resolved on every new connection), TLS (rediss://) and
// Redis Cluster (found out on first contact; RedisRouter routes by slot and follows MOVED/ASK).
// Expiry follows the Redis server's clock, not CacheOptions::clock (a ManualClock cannot move Redis's time);
// deadlines given by the Cache are turned into relative TTLs with the cache's clock.
//
// Threads: every member may be called from any thread; calls share the router's pools (one connection per
// concurrent caller and node). The bus subscriber runs on its own std::thread with its own connection.
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <cachelens/cache.h>
#include <cachelens/redis.h>

#include "cache_internals.h" // CacheInternals::provider(cache): a cache's RedisProvider, for its L1, bus and counters
#include "BlockingRedis.h"
#include "RedisRouter.h"
#include "provider.h"
#include "store.h"

namespace cachelens::provider {

class InvalidationBus;

class RedisProvider final : public engine::Provider {
public:
    using Stats = RedisProviderStats;

    static engine::Result<std::unique_ptr<engine::Provider>> create(const engine::ProviderContext& ctx,
                                                                   RedisProviderOptions options);
    ~RedisProvider() override;

    const char* name() const noexcept override { return "redis"; }
    engine::ValueRef get(std::string_view key) override;
    engine::ValueRef peek(std::string_view key, bool& stale, bool record = true) override;
    engine::Status set(std::string_view key, std::string_view value, const engine::EntryOptions& options,
                       engine::ValueRef* stored = nullptr) override;
    bool del(std::string_view key, engine::Counter cause = engine::Counter::Deletes) override;
    bool exists(std::string_view key) override;
    engine::Nanos ttl(std::string_view key) override;
    bool expireAt(std::string_view key, engine::Nanos deadline) override;
    bool persist(std::string_view key) override;
    engine::Result<std::int64_t> incrBy(std::string_view key, std::int64_t n, engine::Nanos expireAtIfNew) override;
    engine::ScanPage scan(std::uint64_t cursor, std::string_view pattern, std::size_t count) override;
    std::size_t invalidateTag(const std::string& tag) override;
    std::size_t invalidatePattern(std::string_view pattern) override;
    std::size_t clear() override;
    std::size_t sweep(std::size_t slotBudget) override; // runs sweepTags() every tagSweepInterval; returns 0
    std::size_t entries() const noexcept override { return 0; } // remote: not counted (DBSIZE is per database)
    std::size_t bytes() const noexcept override { return 0; }
    engine::Result<engine::ValueRef> loadThrough(std::string_view key,
                                                 const std::function<engine::Result<engine::ValueRef>()>& load) override;

    // Removes tag-set members whose key is gone or no longer carries the tag; returns how many.
    std::size_t sweepTags();
    Stats providerStats() const;
    const RedisProviderOptions& options() const { return opt_; }
    const std::string& instanceId() const { return opt_.instanceId; }
    engine::Store* l1() { return l1_.get(); } // nullptr without L1
    bool waitForBus(milliseconds timeout); // true once the subscriber is subscribed (L1 is only read then)
    bool healthy() const { return !down(); }

    // Called by the bus subscriber.
    void onBusMessage(std::string_view payload);
    void onBusState(bool subscribed);

private:
    RedisProvider(const engine::ProviderContext& ctx, RedisProviderOptions options, RedisEndpoint ep);
    struct Meta {
        bool exists = false;
        long long pttl = -2;
        std::uint32_t graceMs = 0;
        bool live() const { return exists && (pttl == -1 || pttl > static_cast<long long>(graceMs)); }
    };
    bool down() const;
    void noteFailure(const std::string& error);
    // Runs `call` (bool(std::string& error)) unless Redis is marked down; notes the failure (and marks it down) or the
    // success. A template: it wraps every Redis call, and a std::function of its lambdas would allocate.
    template <class Call>
    bool attempt(Call&& call);
    // Runs commands where they belong (RedisRouter); false (and counted) when Redis cannot be reached. EVALSHAs that
    // meet NOSCRIPT (a node that has not seen the script yet) are sent again as EVAL.
    bool run(const std::vector<Args>& commands, std::vector<Reply>& replies);
    bool runOnMaster(std::size_t master, const std::vector<Args>& commands, std::vector<Reply>& replies);
    std::size_t masterCount();
    // EVALSHA of script `id` with `before` and `after` in the same round trip (PUBLISH rides along).
    bool eval(int script, const std::vector<std::string_view>& keys, const std::vector<std::string_view>& argv,
              Reply& reply, const std::vector<Args>& after = {}, const std::vector<Args>& before = {});
    // Calls `each` with every key matching `match` on every master (SCAN, COUNT `count`); false when a node failed.
    bool scanAll(const std::string& match, const char* count, const char* type,
                 const std::function<bool(std::vector<Reply>& keys)>& each);
    Meta meta(std::string_view key);
    void publish(char kind, std::string_view payload, std::vector<Args>& into, std::string& buffer);
    void publishNow(char kind, std::string_view payload); // a message of its own round trip
    bool delInternal(std::string_view key);
    // L1 coherence. Every change drops the L1 copies it affects and moves gen_ (under l1FillMu_) AFTER Redis has
    // applied it, so a read that asked L2 before then does not fill L1 with what was just replaced. set() also moves
    // gen_ before it writes and fills L1 with its own value only if nothing else moved gen_ in between (two writers
    // of one instance may land in Redis in either order: then neither fills).
    void dropL1(const std::function<void(engine::Store&)>& drop);
    void dropL1(std::string_view key);
    std::string lastError() const;
    // The prefix of the tag sets a value at `fullKey` belongs to: "<prefix>tag:" or, on a cluster, its slot's.
    std::string tagPrefixFor(std::string_view fullKey);
    std::string lockKey(std::string_view fullKey) const;
    bool internalKey(std::string_view fullKey) const;
    enum class P : unsigned { redisErrors, failOpenLoads, failClosedRefusals, l2Hits, l2Misses, busPublished, busReceived, busIgnoredOwn, busMalformed, l1ClearsOnReconnect, lockAcquired, lockWaits, lockWaitHits, lockTimeouts, tagMembersSwept, Count_ };
    void add(P counter, std::uint64_t n = 1) noexcept
    {
        counters_[static_cast<unsigned>(counter)].fetch_add(n, std::memory_order_relaxed);
    }

    engine::ProviderContext ctx_;
    RedisProviderOptions opt_;
    RedisRouter router_;
    std::atomic<std::int64_t> downUntil_{0}; // steady_clock ns
    std::string lastError_;
    mutable std::mutex statsMu_; // guards lastError_
    std::array<std::atomic<std::uint64_t>, static_cast<unsigned>(P::Count_)> counters_{};
    std::mutex scriptMu_;
    std::atomic<std::int64_t> lastTagSweep_{0};

    // L1 and the bus
    engine::StatsCounters l1Counters_; // the L1 store's own counters (not the Cache's)
    std::unique_ptr<engine::Store> l1_;
    std::atomic<bool> busUp_{false};
    // Guards L1 fills against invalidations: every invalidation bumps gen_ under l1FillMu_, and a read fills L1
    // (under the same mutex) only if gen_ has not moved since it asked L2.
    std::mutex l1FillMu_;
    std::atomic<std::uint64_t> gen_{0};
    bool everSubscribed_ = false; // guarded by l1FillMu_
    std::condition_variable busCv_;
    std::unique_ptr<InvalidationBus> bus_;
};

} // namespace cachelens::provider
