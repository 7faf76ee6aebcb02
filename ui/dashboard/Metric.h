#pragma once
// The quantities the dashboard plots, how each is read from a RatePoint and how its numbers are written.
#include "ui/dashboard/RateCalculator.h"

#include <QString>

class QLocale;

namespace cachelens::ui {

enum class Metric {
    HitsPerSec,
    MissesPerSec,
    HitRate,            // windowed (RateCalculator::window), in percent
    OpsPerSec,
    Memory,
    Keys,
    EvictionsPerSec,
    ExpirationsPerSec,
    Clients,
};
inline constexpr int kMetricCount = int(Metric::Clients) + 1;

enum class Unit { PerSecond, Percent, Bytes, Count };

Unit metricUnit(Metric metric);
QString metricName(Metric metric);                    // "hits/s", "hit rate", … (translated)
double metricValue(const RatePoint& point, Metric metric);   // NaN = nothing to draw
QString formatValue(double value, Unit unit, const QLocale& locale);   // "1,234.5/s", "97.2 %", "2.3 GiB"
// How the hits, misses and hit rate of `latest` (a source's last point with rates) relate to CacheLens's own lookups:
// "corrected for CacheLens's own 1,200 lookups/s", or that they are the server's raw figure.
QString ownLookupNote(const RatePoint& latest, const QLocale& locale);
// The signed change from `before` to `now` ("+3.1 points", "−120/s", "+12 MiB"), empty when either is unknown.
QString formatChange(double now, double before, Unit unit, const QLocale& locale);

} // namespace cachelens::ui
