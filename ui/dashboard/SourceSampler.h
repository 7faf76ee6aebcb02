#pragma once
// SourceSampler: the dashboard's samples and rates. A timer asks every watched source for a sample (a queued call
// onto the source's thread; a source that has not answered is not asked again until it is clearly stuck, so a slow
// server does not collect a queue of INFO commands). Each answer goes through that source's RateCalculator into its
// SourceSeries (appended, never rebuilt; a day kept); a cluster's masters get series of their own; a source that
// disconnects gets a gap. Samples are kept in history.db, and a source's recorded past — or an opened recording —
// is replayed through a calculator of its own, so the past has the same rates, resets and gaps as if it had been
// watched live. Sources are not owned; a destroyed one is dropped.
#include "connectors/SourceTypes.h"
#include "connectors/history/HistoryStore.h"
#include "connectors/history/HistoryTypes.h"
#include "ui/dashboard/SourceSeries.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <map>
#include <memory>
#include <vector>

class QTimer;

namespace cachelens {
class HistoryService;
class Source;
}

namespace cachelens::ui {

class SourceSampler : public QObject
{
    Q_OBJECT
public:
    static constexpr double kKeepSeconds = 24 * 3600 + 60;   // raw points kept in memory: the longest window

    // One watched source, or an opened recording (no source).
    struct Watched {
        QPointer<Source> source;
        const Source* key = nullptr;               // identity even after the QPointer went null; null for a recording
        std::unique_ptr<SourceSeries> series;
        bool pending = false;                      // a sample request is in flight
        QElapsedTimer requested;
        quint64 historyRequest = 0;                // the load of its past, 0 when answered
        // A cluster: each master's own figures (StatsSample::nodes), by node address.
        std::map<QString, std::unique_ptr<SourceSeries>> nodes;
        // An opened recording: the stored source it replays and its span.
        QString recordedSourceId;
        double recordingFrom = kNaN, recordingTo = kNaN;
        bool isRecording() const { return key == nullptr; }
        bool isLoading() const { return historyRequest != 0; }
    };

    // history: where samples are kept and the past is read from; nullptr keeps nothing.
    explicit SourceSampler(HistoryService* history, QObject* parent = nullptr);
    ~SourceSampler() override;

    int pollInterval() const;                      // ms
    void setPollInterval(int ms);
    double hitRateWindow() const { return m_hitRateWindow; }
    void setHitRateWindow(double seconds);         // every series recomputes its windowed hit rate

    void addSource(Source* source);                // watched from now on; its past is loaded
    void removeSource(Source* source);
    void clear();                                  // every source and recording
    void sampleNow();                              // every source, whether or not it answered the last request
    // Replays a recording as a series of its own (`id`), loaded from the history; nullptr without a history.
    const Watched* addRecording(const QString& id, const QString& title, const HistoryStore::Recording& recording);
    void removeRecordings();

    const std::vector<std::unique_ptr<Watched>>& watched() const { return m_watched; }
    const Watched* find(const QString& seriesId) const;
    const SourceSeries* series(const QString& seriesId) const;
    const SourceSeries* first() const;             // the first watched series (the tiles describe it), or nullptr
    QStringList ids() const;
    QStringList nodeSeriesIds(const QString& seriesId) const;
    const SourceSeries* nodeSeries(const QString& nodeSeriesId) const;
    std::vector<const SourceSeries*> allNodeSeries() const;
    double latestKey() const;                      // the newest point's key, or now
    // What the hit charts' figures are: corrected for CacheLens's own lookups, or the server's raw ones.
    QString lookupNote() const;

Q_SIGNALS:
    void seriesAdded(const cachelens::ui::SourceSeries& series);       // a source or a recording
    void nodeSeriesAdded(const cachelens::ui::SourceSeries& series);   // a cluster master's
    void seriesRemoved(const QString& seriesId);                       // its masters' series went first
    // A sample went into `series`; `first`: of the first watched source.
    void sampled(const cachelens::ui::SourceSeries& series, const cachelens::StatsSample& sample, bool first);
    void serverEvent(const cachelens::HistoryMarker& marker);          // a restart, a stats reset or a flush
    void gapMarked();                                                  // a source went away
    // The recorded past of `seriesId` is in it; `markers` are those stored for the source it replays (storedSourceId).
    void pastLoaded(const QString& seriesId, const QVector<cachelens::HistoryMarker>& markers,
                    const QString& storedSourceId);

private:
    Watched* findSource(const Source* source);
    void erase(std::vector<std::unique_ptr<Watched>>::iterator it);
    void poll();
    void onSample(Source* source, const StatsSample& sample);
    void onSourceState(Source* source, ConnectionState state);
    void applyNodeSamples(Watched& watched, const StatsSample& sample);
    void onHistoryLoaded(quint64 requestId, const QVector<StatsSample>& samples, const QVector<HistoryMarker>& markers);
    std::unique_ptr<SourceSeries> newSeries(const QString& id, const QString& name);

    HistoryService* m_history;
    QTimer* m_pollTimer;
    std::vector<std::unique_ptr<Watched>> m_watched;
    double m_hitRateWindow = 60;
    int m_nextColour = 0;
    quint64 m_nextRequest = 1;
};

} // namespace cachelens::ui
