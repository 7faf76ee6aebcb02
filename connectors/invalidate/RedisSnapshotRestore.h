#pragma once
// RedisSnapshotRestore: puts a purge's snapshot (SnapshotFile) back on Redis — Source::restoreSnapshot. It reads the
// rows no earlier restore put back, in pages, and pipelines `RESTORE key ttl payload` (without REPLACE) through the
// source's CommandSink (the server, or the cluster routed by slot), a few pages in flight:
//   OK                       restored; the row is marked, so restoring the file again tries only the others
//   BUSYKEY                  the key exists again (re-created since the purge): left as it is, counted as skipped
//   TTL run out              not sent. A key that had a TTL comes back with what remains of it (PTTL at the DUMP
//                            minus the time since, on this machine's clock); when nothing remains it would have
//                            expired by now anyway, so it is skipped as expired. A key without expiry comes back
//                            without one (RESTORE … 0).
//   any other error          failed, with the server's reason (e.g. a DUMP payload from a newer Redis version)
//   no answer (connection)   unconfirmed; the run stops "interrupted" and a new restore continues with the rest
// Dry run: EXISTS per key instead (what would be skipped as re-created), nothing written, file opened read-only.
// A throttle (maxKeysPerSecond) sends smaller pages, spaced out. cancel() stops between pages; the report then says
// exactly what was restored. Lives on the Source's thread.
#include "connectors/SourceTypes.h"
#include "connectors/invalidate/SnapshotFile.h"
#include "connectors/redis/RedisReply.h"
#include "connectors/support/Progress.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace cachelens::redis {

class CommandSink;

class RedisSnapshotRestore : public QObject
{
    Q_OBJECT
public:
    RedisSnapshotRestore(quint64 requestId, CommandSink* sink, const QString& path, const RestoreOptions& options,
                         QObject* parent = nullptr);

    // Opens the file (Source::restoreSnapshot has checked all of it). False: report().error says why (nothing was sent).
    bool open();
    SnapshotInfo info() { return m_file.info(); }
    const RestoreReport& report() const { return m_report; }
    void start();
    void cancel();

Q_SIGNALS:
    void progress(const cachelens::RestoreProgress& progress);
    void finished(const cachelens::RestoreReport& report);

private:
    struct Page {
        int left = 0;
        QVector<qint64> restoredIds;
    };
    void pump();
    int pageSize() const;
    void sendPage();
    void onReply(const std::shared_ptr<Page>& page, qint64 id, const RedisReply& reply);
    void pageDone(const Page& page);
    void maybeFinish();
    void emitProgress();

    const quint64 m_requestId;
    CommandSink* m_sink;
    const RestoreOptions m_options;
    SnapshotFile m_file;
    RestoreReport m_report;
    qint64 m_lastId = 0;
    int m_pagesInFlight = 0;
    bool m_exhausted = false;
    bool m_cancelled = false;
    bool m_finished = false;
    quint64 m_done = 0;
    quint64 m_sent = 0;               // rows read for sending (the throttle's count)
    QElapsedTimer m_clock;
    ProgressMeter m_progress;   // rate and time left of the progress signals
    QTimer m_progressTimer;
    QTimer m_throttleTimer;
};

} // namespace cachelens::redis
