#pragma once
// Before/after figures around a marker: hit rate, ops/s, misses/s and memory over the N minutes before and after,
// from the stored rate points. Lookups are summed before dividing (the hit rate of a period is not the mean of
// per-interval percentages), rates are weighted by their intervals, gaps contribute nothing.
#include "ui/dashboard/RateCalculator.h"

#include <deque>

namespace cachelens::ui {

struct PeriodFigures {
    double hitRatePct = kNaN;
    double opsPerSec = kNaN;
    double missesPerSec = kNaN;
    double memoryBytes = kNaN;     // mean of the period
    int samples = 0;               // points with a rate in the period
};

struct MarkerComparison {
    PeriodFigures before, after;
};

// before: points with key in (key − seconds, key]; after: (key, key + seconds].
PeriodFigures periodFigures(const std::deque<RatePoint>& points, double from, double to);
MarkerComparison compareAround(const std::deque<RatePoint>& points, double key, double seconds);

} // namespace cachelens::ui
