#include "engine/stats.h"

#include "engine/epoch.h"

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

void StatsCounters::add(Counter c, std::uint64_t n) noexcept
{
    // Each thread has its own stripe (threads beyond 16 share), so this is an uncontended relaxed add.
    auto& a = stripes_[epoch::threadIndex() % kStripes].c[static_cast<unsigned>(c)];
    a.fetch_add(n, std::memory_order_relaxed);
}

StatsSnapshot StatsCounters::snapshot() const noexcept
{
    StatsSnapshot s;
    for (const auto& stripe : stripes_)
        for (unsigned i = 0; i < kCounterCount; ++i) s.counters[i] += stripe.c[i].load(std::memory_order_relaxed);
    return s;
}

std::uint64_t StatsCounters::sum(Counter c) const noexcept
{
    std::uint64_t n = 0;
    for (const auto& stripe : stripes_) n += stripe.c[static_cast<unsigned>(c)].load(std::memory_order_relaxed);
    return n;
}

void StatsCounters::reset() noexcept
{
    for (auto& stripe : stripes_)
        for (auto& a : stripe.c) a.store(0, std::memory_order_relaxed);
}

} // namespace cachelens::engine
