#include "ui/dashboard/DashboardPanel.h"
#include "ui/dashboard/DemoTiles.h"

#include "connectors/Source.h"
#include "connectors/history/HistoryStore.h"
#include "connectors/history/HistoryWriter.h"
#include "ui/Icons.h"
#include "ui/dashboard/AlertsDialog.h"
#include "ui/dashboard/ComparisonModel.h"
#include "ui/dashboard/DashboardExport.h"
#include "ui/dashboard/MarkerListModel.h"
#include "ui/dashboard/DashboardPanel_p.h"
#include "ui/dashboard/RecordingListModel.h"
#include "ui/dashboard/MetricChart.h"
#include "ui/dashboard/SourceSeries.h"
#include "ui/dashboard/StatTile.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QHeaderView>
#include <QListView>
#include <QScrollArea>
#include <QSettings>
#include <QSystemTrayIcon>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace cachelens::ui {

namespace dashboard_detail {

QColor sourceColour(int index)
{
    static const QColor colours[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c),
                                     QColor(0xff, 0x7f, 0x0e), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                     QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf), QColor(0xbc, 0xbd, 0x22),
                                     QColor(0x7f, 0x7f, 0x7f)};
    return colours[size_t(index) % std::size(colours)];
}

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

double nowKey()
{
    return double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
}

} // namespace dashboard_detail

using dashboard_detail::nowKey;

namespace {
constexpr double kTileChangeSeconds = 300;   // tiles compare with 5 minutes ago
}

double DashboardPanel::windowSeconds(Window window)
{
    switch (window) {
    case Window::OneMinute: return 60;
    case Window::FiveMinutes: return 300;
    case Window::OneHour: return 3600;
    case Window::OneDay: return 24 * 3600;
    }
    return 300;
}

DashboardPanel::DashboardPanel(QWidget* parent) : DashboardPanel(HistoryStore::defaultPath(), parent) {}

DashboardPanel::DashboardPanel(const QString& historyPath, QWidget* parent)
    : Panel(parent),
      m_markerModel(new MarkerListModel(this)),
      m_comparisonModel(new ComparisonModel(this)),
      m_pollTimer(new QTimer(this)),
      m_redrawTimer(new QTimer(this)),
      m_recordingModel(new RecordingListModel(this))
{
    setObjectName(QStringLiteral("dashboardPanel"));
    qRegisterMetaType<StatsSample>();
    qRegisterMetaType<ConnectionState>();
    qRegisterMetaType<SourceError>();
    qRegisterMetaType<HistoryMarker>();

    m_pollTimer->setInterval(1000);
    m_pollTimer->setTimerType(Qt::PreciseTimer);   // intervals feed rates: keep them even
    connect(m_pollTimer, &QTimer::timeout, this, &DashboardPanel::poll);
    m_redrawTimer->setSingleShot(true);
    m_redrawTimer->setInterval(kRedrawMs);
    connect(m_redrawTimer, &QTimer::timeout, this, &DashboardPanel::redraw);
    buildUi();
    setShowClusterNodes(QSettings().value(QStringLiteral("dashboard/showClusterNodes"), false).toBool());
    applyKeyRange(nowKey() - windowSeconds(m_window), nowKey());

    loadAlertRules();
    m_retentionDays = qBound(1, QSettings().value(QStringLiteral("history/retentionDays"),
                                                  HistoryWriter::kDefaultRetentionDays).toInt(), 3650);

    if (!historyPath.isEmpty()) {
        m_history = new HistoryService(historyPath, this);
        connect(m_history, &HistoryService::opened, this, [this](bool ok, const QString& error) {
            if (!ok)
                showBanner(tr("History is off: %1").arg(error));
        });
        connect(m_history, &HistoryService::failed, this,
                [this](const QString& error) { showBanner(tr("History: %1").arg(error)); });
        connect(m_history, &HistoryService::markerStored, this,
                [this](quint64, const HistoryMarker& marker) { m_storedMarkerIds.insert(marker.id); });
        connect(m_history, &HistoryService::loaded, this, &DashboardPanel::onHistoryLoaded);
        connect(m_history, &HistoryService::recordingsLoaded, this,
                [this](quint64 requestId, const QVector<HistoryStore::Recording>& recordings) {
                    if (requestId != m_recordingsRequest)
                        return;   // an older question
                    m_recordingModel->setRecordings(recordings);
                    Q_EMIT recordingsLoaded();
                });
        if (m_retentionDays != HistoryWriter::kDefaultRetentionDays)
            m_history->setRetentionDays(m_retentionDays);
    }
}

