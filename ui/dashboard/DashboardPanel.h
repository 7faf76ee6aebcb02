#pragma once
// DashboardPanel: live charts of one or several sources (overlaid, one colour each), big-number tiles, time windows,
// pause/resume, pan/zoom, deploy markers, alerts, recorded sessions and export. The panel lays out the tool bar and
// hosts the parts that do the work, each with one job:
//   - SourceSampler asks every source for a sample on a timer and turns the answers into rate series (and replays
//     the recorded past from history.db);
//   - ChartGrid draws the series, follows the live edge or stays where the user panned, and redraws at most every
//     kRedrawMs, so ten sources answering within the same tick cost one redraw, not ten;
//   - DashboardTiles shows the first source's big numbers, MarkerPane the markers and their before/after comparison,
//     AlertCenter the alert rules and their alerts, RecordingSessions the earlier recordings;
//   - DashboardExport writes the visible window as PNG, PDF or CSV.
#include "connectors/history/HistoryStore.h"
#include "connectors/history/HistoryTypes.h"
#include "ui/Panel.h"
#include "ui/dashboard/AlertRules.h"
#include "ui/dashboard/Metric.h"

#include <QIcon>

#include <optional>

class QAction;
class QComboBox;
class QLabel;

namespace cachelens {
class HistoryService;
class Source;
}

namespace cachelens::ui {

class AlertCenter;
class ChartGrid;
class ComparisonModel;
class DashboardTiles;
class DemoTiles;
class MarkerListModel;
class MarkerPane;
class MetricChart;
class RecordingListModel;
class RecordingSessions;
class SourceSampler;
class SourceSeries;
class StatTile;

class DashboardPanel : public Panel
{
    Q_OBJECT
public:
    static constexpr int kRedrawMs = 40;              // the charts redraw at most this often (ChartGrid)
    static constexpr int kMinPollMs = 250;
    static constexpr int kMaxPollMs = 60000;
    enum class Window { OneMinute, FiveMinutes, OneHour, OneDay };
    static double windowSeconds(Window window);

    // Records to and replays from history.db under AppDataLocation.
    explicit DashboardPanel(QWidget* parent = nullptr);
    // historyPath: the SQLite history to use; empty = keep nothing (charts only).
    DashboardPanel(const QString& historyPath, QWidget* parent);
    ~DashboardPanel() override;

    QString panelId() const override { return QStringLiteral("dashboard"); }
    QString title() const override { return tr("Dashboard"); }
    QIcon icon() const override;
    bool canRefresh() const override;                 // F5 samples now; nothing to ask without a source

    Window window() const { return m_window; }
    int pollInterval() const;                         // ms
    double hitRateWindow() const;
    bool isPaused() const;

