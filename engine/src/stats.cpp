#include <cachelens/stats.h>

#include "stats_counters.h"

#include <algorithm>

namespace cachelens::engine {

const char* counterName(Counter c) noexcept
{
    static constexpr const char* kNames[kCounterCount] = {
        "hits", "misses", "sets", "deletes", "evictions_capacity", "evictions_memory", "expirations",
        "invalidations_key", "invalidations_tag", "invalidations_pattern", "loads", "load_failures",
        "load_time_ns", "dedupe_joins", "stale_served", "stale_on_failure", "background_refreshes",
        "not_cached_by_predicate", "rejected", "write_throughs", "bytes_saved_by_compression", "ttl_adjustments",
    };
    const auto i = static_cast<unsigned>(c);
    return i < kCounterCount ? kNames[i] : "?";
}

StatsSnapshot StatsCounters::snapshot() const noexcept
{
    StatsSnapshot s;
    std::array<std::uint64_t, kCounterCount> base;
    for (unsigned i = 0; i < kCounterCount; ++i) base[i] = base_[i].load(std::memory_order_acquire);
    const unsigned used = std::min(epoch::indexHighWater(), kOwnedStripes);
    for (unsigned t = 0; t < used; ++t)
        for (unsigned i = 0; i < kCounterCount; ++i) s.counters[i] += stripes_[t].c[i].load(std::memory_order_relaxed);
    for (unsigned i = 0; i < kCounterCount; ++i)
        s.counters[i] += stripes_[kOwnedStripes].c[i].load(std::memory_order_relaxed);
    for (unsigned i = 0; i < kCounterCount; ++i) s.counters[i] = s.counters[i] > base[i] ? s.counters[i] - base[i] : 0;
    return s;
}

std::uint64_t StatsCounters::lifetime(Counter c) const noexcept
{
    // Stripes at or past the index high-water mark were never written: no thread has had that index yet.
    const unsigned used = std::min(epoch::indexHighWater(), kOwnedStripes);
    std::uint64_t n = stripes_[kOwnedStripes].c[static_cast<unsigned>(c)].load(std::memory_order_relaxed);
    for (unsigned t = 0; t < used; ++t) n += stripes_[t].c[static_cast<unsigned>(c)].load(std::memory_order_relaxed);
    return n;
}

std::uint64_t StatsCounters::sum(Counter c) const noexcept
{
    const std::uint64_t base = base_[static_cast<unsigned>(c)].load(std::memory_order_acquire);
    const std::uint64_t n = lifetime(c);
    return n > base ? n - base : 0;
}

void StatsCounters::reset() noexcept
{
    for (unsigned i = 0; i < kCounterCount; ++i)
        base_[i].store(lifetime(static_cast<Counter>(i)), std::memory_order_release);
}

} // namespace cachelens::engine