DashboardPanel::~DashboardPanel() = default;

QIcon DashboardPanel::icon() const
{
    return themedIcon(nullptr, "dashboard");
}

int DashboardPanel::pollInterval() const
{
    return m_pollTimer->interval();
}

const SourceSeries* DashboardPanel::series(const QString& sourceId) const
{
    for (const auto& e : m_entries) {
        if (e->series->id() == sourceId)
            return e->series.get();
    }
    return nullptr;
}

QStringList DashboardPanel::sourceIds() const
{
    QStringList ids;
    for (const auto& e : m_entries)
        ids << e->series->id();
    return ids;
}

DashboardPanel::Entry* DashboardPanel::entryFor(const Source* source)
{
    if (!source)
        return nullptr;   // recordings have no source
    for (const auto& e : m_entries) {
        if (e->key == source)
            return e.get();
    }
    return nullptr;
}

void DashboardPanel::setSource(Source* source)
{
    while (!m_entries.empty()) {
        Entry* e = m_entries.back().get();
        if (e->source)
            removeSource(e->source);
        else
            m_entries.pop_back();
    }
    if (source)
        addSource(source);
    scheduleRedraw();
}

void DashboardPanel::addSource(Source* source)
{
    if (!source || entryFor(source))
        return;
    auto entry = std::make_unique<Entry>();
    entry->source = source;
    entry->key = source;
    // id() and displayName() are documented thread-safe and immutable, so reading them here is fine.
    entry->alerts.setRules(alertRules(source->id()));
    entry->series = std::make_unique<SourceSeries>(source->id(), source->displayName(),
                                                   dashboard_detail::sourceColour(m_nextColour++),
                                                   pollInterval() / 1000.0, m_hitRateWindow);
    connect(source, &Source::statsSample, this, [this, source](const StatsSample& s) { onSample(source, s); });
    connect(source, &Source::stateChanged, this,
            [this, source](ConnectionState state, const QString&) { onSourceState(source, state); });
    connect(source, &Source::error, this, [this, source](quint64 requestId, const SourceError&) {
        if (Entry* e = entryFor(source); e && requestId == 0)
            e->pending = false;   // sample() failed; the next tick may ask again
    });
    connect(source, &QObject::destroyed, this, [this, source] {
        for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
            if ((*it)->key == source) {
                for (MetricChart* c : std::as_const(m_charts)) {
                    c->removeSource((*it)->series->id());
                    for (const auto& [node, series] : (*it)->nodes)
                        c->removeSource(series->id());
                }
                m_entries.erase(it);
                break;
            }
        }
        scheduleRedraw();
    });
    for (MetricChart* c : std::as_const(m_charts))
        c->addSource(*entry->series);
    if (m_history) {
        // The last day of this source, read on the history thread; live samples are not held back meanwhile.
        entry->historyRequest = m_nextRequest++;
        const QDateTime now = QDateTime::currentDateTimeUtc();
        m_history->load(entry->historyRequest, entry->series->id(), now.addSecs(-qint64(kKeepSeconds)), now);
        m_history->setSourceName(entry->series->id(), entry->series->name());   // the sessions view shows it
    }
    m_entries.push_back(std::move(entry));
    if (!m_pollTimer->isActive())
        m_pollTimer->start();
    poll();   // a baseline now, so the first rate comes one interval later instead of two
    updateTiles();
}

