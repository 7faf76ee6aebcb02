#include "ui/dashboard/MarkerComparison.h"

#include <algorithm>

namespace cachelens::ui {

PeriodFigures periodFigures(const std::deque<RatePoint>& points, double from, double to)
{
    PeriodFigures f;
    double hits = 0, misses = 0, ops = 0, opsTime = 0, missTime = 0, memory = 0;
    int memoryCount = 0;
    auto it = std::upper_bound(points.begin(), points.end(), from,
                               [](double k, const RatePoint& p) { return k < p.time; });
    for (; it != points.end() && it->time <= to; ++it) {
        const RatePoint& p = *it;
        if (!std::isnan(p.memoryBytes)) {
            memory += p.memoryBytes;
            ++memoryCount;
        }
        if (p.interval <= 0)
            continue;   // a gap or a new baseline: no rates to weigh
        ++f.samples;
        hits += p.hits;
        misses += p.misses;
        if (!std::isnan(p.opsPerSec)) {
            ops += p.opsPerSec * p.interval;
            opsTime += p.interval;
        }
        if (!std::isnan(p.missesPerSec))
            missTime += p.interval;
    }
    f.hitRatePct = hitRatePercent(hits, misses);
    if (opsTime > 0)
        f.opsPerSec = ops / opsTime;
    if (missTime > 0)
        f.missesPerSec = misses / missTime;
    if (memoryCount > 0)
        f.memoryBytes = memory / memoryCount;
    return f;
}

MarkerComparison compareAround(const std::deque<RatePoint>& points, double key, double seconds)
{
    return {periodFigures(points, key - seconds, key), periodFigures(points, key, key + seconds)};
}

} // namespace cachelens::ui
