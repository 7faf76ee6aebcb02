#pragma once
// Cache: the engine's facade. get/set/del/wrap with TTLs and tags over a sharded in-memory store (or a provider such
// as redis, CacheOptions::provider), plus the things around it: an instance key prefix, per-namespace default TTLs,
// single-flight loading with grace periods (stale-while-revalidate and fail-safe), negative caching, warming,
// counters, a background sweeper.
//
// Thread-safety: every member function may be called from any thread. Reads take no lock; wrap() loaders run on the
// caller's thread, or on the cache's background thread for stale-while-revalidate refreshes. Keys and values are
// binary-safe byte strings.
//
// Time: every TTL is measured on the injected Clock (CacheOptions::clock); pass a ManualClock in tests and call
// runMaintenance() instead of sleeping.
//
// Keys: CacheOptions::keyPrefix is the one prefix of a cache's keys. Every key given to a Cache is without it (the
// Cache adds it); KeyBuilder builds such keys, and namespaces (CacheOptions::namespaces) are the first part of them.
//
// This header is the whole public API of a cache; the store, its epoch-based reclamation, the task queue and the
// single-flight table are private to the engine.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <cachelens/clock.h>
#include <cachelens/entry.h>
#include <cachelens/policy.h>
#include <cachelens/result.h>
#include <cachelens/stats.h>
#include <cachelens/trace_tap.h>

