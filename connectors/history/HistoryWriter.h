#pragma once
// HistoryWriter: the worker that owns the HistoryStore, on its own worker thread (see HistoryService). Samples are
// buffered and written in one transaction every kFlushMs or every kMaxBatch samples, whichever comes first; markers
// are written at once (they are rare and the user expects them to survive a crash). Reads answer with `loaded`.
// Retention runs at open and then hourly.
#include "connectors/history/HistoryStore.h"
#include "connectors/support/Worker.h"

#include <QObject>

#include <memory>

class QTimer;

namespace cachelens {

class HistoryWriter : public QObject
{
    Q_OBJECT
public:
    static constexpr int kFlushMs = 2000;
    static constexpr int kMaxBatch = 1000;
    static constexpr int kDefaultRetentionDays = 7;

    explicit HistoryWriter(QString path, QObject* parent = nullptr);
    ~HistoryWriter() override;

public Q_SLOTS:
    void open();                                     // → opened
    void addSample(const cachelens::StatsSample& sample);
    void addMarker(quint64 requestId, const cachelens::HistoryMarker& marker);   // → markerStored
    void load(quint64 requestId, const QString& sourceId, const QDateTime& from, const QDateTime& to);   // → loaded
    void loadRecordings(quint64 requestId);          // → recordingsLoaded
    void setSourceName(const QString& sourceId, const QString& name);
    void setRetentionDays(int days);
    void flush();                                    // → flushed
    void close();                                    // flushes first

Q_SIGNALS:
    void opened(bool ok, const QString& error);
    void failed(const QString& error);               // a write or read failed after a good open
    void markerStored(quint64 requestId, const cachelens::HistoryMarker& marker);   // with its row id
    void loaded(quint64 requestId, const QVector<cachelens::StatsSample>& samples,
                const QVector<cachelens::HistoryMarker>& markers);
    void recordingsLoaded(quint64 requestId, const QVector<cachelens::HistoryStore::Recording>& recordings);
    void flushed(int samples);

private:
    void applyRetention();

    QString m_path;
    std::unique_ptr<HistoryStore> m_store;
    QVector<StatsSample> m_pending;
    QTimer* m_flushTimer = nullptr;
    QTimer* m_retentionTimer = nullptr;
    int m_retentionDays = kDefaultRetentionDays;
    bool m_reportedFailure = false;
};

// Owns a HistoryWriter on its own thread and is the GUI side's handle on it: requests are queued onto the worker,
// answers come back as this object's signals, delivered on the owner's thread (so a signal cannot be missed by
// connecting right after construction). Destroying the service flushes and closes the file on the worker, then joins
// it: the only time the GUI thread waits for the disk, at shutdown, like any document application.
class HistoryService : public QObject
{
    Q_OBJECT
public:
    explicit HistoryService(const QString& path, QObject* parent = nullptr);
    ~HistoryService() override;
    QString path() const { return m_path; }
    HistoryWriter* writer() const { return m_writer; }   // lives on the worker thread: queued calls only

    void addSample(const StatsSample& sample);
    void addMarker(quint64 requestId, const HistoryMarker& marker);
    void load(quint64 requestId, const QString& sourceId, const QDateTime& from, const QDateTime& to);
    void loadRecordings(quint64 requestId);
    void setSourceName(const QString& sourceId, const QString& name);   // shown by the sessions view
    void setRetentionDays(int days);

Q_SIGNALS:
    void opened(bool ok, const QString& error);
    void failed(const QString& error);
    void markerStored(quint64 requestId, const cachelens::HistoryMarker& marker);
    void loaded(quint64 requestId, const QVector<cachelens::StatsSample>& samples,
                const QVector<cachelens::HistoryMarker>& markers);
    void recordingsLoaded(quint64 requestId, const QVector<cachelens::HistoryStore::Recording>& recordings);
    void flushed(int samples);

private:
    // Requests run on the worker in order (m_worker.post); the writer's answers come back as m_worker.reply.
    QString m_path;
    HistoryWriter* m_writer;   // adopted by m_worker: lives on its thread
    Worker m_worker;           // last: joined before the members above go
};

} // namespace cachelens

Q_DECLARE_METATYPE(cachelens::HistoryStore::Recording)