    QList<MetricChart*> charts() const;
    MetricChart* chartFor(Metric metric) const;
    const SourceSeries* series(const QString& sourceId) const;
    QStringList sourceIds() const;
    StatTile* tile(Metric metric) const;              // HitRate, OpsPerSec, Memory, Keys
    DemoTiles* demoTiles() const;                     // the L1+L2 demo's L1/L2 hit rates and bus rate
    QList<HistoryMarker> markers() const;             // newest first
    MarkerListModel* markerModel() const;
    ComparisonModel* comparisonModel() const;
    int comparisonMinutes() const;
    QAction* markDeployAction() const { return m_markDeploy; }
    QAction* pauseAction() const { return m_pause; }
    QString bannerText() const;                       // history or alert problems shown above the charts
    bool hasHistory() const { return m_history != nullptr; }
    int historyRetentionDays() const { return m_retentionDays; }
    // Alert rules of a connection: its own when it has them, otherwise the defaults (an empty id: the defaults).
    AlertRules alertRules(const QString& sourceId = {}) const;
    bool hasOwnAlertRules(const QString& sourceId) const;
    // Cluster sources: one series per master beside the total, on the charts while showsClusterNodes().
    bool showsClusterNodes() const { return m_showNodes; }
    QStringList nodeSeriesIds(const QString& sourceId) const;
    const SourceSeries* nodeSeries(const QString& nodeSeriesId) const;
    QAction* clusterNodesAction() const { return m_clusterNodes; }
    // The sessions view: earlier recordings from history.db (newest first), opened as paused overlays.
    RecordingListModel* recordingModel() const;
    QStringList openRecordingIds() const;             // series ids of the opened recordings

public Q_SLOTS:
    // Shows exactly this source (nullptr: none). The panel does not own sources; a destroyed one is dropped.
    void setSource(cachelens::Source* source) override;
    void addSource(cachelens::Source* source);        // overlay another one
    void removeSource(cachelens::Source* source);
    void refresh() override;                          // sample every source now
    void setWindow(cachelens::ui::DashboardPanel::Window window);
    void setPollInterval(int ms);                     // clamped to 250 ms – 60 s
    void setHitRateWindow(double seconds);            // 0 = the last interval only
    void setPaused(bool paused);
    void addMarker(const cachelens::HistoryMarker& marker);
    void markDeploy();                                // asks for an optional label, without a modal loop
    void selectMarker(int row);                       // row of markerModel(); -1: none. Fills comparisonModel()
    void setComparisonMinutes(int minutes);
    // The visible window as PNG, PDF (every chart) or CSV (raw points), chosen by the file's suffix.
    bool exportVisible(const QString& path);
    void exportWithDialog();                          // asks for a file name, without a modal loop
    // The defaults, for every connection without rules of its own; kept in QSettings.
    void setAlertRules(const cachelens::ui::AlertRules& rules);
    // A connection's own rules (kept in QSettings under its id); nullopt: it follows the defaults again.
    void setAlertRules(const QString& sourceId, const std::optional<cachelens::ui::AlertRules>& rules);
    void editAlertRules();                            // the rules dialog, without a modal loop
    void setHistoryRetentionDays(int days);           // 1–3650; kept in QSettings; older samples are removed
    void setShowClusterNodes(bool show);
    void loadRecordings();                            // → recordingsLoaded; fills recordingModel()
    void showSessions();                              // the sessions dialog, without a modal loop
    // Shows a recording on the charts beside the live sources (paused, zoomed to its span); → historyLoaded(id).
    QString openRecording(const cachelens::HistoryStore::Recording& recording);
    // Opens both (if needed) and fills comparisonModel() with their figures side by side once both are loaded.
    void compareRecordings(const cachelens::HistoryStore::Recording& a, const cachelens::HistoryStore::Recording& b);
    void closeRecordings();

Q_SIGNALS:
    void sampleApplied(const QString& sourceId);      // after a sample went into the series
    void redrawn();                                   // after the charts were replotted
    void markerAdded(const cachelens::HistoryMarker& marker);
    void historyLoaded(const QString& sourceId);      // the past of a source is on the charts
    void alertRaised(const QString& message);
    void recordingsLoaded();                          // recordingModel() holds the answer
    void recordingsCompared();                        // comparisonModel() holds two recordings

private:
    void buildToolBar();
    void wireParts();
    void showFigures();                               // tiles and the hit charts' notes, from the series as they are
    void showBanner(const QString& text);

    HistoryService* m_history = nullptr;
    SourceSampler* m_sampler;
    ChartGrid* m_grid;
    DashboardTiles* m_tiles;
    MarkerPane* m_markers;
    AlertCenter* m_alerts;
    RecordingSessions* m_sessions;
    QComboBox* m_windowBox = nullptr;
    QComboBox* m_pollBox = nullptr;
    QComboBox* m_hitRateBox = nullptr;
    QAction* m_pause = nullptr;
    QAction* m_markDeploy = nullptr;
    QAction* m_clusterNodes = nullptr;
    QLabel* m_banner = nullptr;
    int m_retentionDays = 7;
    Window m_window = Window::FiveMinutes;
    bool m_showNodes = false;
};

} // namespace cachelens::ui

Q_DECLARE_METATYPE(cachelens::ui::DashboardPanel::Window)
