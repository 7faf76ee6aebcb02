#pragma once
// PurgeSnapshot: the snapshot step of a pattern purge (InvalidateOptions::snapshot). For every deletion batch,
// take() pipelines DUMP + PTTL of its keys on the master they came from (the purge's own connection, so they queue
// behind its SCANs and UNLINKs), writes the answers to the SnapshotFile in one durable transaction, and only then
// hands back the keys that may be deleted. Never handed back:
//  - a key DUMP found missing (nil) or PTTL found gone (-2): deleting it later could delete a key re-created in
//    between that the snapshot does not hold;
//  - keys that do not fit under the size limit: the first batch that would pass it is cut where it fits, and every
//    later batch hands back nothing (stopReason() then says so, and the purge stops issuing work).
// A value changed between its DUMP and its UNLINK (a millisecond window) is restored as it was at the DUMP.
// Lives on the purge's thread; the SQLite writes run on a writer thread of its own, so the purge's event loop keeps
// reading SCAN and DUMP replies (and its latency budget measures the server, not the disk) while a batch is made
// durable. Whatever is queued when the writer gets to it goes in one transaction, one fsync (group commit). Batches
// are handed back in the order they were taken, each only once the transaction holding its rows has committed.
#include "connectors/SourceTypes.h"
#include "connectors/invalidate/SnapshotFile.h"
#include "connectors/redis/RedisReply.h"
#include "connectors/support/Worker.h"

#include <QObject>

#include <deque>
#include <functional>
#include <memory>

namespace cachelens::redis {

class RedisClient;

class PurgeSnapshot : public QObject
{
    Q_OBJECT
public:
    explicit PurgeSnapshot(QObject* parent = nullptr);
    ~PurgeSnapshot() override;

    // Creates `path` (or appends to it: a resumed purge); `limitBytes` <= 0: no limit. False: `error` says why.
    bool open(const QString& path, const SnapshotInfo& meta, qint64 limitBytes, QString* error);

    // `deletable`: the keys whose rows are durable, in order. `error`: DUMP/PTTL failed (nothing of the batch is
    // deletable). Called from the event loop, never from inside take().
    using Done = std::function<void(const QList<QByteArray>& deletable, const RedisError& error)>;
    void take(RedisClient* client, const QString& node, const QList<QByteArray>& keys, Done done);

    // Set once the limit is reached or the file cannot be written: the purge must not delete more.
    SourceError stopReason() const { return m_stop; }
    bool limitReached() const { return m_limitReached; }
    QString path() const { return m_path; }
    quint64 keysTaken() const { return m_keysTaken; }        // rows written by this run
    qint64 bytesTaken() const { return m_bytesTaken; }
    // The keys (node, key) an earlier part of this purge deleted without an answer and could not ask about, as the
    // file named them when open() appended to it: the resumed part asks EXISTS about them before it deletes anything.
    const QList<QPair<QString, QByteArray>>& earlierUnconfirmed() const { return m_earlierUnconfirmed; }
    // The keys still unconfirmed when the purge ends (this run's and the earlier ones it could not ask about either):
    // finish() writes them into the file in place of the earlier set.
    void setUnconfirmed(const QList<QPair<QString, QByteArray>>& keys) { m_unconfirmed = keys; }
    // Records how the purge ended ("complete", "limit", "cancelled", "interrupted", "failed") and closes the file.
    void finish(const QString& state);
    // After finish(): the rows in the file and their keys + payloads, earlier runs' included (a resumed purge appends
    // to the file of the part it continues; a key written by both parts is one row).
    quint64 fileKeys() const { return m_fileKeys; }
    qint64 fileBytes() const { return m_fileBytes; }
    // Closes and removes the file (the purge did not start, so it holds nothing).
    void discard();

private:
    struct Gather;
    struct Job {                      // a batch waiting for its rows to be durable
        QVector<SnapshotRow> rows;
        QList<QByteArray> keys;       // handed back once they are
        qint64 bytes = 0;
        Done done;
        RedisError error;             // DUMP/PTTL failed: nothing of it is deletable
    };
    void answered(Gather& gather);
    void write(const QString& node, qint64 takenMs, const QList<QByteArray>& keys, const QVector<QByteArray>& payloads,
               const QVector<qint64>& pttls, const Done& done);
    void enqueue(Job job);                               // in order: every batch, written, cut or failed
    void writeRows(Worker& writer, const QVector<SnapshotRow>& rows);   // writer thread
    void written(size_t batches, const QString& error);  // purge thread: the oldest `batches` jobs are durable (or not)
    void stopWriter();

    // m_file belongs to the writer thread while it runs (open() before it starts, finish()/discard() after it ended).
    QString m_path;
    SnapshotFile m_file;
    // Writer thread only (while it runs).
    QVector<SnapshotRow> m_unwritten; // batches' rows waiting for the last queued batch to write them all
    size_t m_unwrittenBatches = 0;
    QString m_writeFailed;            // set by a failed transaction, refuses every later one
    // Purge thread only.
    std::deque<Job> m_writing;
    qint64 m_limit = 0;
    qint64 m_keysQueued = 0;          // in the file once everything queued is written (the limit counts these)
    qint64 m_bytesQueued = 0;
    SourceError m_stop;
    bool m_limitReached = false;
    quint64 m_keysTaken = 0;
    qint64 m_bytesTaken = 0;
    quint64 m_fileKeys = 0;
    qint64 m_fileBytes = 0;
    QList<QPair<QString, QByteArray>> m_earlierUnconfirmed;
    QList<QPair<QString, QByteArray>> m_unconfirmed;
    std::unique_ptr<Worker> m_writer; // started by the first batch; last: joined before the members above go
};

} // namespace cachelens::redis
