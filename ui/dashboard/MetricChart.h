#pragma once
// MetricChart: one dashboard chart (a QCustomPlot) showing one or two metrics for every source, overlaid in the
// sources' colours with a legend. Its graphs share the sources' raw containers; for long windows refresh() hands
// them min/max-decimated copies instead (one bucket per pixel column). Mouse drag pans and the wheel zooms the time
// axis only; either is reported as userMovedKeyRange so the panel can pause and keep every chart on the same range.
// Hovering shows the exact values nearest the pointer.
#include "ui/dashboard/Metric.h"

#include <QList>

#include <qcustomplot.h>

namespace cachelens::ui {

class SourceSeries;

class MetricChart : public QCustomPlot
{
    Q_OBJECT
public:
    MetricChart(const QString& title, QList<Metric> metrics, QWidget* parent = nullptr);

    QString title() const { return m_title; }
    // A line under the title saying how to read the figures ("corrected for CacheLens's own 1,200 lookups/s").
    void setNote(const QString& note);
    QString note() const;
    const QList<Metric>& metrics() const { return m_metrics; }
    Unit unit() const { return metricUnit(m_metrics.first()); }

    void addSource(const SourceSeries& series);
    void removeSource(const QString& sourceId);
    QCPGraph* graphFor(const QString& sourceId, Metric metric) const;

    // Shows [lower, upper] (seconds since the epoch) and brings decimation and the value axis up to date.
    void setKeyRange(double lower, double upper);
    // Re-decides per graph between the raw container and a decimated copy for the current range; rescales the value
    // axis to what is visible. Cheap when nothing changed.
    void refresh();
    bool isDecimated(const QString& sourceId, Metric metric) const;

    void addMarker(double key, const QString& label, const QColor& colour, bool showLabel);
    void clearMarkers();
    int markerCount() const { return int(m_markers.size()); }

    // "12:00:03" then one line per graph: "prod hits/s: 1,234.5/s" — the points nearest `key`.
    QString valuesAt(double key) const;

Q_SIGNALS:
    void userMovedKeyRange(double lower, double upper);
    void liveRequested();    // double click: back to the live window

protected:
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct Line {
        QString sourceId;
        QString sourceName;
        Metric metric;
        QCPGraph* graph;
        QSharedPointer<QCPGraphDataContainer> raw;
        bool decimated = false;
    };
    void reportUserRange(const QCPRange& before);

    QString m_title;
    QCPTextElement* m_note = nullptr;   // created with the first note
    QList<Metric> m_metrics;
    QList<Line> m_lines;
    QList<QCPAbstractItem*> m_markers;
};

} // namespace cachelens::ui
