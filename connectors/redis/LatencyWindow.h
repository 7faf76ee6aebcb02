#pragma once
// Round-trip latencies of the last kCapacity replies, for p50/p99 on demand (the status bar asks about once a
// second; recording is one store).
#include <array>
#include <cstdint>

namespace cachelens::redis {

class LatencyWindow
{
public:
    static constexpr int kCapacity = 4096;
    void record(std::int64_t micros);
    // Percentile in milliseconds over the window, 0 when empty. p in [0, 1].
    double percentileMs(double p) const;
    int count() const { return m_count; }

private:
    std::array<std::uint32_t, kCapacity> m_samples{};
    int m_next = 0;
    int m_count = 0;
};

} // namespace cachelens::redis
