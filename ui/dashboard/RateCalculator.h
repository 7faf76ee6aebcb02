#pragma once
// RateCalculator: turns one source's consecutive StatsSamples (monotonic counters + gauges) into the per-second rates
// and windowed hit rates the dashboard plots. Pure: no widgets, no clock of its own — time comes from the samples.
//
// Resets: a counter that goes down (CONFIG RESETSTAT, a restart we did not see) restarted from zero inside the
// interval, so its increase is its current value (what Prometheus' rate() does); after a restart (run_id changed or
// uptime went down) every counter counts from zero. A rate is therefore never negative.
// CacheLens's own lookups: a source that counts them (StatsSample::ownHits/ownMisses) has them taken out of the
// interval's hits and misses, so the hit rate is the applications' own, not moved by someone browsing keys. Their
// counters are CacheLens's (since its connection opened): a decrease is a new connection, a server restart does not
// reset them. A correction is never allowed to make hits or misses negative.
// Gaps: when the previous sample is too old (missed polls) or the source said it disconnected, the interval is not
// averaged over. A gap point (every value NaN) is emitted first — QCustomPlot breaks a line at NaN — and the sample
// after the gap only sets the new baseline: its rates are NaN, its gauges are real.
#include "connectors/SourceTypes.h"

#include <cmath>
#include <deque>
#include <limits>
#include <vector>

namespace cachelens::ui {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct RatePoint {
    enum Event : unsigned { None = 0, Gap = 1, Restart = 2, StatsReset = 4, Flush = 8 };

    double time = 0;                  // seconds since the epoch (UTC): the charts' key
    double interval = 0;              // seconds the rates average over; 0 when there is no baseline
    // per second over the last interval; NaN = unknown (no baseline, gap, counter not reported by the source)
    double hitsPerSec = kNaN, missesPerSec = kNaN, opsPerSec = kNaN, evictionsPerSec = kNaN, expirationsPerSec = kNaN;
    double hitRatePct = kNaN;         // hits/(hits+misses) over the last interval; NaN when there was no lookup
    double windowHitRatePct = kNaN;   // the same over the trailing window (RateCalculator::setWindow)
    // gauges; NaN = not reported
    double memoryBytes = kNaN, keys = kNaN, clients = kNaN;
    // lookups counted in the last interval (0 without a baseline): windows and before/after comparisons sum these
    double hits = 0, misses = 0;
    // CacheLens's own lookups in the last interval, already taken out of the hits and misses above, per second;
    // NaN when the source does not count them (hits and misses are then the server's raw figures).
    double ownLookupsPerSec = kNaN;
    bool ownUncountable = false;      // CacheLens also ran commands whose lookups it cannot count (Lua scripts)
    unsigned events = None;

    bool isGap() const { return events & Gap; }
};

class RateCalculator
{
public:
    // expectedInterval: the poll interval in seconds; an interval over gapFactor() times it (and at least
    // minGapSeconds()) is a gap. window: trailing hit-rate window in seconds (0 = the last interval only).
    explicit RateCalculator(double expectedInterval = 1.0, double window = 60.0);

    void setExpectedInterval(double seconds) { m_expected = seconds; }
    double expectedInterval() const { return m_expected; }
    void setWindow(double seconds);
    double window() const { return m_window; }
    double gapThreshold() const;
    static constexpr double gapFactor() { return 3.0; }
    static constexpr double minGapSeconds() { return 1.5; }
    // A drop of the key count to at most a tenth, from at least this many keys, in one interval is a flush.
    static constexpr double flushMinKeys() { return 100; }

    // Appends the points this sample produces (a gap point, then the sample's own point) to `out`.
    void add(const StatsSample& sample, std::vector<RatePoint>& out);
    std::vector<RatePoint> add(const StatsSample& sample);

    // The source went away (disconnected, failed): a gap point at `time` unless one was just emitted; the next sample
    // starts a new baseline.
    bool disconnected(double time, RatePoint& gapPoint);

    void clear();
    bool hasBaseline() const { return m_hasPrevious; }

    static double toKey(const QDateTime& time) { return double(time.toMSecsSinceEpoch()) / 1000.0; }
    static double nowKey() { return double(QDateTime::currentMSecsSinceEpoch()) / 1000.0; }

private:
    struct Lookups {
        double time, hits, misses;
    };
    double windowHitRate(double now) const;

    double m_expected;
    double m_window;
    bool m_hasPrevious = false;
    bool m_gapPending = false;        // disconnected(): the next sample must not average over the outage
    double m_lastGapTime = kNaN;
    StatsSample m_previous;
    double m_previousTime = 0;
    std::deque<Lookups> m_lookups;    // per interval, oldest first, trimmed to the window
};

// Hit rate in percent of `hits` and `misses`, NaN when there was no lookup.
inline double hitRatePercent(double hits, double misses)
{
    const double total = hits + misses;
    return total > 0 ? 100.0 * hits / total : kNaN;
}

} // namespace cachelens::ui