void DashboardPanel::removeSource(Source* source)
{
    for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
        if ((*it)->key != source)
            continue;
        if ((*it)->series->id().startsWith(QLatin1String("demo:")))
            m_demoTiles->reset();
        if ((*it)->source)
            disconnect((*it)->source, nullptr, this, nullptr);
        for (MetricChart* c : std::as_const(m_charts)) {
            c->removeSource((*it)->series->id());
            for (const auto& [node, series] : (*it)->nodes)
                c->removeSource(series->id());
        }
        m_entries.erase(it);
        break;
    }
    if (m_entries.empty())
        m_pollTimer->stop();
    updateTiles();
    updateLookupNotes();
    scheduleRedraw();
}

void DashboardPanel::refresh()
{
    for (const auto& e : m_entries)
        e->pending = false;
    poll();
}

void DashboardPanel::poll()
{
    for (const auto& e : m_entries) {
        if (!e->source)
            continue;
        // A source that has not answered the last request is not asked again until it is clearly stuck, so a slow
        // server does not collect a queue of INFO commands.
        if (e->pending && e->requested.elapsed() < 5 * pollInterval())
            continue;
        e->pending = true;
        e->requested.start();
        QMetaObject::invokeMethod(e->source.data(), &Source::sample, Qt::QueuedConnection);
    }
}

void DashboardPanel::onSample(Source* source, const StatsSample& sample)
{
    Entry* e = entryFor(source);
    if (!e)
        return;   // removed while the sample was queued
    e->pending = false;
    if (e == m_entries.front().get()) {
        const OwnLoadMeter::Reading own = m_ownLoad.update(sample);
        m_ownLoadTile->setVisible(own.valid);
        if (own.valid)
            m_ownLoadTile->setValue(own.rate, own.latency, QString());
    }
    if (m_history)
        m_history->addSample(sample);
    m_demoTiles->add(sample);   // only an L1+L2 demo's samples carry its figures
    SourceSeries& s = *e->series;
    std::vector<RatePoint> points;
    s.calculator().add(sample, points);
    s.append(points);
    s.removeBefore(RateCalculator::toKey(sample.time) - kKeepSeconds);
    for (const RatePoint& p : points) {
        const QDateTime at = QDateTime::fromMSecsSinceEpoch(qint64(p.time * 1000), Qt::UTC);
        if (p.events & RatePoint::Restart)
            addMarker({0, s.id(), at, HistoryMarker::Kind::Restart, tr("%1 restarted").arg(s.name())});
        else if (p.events & RatePoint::StatsReset)
            addMarker({0, s.id(), at, HistoryMarker::Kind::StatsReset, tr("%1 stats reset").arg(s.name())});
        if (p.events & RatePoint::Flush)
            addMarker({0, s.id(), at, HistoryMarker::Kind::Flush, tr("%1 flushed").arg(s.name())});
    }
    if (!sample.nodes.isEmpty())
        applyNodeSamples(*e, sample);
    updateLookupNotes();
    if (e->alerts.rules().any()) {
        for (const Alert& alert : e->alerts.evaluate(s.points()))
            raiseAlert(alert, s.name());
    }
    Q_EMIT sampleApplied(s.id());
    scheduleRedraw();
}

