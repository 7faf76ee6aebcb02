#pragma once
// Cache statistics as a caller reads them: the counters (Counter), their names, and a snapshot (Cache::stats(),
// Cache::namespaceStats()). Counters are monotonic totals since construction or the last resetStats().
#include <array>
#include <cstdint>

namespace cachelens::engine {

enum class Counter : unsigned {
    Hits,
    Misses,
    Sets,
    Deletes,            // explicit del() that removed a key
    EvictionsCapacity,  // evicted to respect the entry bound
    EvictionsMemory,    // evicted to respect the byte bound
    Expirations,        // removed because their TTL (and grace) had passed
    InvalidationsKey,   // keys removed by invalidate(keys) / update-on-write
    InvalidationsTag,   // keys removed by invalidateTag
    InvalidationsPattern, // keys removed by invalidatePattern
    Loads,              // loader calls made by wrap()/warm()
    LoadFailures,       // loader calls that threw or returned an error
    LoadTimeNs,         // total time spent in loaders (injected clock)
    DedupeJoins,        // wrap() callers that waited for a load already in flight instead of starting one
    StaleServed,        // stale values served (stale-while-revalidate or fail-safe)
    StaleOnFailure,     // of which served because the loader failed
    BackgroundRefreshes,
    NotCachedByPredicate, // loads whose result cacheIf rejected
    Rejected,           // sets refused (value larger than the byte bound, key too long)
    WriteThroughs,      // update-on-write helper: values written in place
    BytesSavedByCompression,
    TtlAdjustments,     // adaptive TTL changes
    Count_
};
inline constexpr unsigned kCounterCount = static_cast<unsigned>(Counter::Count_);

const char* counterName(Counter c) noexcept;

struct StatsSnapshot {
    std::array<std::uint64_t, kCounterCount> counters{};
    std::uint64_t entries = 0;   // gauges, at the moment of the snapshot
    std::uint64_t bytes = 0;
    std::uint64_t gets() const noexcept { return at(Counter::Hits) + at(Counter::Misses); }
    std::uint64_t evictions() const noexcept
    {
        return at(Counter::EvictionsCapacity) + at(Counter::EvictionsMemory);
    }
    std::uint64_t invalidations() const noexcept
    {
        return at(Counter::InvalidationsKey) + at(Counter::InvalidationsTag) + at(Counter::InvalidationsPattern);
    }
    double hitRatio() const noexcept
    {
        const auto g = gets();
        return g ? static_cast<double>(at(Counter::Hits)) / static_cast<double>(g) : 0.0;
    }
    std::uint64_t at(Counter c) const noexcept { return counters[static_cast<unsigned>(c)]; }
};

} // namespace cachelens::engine
