#include "ui/dashboard/DashboardPanel.h"

#include "ui/Icons.h"
#include "ui/dashboard/ComparisonModel.h"
#include "ui/dashboard/DashboardExport.h"
#include "ui/dashboard/DashboardPanel_p.h"
#include "ui/dashboard/MarkerListModel.h"
#include "ui/dashboard/MetricChart.h"
#include "ui/dashboard/DemoTiles.h"
#include "ui/dashboard/StatTile.h"

#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListView>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

// The panel's widgets (tool bar, tiles, chart grid, marker pane), export and the banner.

namespace cachelens::ui {

namespace {
const int kPollChoicesMs[] = {250, 500, 1000, 2000, 5000, 10000, 30000, 60000};
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
    m_demoTiles = new DemoTiles(this);
    layout->addWidget(m_demoTiles);

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

} // namespace cachelens::ui