void DashboardPanel::applyNodeSamples(Entry& e, const StatsSample& sample)
{
    for (const NodeStats& n : sample.nodes) {
        auto& series = e.nodes[n.node];
        if (!series) {
            series = std::make_unique<SourceSeries>(e.series->id() + QLatin1Char('/') + n.node,
                                                    tr("%1 · %2").arg(e.series->name(), n.node),
                                                    dashboard_detail::sourceColour(m_nextColour++),
                                                    pollInterval() / 1000.0, m_hitRateWindow);
            if (m_showNodes) {
                for (MetricChart* c : std::as_const(m_charts))
                    c->addSource(*series);
            }
        }
        // A node's own figures, fed through its own calculator: the same rates, resets and gaps as a server.
        StatsSample ns;
        ns.sourceId = series->id();
        ns.time = sample.time;
        ns.hits = n.hits;
        ns.misses = n.misses;
        ns.evictions = n.evictions;
        ns.expirations = n.expirations;
        ns.commands = n.commands;
        ns.keys = n.keys;
        ns.memoryBytes = n.memoryBytes;
        ns.clients = n.clients;
        ns.opsPerSecond = n.opsPerSecond;
        ns.ownHits = n.ownHits;
        ns.ownMisses = n.ownMisses;
        ns.ownUncountable = n.ownUncountable;
        std::vector<RatePoint> points;
        series->calculator().add(ns, points);
        series->append(points);
        series->removeBefore(RateCalculator::toKey(sample.time) - kKeepSeconds);
    }
}

QStringList DashboardPanel::nodeSeriesIds(const QString& sourceId) const
{
    QStringList ids;
    for (const auto& e : m_entries) {
        if (e->series->id() == sourceId) {
            for (const auto& [node, series] : e->nodes)
                ids << series->id();
        }
    }
    return ids;
}

const SourceSeries* DashboardPanel::nodeSeries(const QString& nodeSeriesId) const
{
    for (const auto& e : m_entries) {
        for (const auto& [node, series] : e->nodes) {
            if (series->id() == nodeSeriesId)
                return series.get();
        }
    }
    return nullptr;
}

void DashboardPanel::setShowClusterNodes(bool show)
{
    if (m_showNodes == show)
        return;
    m_showNodes = show;
    {
        const QSignalBlocker block(m_clusterNodes);
        m_clusterNodes->setChecked(show);
    }
    QSettings().setValue(QStringLiteral("dashboard/showClusterNodes"), show);
    for (const auto& e : m_entries) {
        for (const auto& [node, series] : e->nodes) {
            for (MetricChart* c : std::as_const(m_charts)) {
                if (show)
                    c->addSource(*series);
                else
                    c->removeSource(series->id());
            }
        }
    }
    scheduleRedraw();
}

void DashboardPanel::setHistoryRetentionDays(int days)
{
    m_retentionDays = qBound(1, days, 3650);
    QSettings().setValue(QStringLiteral("history/retentionDays"), m_retentionDays);
    if (m_history)
        m_history->setRetentionDays(m_retentionDays);
}

void DashboardPanel::onSourceState(Source* source, ConnectionState state)
{
    Entry* e = entryFor(source);
    if (!e || state == ConnectionState::Ready || state == ConnectionState::Connecting)
        return;
    e->pending = false;
    RatePoint gap;
    if (e->series->calculator().disconnected(nowKey(), gap)) {
        e->series->append(gap);
        scheduleRedraw();
    }
}

void DashboardPanel::setWindow(Window window)
{
    m_window = window;
    m_windowBox->setCurrentIndex(m_windowBox->findData(QVariant::fromValue(window)));
    const double span = windowSeconds(window);
    if (m_paused) {
        // Keep the right edge the user was looking at.
        const double upper = m_charts.first()->xAxis->range().upper;
        applyKeyRange(upper - span, upper);
    } else {
        applyKeyRange(liveUpperKey() - span, liveUpperKey());
    }
    scheduleRedraw();
}

void DashboardPanel::setPollInterval(int ms)
{
    ms = qBound(kMinPollMs, ms, kMaxPollMs);
    m_pollTimer->setInterval(ms);
    const int index = m_pollBox->findData(ms);
    if (index >= 0)
        m_pollBox->setCurrentIndex(index);
    for (const auto& e : m_entries)
        e->series->calculator().setExpectedInterval(ms / 1000.0);
}

