#include "ui/dashboard/SourceSeries.h"

#include <algorithm>

namespace cachelens::ui {

SourceSeries::SourceSeries(QString id, QString name, QColor colour, double pollSeconds, double hitRateWindow)
    : m_id(std::move(id)), m_name(std::move(name)), m_colour(colour), m_calc(pollSeconds, hitRateWindow)
{
    for (auto& d : m_data)
        d = QSharedPointer<QCPGraphDataContainer>::create();
}

void SourceSeries::append(const std::vector<RatePoint>& points)
{
    for (const RatePoint& p : points)
        append(p);
}

void SourceSeries::append(const RatePoint& p)
{
    if (!m_points.empty() && p.time <= m_points.back().time)
        return;   // history and live samples can overlap by a moment; keys must stay sorted
    m_points.push_back(p);
    for (int m = 0; m < kMetricCount; ++m)
        m_data[size_t(m)]->add(QCPGraphData(p.time, metricValue(p, Metric(m))));
}

void SourceSeries::prepend(const std::vector<RatePoint>& older)
{
    std::deque<RatePoint> merged;
    const double firstHeld = m_points.empty() ? kNaN : m_points.front().time;
    for (const RatePoint& p : older) {
        if (std::isnan(firstHeld) || p.time < firstHeld)
            merged.push_back(p);
    }
    if (merged.empty())
        return;
    if (!m_points.empty() && !merged.back().isGap()) {
        // The application was closed between the two: never draw a line across that time.
        RatePoint gap;
        gap.time = (merged.back().time + firstHeld) / 2;
        gap.events = RatePoint::Gap;
        merged.push_back(gap);
    }
    merged.insert(merged.end(), m_points.begin(), m_points.end());
    m_points.swap(merged);
    for (int m = 0; m < kMetricCount; ++m) {
        QVector<QCPGraphData> rebuilt;
        rebuilt.reserve(int(m_points.size()));
        for (const RatePoint& p : m_points)
            rebuilt.append(QCPGraphData(p.time, metricValue(p, Metric(m))));
        m_data[size_t(m)]->set(rebuilt, true);
    }
    setHitRateWindow(m_calc.window());
}

void SourceSeries::removeBefore(double key)
{
    while (!m_points.empty() && m_points.front().time < key)
        m_points.pop_front();
    for (auto& d : m_data)
        d->removeBefore(key);
}

void SourceSeries::setHitRateWindow(double seconds)
{
    m_calc.setWindow(seconds);
    // Two pointers over the stored lookups; a gap empties the window, as RateCalculator does live.
    double hits = 0, misses = 0;
    size_t tail = 0;
    for (size_t i = 0; i < m_points.size(); ++i) {
        RatePoint& p = m_points[i];
        if (p.isGap()) {
            hits = misses = 0;
            tail = i + 1;
            continue;
        }
        hits += p.hits;
        misses += p.misses;
        while (seconds > 0 && tail < i && m_points[tail].time <= p.time - seconds) {
            hits -= m_points[tail].hits;
            misses -= m_points[tail].misses;
            ++tail;
        }
        p.windowHitRatePct = seconds > 0 ? hitRatePercent(hits, misses) : p.hitRatePct;
    }
    auto& d = m_data[size_t(Metric::HitRate)];
    QVector<QCPGraphData> rebuilt;
    rebuilt.reserve(int(m_points.size()));
    for (const RatePoint& p : m_points)
        rebuilt.append(QCPGraphData(p.time, p.windowHitRatePct));
    d->set(rebuilt, true);
}

double SourceSeries::valueAt(Metric metric, double key, double maxAge) const
{
    auto it = std::upper_bound(m_points.begin(), m_points.end(), key,
                               [](double k, const RatePoint& p) { return k < p.time; });
    while (it != m_points.begin()) {
        --it;
        if (it->time < key - maxAge)
            break;
        const double v = metricValue(*it, metric);
        if (!std::isnan(v))
            return v;
    }
    return kNaN;
}

} // namespace cachelens::ui
