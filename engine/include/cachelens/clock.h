#pragma once
// Time for the engine comes from an injected Clock, so tests and the simulator move time by hand instead of
// sleeping. Times are signed nanoseconds on the clock's own monotonic axis; 0 is never a valid deadline.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <ctime>

namespace cachelens::engine {

using Nanos = std::int64_t;

inline Nanos toNanos(std::chrono::nanoseconds d) noexcept { return d.count(); }

class Clock {
public:
    virtual ~Clock() = default;
    virtual Nanos now() const noexcept = 0;
    // The latest now() can be at this moment, cheaper to read than now() (StoreOptions::coarseExpiry): at or after
    // now(), by at most a couple of kernel ticks. A deadline later than this is surely ahead; a nearer one needs now().
    // Clocks moved by hand return now().
    virtual Nanos coarseLatest() const noexcept { return now(); }
};

// The default: std::chrono::steady_clock, offset so that now() is always > 0.
class SteadyClock final : public Clock {
public:
    Nanos now() const noexcept override
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
                   .count()
            + 1;
    }
    Nanos coarseLatest() const noexcept override
    {
        // steady_clock is CLOCK_MONOTONIC; its _COARSE twin is the same axis, read from the vDSO without the TSC and
        // updated once per tick: it lags now() by less than its resolution. Twice that is the margin added.
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
        return Nanos(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec + 1 + coarseMargin_;
    }
    static SteadyClock& instance() noexcept
    {
        static SteadyClock clock;
        return clock;
    }

private:
    static Nanos twiceCoarseResolution() noexcept
    {
        timespec r{};
        if (clock_getres(CLOCK_MONOTONIC_COARSE, &r) != 0)
            return 0;   // no coarse clock: its reading is 0 too, so every deadline check falls back to now()
        return 2 * (Nanos(r.tv_sec) * 1'000'000'000 + r.tv_nsec);
    }
    Nanos coarseMargin_ = twiceCoarseResolution();
};

// A clock that only moves when told to. Thread-safe: any thread may advance it while others read it.
class ManualClock final : public Clock {
public:
    explicit ManualClock(Nanos start = 1'000'000'000) : t_(start) {}
    Nanos now() const noexcept override { return t_.load(std::memory_order_acquire); }
    void advance(std::chrono::nanoseconds d) noexcept { t_.fetch_add(d.count(), std::memory_order_acq_rel); }
    void set(Nanos t) noexcept { t_.store(t, std::memory_order_release); }

private:
    std::atomic<Nanos> t_;
};

} // namespace cachelens::engine
