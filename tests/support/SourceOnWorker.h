#pragma once
// SourceOnWorker: runs a Source on its own QThread the way the UI does, and records everything it emits, in a way
// ThreadSanitizer can follow. Qt's queued connections and QThread::wait synchronise through futexes inside the
// uninstrumented Qt libraries, which TSan cannot see, and QSignalSpy (Qt 6.4) appends from the emitting thread
// without a lock. So requests travel through a std::mutex-guarded queue drained on the worker thread, and signals
// are recorded on the worker thread under the same kind of mutex; tests read copies.
#include "connectors/Source.h"

#include <QObject>
#include <QThread>

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace cachelens::test {

class SourceRecorder : public QObject
{
    Q_OBJECT
public:
    explicit SourceRecorder(Source* source);

    struct Record {
        QList<QPair<ConnectionState, QString>> states;
        QList<StatsSample> samples;
        QList<KeyBatch> batches;
        QList<ScanSummary> summaries;
        QList<QPair<quint64, SourceError>> errors;
        QList<KeyBatch> details;
        QList<ValuePage> values;
        QList<KeyOpResult> keyOps;
        QList<InvalidationProgress> invalidationProgress;
        QList<InvalidationReport> invalidations;
        QList<TagList> tagLists;          // tags (#9)
        QList<TagMembers> tagMembers;
        QList<RestoreProgress> restoreProgress;   // snapshots (#9)
        QList<RestoreReport> restores;
    };
    Record snapshot() const;
    void post(std::function<void()> task);   // any thread; runs on the recorder's thread, in order

private Q_SLOTS:
    void drain();

private:
    mutable std::mutex m_mutex;   // guards m_record and m_tasks
    Record m_record;
    std::deque<std::function<void()>> m_tasks;
};

class SourceOnWorker
{
public:
    explicit SourceOnWorker(Source* source);   // takes ownership; the source must not be started yet
    ~SourceOnWorker();                          // stops the thread; the source is deleted on it
    SourceOnWorker(const SourceOnWorker&) = delete;
    SourceOnWorker& operator=(const SourceOnWorker&) = delete;

    // Runs `request` on the worker thread (queued, in order), e.g. call([](Source* s) { s->open(); }).
    void call(std::function<void(Source*)> request);
    SourceRecorder::Record record() const { return m_recorder->snapshot(); }
    ConnectionState lastState() const;          // Disconnected until the first stateChanged
    // Waits (up to `timeoutMs`) for the report answering request `id`; a default one (requestId 0) if none came.
    InvalidationReport waitForInvalidation(quint64 id, int timeoutMs = 60000) const;
    RestoreReport waitForRestore(quint64 id, int timeoutMs = 60000) const;

private:
    QThread m_thread;
    Source* m_source;
    SourceRecorder* m_recorder;
};

// The first report in `list` (a Record's invalidations, restores, tag lists, …) answering request `id`.
template <class T>
std::optional<T> byRequestId(const QList<T>& list, quint64 id)
{
    for (const T& t : list)
        if (t.requestId == id)
            return t;
    return std::nullopt;
}

// A RedisSource named `name` for `url` on its own worker, opened and Ready (a warning after 15 s). It reconnects
// within 50–200 ms, for tests that kill or restart the server. `guard`: its read-only/production flags and audit log.
std::unique_ptr<SourceOnWorker> openRedisSource(const QString& url, const QString& name = QStringLiteral("test source"),
                                                const GuardPolicy& guard = {});

} // namespace cachelens::test
