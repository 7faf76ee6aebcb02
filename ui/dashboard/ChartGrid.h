#pragma once
// ChartGrid: the dashboard's charts, two to a row, every one on the same time range. It follows the live edge over
// a window of `span` seconds until the user pans or zooms a chart (then it pauses there) or pauses; double-clicking a
// chart goes live again. Sources are drawn from their SourceSeries' containers; markers on every chart. Data arrives
// at any rate; the charts redraw at most every kRedrawMs (scheduleRedraw), so ten sources answering within the same
// tick cost one redraw, not ten.
#include "connectors/history/HistoryTypes.h"
#include "ui/dashboard/Metric.h"

#include <QList>
#include <QScrollArea>

#include <functional>

#include <qcustomplot.h>

class QTimer;

namespace cachelens::ui {

class MetricChart;
class SourceSeries;

class ChartGrid : public QScrollArea
{
    Q_OBJECT
public:
    static constexpr int kRedrawMs = 40;

    // liveEdge: the key the live window ends at (the newest sample's, or now).
    explicit ChartGrid(std::function<double()> liveEdge, QWidget* parent = nullptr);

    QList<MetricChart*> charts() const { return m_charts; }
    MetricChart* chartFor(Metric metric) const;

    void addSeries(const SourceSeries& series);
    void removeSeries(const QString& seriesId);
    void drawMarker(const HistoryMarker& marker);
    void setHitNote(const QString& note);          // under the hit charts: how to read their figures

    double span() const { return m_span; }
    void setSpan(double seconds);                  // paused: keeps the right edge the user was looking at
    bool isPaused() const { return m_paused; }
    void setPaused(bool paused);                   // resuming goes back to the live edge
    void showRange(double lower, double upper);    // every chart
    QCPRange visibleRange() const;
    void refreshCharts();                          // the series' containers were rebuilt

    void scheduleRedraw();
    void redraw();                                 // now: aboutToReplot(), then every chart, then redrawn()

Q_SIGNALS:
    void pausedChanged(bool paused);
    void aboutToReplot();                          // the figures beside the charts catch up now
    void redrawn();

private:
    std::function<double()> m_liveEdge;
    QList<MetricChart*> m_charts;
    QTimer* m_redrawTimer;
    double m_span = 300;
    bool m_paused = false;
    bool m_syncingRange = false;
};

} // namespace cachelens::ui
