#include "ui/dashboard/DashboardPanel.h"

#include "connectors/Source.h"
#include "connectors/history/HistoryStore.h"
#include "connectors/history/HistoryWriter.h"
#include "ui/Icons.h"
#include "ui/dashboard/AlertsDialog.h"
#include "ui/dashboard/ComparisonModel.h"
#include "ui/dashboard/DashboardExport.h"
#include "ui/dashboard/MarkerListModel.h"
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

#include <cmath>

namespace cachelens::ui {

namespace {

// Distinguishable on light and dark backgrounds, in the order sources are added.
const QColor kSourceColours[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xd6, 0x27, 0x28), QColor(0x2c, 0xa0, 0x2c),
                                 QColor(0xff, 0x7f, 0x0e), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                 QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf), QColor(0xbc, 0xbd, 0x22),
                                 QColor(0x7f, 0x7f, 0x7f)};

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

const int kPollChoicesMs[] = {250, 500, 1000, 2000, 5000, 10000, 30000, 60000};
const double kHitRateWindows[] = {0, 60, 300, 600};
constexpr double kTileChangeSeconds = 300;   // tiles compare with 5 minutes ago

double nowKey()
{
    return double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
}

} // namespace

struct DashboardPanel::Entry {
    QPointer<Source> source;
    const Source* key = nullptr;               // identity even after the QPointer went null
    std::unique_ptr<SourceSeries> series;
    bool pending = false;                      // a sample request is in flight
    quint64 historyRequest = 0;                // the load of this source's past, 0 when answered
    AlertEvaluator alerts;
    QElapsedTimer requested;
};

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
      m_redrawTimer(new QTimer(this))
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
    applyKeyRange(nowKey() - windowSeconds(m_window), nowKey());

    QSettings settings;
    settings.beginGroup(QStringLiteral("dashboard/alerts"));
    AlertRules rules;
    rules.hitRateBelowEnabled = settings.value(QStringLiteral("hitRateBelowEnabled"), false).toBool();
    rules.hitRateBelowPct = settings.value(QStringLiteral("hitRateBelowPct"), rules.hitRateBelowPct).toDouble();
    rules.dropEnabled = settings.value(QStringLiteral("dropEnabled"), false).toBool();
    rules.dropPoints = settings.value(QStringLiteral("dropPoints"), rules.dropPoints).toDouble();
    rules.memoryAboveEnabled = settings.value(QStringLiteral("memoryAboveEnabled"), false).toBool();
    rules.memoryAboveBytes = settings.value(QStringLiteral("memoryAboveBytes"), rules.memoryAboveBytes).toDouble();
    m_alertRules = rules;

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
    }
}

DashboardPanel::~DashboardPanel() = default;

QIcon DashboardPanel::icon() const
{
    return themedIcon(nullptr, "dashboard");
}

