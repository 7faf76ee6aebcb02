#pragma once
// Provider: where a Cache keeps its entries. `memory` (Store, this library) is built in; `redis` is registered by
// the redis provider (connectors/provider, CacheLens::redis) through registerProvider(), so the engine never depends
// on a Redis client. Private to the engine: programs pick a provider by name (CacheOptions::provider).
//
// Contract for implementations: every function is thread-safe; deadlines are absolute times on the cache's Clock
// (a remote provider converts them to relative TTLs); counters go to the StatsCounters the context gives (hits,
// misses, sets, deletes, evictions, expirations, invalidations by kind); a ValueRef may wrap a detached Entry
// (Entry::create) when the bytes come from elsewhere.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <cachelens/cache.h>
#include <cachelens/clock.h>
#include <cachelens/entry.h>
#include <cachelens/result.h>

#include "stats_counters.h"

namespace cachelens::engine {

// How a provider stores one entry.
struct EntryOptions {
    Nanos expireAt = 0;         // absolute deadline on the cache's clock; 0 = no expiry
    std::uint32_t graceMs = 0;  // stale values may be served this long past expireAt (wrap only)
    std::span<const std::string> tags;
    bool notFound = false;      // negative-cache record
    bool compressed = false;
};

class Provider {
public:
    virtual ~Provider() = default;
    virtual const char* name() const noexcept = 0;

    virtual ValueRef get(std::string_view key) = 0;
    // The value even if stale but within its grace period (for wrap()); `record` counts a hit or miss.
    virtual ValueRef peek(std::string_view key, bool& stale, bool record = true) = 0;
    virtual Status set(std::string_view key, std::string_view value, const EntryOptions& options,
                       ValueRef* stored = nullptr) = 0;
    virtual bool del(std::string_view key, Counter cause = Counter::Deletes) = 0;
    virtual bool exists(std::string_view key) = 0;
    virtual Nanos ttl(std::string_view key) = 0; // ns left; -2 no key, -1 no expiry
    virtual bool expireAt(std::string_view key, Nanos deadline) = 0;
    virtual bool persist(std::string_view key) = 0;
    virtual Result<std::int64_t> incrBy(std::string_view key, std::int64_t n, Nanos expireAtIfNew) = 0;
    virtual ScanPage scan(std::uint64_t cursor, std::string_view pattern, std::size_t count) = 0;
    virtual std::size_t invalidateTag(const std::string& tag) = 0;
    virtual std::size_t invalidatePattern(std::string_view pattern) = 0;
    virtual std::size_t clear() = 0;
    virtual std::size_t sweep(std::size_t slotBudget) = 0; // local reclamation; remote providers return 0
    // Cache::wrap() calls this on a miss, on the one local caller about to run the loader; `load` runs the loader
    // and stores its result. The default just loads. A remote provider may instead hand back a value another
    // process has just loaded (distributed single-flight) or an error (fail-closed while it is unreachable).
    virtual Result<ValueRef> loadThrough(std::string_view key, const std::function<Result<ValueRef>()>& load)
    {
        (void)key;
        return load();
    }
    virtual std::size_t entries() const noexcept = 0;
    virtual std::size_t bytes() const noexcept = 0;
};

struct ProviderContext {
    const CacheOptions& options;
    const Clock& clock;
    StatsCounters& stats;
};

using ProviderFactory = std::function<Result<std::unique_ptr<Provider>>(const ProviderContext&)>;

// Makes `name` available as CacheOptions::provider. Thread-safe; a later registration replaces an earlier one.
void registerProvider(const std::string& name, ProviderFactory factory);
// "memory" always works; other names need a registration.
Result<std::unique_ptr<Provider>> makeProvider(const std::string& name, const ProviderContext& context);

} // namespace cachelens::engine
