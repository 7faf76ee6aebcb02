#pragma once
// DashboardPanel: live charts of one or several sources (overlaid, one colour each), big-number tiles, time windows,
// pause/resume, pan/zoom and deploy markers.
//
// Data flow: a QTimer asks every source for a sample (queued call onto the source's thread); samples come back as
// queued statsSample signals, go through each source's RateCalculator into its SourceSeries (appended, never
// rebuilt) and mark the charts dirty. The charts redraw at most every kRedrawMs, so ten sources answering within
// the same tick cost one redraw, not ten.
//
// The implementation is split by concern: DashboardPanel.cpp (sources, sampling, windows, redraw),
// DashboardPanelUi.cpp (widgets, export, banner), DashboardMarkers.cpp (markers, comparisons, history and the
// sessions view), DashboardAlerts.cpp (alert rules per connection); DashboardPanel_p.h holds what they share.
#include "connectors/history/HistoryStore.h"
#include "connectors/history/HistoryTypes.h"
#include "ui/OwnLoadMeter.h"
#include "ui/Panel.h"
#include "ui/dashboard/AlertRules.h"
#include "ui/dashboard/Metric.h"

#include <QElapsedTimer>
#include <QIcon>
#include <QPointer>
#include <QSet>

#include <map>
#include <memory>
#include <optional>
#include <vector>

class QAction;
class QComboBox;
class QLabel;
class QListView;
class QSpinBox;
class QSystemTrayIcon;
class QTimer;

namespace cachelens {
class HistoryService;
class Source;
}

namespace cachelens::ui {

class ComparisonModel;
class MarkerListModel;
class MetricChart;
class RecordingListModel;
class SourceSeries;
class StatTile;
class DemoTiles;

class DashboardPanel : public Panel
{
    Q_OBJECT
public:
    static constexpr int kRedrawMs = 40;
    static constexpr int kMinPollMs = 250;
    static constexpr int kMaxPollMs = 60000;
    static constexpr double kKeepSeconds = 24 * 3600 + 60;   // raw points kept in memory: the longest window
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
    bool canRefresh() const override { return !m_entries.empty(); }   // F5 samples now; nothing to ask without a source

    Window window() const { return m_window; }
    int pollInterval() const;                         // ms
    double hitRateWindow() const { return m_hitRateWindow; }
    bool isPaused() const { return m_paused; }

    QList<MetricChart*> charts() const { return m_charts; }
    MetricChart* chartFor(Metric metric) const;
    const SourceSeries* series(const QString& sourceId) const;
    QStringList sourceIds() const;
    StatTile* tile(Metric metric) const;              // HitRate, OpsPerSec, Memory, Keys
    DemoTiles* demoTiles() const { return m_demoTiles; } // the L1+L2 demo's L1/L2 hit rates and bus rate
    QList<HistoryMarker> markers() const;             // newest first
    MarkerListModel* markerModel() const { return m_markerModel; }
    ComparisonModel* comparisonModel() const { return m_comparisonModel; }
    int comparisonMinutes() const;
    QAction* markDeployAction() const { return m_markDeploy; }
    QAction* pauseAction() const { return m_pause; }
    QString bannerText() const;                       // history or alert problems shown above the charts
    bool hasHistory() const { return m_history != nullptr; }
    int historyRetentionDays() const { return m_retentionDays; }
    // Alert rules of a connection: its own when it has them, otherwise the defaults (an empty id: the defaults).
    AlertRules alertRules(const QString& sourceId = {}) const;
    bool hasOwnAlertRules(const QString& sourceId) const { return m_ownAlertRules.count(sourceId) > 0; }
    // Cluster sources: one series per master beside the total, on the charts while showsClusterNodes().
    bool showsClusterNodes() const { return m_showNodes; }
    QStringList nodeSeriesIds(const QString& sourceId) const;
    const SourceSeries* nodeSeries(const QString& nodeSeriesId) const;
    QAction* clusterNodesAction() const { return m_clusterNodes; }
    // The sessions view: earlier recordings from history.db (newest first), opened as paused overlays.
    RecordingListModel* recordingModel() const { return m_recordingModel; }
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
    struct Entry;
    Entry* entryFor(const Source* source);
    void buildUi();
    void onSample(Source* source, const StatsSample& sample);
    void onSourceState(Source* source, ConnectionState state);
    void poll();
    void scheduleRedraw();
    void redraw();
    void updateTiles();
    void updateLookupNotes();                          // the hit charts say whether CacheLens's lookups are out
    void applyKeyRange(double lower, double upper);
    void drawMarker(const HistoryMarker& marker);
    double liveUpperKey() const;
    void updateComparison();
    void showBanner(const QString& text);
    void onHistoryLoaded(quint64 requestId, const QVector<StatsSample>& samples, const QVector<HistoryMarker>& markers);
    void insertMarker(const HistoryMarker& marker);   // model + charts, no storing
    void raiseAlert(const Alert& alert, const QString& sourceName);
    void loadAlertRules();
    void applyNodeSamples(Entry& entry, const StatsSample& sample);
    void finishRecordingComparison();
    static QString recordingTitle(const HistoryStore::Recording& recording);

    std::vector<std::unique_ptr<Entry>> m_entries;
    QList<MetricChart*> m_charts;
    QList<StatTile*> m_tiles;
    StatTile* m_ownLoadTile = nullptr;
    DemoTiles* m_demoTiles = nullptr;       // shown while an L1+L2 demo source is sampled      // what CacheLens itself costs the first source's server
    OwnLoadMeter m_ownLoad;
    MarkerListModel* m_markerModel;
    ComparisonModel* m_comparisonModel;
    QListView* m_markerView = nullptr;
    QSpinBox* m_comparisonMinutes = nullptr;
    QTimer* m_pollTimer;
    QTimer* m_redrawTimer;
    QComboBox* m_windowBox = nullptr;
    QComboBox* m_pollBox = nullptr;
    QComboBox* m_hitRateBox = nullptr;
    QAction* m_pause = nullptr;
    QAction* m_markDeploy = nullptr;
    QLabel* m_tilesSource = nullptr;
    QLabel* m_banner = nullptr;
    HistoryService* m_history = nullptr;
    int m_retentionDays = 7;
    AlertRules m_alertRules;                          // the defaults
    std::map<QString, AlertRules> m_ownAlertRules;    // by source id
    QAction* m_clusterNodes = nullptr;
    bool m_showNodes = false;
    RecordingListModel* m_recordingModel;
    quint64 m_recordingsRequest = 0;
    struct PendingComparison {
        QString a, b;                                 // series ids
        QString titleA, titleB;
    };
    std::optional<PendingComparison> m_recordingComparison;   // shown in comparisonModel() instead of a marker's
    QSystemTrayIcon* m_tray = nullptr;
    quint64 m_nextRequest = 1;
    QSet<qint64> m_storedMarkerIds;                   // markers already on the timeline, by history row id
    Window m_window = Window::FiveMinutes;
    double m_hitRateWindow = 60;
    bool m_paused = false;
    bool m_syncingRange = false;
    int m_nextColour = 0;
};

} // namespace cachelens::ui

Q_DECLARE_METATYPE(cachelens::ui::DashboardPanel::Window)
