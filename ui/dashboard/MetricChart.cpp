#include "ui/dashboard/MetricChart.h"

#include "connectors/support/Units.h"
#include "ui/dashboard/Decimator.h"
#include "ui/dashboard/SourceSeries.h"

#include <QToolTip>

#include <cmath>

namespace cachelens::ui {

namespace {

// Axis labels in the unit of the chart, through QLocale ("1.5 MiB", "12,000").
class UnitTicker : public QCPAxisTicker
{
public:
    explicit UnitTicker(Unit unit) : m_unit(unit) {}

protected:
    QString getTickLabel(double tick, const QLocale& locale, QChar, int) override
    {
        switch (m_unit) {
        case Unit::Bytes:
            return formatBytes(qint64(std::llround(tick)), 1, locale);
        case Unit::Percent:
            return locale.toString(tick, 'f', 0);
        default:
            return std::abs(tick) >= 10 || tick == 0 ? locale.toString(qint64(std::llround(tick)))
                                                     : locale.toString(tick, 'f', 1);
        }
    }

private:
    Unit m_unit;
};

// The second metric of a chart (misses next to hits, expirations next to evictions) is dashed in the same colour.
QPen penFor(const QColor& colour, int metricIndex)
{
    QPen pen(colour, 1.6);
    if (metricIndex > 0)
        pen.setStyle(Qt::DashLine);
    return pen;
}

} // namespace

MetricChart::MetricChart(const QString& title, QList<Metric> metrics, QWidget* parent)
    : QCustomPlot(parent), m_title(title), m_metrics(std::move(metrics))
{
    setObjectName(QStringLiteral("chart"));
    setLocale(QLocale());
    setMinimumHeight(170);
    setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    axisRect()->setRangeDrag(Qt::Horizontal);
    axisRect()->setRangeZoom(Qt::Horizontal);
    setNoAntialiasingOnDrag(true);

    plotLayout()->insertRow(0);
    auto* heading = new QCPTextElement(this, title, QFont(font().family(), font().pointSize(), QFont::Bold));
    plotLayout()->addElement(0, 0, heading);

    auto dateTicker = QSharedPointer<QCPAxisTickerDateTime>::create();
    dateTicker->setDateTimeFormat(QStringLiteral("HH:mm:ss"));
    dateTicker->setDateTimeSpec(Qt::LocalTime);
    xAxis->setTicker(dateTicker);
    yAxis->setTicker(QSharedPointer<UnitTicker>::create(unit()));
    if (unit() == Unit::Percent)
        yAxis->setRange(0, 100);

    legend->setVisible(true);
    legend->setFont(QFont(font().family(), qMax(6, font().pointSize() - 1)));
    legend->setBrush(QBrush(QColor(255, 255, 255, 200)));
    axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
}

void MetricChart::setNote(const QString& note)
{
    if (!m_note) {
        if (note.isEmpty())
            return;
        plotLayout()->insertRow(1);
        m_note = new QCPTextElement(this, note, QFont(font().family(), qMax(6, font().pointSize() - 1)));
        m_note->setTextColor(QColor(0x55, 0x55, 0x55));
        plotLayout()->addElement(1, 0, m_note);
        return;
    }
    m_note->setText(note);
}

QString MetricChart::note() const
{
    return m_note ? m_note->text() : QString();
}

void MetricChart::addSource(const SourceSeries& series)
{
    for (int i = 0; i < m_metrics.size(); ++i) {
        const Metric metric = m_metrics.at(i);
        QCPGraph* graph = addGraph();
        graph->setPen(penFor(series.colour(), i));
        graph->setName(m_metrics.size() > 1 ? series.name() + QLatin1Char(' ') + metricName(metric) : series.name());
        graph->setData(series.data(metric));   // shared, not copied
        graph->setAdaptiveSampling(true);      // QCustomPlot's own safety net for the raw (short-window) case
        m_lines.append(Line{series.id(), series.name(), metric, graph, series.data(metric)});
    }
}

void MetricChart::removeSource(const QString& sourceId)
{
    for (auto it = m_lines.begin(); it != m_lines.end();) {
        if (it->sourceId == sourceId) {
            removeGraph(it->graph);
            it = m_lines.erase(it);
        } else {
            ++it;
        }
    }
}

QCPGraph* MetricChart::graphFor(const QString& sourceId, Metric metric) const
{
    for (const Line& l : m_lines) {
        if (l.sourceId == sourceId && l.metric == metric)
            return l.graph;
    }
    return nullptr;
}

bool MetricChart::isDecimated(const QString& sourceId, Metric metric) const
{
    for (const Line& l : m_lines) {
        if (l.sourceId == sourceId && l.metric == metric)
            return l.decimated;
    }
    return false;
}

void MetricChart::setKeyRange(double lower, double upper)
{
    xAxis->setRange(lower, upper);
    const double span = upper - lower;
    auto ticker = xAxis->ticker().dynamicCast<QCPAxisTickerDateTime>();
    if (ticker)
        ticker->setDateTimeFormat(span > 6 * 3600 ? QStringLiteral("ddd HH:mm")
                                  : span > 600    ? QStringLiteral("HH:mm")
                                                  : QStringLiteral("HH:mm:ss"));
    refresh();
}

void MetricChart::refresh()
{
    const QCPRange range = xAxis->range();
    // Before the first layout the axis rect has no width yet; assume a typical chart rather than decimate to nothing.
    const int columns = axisRect()->width() > 50 ? axisRect()->width() : 800;
    const double bucket = range.size() / columns;
    QVector<QCPGraphData> points;
    for (Line& l : m_lines) {
        const bool decimate = pointsInRange(*l.raw, range.lower, range.upper) > 2 * columns;
        if (decimate != l.decimated) {
            // Thousands of min/max segments: antialiasing, wide and dashed pens cost more than the whole rest of a
            // replot (Qt's raster engine strokes dashes segment by segment) and add nothing at one point per column.
            QPen pen = l.graph->pen();
            pen.setWidthF(decimate ? 1.0 : 1.6);
            if (m_metrics.indexOf(l.metric) > 0)
                pen.setStyle(decimate ? Qt::SolidLine : Qt::DashLine);
            QColor c = pen.color();
            if (m_metrics.indexOf(l.metric) > 0)
                c.setAlpha(decimate ? 140 : 255);   // solid but lighter: still told apart from the first metric
            pen.setColor(c);
            l.graph->setPen(pen);
            l.graph->setAntialiased(!decimate);
        }
        if (decimate) {
            points.clear();
            decimateMinMax(*l.raw, range.lower, range.upper, bucket, points);
            auto copy = QSharedPointer<QCPGraphDataContainer>::create();
            copy->set(points, true);
            l.graph->setData(copy);
        } else if (l.decimated) {
            l.graph->setData(l.raw);
        }
        l.decimated = decimate;
    }
    if (unit() == Unit::Percent)
        return;   // hit rate keeps its 0–100 scale: a rescale would make 99.8 → 99.6 look like a collapse
    bool found = false;
    QCPRange values;
    for (const Line& l : m_lines) {
        bool ok = false;
        const QCPRange r = l.graph->getValueRange(ok, QCP::sdBoth, range);
        if (ok) {
            values = found ? QCPRange(qMin(values.lower, r.lower), qMax(values.upper, r.upper)) : r;
            found = true;
        }
    }
    if (!found)
        return;
    values.lower = qMin(0.0, values.lower);   // rates, bytes and counts are read against zero
    values.upper = values.upper > 0 ? values.upper * 1.1 : 1;
    yAxis->setRange(values);
}

void MetricChart::addMarker(double key, const QString& label, const QColor& colour, bool showLabel)
{
    auto* line = new QCPItemStraightLine(this);
    line->point1->setCoords(key, 0);
    line->point2->setCoords(key, 1);
    line->setPen(QPen(colour, 1.2, Qt::DashDotLine));
    line->setClipToAxisRect(true);
    m_markers.append(line);
    if (showLabel && !label.isEmpty()) {
        auto* text = new QCPItemText(this);
        text->position->setTypeX(QCPItemPosition::ptPlotCoords);
        text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(key, 0.02);
        text->setPositionAlignment(Qt::AlignLeft | Qt::AlignTop);
        text->setText(label);
        text->setColor(colour);
        text->setClipToAxisRect(true);
        m_markers.append(text);
    }
}

void MetricChart::clearMarkers()
{
    for (QCPAbstractItem* item : std::as_const(m_markers))
        removeItem(item);
    m_markers.clear();
}

QString MetricChart::valuesAt(double key) const
{
    QStringList lines;
    const QLocale locale;
    lines << locale.toString(QDateTime::fromMSecsSinceEpoch(qint64(key * 1000)).toLocalTime().time(),
                             QStringLiteral("HH:mm:ss"));
    for (const Line& l : m_lines) {
        if (l.raw->isEmpty())
            continue;
        // Nearest raw point (not the decimated one: hover promises exact values).
        auto it = l.raw->findBegin(key, false);
        if (it == l.raw->constEnd())
            --it;
        if (it != l.raw->constBegin() && std::abs((it - 1)->key - key) < std::abs(it->key - key))
            --it;
        const QString name = m_metrics.size() > 1 ? l.sourceName + QLatin1Char(' ') + metricName(l.metric) : l.sourceName;
        lines << tr("%1: %2").arg(name, formatValue(it->value, metricUnit(l.metric), locale));
    }
    return lines.join(QLatin1Char('\n'));
}

void MetricChart::reportUserRange(const QCPRange& before)
{
    const QCPRange now = xAxis->range();
    if (now != before) {
        refresh();
        Q_EMIT userMovedKeyRange(now.lower, now.upper);
    }
}

void MetricChart::mouseMoveEvent(QMouseEvent* event)
{
    const QCPRange before = xAxis->range();
    QCustomPlot::mouseMoveEvent(event);
    reportUserRange(before);
    if (axisRect()->rect().contains(event->position().toPoint()) && !m_lines.isEmpty())
        QToolTip::showText(event->globalPosition().toPoint(), valuesAt(xAxis->pixelToCoord(event->position().x())), this);
}

void MetricChart::wheelEvent(QWheelEvent* event)
{
    const QCPRange before = xAxis->range();
    QCustomPlot::wheelEvent(event);
    reportUserRange(before);
}

void MetricChart::mouseDoubleClickEvent(QMouseEvent* event)
{
    QCustomPlot::mouseDoubleClickEvent(event);
    Q_EMIT liveRequested();
}

void MetricChart::leaveEvent(QEvent* event)
{
    QToolTip::hideText();
    QCustomPlot::leaveEvent(event);
}

} // namespace cachelens::ui
