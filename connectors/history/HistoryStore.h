#pragma once
// HistoryStore: the dashboard's metrics history in SQLite (history.db under AppDataLocation): raw samples and markers
// per source. The schema version lives in PRAGMA user_version and is migrated forward on open, one step per version
// in a transaction (connectors/sqlite/SqliteDb). Synchronous and single-threaded on purpose: only HistoryWriter's worker thread uses it, so the
// GUI never waits on the disk.
//
// Schema history:
//   1  samples (counters, keys, memory, run_id, uptime) and markers (time, kind, label)
//   2  samples.clients and samples.ops_per_sec; markers.source_id; indexes by source and time
//   3  sources (id → the name the user knew it by), for the sessions view
#include "connectors/history/HistoryTypes.h"
#include "connectors/sqlite/SqliteDb.h"

namespace cachelens {

class HistoryStore
{
public:
    static constexpr int kSchemaVersion = 4;
    static constexpr int kRecordingGapSeconds = 300;   // a longer silence ends a recording

    HistoryStore();
    ~HistoryStore();
    HistoryStore(const HistoryStore&) = delete;
    HistoryStore& operator=(const HistoryStore&) = delete;

    static QString defaultPath();   // <AppDataLocation>/history.db

    // Opens (creating it and its directory if needed) and migrates. False: errorString() says what is wrong in a
    // sentence a user can act on (damaged file, newer schema, locked, no permission); nothing is modified then.
    bool open(const QString& path);
    void close();
    bool isOpen() const { return m_db.isOpen(); }
    QString errorString() const { return m_db.errorString(); }
    QString path() const { return m_db.path(); }
    int schemaVersion();

    bool appendSamples(const QVector<StatsSample>& samples);    // one transaction
    qint64 addMarker(const HistoryMarker& marker);              // the new row id; 0 on failure
    QVector<StatsSample> samples(const QString& sourceId, const QDateTime& from, const QDateTime& to);
    QVector<HistoryMarker> markers(const QDateTime& from, const QDateTime& to);

    // One recording ("session"): a run of one source's samples without a silence longer than the gap.
    struct Recording {
        QString sourceId;
        QString name;               // as last named by setSourceName; the id when it never was
        QDateTime first, last;
        qint64 samples = 0;
    };
    QVector<Recording> recordings(int gapSeconds = kRecordingGapSeconds);   // newest first
    bool setSourceName(const QString& sourceId, const QString& name);
    qint64 removeBefore(const QDateTime& cutoff);               // retention; rows removed, -1 on failure

private:
    SqliteDb m_db;
};

} // namespace cachelens
