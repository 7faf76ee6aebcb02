#pragma once
// The in-memory store behind Cache: a fixed number of shards, each a ShardTable plus its eviction policy, tag
// index, byte count and retire list.
//
// Locking:
//   - reads (get/visit/exists/ttl) take no lock: they pin an epoch, probe the shard table and record the access
//     in the policy with relaxed atomics (see policy.h);
//   - every write to a shard (set, del, expire, persist, eviction, sweeping, tag and pattern invalidation, scan
//     steps) holds that shard's mutex and nothing else, so writers on different shards never meet;
//   - no operation ever holds two shard mutexes.
// Bounds are split evenly across shards (shard i gets maxEntries/N, remainder to the first shards), so the sum
// never exceeds the configured bound; a single entry may use at most its shard's share of maxBytes.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <cachelens/clock.h>
#include <cachelens/entry.h>
#include <cachelens/result.h>

#include "epoch.h"
#include "hash.h"
#include "policy/policy.h"
#include "provider.h"
#include "stats_counters.h"

namespace cachelens::engine {

struct StoreOptions {
    std::size_t maxEntries = 0; // 0 = no entry bound
    std::size_t maxBytes = 0;   // 0 = no byte bound; counts key + value + per-entry overhead
    PolicyKind policy = PolicyKind::WTinyLfu;
    unsigned shards = 0;        // 0 = chosen from the bounds (a power of two, 1 … 64)
    PolicyTuning tuning;
    bool coarseExpiry = true;   // hits check deadlines against Clock::coarseLatest() first and read the exact clock
                                // only within a couple of ticks of the deadline: same answers, cheaper hits.
};

class Store final : public Provider {
public:
    const char* name() const noexcept override { return "memory"; }
    Store(const StoreOptions& options, const Clock& clock, StatsCounters& stats);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // A fresh value, or an empty ValueRef. Counts a hit or a miss.
    ValueRef get(std::string_view key) override;
    // Calls f(std::string_view value, const Entry&) on a fresh hit without taking a reference (the bytes are valid
    // only during the call). Counts a hit or a miss. Returns whether it was a hit.
    template <class F>
    bool visit(std::string_view key, F&& f)
    {
        const std::uint64_t h = hashBytes(key);
        EpochGuard guard;
        Entry* e = findFresh(key, h);
        if (!e) return false;
        f(e->value(), *e);
        return true;
    }
    // For wrap(): the entry even if stale but within its grace period; `stale` says which. With `record`, counts
    // a hit (fresh) or a miss (stale or absent) and tells the policy, like get().
    ValueRef peek(std::string_view key, bool& stale, bool record = true) override;

    // `stored`, when given, receives a reference to the new entry (wrap() hands it to its callers).
    Status set(std::string_view key, std::string_view value, const EntryOptions& options, ValueRef* stored = nullptr) override;
    // Removes the key; true if a live key was removed. `cause` is the counter charged.
    bool del(std::string_view key, Counter cause = Counter::Deletes) override;
    bool exists(std::string_view key) override;
    // Remaining time to live in ns: -2 no such key, -1 no expiry (Redis's PTTL convention).
    Nanos ttl(std::string_view key) override;
    // New deadline; a deadline at or before now deletes the key (as Redis EXPIRE with a non-positive TTL does).
    bool expireAt(std::string_view key, Nanos deadline) override;
    bool persist(std::string_view key) override;
    // Adds n to the decimal integer stored at key (0 if missing), atomically; a new key gets `expireAtIfNew`.
    Result<std::int64_t> incrBy(std::string_view key, std::int64_t n, Nanos expireAtIfNew) override;

    ScanPage scan(std::uint64_t cursor, std::string_view pattern, std::size_t count) override;
    std::size_t invalidateTag(const std::string& tag) override;
    // Every tag with the number of entries carrying it (expired ones not yet swept included), by name. Locks each
    // shard in turn, so the figures are per shard consistent, not one global instant.
    std::map<std::string, std::size_t> tagCounts() const;
    // What invalidateTag of each of `tags` in turn would count: the live entries carrying any of them, each once.
    std::size_t countTagged(std::span<const std::string> tags) const;
    std::size_t invalidatePattern(std::string_view pattern) override;
    std::size_t clear() override;
    // Reclaims up to `slotBudget` table slots' worth of expired entries (round-robin over shards); returns the
    // number removed. The background sweeper calls this; tests call it by hand.
    std::size_t sweep(std::size_t slotBudget) override;

