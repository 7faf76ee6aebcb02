#include "ui/dashboard/ChartGrid.h"

#include "ui/dashboard/MetricChart.h"
#include "ui/dashboard/RateCalculator.h"

#include <QGridLayout>
#include <QTimer>

namespace cachelens::ui {

namespace {

QColor markerColour(HistoryMarker::Kind kind)
{
    switch (kind) {
    case HistoryMarker::Kind::Deploy: return QColor(0x6a, 0x3d, 0x9a);
    case HistoryMarker::Kind::Restart: return QColor(0xc0, 0x39, 0x2b);
    case HistoryMarker::Kind::Flush: return QColor(0xe6, 0x7e, 0x22);
    case HistoryMarker::Kind::StatsReset: return QColor(0x7f, 0x8c, 0x8d);
    case HistoryMarker::Kind::Alert: return QColor(0xe7, 0x4c, 0x3c);
    }
    return Qt::gray;
}

} // namespace

ChartGrid::ChartGrid(std::function<double()> liveEdge, QWidget* parent)
    : QScrollArea(parent), m_liveEdge(std::move(liveEdge)), m_redrawTimer(new QTimer(this))
{
    m_redrawTimer->setSingleShot(true);
    m_redrawTimer->setInterval(kRedrawMs);
    connect(m_redrawTimer, &QTimer::timeout, this, &ChartGrid::redraw);

    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    auto* grid = new QWidget(this);
    auto* gridLayout = new QGridLayout(grid);
    gridLayout->setContentsMargins(0, 0, 0, 0);
    const std::pair<QString, QList<Metric>> charts[] = {
        {tr("Hits and misses per second"), {Metric::HitsPerSec, Metric::MissesPerSec}},
        {tr("Hit rate (%)"), {Metric::HitRate}},
        {tr("Operations per second"), {Metric::OpsPerSec}},
        {tr("Memory used"), {Metric::Memory}},
        {tr("Keys"), {Metric::Keys}},
        {tr("Evictions and expirations per second"), {Metric::EvictionsPerSec, Metric::ExpirationsPerSec}},
        {tr("Connected clients"), {Metric::Clients}},
    };
    int i = 0;
    for (const auto& [title, metrics] : charts) {
        auto* chart = new MetricChart(title, metrics, grid);
        m_charts.append(chart);
        gridLayout->addWidget(chart, i / 2, i % 2);
        ++i;
        connect(chart, &MetricChart::userMovedKeyRange, this, [this](double lower, double upper) {
            if (m_syncingRange)
                return;
            setPaused(true);   // the user looks at the past: stop sliding under their pointer
            showRange(lower, upper);
        });
        connect(chart, &MetricChart::liveRequested, this, [this] { setPaused(false); });
    }
    setWidget(grid);
    const double now = RateCalculator::nowKey();
    showRange(now - m_span, now);
}

MetricChart* ChartGrid::chartFor(Metric metric) const
{
    for (MetricChart* c : m_charts)
        if (c->metrics().contains(metric))
            return c;
    return nullptr;
}

void ChartGrid::addSeries(const SourceSeries& series)
{
    for (MetricChart* c : std::as_const(m_charts))
        c->addSource(series);
}

void ChartGrid::removeSeries(const QString& seriesId)
{
    for (MetricChart* c : std::as_const(m_charts))
        c->removeSource(seriesId);
}

void ChartGrid::drawMarker(const HistoryMarker& marker)
{
    const double key = RateCalculator::toKey(marker.time);
    for (int i = 0; i < m_charts.size(); ++i)
        m_charts.at(i)->addMarker(key, marker.label, markerColour(marker.kind), i == 0);
    scheduleRedraw();
}

void ChartGrid::setHitNote(const QString& note)
{
    for (Metric m : {Metric::HitsPerSec, Metric::HitRate})
        chartFor(m)->setNote(note);
}

void ChartGrid::setSpan(double seconds)
{
    m_span = seconds;
    if (m_paused) {
        const double upper = visibleRange().upper;   // keep the right edge the user was looking at
        showRange(upper - m_span, upper);
    } else {
        showRange(m_liveEdge() - m_span, m_liveEdge());
    }
}

void ChartGrid::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused)
        setSpan(m_span);   // back to the live edge
    Q_EMIT pausedChanged(paused);
}

void ChartGrid::showRange(double lower, double upper)
{
    m_syncingRange = true;
    for (MetricChart* c : std::as_const(m_charts))
        c->setKeyRange(lower, upper);
    m_syncingRange = false;
    scheduleRedraw();
}

QCPRange ChartGrid::visibleRange() const
{
    return m_charts.first()->xAxis->range();
}

void ChartGrid::refreshCharts()
{
    for (MetricChart* c : std::as_const(m_charts))
        c->refresh();
}

void ChartGrid::scheduleRedraw()
{
    if (!m_redrawTimer->isActive())
        m_redrawTimer->start();
}

void ChartGrid::redraw()
{
    if (!m_paused) {
        const double upper = m_liveEdge();
        showRange(upper - m_span, upper);
    } else {
        refreshCharts();
    }
    m_redrawTimer->stop();   // showRange() asked for another one
    Q_EMIT aboutToReplot();
    for (MetricChart* c : std::as_const(m_charts))
        c->replot(QCustomPlot::rpQueuedReplot);
    Q_EMIT redrawn();
}

} // namespace cachelens::ui
