#include "ui/dashboard/RateCalculator.h"

#include <algorithm>

namespace cachelens::ui {

namespace {

// Increase of a monotonic counter over one interval; NaN when either side is not reported. After a reset the counter
// restarted from zero inside the interval, so everything it holds now is new.
double increase(std::int64_t now, std::int64_t before, bool restarted)
{
    if (now < 0 || before < 0)
        return kNaN;
    if (restarted || now < before)
        return double(now);
    return double(now - before);
}

double gauge(std::int64_t value)
{
    return value < 0 ? kNaN : double(value);
}

bool anyCounterWentDown(const StatsSample& now, const StatsSample& before)
{
    const auto down = [](std::int64_t a, std::int64_t b) { return a >= 0 && b >= 0 && a < b; };
    return down(now.hits, before.hits) || down(now.misses, before.misses) || down(now.sets, before.sets)
           || down(now.deletes, before.deletes) || down(now.evictions, before.evictions)
           || down(now.expirations, before.expirations) || down(now.commands, before.commands);
}

RatePoint gapAt(double time)
{
    RatePoint p;
    p.time = time;
    p.events = RatePoint::Gap;
    return p;
}

} // namespace

RateCalculator::RateCalculator(double expectedInterval, double window)
    : m_expected(expectedInterval), m_window(std::max(0.0, window))
{
}

void RateCalculator::setWindow(double seconds)
{
    m_window = std::max(0.0, seconds);
}

double RateCalculator::gapThreshold() const
{
    return std::max(gapFactor() * m_expected, minGapSeconds());
}

void RateCalculator::clear()
{
    m_hasPrevious = false;
    m_gapPending = false;
    m_lastGapTime = kNaN;
    m_lookups.clear();
}

bool RateCalculator::disconnected(double time, RatePoint& gapPoint)
{
    if (!m_hasPrevious || m_gapPending)
        return false;   // nothing drawn since the last gap: a second break would be noise
    m_gapPending = true;
    m_lastGapTime = std::max(time, m_previousTime);
    gapPoint = gapAt(m_lastGapTime);
    return true;
}

std::vector<RatePoint> RateCalculator::add(const StatsSample& sample)
{
    std::vector<RatePoint> out;
    add(sample, out);
    return out;
}

void RateCalculator::add(const StatsSample& sample, std::vector<RatePoint>& out)
{
    const double now = toKey(sample.time);
    RatePoint p;
    p.time = now;
    p.memoryBytes = gauge(sample.memoryBytes);
    p.keys = gauge(sample.keys);
    p.clients = gauge(sample.clients);

    const double dt = m_hasPrevious ? now - m_previousTime : 0;
    if (m_hasPrevious && dt <= 0) {
        // Out of order or duplicate (two replies in the same millisecond): nothing new to say about rates.
        return;
    }
    const bool restarted = m_hasPrevious
                           && ((!sample.runId.isEmpty() && !m_previous.runId.isEmpty() && sample.runId != m_previous.runId)
                               || (sample.uptimeSeconds >= 0 && m_previous.uptimeSeconds >= 0
                                   && sample.uptimeSeconds < m_previous.uptimeSeconds));
    const bool gap = m_hasPrevious && (m_gapPending || dt > gapThreshold());

    if (m_hasPrevious) {
        if (restarted)
            p.events |= RatePoint::Restart;
        else if (anyCounterWentDown(sample, m_previous))
            p.events |= RatePoint::StatsReset;
        const double keysBefore = gauge(m_previous.keys);
        if (keysBefore >= flushMinKeys() && p.keys <= keysBefore / 10)
            p.events |= RatePoint::Flush;
    }

    if (gap) {
        if (!m_gapPending)   // the break goes right after the last point drawn
            out.push_back(gapAt(m_previousTime + std::min(dt / 2, m_expected)));
        // Stale lookups would make the window's hit rate describe the time before the outage.
        m_lookups.clear();
    } else if (m_hasPrevious) {
        p.interval = dt;
        double hits = increase(sample.hits, m_previous.hits, restarted);
        double misses = increase(sample.misses, m_previous.misses, restarted);
        const double ownHits = increase(sample.ownHits, m_previous.ownHits, false);
        const double ownMisses = increase(sample.ownMisses, m_previous.ownMisses, false);
        if (!std::isnan(ownHits) && !std::isnan(ownMisses)) {
            hits = std::max(0.0, hits - ownHits);
            misses = std::max(0.0, misses - ownMisses);
            p.ownLookupsPerSec = (ownHits + ownMisses) / dt;
            p.ownUncountable = increase(sample.ownUncountable, m_previous.ownUncountable, false) > 0;
        }
        p.hitsPerSec = hits / dt;
        p.missesPerSec = misses / dt;
        p.evictionsPerSec = increase(sample.evictions, m_previous.evictions, restarted) / dt;
        p.expirationsPerSec = increase(sample.expirations, m_previous.expirations, restarted) / dt;
        double ops = increase(sample.commands, m_previous.commands, restarted);
        if (std::isnan(ops)) {
            // Sources without a command counter (the local engine): the operations it does count.
            ops = hits + misses + increase(sample.sets, m_previous.sets, restarted)
                  + increase(sample.deletes, m_previous.deletes, restarted);
            if (std::isnan(ops) && sample.opsPerSecond >= 0)
                ops = sample.opsPerSecond * dt;
        }
        p.opsPerSec = ops / dt;
        if (!std::isnan(hits) && !std::isnan(misses)) {
            p.hits = hits;
            p.misses = misses;
            p.hitRatePct = hitRatePercent(hits, misses);
            m_lookups.push_back({now, hits, misses});
        }
    }
    while (!m_lookups.empty() && m_lookups.front().time <= now - m_window)
        m_lookups.pop_front();
    p.windowHitRatePct = m_window > 0 ? windowHitRate(now) : p.hitRatePct;

    m_previous = sample;
    m_previousTime = now;
    m_hasPrevious = true;
    m_gapPending = false;
    out.push_back(p);
}

double RateCalculator::windowHitRate(double now) const
{
    double hits = 0, misses = 0;
    for (const Lookups& l : m_lookups) {
        if (l.time > now - m_window) {
            hits += l.hits;
            misses += l.misses;
        }
    }
    return hitRatePercent(hits, misses);
}

} // namespace cachelens::ui
