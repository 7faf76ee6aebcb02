#pragma once
// Time for the engine comes from an injected Clock, so tests and the simulator move time by hand instead of
// sleeping. Times are signed nanoseconds on the clock's own monotonic axis; 0 is never a valid deadline.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace cachelens::engine {

using Nanos = std::int64_t;

inline Nanos toNanos(std::chrono::nanoseconds d) noexcept { return d.count(); }

class Clock {
public:
    virtual ~Clock() = default;
    virtual Nanos now() const noexcept = 0;
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
    static SteadyClock& instance() noexcept
    {
        static SteadyClock clock;
        return clock;
    }
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