    std::size_t entries() const noexcept override;
    std::size_t bytes() const noexcept override;

    // Per-namespace gauges and counters. A key's namespace is what follows `prefix` up to the first ':' (Cache's
    // namespaces); only the listed names are tracked. `counters` (optional, one per name, in the same order) receive
    // what the store counts per key besides hits and misses: sets, deletes, evictions, expirations, invalidations,
    // rejections. Call once, before the store is used from other threads: entries already stored are not counted.
    // With no names (the default) writes do no extra work.
    void trackNamespaces(std::string prefix, std::vector<std::string> names, std::vector<StatsCounters*> counters = {});
    struct NamespaceUsage {
        std::size_t entries = 0;
        std::size_t bytes = 0; // as bytes(): key + value + per-entry overhead
    };
    // Lock-free snapshot; an untracked name gives zeros.
    NamespaceUsage namespaceUsage(std::string_view name) const noexcept;
    unsigned shardCount() const noexcept { return shardCount_; }
    // The eviction policy's access-frequency estimate for a key (W-TinyLFU: the sketch, 0…16, aged), without
    // counting an access; -1 when the policy keeps none. The estimate exists for absent keys too (a sketch forgets
    // nothing but by aging); callers check presence themselves.
    int accessFrequency(std::string_view key) const noexcept;
    PolicyKind policy() const noexcept { return options_.policy; }
    // Invariant checks for tests: table sizes vs. byte counts vs. tag records.
    struct Audit {
        std::size_t entries = 0, bytes = 0, taggedEntries = 0, tags = 0, retiredPending = 0;
        std::size_t tableSlots = 0; // slots of the shard tables (8 bytes each)
        std::size_t longestProbe = 0; // the most slots a lookup of a present key reads, over all shards
        bool gaugesMatch = true; // the lock-free gauges stats() reads agree with the shards
    };
    Audit audit();
    const Clock& clock() const noexcept { return clock_; }

private:
    struct Shard;
    Shard& shardFor(std::uint64_t hash) const noexcept;
    Entry* findFresh(std::string_view key, std::uint64_t hash);
    // A fresh hit, for every reader: the policy's exact reorder when it wants one and the lock is free, else its
    // lock-free mark; and the hit counter.
    void recordHit(Shard& s, Entry* e, std::uint64_t hash) noexcept;
    void removeLocked(Shard& s, Entry* e, std::uint64_t hash);
    int namespaceOf(std::string_view key) const noexcept;
    // Counts c for the store and, when tracked, for the key's namespace.
    void count(std::string_view key, Counter c, std::uint64_t n = 1) noexcept
    {
        stats_.add(c, n);
        if (!nsCounters_.empty()) countNamespace(key, c, n);
    }
    void countNamespace(std::string_view key, Counter c, std::uint64_t n) noexcept;
    void accountLocked(Shard& s, const Entry* e, int sign) noexcept;
    void evictLocked(Shard& s, Nanos now);
    std::size_t sweepLocked(Shard& s, std::size_t budget, Nanos now);
    void sweepAfterWriteLocked(Shard& s, Nanos now);
    template <class F>
    std::uint32_t scanStepLocked(Shard& s, std::uint32_t cursor, F&& onEntry);

    StoreOptions options_;
    const Clock& clock_;
    // Whether a deadline is still ahead. Under coarseExpiry the cheap coarse reading answers while the deadline is
    // more than a couple of ticks away; nearer than that the exact clock decides (and is left in now), so an entry is
    // never served after its deadline.
    bool ahead(Nanos deadline, Nanos& now) const noexcept
    {
        if (options_.coarseExpiry && clock_.coarseLatest() < deadline)
            return true;
        now = clock_.now();
        return now < deadline;
    }
    StatsCounters& stats_;
    unsigned shardCount_ = 1;
    unsigned shardShift_ = 0;
    std::unique_ptr<Shard[]> shards_;
    std::atomic<unsigned> sweepShard_{0};
    std::string nsPrefix_;
    std::vector<std::string> nsNames_; // sorted
    std::vector<StatsCounters*> nsCounters_; // nsNames_[i]'s counters, or empty
};

} // namespace cachelens::engine
