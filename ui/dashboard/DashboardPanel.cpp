#include "ui/dashboard/DashboardPanel.h"

#include "connectors/Source.h"
#include "connectors/history/HistoryWriter.h"
#include "ui/Icons.h"
#include "ui/dashboard/AlertCenter.h"
#include "ui/dashboard/ChartGrid.h"
#include "ui/dashboard/ComparisonModel.h"
#include "ui/dashboard/DashboardExport.h"
#include "ui/dashboard/DashboardTiles.h"
#include "ui/dashboard/DemoTiles.h"
#include "ui/dashboard/MarkerPane.h"
#include "ui/dashboard/MetricChart.h"
#include "ui/dashboard/RecordingSessions.h"
#include "ui/dashboard/SourceSampler.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QSettings>
#include <QSplitter>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>

namespace cachelens::ui {

static_assert(DashboardPanel::kRedrawMs == ChartGrid::kRedrawMs);

namespace {
const int kPollChoicesMs[] = {250, 500, 1000, 2000, 5000, 10000, 30000, 60000};
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

DashboardPanel::DashboardPanel(const QString& historyPath, QWidget* parent) : Panel(parent)
{
    setObjectName(QStringLiteral("dashboardPanel"));
    qRegisterMetaType<HistoryMarker>();
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
        if (m_retentionDays != HistoryWriter::kDefaultRetentionDays)
            m_history->setRetentionDays(m_retentionDays);
    }
    m_sampler = new SourceSampler(m_history, this);
    m_grid = new ChartGrid([this] { return m_sampler->latestKey(); }, this);
    m_tiles = new DashboardTiles(this);
    m_markers = new MarkerPane(*m_sampler, m_history, this);
    m_alerts = new AlertCenter(this);
    m_sessions = new RecordingSessions(*m_sampler, *m_markers, m_history, this);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    buildToolBar();
    m_banner = new QLabel(this);
    m_banner->setObjectName(QStringLiteral("dashboardBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_banner->setStyleSheet(QStringLiteral("QLabel { background: #fdecea; color: #611a15; padding: 6px; border-radius: 3px; }"));
    m_banner->hide();
    layout->addWidget(m_banner);
    layout->addWidget(m_tiles);
    auto* splitter = new QSplitter(Qt::Horizontal, this);   // the charts, and beside them the markers
    splitter->addWidget(m_grid);
    splitter->addWidget(m_markers);
    splitter->setStretchFactor(0, 4);
    splitter->setStretchFactor(1, 1);
    layout->addWidget(splitter, 1);

    wireParts();
    setShowClusterNodes(QSettings().value(QStringLiteral("dashboard/showClusterNodes"), false).toBool());
}

DashboardPanel::~DashboardPanel() = default;

void DashboardPanel::buildToolBar()
{
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
    QAction* sessionsAction = bar->addAction(themedIcon("document-open-recent", "cachelens"), tr("Sessions…"));
    sessionsAction->setObjectName(QStringLiteral("sessionsAction"));
    sessionsAction->setToolTip(tr("Earlier recordings from the history: open them beside the live charts or "
                                  "compare two"));
    connect(sessionsAction, &QAction::triggered, this, &DashboardPanel::showSessions);
    m_clusterNodes = bar->addAction(themedIcon("network-server", "cachelens"), tr("Cluster nodes"));
    m_clusterNodes->setObjectName(QStringLiteral("clusterNodesAction"));
    m_clusterNodes->setCheckable(true);
    m_clusterNodes->setToolTip(tr("For a cluster, draw every master's own figures beside the cluster total"));
    connect(m_clusterNodes, &QAction::toggled, this, &DashboardPanel::setShowClusterNodes);
    layout()->addWidget(bar);
}

void DashboardPanel::wireParts()
{
    // Series onto the charts, and off them.
    connect(m_sampler, &SourceSampler::seriesAdded, this, [this](const SourceSeries& series) {
        m_grid->addSeries(series);
        m_alerts->watch(series.id());
    });
    connect(m_sampler, &SourceSampler::nodeSeriesAdded, this, [this](const SourceSeries& series) {
        if (m_showNodes)
            m_grid->addSeries(series);
    });
    connect(m_sampler, &SourceSampler::seriesRemoved, this, [this](const QString& id) {
        if (id.startsWith(QLatin1String("demo:")))
            m_tiles->demoTiles()->reset();
        m_grid->removeSeries(id);
        m_alerts->forget(id);
        showFigures();
        m_grid->scheduleRedraw();
    });
    // A sample: the tiles, the notes and the alerts follow.
    connect(m_sampler, &SourceSampler::sampled, this,
            [this](const SourceSeries& series, const StatsSample& sample, bool first) {
                m_tiles->addSample(sample, first);
                m_grid->setHitNote(m_sampler->lookupNote());
                m_alerts->evaluate(series);
                Q_EMIT sampleApplied(series.id());
                m_grid->scheduleRedraw();
            });
    connect(m_sampler, &SourceSampler::serverEvent, this, &DashboardPanel::addMarker);
    connect(m_sampler, &SourceSampler::gapMarked, m_grid, &ChartGrid::scheduleRedraw);
    connect(m_sampler, &SourceSampler::pastLoaded, this,
            [this](const QString& id, const QVector<HistoryMarker>& markers, const QString& storedSourceId) {
                m_markers->addStored(markers, storedSourceId);
                m_grid->refreshCharts();
                showFigures();
                m_markers->updateComparison();   // two recordings compared once both are loaded
                m_grid->scheduleRedraw();
                Q_EMIT historyLoaded(id);
            });
    // Markers onto the charts.
    connect(m_markers, &MarkerPane::markerShown, m_grid, &ChartGrid::drawMarker);
    connect(m_markers, &MarkerPane::markerAdded, this, &DashboardPanel::markerAdded);
    connect(m_markers, &MarkerPane::recordingsCompared, this, &DashboardPanel::recordingsCompared);
    connect(m_alerts, &AlertCenter::raised, this, [this](const QString& message, const HistoryMarker& marker) {
        showBanner(message);
        addMarker(marker);
        Q_EMIT alertRaised(message);
    });
    // The charts' redraw brings the figures beside them up to date.
    connect(m_grid, &ChartGrid::aboutToReplot, this, [this] {
        showFigures();
        if (m_markers->comparisonModel()->hasComparison())
            m_markers->updateComparison();   // the "after" period fills in while it is live
    });
    connect(m_grid, &ChartGrid::redrawn, this, &DashboardPanel::redrawn);
    connect(m_grid, &ChartGrid::pausedChanged, this, [this](bool paused) {
        const QSignalBlocker block(m_pause);
        m_pause->setChecked(paused);
        m_pause->setText(paused ? tr("Resume") : tr("Pause"));
    });
    connect(m_sessions, &RecordingSessions::loaded, this, &DashboardPanel::recordingsLoaded);
    connect(m_sessions, &RecordingSessions::problem, this, &DashboardPanel::showBanner);
    connect(m_sessions, &RecordingSessions::framed, this, [this](double from, double to) {
        setPaused(true);
        m_grid->showRange(from, to);
    });
    connect(m_sessions, &RecordingSessions::closed, this, [this] {
        showFigures();
        m_grid->scheduleRedraw();
    });
}

QIcon DashboardPanel::icon() const
{
    return themedIcon(nullptr, "dashboard");
}

// ---- what the panel shows -----------------------------------------------------------------------------------

bool DashboardPanel::canRefresh() const { return !m_sampler->watched().empty(); }
int DashboardPanel::pollInterval() const { return m_sampler->pollInterval(); }
double DashboardPanel::hitRateWindow() const { return m_sampler->hitRateWindow(); }
bool DashboardPanel::isPaused() const { return m_grid->isPaused(); }
QList<MetricChart*> DashboardPanel::charts() const { return m_grid->charts(); }
MetricChart* DashboardPanel::chartFor(Metric metric) const { return m_grid->chartFor(metric); }
const SourceSeries* DashboardPanel::series(const QString& sourceId) const { return m_sampler->series(sourceId); }
QStringList DashboardPanel::sourceIds() const { return m_sampler->ids(); }
StatTile* DashboardPanel::tile(Metric metric) const { return m_tiles->tile(metric); }
DemoTiles* DashboardPanel::demoTiles() const { return m_tiles->demoTiles(); }
QList<HistoryMarker> DashboardPanel::markers() const { return m_markers->markers(); }
MarkerListModel* DashboardPanel::markerModel() const { return m_markers->markerModel(); }
ComparisonModel* DashboardPanel::comparisonModel() const { return m_markers->comparisonModel(); }
int DashboardPanel::comparisonMinutes() const { return m_markers->comparisonMinutes(); }
AlertRules DashboardPanel::alertRules(const QString& sourceId) const { return m_alerts->rules(sourceId); }
bool DashboardPanel::hasOwnAlertRules(const QString& sourceId) const { return m_alerts->hasOwnRules(sourceId); }
QStringList DashboardPanel::nodeSeriesIds(const QString& sourceId) const { return m_sampler->nodeSeriesIds(sourceId); }
const SourceSeries* DashboardPanel::nodeSeries(const QString& id) const { return m_sampler->nodeSeries(id); }
RecordingListModel* DashboardPanel::recordingModel() const { return m_sessions->model(); }
QStringList DashboardPanel::openRecordingIds() const { return m_sessions->openIds(); }

QString DashboardPanel::bannerText() const
{
    return m_banner->isHidden() ? QString() : m_banner->text();
}

void DashboardPanel::showBanner(const QString& text)
{
    m_banner->setText(text);
    m_banner->show();
}

void DashboardPanel::showFigures()
{
    m_tiles->show(m_sampler->first(), std::max(5.0, 3.0 * pollInterval() / 1000.0));
    m_grid->setHitNote(m_sampler->lookupNote());
}

// ---- sources and sampling -----------------------------------------------------------------------------------

void DashboardPanel::setSource(Source* source)
{
    m_sampler->clear();
    if (source)
        addSource(source);
    m_grid->scheduleRedraw();
}

void DashboardPanel::addSource(Source* source)
{
    m_sampler->addSource(source);
    showFigures();
}

void DashboardPanel::removeSource(Source* source)
{
    m_sampler->removeSource(source);
}

void DashboardPanel::refresh()
{
    m_sampler->sampleNow();
}

void DashboardPanel::setPollInterval(int ms)
{
    ms = qBound(kMinPollMs, ms, kMaxPollMs);
    m_sampler->setPollInterval(ms);
    if (const int index = m_pollBox->findData(ms); index >= 0)
        m_pollBox->setCurrentIndex(index);
}

void DashboardPanel::setHitRateWindow(double seconds)
{
    m_sampler->setHitRateWindow(qMax(0.0, seconds));
    if (const int index = m_hitRateBox->findData(m_sampler->hitRateWindow()); index >= 0)
        m_hitRateBox->setCurrentIndex(index);
    m_grid->refreshCharts();   // the hit-rate containers were rebuilt
    showFigures();
    m_grid->scheduleRedraw();
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
    for (const SourceSeries* series : m_sampler->allNodeSeries()) {
        if (show)
            m_grid->addSeries(*series);
        else
            m_grid->removeSeries(series->id());
    }
    m_grid->scheduleRedraw();
}

void DashboardPanel::setHistoryRetentionDays(int days)
{
    m_retentionDays = qBound(1, days, 3650);
    QSettings().setValue(QStringLiteral("history/retentionDays"), m_retentionDays);
    if (m_history)
        m_history->setRetentionDays(m_retentionDays);
}

// ---- the view -----------------------------------------------------------------------------------------------

void DashboardPanel::setWindow(Window window)
{
    m_window = window;
    m_windowBox->setCurrentIndex(m_windowBox->findData(QVariant::fromValue(window)));
    m_grid->setSpan(windowSeconds(window));
}

void DashboardPanel::setPaused(bool paused)
{
    m_grid->setPaused(paused);
}

bool DashboardPanel::exportVisible(const QString& path)
{
    const QCPRange range = m_grid->visibleRange();
    QList<const SourceSeries*> sources;
    for (const auto& w : m_sampler->watched())
        sources << w->series.get();
    if (!isCsvPath(path))
        m_grid->redraw();   // the file shows what is on screen now, not what was drawn up to 40 ms ago
    return ui::exportVisible(m_grid->charts(), sources, range.lower, range.upper, path);
}

void DashboardPanel::exportWithDialog()
{
    askForExportFile(
        this, [this](const QString& path) { return exportVisible(path); },
        [this](const QString& path) { showBanner(tr("Could not write %1.").arg(QDir::toNativeSeparators(path))); });
}

// ---- markers, alerts, sessions ------------------------------------------------------------------------------

void DashboardPanel::addMarker(const HistoryMarker& marker)
{
    m_markers->addMarker(marker);
}

void DashboardPanel::markDeploy()
{
    m_markers->markDeploy();
}

void DashboardPanel::selectMarker(int row)
{
    m_markers->selectMarker(row);
}

void DashboardPanel::setComparisonMinutes(int minutes)
{
    m_markers->setComparisonMinutes(minutes);
}

void DashboardPanel::setAlertRules(const AlertRules& rules)
{
    m_alerts->setRules(rules);
}

void DashboardPanel::setAlertRules(const QString& sourceId, const std::optional<AlertRules>& rules)
{
    m_alerts->setRules(sourceId, rules);
}

void DashboardPanel::editAlertRules()
{
    QList<QPair<QString, QString>> shown;   // the connections on the charts
    for (const auto& w : m_sampler->watched())
        if (!w->isRecording())
            shown.append({w->series->id(), w->series->name()});
    m_alerts->edit(shown, this);
}

void DashboardPanel::loadRecordings()
{
    m_sessions->load();
}

void DashboardPanel::showSessions()
{
    m_sessions->showDialog(m_retentionDays);
}

QString DashboardPanel::openRecording(const HistoryStore::Recording& recording)
{
    return m_sessions->open(recording);
}

void DashboardPanel::compareRecordings(const HistoryStore::Recording& a, const HistoryStore::Recording& b)
{
    m_sessions->compare(a, b);
}

void DashboardPanel::closeRecordings()
{
    m_sessions->close();
}

} // namespace cachelens::ui
