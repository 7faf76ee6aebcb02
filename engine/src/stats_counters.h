#pragma once
// Cache statistics: monotonic counters kept in per-thread stripes, summed on demand. The first kOwnedStripes
// threads (by epoch::threadIndex(), which no two live threads share) each own a stripe and count with a relaxed load
// and store, no read-modify-write: nothing but the owner writes that line. Further threads share one more stripe and
// count with fetch_add. A snapshot reads 17 stripes × ~24 counters: well under a microsecond, so the GUI can sample
// at 10 Hz under full load without disturbing the hit path.
// reset() never writes the stripes (an owner's load + store would undo it): it records the current sums as a base
// that sum() and snapshot() subtract; lifetime() ignores resets (what the eviction policies' hill climbing uses).
#include <array>
#include <atomic>
#include <cstdint>

#include <cachelens/stats.h>

#include "epoch.h"

namespace cachelens::engine {

class StatsCounters {
public:
    static constexpr unsigned kOwnedStripes = 16;
    void add(Counter c, std::uint64_t n = 1) noexcept
    {
        const unsigned t = epoch::threadIndex();
        if (t < kOwnedStripes) [[likely]] {
            auto& a = stripes_[t].c[static_cast<unsigned>(c)];
            a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
        } else {
            stripes_[kOwnedStripes].c[static_cast<unsigned>(c)].fetch_add(n, std::memory_order_relaxed);
        }
    }
    StatsSnapshot snapshot() const noexcept; // counters only; gauges are filled by the owner
    std::uint64_t sum(Counter c) const noexcept;      // since the last reset()
    std::uint64_t lifetime(Counter c) const noexcept; // since construction
    void reset() noexcept;

private:
    struct alignas(64) Stripe {
        std::array<std::atomic<std::uint64_t>, kCounterCount> c{};
    };
    std::array<Stripe, kOwnedStripes + 1> stripes_{};
    std::array<std::atomic<std::uint64_t>, kCounterCount> base_{}; // lifetime sums at the last reset()
};

} // namespace cachelens::engine
