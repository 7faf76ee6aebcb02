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
// Lives on the purge's thread; SQLite writes are synchronous there (a worker thread, never the GUI's).
#include "connectors/SourceTypes.h"
#include "connectors/invalidate/SnapshotFile.h"
#include "connectors/redis/RedisReply.h"

#include <QObject>

#include <functional>

namespace cachelens::redis {

class RedisClient;

class PurgeSnapshot : public QObject
{
    Q_OBJECT
public:
    explicit PurgeSnapshot(QObject* parent = nullptr);

    // Creates `path` (or appends to it: a resumed purge); `limitBytes` <= 0: no limit. False: `error` says why.
    bool open(const QString& path, const SnapshotInfo& meta, qint64 limitBytes, QString* error);

    // `deletable`: the keys whose rows are durable, in order. `error`: DUMP/PTTL failed (nothing of the batch is
    // deletable). Called from the event loop, never from inside take().
    using Done = std::function<void(const QList<QByteArray>& deletable, const RedisError& error)>;
    void take(RedisClient* client, const QString& node, const QList<QByteArray>& keys, Done done);

    // Set once the limit is reached or the file cannot be written: the purge must not delete more.
    SourceError stopReason() const { return m_stop; }
    bool limitReached() const { return m_limitReached; }
    QString path() const { return m_file.path(); }
    quint64 keysTaken() const { return m_keysTaken; }        // rows written by this run
    qint64 bytesTaken() const { return m_bytesTaken; }
    // Records how the purge ended ("complete", "limit", "cancelled", "interrupted", "failed") and closes the file.
    void finish(const QString& state);
    // Closes and removes the file (the purge did not start, so it holds nothing).
    void discard();

private:
    struct Gather;
    void answered(Gather& gather);
    void write(const QString& node, qint64 takenMs, const QList<QByteArray>& keys, const QVector<QByteArray>& payloads,
               const QVector<qint64>& pttls, const Done& done);

    SnapshotFile m_file;
    qint64 m_limit = 0;
    SourceError m_stop;
    bool m_limitReached = false;
    quint64 m_keysTaken = 0;
    qint64 m_bytesTaken = 0;
};

} // namespace cachelens::redis
