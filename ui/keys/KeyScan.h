#pragma once
// KeyScan: one SCAN of a source into the Keys tree at a time. The source answers in batches (thousands of keys,
// ~10 per second) that arrive faster than a debug build can index them: they queue here (cheap, implicitly shared)
// and go into the model in time-boxed slices, so the event loop keeps serving input and paints between slices.
// loaded() says the last key is in the tree (the caller sorts it then); done() follows once the tree is in order
// (a namespace too big to sort at once is put in order in slices after its rows were built).
#include "connectors/SourceTypes.h"
#include "connectors/support/Progress.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>

#include <optional>
#include <utility>

class QTimer;

namespace cachelens {
class Source;
}

namespace cachelens::ui {

class KeyTreeModel;

class KeyScan : public QObject
{
    Q_OBJECT
public:
    static constexpr int kScanPageSize = 1000;   // SCAN COUNT
    static constexpr int kIngestSliceMs = 8;     // keys go into the tree in slices this long, between other events
    static constexpr int kIngestChunk = 1024;

    explicit KeyScan(KeyTreeModel* model, QObject* parent = nullptr);

    // The source to scan from now on (nullptr: none). A scan of the previous one is cancelled.
    void setSource(Source* source);
    // Empties the tree and scans `glob` (a scan still running is cancelled first).
    void start(const QByteArray& glob);
    void cancel();                                 // the source stops between batches; finished() tells the count
    bool isRunning() const { return m_id != 0; }
    quint64 scanned() const { return m_scanned; }
    qint64 elapsedMs() const { return m_clock.isValid() ? m_clock.elapsed() : 0; }
    QString progressText() const;                  // "1,000 of ~5,000 keys · 2,000 keys/s · about 2 s left"
    QString sentence(const ScanSummary& summary) const;   // how the scan ended, for the status line

Q_SIGNALS:
    void started(const QByteArray& glob);
    void progressed(quint64 scanned, quint64 estimate);   // a batch arrived (estimate 0: unknown)
    void loaded(const cachelens::ScanSummary& summary);  // every key found is in the tree
    void done(quint64 total, bool cancelled);            // ... and the tree is in order

private:
    void onKeysFound(const KeyBatch& batch);
    void onScanFinished(const ScanSummary& summary);
    void onError(quint64 requestId, const SourceError& error);
    void ingest();
    void finish(const ScanSummary& summary);
    void forget();                                 // no scan, nothing queued

    KeyTreeModel* m_model;
    QPointer<Source> m_source;
    QList<QMetaObject::Connection> m_connections;
    quint64 m_id = 0;                              // the scan in flight, 0 when none
    QElapsedTimer m_clock;
    ProgressMeter m_progress;
    quint64 m_scanned = 0;
    quint64 m_estimate = 0;
    QList<QVector<KeyEntry>> m_incoming;           // batches not in the tree yet
    qsizetype m_incomingOffset = 0;                // keys of m_incoming.first() already ingested
    QTimer* m_ingest;
    std::optional<ScanSummary> m_finished;         // the scan's end, reported once m_incoming is drained
    std::optional<std::pair<quint64, bool>> m_doneAfterSort;   // done(), due once a sliced sort has finished
};

} // namespace cachelens::ui