void DashboardPanel::buildUi()
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto* bar = new QToolBar(this);
    bar->setObjectName(QStringLiteral("dashboardToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    bar->addWidget(new QLabel(tr("Window:"), bar));
    m_windowBox = new QComboBox(bar);
    m_windowBox->setObjectName(QStringLiteral("windowBox"));
    m_windowBox->addItem(tr("1 min"), QVariant::fromValue(Window::OneMinute));
    m_windowBox->addItem(tr("5 min"), QVariant::fromValue(Window::FiveMinutes));
    m_windowBox->addItem(tr("1 h"), QVariant::fromValue(Window::OneHour));
    m_windowBox->addItem(tr("24 h"), QVariant::fromValue(Window::OneDay));
    m_windowBox->setCurrentIndex(1);
    connect(m_windowBox, &QComboBox::activated, this,
            [this](int index) { setWindow(m_windowBox->itemData(index).value<Window>()); });
    bar->addWidget(m_windowBox);

    bar->addWidget(new QLabel(tr(" Poll every:"), bar));
    m_pollBox = new QComboBox(bar);
    m_pollBox->setObjectName(QStringLiteral("pollBox"));
    const QLocale locale;
    for (int ms : kPollChoicesMs)
        m_pollBox->addItem(ms < 1000 ? tr("%1 ms").arg(ms) : tr("%1 s").arg(locale.toString(ms / 1000)), ms);
    m_pollBox->setCurrentIndex(m_pollBox->findData(1000));
    connect(m_pollBox, &QComboBox::activated, this,
            [this](int index) { setPollInterval(m_pollBox->itemData(index).toInt()); });
    bar->addWidget(m_pollBox);

    bar->addWidget(new QLabel(tr(" Hit rate over:"), bar));
    m_hitRateBox = new QComboBox(bar);
    m_hitRateBox->setObjectName(QStringLiteral("hitRateWindowBox"));
    m_hitRateBox->addItem(tr("last interval"), 0.0);
    m_hitRateBox->addItem(tr("1 min"), 60.0);
    m_hitRateBox->addItem(tr("5 min"), 300.0);
    m_hitRateBox->addItem(tr("10 min"), 600.0);
    m_hitRateBox->setCurrentIndex(1);
    m_hitRateBox->setToolTip(tr("Hit rate is hits ÷ (hits + misses) over this trailing window, "
                                "not since the server started"));
    connect(m_hitRateBox, &QComboBox::activated, this,
            [this](int index) { setHitRateWindow(m_hitRateBox->itemData(index).toDouble()); });
    bar->addWidget(m_hitRateBox);
    bar->addSeparator();

    m_pause = bar->addAction(themedIcon("media-playback-pause", "cachelens"), tr("Pause"));
    m_pause->setObjectName(QStringLiteral("pauseAction"));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Freeze the view (samples are still recorded). Double-click a chart to go live again."));
    connect(m_pause, &QAction::toggled, this, &DashboardPanel::setPaused);

    m_markDeploy = bar->addAction(themedIcon("flag", "cachelens"), tr("Mark deploy…"));
    m_markDeploy->setObjectName(QStringLiteral("markDeployAction"));
    m_markDeploy->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
    m_markDeploy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_markDeploy->setToolTip(tr("Draw a labelled marker on every chart (%1)")
                                 .arg(m_markDeploy->shortcut().toString(QKeySequence::NativeText)));
    addAction(m_markDeploy);
    connect(m_markDeploy, &QAction::triggered, this, &DashboardPanel::markDeploy);
    QAction* alertsAction = bar->addAction(themedIcon("dialog-warning", "cachelens"), tr("Alerts…"));
    alertsAction->setObjectName(QStringLiteral("alertsAction"));
    connect(alertsAction, &QAction::triggered, this, &DashboardPanel::editAlertRules);
    QAction* exportAction = bar->addAction(themedIcon("document-export", "cachelens"), tr("Export…"));
    exportAction->setObjectName(QStringLiteral("exportAction"));
    exportAction->setToolTip(tr("Save the visible window as PNG or PDF (charts) or CSV (the numbers)"));
    connect(exportAction, &QAction::triggered, this, &DashboardPanel::exportWithDialog);
    layout->addWidget(bar);

    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("dashboardBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: #fdecea; color: #611a15; padding: 6px; border-radius: 3px; }"));
    m_banner->hide();
    layout->addWidget(m_banner);

    auto* tiles = new QHBoxLayout;
    m_tilesSource = new QLabel(this);
    m_tilesSource->setObjectName(QStringLiteral("tilesSource"));
    tiles->addWidget(m_tilesSource);
    for (const QString& caption : {tr("Hit rate"), tr("Operations"), tr("Memory"), tr("Keys")}) {
        auto* tile = new StatTile(caption, this);
        m_tiles.append(tile);
        tiles->addWidget(tile, 1);
    }
    m_ownLoadTile = new StatTile(tr("CacheLens's own load"), this);
    m_ownLoadTile->setObjectName(QStringLiteral("ownLoadTile"));
    m_ownLoadTile->setToolTip(tr("Commands CacheLens itself sends to this server, and their round-trip time"));
    m_ownLoadTile->setValue(QStringLiteral("—"), QString(), QString());
    m_ownLoadTile->hide();
    tiles->addWidget(m_ownLoadTile, 1);
    layout->addLayout(tiles);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* grid = new QWidget(scroll);
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
            applyKeyRange(lower, upper);
        });
        connect(chart, &MetricChart::liveRequested, this, [this] { setPaused(false); });
    }
    scroll->setWidget(grid);

    // Side pane: the markers, and the selected one's before/after comparison.
    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(new QLabel(tr("Markers"), side));
    m_markerView = new QListView(side);
    m_markerView->setObjectName(QStringLiteral("markerList"));
    m_markerView->setModel(m_markerModel);
    m_markerView->setSelectionMode(QAbstractItemView::SingleSelection);
    connect(m_markerView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex&, const QModelIndex&) { updateComparison(); });
    sideLayout->addWidget(m_markerView, 2);
    auto* minutesRow = new QHBoxLayout;
    minutesRow->addWidget(new QLabel(tr("Compare the"), side));
    m_comparisonMinutes = new QSpinBox(side);
    m_comparisonMinutes->setObjectName(QStringLiteral("comparisonMinutes"));
    m_comparisonMinutes->setRange(1, 120);
    m_comparisonMinutes->setValue(10);
    m_comparisonMinutes->setSuffix(tr(" min"));
    connect(m_comparisonMinutes, &QSpinBox::valueChanged, this, [this] { updateComparison(); });
    minutesRow->addWidget(m_comparisonMinutes);
    minutesRow->addWidget(new QLabel(tr("before and after"), side), 1);
    sideLayout->addLayout(minutesRow);
    auto* table = new QTableView(side);
    table->setObjectName(QStringLiteral("comparisonTable"));
    table->setModel(m_comparisonModel);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    sideLayout->addWidget(table, 1);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(scroll);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter, 1);
}