namespace cachelens::engine {

using std::chrono::milliseconds;

// Every member of the option structs has a default, so designated initialisers name only what they change:
//   Cache cache({.maxBytes = 256u << 20, .keyPrefix = "shop:", .defaultTtl = std::chrono::minutes(5)});
struct NamespaceOptions {
    std::optional<milliseconds> defaultTtl{};
    // Selective caching for every wrap() into this namespace whose WrapOptions has no cacheIf of its own:
    // false hands the loaded value out without caching it (counted as not_cached_by_predicate).
    std::function<bool(std::string_view)> cacheIf{};
};

// Adaptive TTL (opt-in). The rule, in full:
//   - reads extend: a hit on a key whose remaining TTL is below `extendWhenBelow` pushes its deadline out by
//     `extendBy`, never beyond `maxTtl` from now. Only one hit in `sampleEvery` is considered (per thread), so a key
//     read often is extended and one read rarely simply expires;
//   - invalidations shorten: each del()/invalidate() of a key is remembered (for up to `tracked` keys); its next
//     set() with a TTL gets that TTL divided by 1 + the number of invalidations, but not below `minTtl`.
// Every change is counted in stats as ttl_adjustments.
struct AdaptiveTtlOptions {
    bool enabled = false;
    milliseconds extendWhenBelow{30'000};
    milliseconds extendBy{60'000};
    milliseconds maxTtl{3'600'000};
    milliseconds minTtl{1'000};
    std::uint32_t sampleEvery = 16;
    std::size_t tracked = 10'000;
};

struct CacheOptions {
    // "memory", or "redis" once cachelens::provider::registerRedisProvider() (<cachelens/redis.h>, CacheLens::redis)
    // has run. A provider that is not available is an error of Cache::create(), never a quiet memory cache.
    std::string provider = "memory";
    std::string providerUrl{};             // e.g. REDIS_URL, for remote providers
    std::size_t maxEntries = 0;            // 0 = unbounded
    std::size_t maxBytes = 64u << 20;      // key + value + overhead; 0 = unbounded
    PolicyKind policy = PolicyKind::WTinyLfu;
    unsigned shards = 0;                   // 0 = automatic
    PolicyTuning policyTuning{};
    std::string keyPrefix{};               // prepended to every key this instance touches (see "Keys" above)
    std::optional<milliseconds> defaultTtl{};
    // Default TTL per namespace: the part of the key (after the prefix) before the first ':'.
    std::map<std::string, NamespaceOptions, std::less<>> namespaces{};
    bool enabled = true;                   // false: nothing is stored, get() misses, wrap() always loads
    const Clock* clock = nullptr;          // nullptr = SteadyClock
    bool backgroundThread = true;          // false: refreshes and sweeps wait for runMaintenance()
    AdaptiveTtlOptions adaptiveTtl{};
    std::size_t compressAbove = 0;         // store values of at least this many bytes zstd-compressed; 0 = never
    int compressionLevel = 1;
    milliseconds sweepInterval{100};
    std::size_t sweepSlotsPerTick = 4096;
};

struct SetOptions {
    std::optional<milliseconds> ttl{};     // unset: the namespace's or the cache's default (or none)
    milliseconds grace{0};                 // how long wrap() may serve the value after it expires
    std::vector<std::string> tags{};
};

struct WrapOptions {
    std::optional<milliseconds> ttl{};
    milliseconds grace{0};                 // stale window used by the two switches below
    // Within grace: serve stale now, refresh once in the background. The refresh runs a copy of the loader later,
    // on the cache's background thread: a loader must then capture what it uses by value.
    bool staleWhileRevalidate = true;
    bool failSafe = true;                  // within grace: serve stale when the loader fails
    std::optional<milliseconds> notFoundTtl{}; // cache "not found" (loader returned nullopt) this long
    std::function<bool(std::string_view)> cacheIf{}; // false: hand the value out but do not cache it
    std::vector<std::string> tags{};
};

// Update on write: what a mutation of the source of truth makes stale, in one call (see Cache::afterWrite).
struct Mutation {
    std::vector<std::string> keys{};      // invalidate these keys
    std::vector<std::string> tags{};      // …every key carrying these tags
    std::vector<std::string> patterns{};  // …every key matching these globs
    std::vector<std::pair<std::string, std::string>> writeThrough{}; // or store the new values in place
    SetOptions writeOptions{};            // TTL/tags for the written values
};
struct MutationReport {
    std::size_t keys = 0, tagged = 0, matched = 0, written = 0, failed = 0;
};

// A loader returns the value, std::nullopt for "not found", or throws for a failure.
using Loader = std::function<std::optional<std::string>()>;

struct WarmReport {
    std::size_t loaded = 0, alreadyCached = 0, notFound = 0, failed = 0;
};

// One page of Cache::scan().
struct ScanPage {
    std::uint64_t cursor = 0;   // 0 when the scan is complete
    std::vector<std::string> keys{};
};

class Cache {
public:
    // Throws std::invalid_argument when options.provider is not available; create() reports it as a value.
    explicit Cache(CacheOptions options = {});
    static Result<std::unique_ptr<Cache>> create(CacheOptions options);
    ~Cache();
    Cache(const Cache&) = delete;
    Cache& operator=(const Cache&) = delete;

    // A fresh value or an empty ValueRef (miss). A cached "not found" is a hit: check isNotFound().
    ValueRef get(std::string_view key);
    // Zero-copy, zero-refcount read: calls f(std::string_view value) while the bytes are guaranteed alive, and
    // returns hit or miss. With the memory provider the bytes are the stored ones, protected by the engine's epoch
    // for the duration of f. That epoch is process-wide: while any thread is inside f, no Cache in the process can
    // free what it has removed or replaced since (entries, old tables), so their memory waits for f to return. Keep
    // f short (use or copy the bytes and return); for a value to keep or to work on at length, take get()'s
    // ValueRef, which holds its own reference and pins nothing.
    template <class F>
    bool read(std::string_view key, F&& f)
    {
        using Fn = std::remove_reference_t<F>;
        return readWith(key, [](void* fn, std::string_view v) { (*static_cast<Fn*>(fn))(v); },
                        const_cast<std::remove_const_t<Fn>*>(std::addressof(f)));
    }
    Status set(std::string_view key, std::string_view value, const SetOptions& options = {});
    bool del(std::string_view key);
    // Removes the keys as invalidations (counted apart from del); returns how many existed.
    std::size_t invalidate(std::span<const std::string> keys);
    bool exists(std::string_view key);
    // For inspection (the Keys panel), neither counting a hit or miss nor telling the policy: the value's size in
    // bytes (uncompressed), -1 when absent or stale; and the policy's access-frequency estimate, -1 when the policy
    // keeps none or the provider is not the memory store.
    std::int64_t peekValueSize(std::string_view key);
    // The value itself, for inspection as above (the Keys panel's value viewer): f(value) for a fresh entry, then
    // true; false when absent or stale. Nothing is counted and the policy is not told.
    bool peekValue(std::string_view key, const std::function<void(std::string_view)>& f);
    int accessFrequency(std::string_view key) const;
    // Remaining TTL in ms; -2 no such key, -1 no expiry (Redis PTTL).
    std::int64_t pttl(std::string_view key);
    // A non-positive TTL deletes the key, as Redis's EXPIRE does. Returns whether the key existed.
    bool expire(std::string_view key, milliseconds ttl);
    bool persist(std::string_view key);
    Result<std::int64_t> incrBy(std::string_view key, std::int64_t n, std::optional<milliseconds> ttlIfNew = {});

    // Cache-aside with single-flight; see WrapOptions. Errors: LoaderFailed (the loader threw; message = what()).
    // A fresh hit costs what get() costs: one lookup, recorded in the policy as get() records it (exact LRU
    // included), no allocation, no lock; the loader is not even wrapped in a std::function until a miss.
    // A wrap() of the key this thread's previous read() or get() just missed (no other lookup or write from this
    // thread in between) is the same access, not a second one: its lookup counts no second miss (stats, namespace
    // stats, trace tap) and tells the policy nothing more (the W-TinyLFU sketch counts the key once), so
    // "read(); on a miss, wrap()" counts exactly like wrap() alone.
    template <class F>
    Result<ValueRef> wrap(std::string_view key, F&& loader, const WrapOptions& options)
    {
        return wrapImpl(key, std::forward<F>(loader), &options);
    }
    template <class F>
    Result<ValueRef> wrap(std::string_view key, F&& loader)
    {
        return wrapImpl(key, std::forward<F>(loader), nullptr);
    }
    // Loads the keys not already cached with up to `concurrency` threads.
    WarmReport warm(std::span<const std::string> keys, const std::function<std::optional<std::string>(std::string_view)>& loader,
                    unsigned concurrency = 4, const WrapOptions& options = defaultWrapOptions());

    // After a write to the source of truth: invalidates keys, tags and patterns and writes values through, all
    // counted in stats (invalidations by kind, write_throughs).
    MutationReport afterWrite(const Mutation& m);

    // Keys are returned without the instance prefix; pattern is a Redis glob (see glob.h) on that same form.
    ScanPage scan(std::uint64_t cursor, std::string_view pattern = "*", std::size_t count = 100);
    std::size_t invalidateTag(const std::string& tag);
    // Tags with the number of entries carrying each (memory provider; empty with another provider, whose tags
    // live elsewhere — the redis provider's are sets in Redis).
    std::map<std::string, std::size_t> tagCounts() const;
    // The dry run of invalidateTag over `tags`: the live entries it would remove, each once (memory provider; 0
    // with another provider or while disabled, as invalidateTag).
    std::size_t countTagged(std::span<const std::string> tags) const;
    std::size_t invalidatePattern(std::string_view pattern);
    std::size_t clear();

    StatsSnapshot stats() const;
    // Counters of one namespace of CacheOptions::namespaces, the same as stats() has for the whole cache: hits,
    // misses, sets, deletes, evictions by cause, expirations, invalidations by kind, loads, load failures, load
    // time, dedupe joins, stale served, refreshes, … and, with the memory provider, its gauges: entries and bytes
    // (key + value + overhead, as stats().bytes) of the keys in it right now, whatever put them there or took them
    // out. Unknown namespaces give an empty snapshot. With another provider, what the provider counts itself
    // (evictions, expirations, invalidations) is not split by namespace and the gauges are 0.
    StatsSnapshot namespaceStats(std::string_view ns) const;
    void resetStats();
    // The access-trace tap (off until enabled); see trace_tap.h.
    TraceTap& traceTap() noexcept;
    void setTraceEnabled(bool on, std::uint32_t sampleEvery = 1) noexcept;
    // Runs queued background refreshes and one sweep step on the calling thread (manual mode); returns the
    // number of expired entries reclaimed.
    std::size_t runMaintenance();
    std::size_t pendingBackgroundTasks() const;

    const CacheOptions& options() const noexcept;
    bool enabled() const noexcept;
    const Clock& clock() const noexcept;
    // The provider the entries live in: "memory", "redis", …
    const char* providerName() const noexcept;
    static const WrapOptions& defaultWrapOptions();

private:
    struct Impl;
    friend struct CacheInternals; // the engine's own access for its tests and the redis provider (not installed)
    using ReadCallback = void (*)(void* f, std::string_view value);
    bool readWith(std::string_view key, ReadCallback callback, void* f);
    // The hit path of wrap(): true with `v` set on a fresh hit; otherwise `v` and `stale` are what wrapSlow needs.
    bool wrapLookup(std::string_view key, ValueRef& v, bool& stale);
    // The hit path, inline; everything else (stale, miss, disabled) in wrapSlow. `o` null: defaultWrapOptions().
    template <class F>
    Result<ValueRef> wrapImpl(std::string_view key, F&& loader, const WrapOptions* o)
    {
        ValueRef v;
        bool stale = false;
        if (wrapLookup(key, v, stale)) return Result<ValueRef>(std::move(v)); // moved: no second refcount round trip
        return wrapSlow(key, Loader(std::forward<F>(loader)), o ? *o : defaultWrapOptions(), std::move(v), stale);
    }
    Result<ValueRef> wrapSlow(std::string_view key, Loader loader, const WrapOptions& o, ValueRef stale, bool isStale);

    std::unique_ptr<Impl> d_;
};

} // namespace cachelens::engine
