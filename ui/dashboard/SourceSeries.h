#pragma once
// SourceSeries: everything the dashboard keeps for one source — its rate calculator, the raw points (for windows,
// tiles and before/after comparisons) and one QCustomPlot data container per metric, shared with the charts'
// graphs so a new sample is appended once (data()->add) and old ones dropped with removeBefore, never rebuilt.
#include "ui/dashboard/Metric.h"
#include "ui/dashboard/RateCalculator.h"

#include <QColor>
#include <QSharedPointer>
#include <QString>

#include <array>
#include <deque>

#include <qcustomplot.h>

namespace cachelens::ui {

class SourceSeries
{
public:
    SourceSeries(QString id, QString name, QColor colour, double pollSeconds, double hitRateWindow);

    const QString& id() const { return m_id; }
    const QString& name() const { return m_name; }
    QColor colour() const { return m_colour; }

    RateCalculator& calculator() { return m_calc; }
    const std::deque<RatePoint>& points() const { return m_points; }
    QSharedPointer<QCPGraphDataContainer> data(Metric metric) const { return m_data[size_t(metric)]; }

    // Appends points (as produced by RateCalculator, in time order) to the raw store and every metric's container.
    void append(const std::vector<RatePoint>& points);
    void append(const RatePoint& point);
    // Puts points from before the first one held (the recorded past) in front, with a gap between the two, and
    // rebuilds the containers in place (the graphs keep sharing them).
    void prepend(const std::vector<RatePoint>& older);
    // Forgets everything older than `key` (the panel keeps 24 h plus a margin).
    void removeBefore(double key);
    // A new trailing hit-rate window: recomputed over the stored points, as if it had been chosen from the start.
    void setHitRateWindow(double seconds);

    // Latest value of `metric` at or before `key` that is not a gap, and how far back it may be (seconds).
    double valueAt(Metric metric, double key, double maxAge) const;
    double lastKey() const { return m_points.empty() ? kNaN : m_points.back().time; }

private:
    QString m_id;
    QString m_name;
    QColor m_colour;
    RateCalculator m_calc;
    std::deque<RatePoint> m_points;
    std::array<QSharedPointer<QCPGraphDataContainer>, kMetricCount> m_data;
};

} // namespace cachelens::ui
