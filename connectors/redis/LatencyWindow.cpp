#include "connectors/redis/LatencyWindow.h"

#include <algorithm>
#include <limits>
#include <vector>

namespace cachelens::redis {

void LatencyWindow::record(std::int64_t micros)
{
    const auto clamped = std::clamp<std::int64_t>(micros, 0, std::numeric_limits<std::uint32_t>::max());
    m_samples[std::size_t(m_next)] = std::uint32_t(clamped);
    m_next = (m_next + 1) % kCapacity;
    m_count = std::min(m_count + 1, kCapacity);
}

double LatencyWindow::percentileMs(double p) const
{
    if (m_count == 0)
        return 0;
    std::vector<std::uint32_t> copy(m_samples.begin(), m_samples.begin() + m_count);
    const auto index = std::size_t(std::clamp(p, 0.0, 1.0) * double(m_count - 1) + 0.5);
    std::nth_element(copy.begin(), copy.begin() + std::ptrdiff_t(index), copy.end());
    return double(copy[index]) / 1000.0;
}

} // namespace cachelens::redis