int DashboardPanel::pollInterval() const
{
    return m_pollTimer->interval();
}

MetricChart* DashboardPanel::chartFor(Metric metric) const
{
    for (MetricChart* c : m_charts) {
        if (c->metrics().contains(metric))
            return c;
    }
    return nullptr;
}

StatTile* DashboardPanel::tile(Metric metric) const
{
    switch (metric) {
    case Metric::HitRate: return m_tiles.at(0);
    case Metric::OpsPerSec: return m_tiles.at(1);
    case Metric::Memory: return m_tiles.at(2);
    case Metric::Keys: return m_tiles.at(3);
    default: return nullptr;
    }
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
    entry->alerts.setRules(m_alertRules);
    entry->series = std::make_unique<SourceSeries>(source->id(), source->displayName(),
                                                   kSourceColours[m_nextColour++ % std::size(kSourceColours)],
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
                for (MetricChart* c : std::as_const(m_charts))
                    c->removeSource((*it)->series->id());
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
        if ((*it)->source)
            disconnect((*it)->source, nullptr, this, nullptr);
        for (MetricChart* c : std::as_const(m_charts))
            c->removeSource((*it)->series->id());
        m_entries.erase(it);
        break;
    }
    if (m_entries.empty())
        m_pollTimer->stop();
    updateTiles();
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
    if (m_alertRules.any()) {
        for (const Alert& alert : e->alerts.evaluate(s.points()))
            raiseAlert(alert, s.name());
    }
    Q_EMIT sampleApplied(s.id());
    scheduleRedraw();
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

QList<HistoryMarker> DashboardPanel::markers() const
{
    return m_markerModel->markers();
}

int DashboardPanel::comparisonMinutes() const
{
    return m_comparisonMinutes->value();
}

void DashboardPanel::setComparisonMinutes(int minutes)
{
    m_comparisonMinutes->setValue(minutes);
}

void DashboardPanel::selectMarker(int row)
{
    m_markerView->setCurrentIndex(row >= 0 ? m_markerModel->index(row) : QModelIndex());
    updateComparison();
}

void DashboardPanel::updateComparison()
{
    const QModelIndex current = m_markerView->currentIndex();
    if (!current.isValid() || m_entries.empty()) {
        m_comparisonModel->clear();
        return;
    }
    const HistoryMarker marker = m_markerModel->marker(current.row());
    // A marker of one source compares that source; a deploy compares the first source, like the tiles.
    const SourceSeries* s = series(marker.sourceId);
    if (!s)
        s = m_entries.front()->series.get();
    m_comparisonModel->setComparison(
        compareAround(s->points(), RateCalculator::toKey(marker.time), comparisonMinutes() * 60.0));
}

void DashboardPanel::addMarker(const HistoryMarker& marker)
{
    insertMarker(marker);
    if (m_history && marker.id == 0)
        m_history->addMarker(m_nextRequest++, marker);
    Q_EMIT markerAdded(marker);
}

void DashboardPanel::insertMarker(const HistoryMarker& marker)
{
    m_markerModel->add(marker);
    drawMarker(marker);
    scheduleRedraw();
}

void DashboardPanel::setAlertRules(const AlertRules& rules)
{
    m_alertRules = rules;
    for (const auto& e : m_entries) {
        e->alerts.setRules(rules);
        e->alerts.reset();
    }
    QSettings settings;
    settings.beginGroup(QStringLiteral("dashboard/alerts"));
    settings.setValue(QStringLiteral("hitRateBelowEnabled"), rules.hitRateBelowEnabled);
    settings.setValue(QStringLiteral("hitRateBelowPct"), rules.hitRateBelowPct);
    settings.setValue(QStringLiteral("dropEnabled"), rules.dropEnabled);
    settings.setValue(QStringLiteral("dropPoints"), rules.dropPoints);
    settings.setValue(QStringLiteral("memoryAboveEnabled"), rules.memoryAboveEnabled);
    settings.setValue(QStringLiteral("memoryAboveBytes"), rules.memoryAboveBytes);
}

void DashboardPanel::editAlertRules()
{
    auto* dialog = new AlertsDialog(m_alertRules, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { setAlertRules(dialog->rules()); });
    dialog->open();
}

void DashboardPanel::raiseAlert(const Alert& alert, const QString& sourceName)
{
    const QString message = describe(alert, sourceName);
    showBanner(message);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(themedIcon(nullptr, "cachelens"), this);
            m_tray->show();
        }
        m_tray->showMessage(tr("CacheLens alert"), message, QSystemTrayIcon::Warning);
    }
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(qint64(alert.time * 1000), Qt::UTC);
    for (const auto& e : m_entries) {
        if (e->series->name() == sourceName) {
            addMarker({0, e->series->id(), at, HistoryMarker::Kind::Alert, message});
            break;
        }
    }
    Q_EMIT alertRaised(message);
}