void DashboardPanel::setHitRateWindow(double seconds)
{
    m_hitRateWindow = qMax(0.0, seconds);
    const int index = m_hitRateBox->findData(m_hitRateWindow);
    if (index >= 0)
        m_hitRateBox->setCurrentIndex(index);
    for (const auto& e : m_entries)
        e->series->setHitRateWindow(m_hitRateWindow);
    for (MetricChart* c : std::as_const(m_charts))
        c->refresh();   // the hit-rate containers were rebuilt
    updateTiles();
    scheduleRedraw();
}

void DashboardPanel::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    {
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(paused);
    }
    m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    if (!paused)
        setWindow(m_window);   // back to the live edge
}

double DashboardPanel::liveUpperKey() const
{
    double upper = nowKey();
    for (const auto& e : m_entries) {
        const double last = e->series->lastKey();
        if (!std::isnan(last))
            upper = std::max(upper, last);
    }
    return upper;
}

void DashboardPanel::applyKeyRange(double lower, double upper)
{
    m_syncingRange = true;
    for (MetricChart* c : std::as_const(m_charts))
        c->setKeyRange(lower, upper);
    m_syncingRange = false;
    scheduleRedraw();
}

void DashboardPanel::scheduleRedraw()
{
    if (!m_redrawTimer->isActive())
        m_redrawTimer->start();
}

void DashboardPanel::redraw()
{
    if (!m_paused) {
        const double upper = liveUpperKey();
        applyKeyRange(upper - windowSeconds(m_window), upper);
    } else {
        for (MetricChart* c : std::as_const(m_charts))
            c->refresh();
    }
    m_redrawTimer->stop();   // applyKeyRange() asked for another one
    updateTiles();
    if (m_comparisonModel->hasComparison())
        updateComparison();   // the "after" period fills in while it is live
    for (MetricChart* c : std::as_const(m_charts))
        c->replot(QCustomPlot::rpQueuedReplot);
    Q_EMIT redrawn();
}

void DashboardPanel::updateLookupNotes()
{
    // An opened recording says so too: history.db keeps the server's counters only, so its figures are raw.
    const QLocale locale;
    QStringList notes;
    for (const auto& e : m_entries) {
        const std::deque<RatePoint>& points = e->series->points();
        const auto last = std::find_if(points.rbegin(), points.rend(), [](const RatePoint& p) { return p.interval > 0; });
        if (last == points.rend())
            continue;   // no rates yet
        const QString note = ownLookupNote(*last, locale);
        notes << (m_entries.size() > 1 ? tr("%1: %2").arg(e->series->name(), note) : note);
    }
    const QString text = notes.join(QStringLiteral("; "));
    for (Metric m : {Metric::HitsPerSec, Metric::HitRate})
        chartFor(m)->setNote(text);
}

void DashboardPanel::updateTiles()
{
    const QLocale locale;
    if (m_entries.empty()) {
        m_tilesSource->clear();
        m_ownLoad.reset();
        m_ownLoadTile->hide();
        for (StatTile* t : std::as_const(m_tiles))
            t->setValue(QStringLiteral("—"), QString(), QString());
        return;
    }
    // Tiles describe the first source; the charts overlay all of them.
    const SourceSeries& s = *m_entries.front()->series;
    m_tilesSource->setText(s.name());
    const double last = s.lastKey();
    const double maxAge = std::max(5.0, 3.0 * pollInterval() / 1000.0);
    for (Metric m : {Metric::HitRate, Metric::OpsPerSec, Metric::Memory, Metric::Keys}) {
        const double now = std::isnan(last) ? kNaN : s.valueAt(m, last, maxAge);
        const double before = std::isnan(last) ? kNaN : s.valueAt(m, last - kTileChangeSeconds, maxAge);
        tile(m)->setValue(formatValue(now, metricUnit(m), locale), formatChange(now, before, metricUnit(m), locale),
                          tr("vs 5 min ago"));
    }
}

} // namespace cachelens::ui
