#pragma once
// MarkerPane: the dashboard's timeline markers (deploys, restarts, flushes, alerts; newest first) beside the charts,
// and the before/after comparison of the selected one — hit rate, operations, misses and memory over the N minutes
// before and after it — or of two recordings side by side. New markers are kept in history.db; markers read back
// from it are shown once each.
#include "connectors/history/HistoryTypes.h"

#include <QSet>
#include <QWidget>

#include <optional>

class QListView;
class QSpinBox;

namespace cachelens {
class HistoryService;
}

namespace cachelens::ui {

class ComparisonModel;
class MarkerListModel;
class SourceSampler;

class MarkerPane : public QWidget
{
    Q_OBJECT
public:
    // sampler: the series a comparison reads; history: where markers are kept (nullptr: nowhere).
    MarkerPane(const SourceSampler& sampler, HistoryService* history, QWidget* parent = nullptr);

    MarkerListModel* markerModel() const { return m_markers; }
    ComparisonModel* comparisonModel() const { return m_comparison; }
    QList<HistoryMarker> markers() const;          // newest first

    void addMarker(const HistoryMarker& marker);   // shown, and kept when new (id 0)
    // Markers read back with a source's recorded past: those of `storedSourceId` (or of none) not shown yet.
    void addStored(const QVector<HistoryMarker>& markers, const QString& storedSourceId);
    void markDeploy();                             // asks for an optional label, without a modal loop
    void selectMarker(int row);                    // -1: none
    int comparisonMinutes() const;
    void setComparisonMinutes(int minutes);
    // Two opened recordings (series ids, their titles) side by side, once both are loaded.
    void compareRecordings(const QString& a, const QString& b, const QString& titleA, const QString& titleB);
    void dropRecordingComparison();
    void updateComparison();                       // the series moved on (the "after" fills in while it is live)

Q_SIGNALS:
    void markerShown(const cachelens::HistoryMarker& marker);   // to be drawn on the charts
    void markerAdded(const cachelens::HistoryMarker& marker);
    void recordingsCompared();

private:
    void insert(const HistoryMarker& marker);
    void finishRecordingComparison();

    const SourceSampler& m_sampler;
    HistoryService* m_history;
    MarkerListModel* m_markers;
    ComparisonModel* m_comparison;
    QListView* m_markerView;
    QSpinBox* m_minutes;
    QSet<qint64> m_storedIds;                      // markers on the timeline already, by history row id
    quint64 m_nextRequest = 1;
    struct RecordingComparison {
        QString a, b;                              // series ids
        QString titleA, titleB;
    };
    std::optional<RecordingComparison> m_recordingComparison;   // shown instead of a marker's
};

} // namespace cachelens::ui