bool DashboardPanel::exportVisible(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    const QCPRange range = m_charts.first()->xAxis->range();
    if (suffix == QLatin1String("csv")) {
        QList<const SourceSeries*> sources;
        for (const auto& e : m_entries)
            sources << e->series.get();
        return exportCsv(sources, range.lower, range.upper, path);
    }
    redraw();   // the file shows what is on screen now, not what was drawn up to 40 ms ago
    if (suffix == QLatin1String("pdf"))
        return exportChartsPdf(m_charts, path, tr("CacheLens dashboard"));
    return exportChartsPng(m_charts, path);
}

void DashboardPanel::exportWithDialog()
{
    auto* dialog = new QFileDialog(this, tr("Export the visible window"));
    dialog->setObjectName(QStringLiteral("exportDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setNameFilters({tr("PNG image (*.png)"), tr("PDF document (*.pdf)"), tr("CSV numbers (*.csv)")});
    dialog->setDefaultSuffix(QStringLiteral("png"));
    connect(dialog, &QFileDialog::filterSelected, dialog, [dialog](const QString& filter) {
        dialog->setDefaultSuffix(filter.contains(QLatin1String("*.pdf"))   ? QStringLiteral("pdf")
                                 : filter.contains(QLatin1String("*.csv")) ? QStringLiteral("csv")
                                                                           : QStringLiteral("png"));
    });
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString& path) {
        if (!exportVisible(path))
            showBanner(tr("Could not write %1.").arg(QDir::toNativeSeparators(path)));
    });
    dialog->open();
}

QString DashboardPanel::bannerText() const
{
    return m_banner->isHidden() ? QString() : m_banner->text();
}

void DashboardPanel::showBanner(const QString& text)
{
    m_banner->setText(text);
    m_banner->show();
}

void DashboardPanel::onHistoryLoaded(quint64 requestId, const QVector<StatsSample>& samples,
                                     const QVector<HistoryMarker>& markers)
{
    Entry* e = nullptr;
    for (const auto& candidate : m_entries) {
        if (candidate->historyRequest == requestId && requestId != 0)
            e = candidate.get();
    }
    if (!e)
        return;   // the source was removed meanwhile: a stale answer
    e->historyRequest = 0;
    SourceSeries& s = *e->series;
    // Replay the stored counters through a calculator of their own: the past gets the same rates, resets and gaps
    // as if it had been watched live. Samples the live calculator already saw are left to it.
    const double firstLive = s.points().empty() ? kNaN : s.points().front().time;
    RateCalculator replay(s.calculator().expectedInterval(), s.calculator().window());
    std::vector<RatePoint> past;
    for (const StatsSample& sample : samples) {
        if (!std::isnan(firstLive) && RateCalculator::toKey(sample.time) >= firstLive)
            break;
        replay.add(sample, past);
    }
    if (s.points().empty())
        s.calculator() = replay;   // the next live sample continues the past: a rate if it is recent, else a gap
    s.prepend(past);
    for (const HistoryMarker& m : markers) {
        if (m_storedMarkerIds.contains(m.id) || !(m.sourceId.isEmpty() || m.sourceId == s.id()))
            continue;
        m_storedMarkerIds.insert(m.id);
        insertMarker(m);
    }
    for (MetricChart* c : std::as_const(m_charts))
        c->refresh();
    updateTiles();
    scheduleRedraw();
    Q_EMIT historyLoaded(s.id());
}

void DashboardPanel::drawMarker(const HistoryMarker& marker)
{
    const double key = RateCalculator::toKey(marker.time);
    for (int i = 0; i < m_charts.size(); ++i)
        m_charts.at(i)->addMarker(key, marker.label, markerColour(marker.kind), i == 0);
}

void DashboardPanel::markDeploy()
{
    // Time of the marker: when the user pressed the button, not when they finished typing the label.
    const QDateTime at = QDateTime::currentDateTimeUtc();
    auto* dialog = new QInputDialog(this);
    dialog->setObjectName(QStringLiteral("markDeployDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Mark deploy"));
    dialog->setLabelText(tr("Label (optional), e.g. the version deployed:"));
    connect(dialog, &QInputDialog::textValueSelected, this, [this, at](const QString& text) {
        const QString label = text.trimmed().isEmpty() ? tr("deploy") : text.trimmed();
        addMarker({0, QString(), at, HistoryMarker::Kind::Deploy, label});
    });
    dialog->open();   // window-modal without a nested event loop
}

} // namespace cachelens::ui
