#pragma once
// SnapshotFile: the undo of a purge — the DUMP payload and PTTL of every key it deleted, in a SQLite file written
// *before* the keys are deleted, so Restore can put them back with RESTORE. One file per purge, named by time and
// connection under <AppDataLocation>/snapshots/ (the Invalidate panel's "Snapshots…" lists them; `cachelensctl
// restore` reads them). Keys and payloads are BLOBs: binary keys and values round-trip exactly.
//
// Durability: append() writes a batch in one transaction, WAL with synchronous=FULL, so when it returns true the rows
// survive a crash or a power cut; only then may their keys be deleted. close() folds the WAL back into the file, so
// a finished snapshot is one file that can be copied or mailed. The size limit counts the bytes of keys and payloads
// (the file is a little larger: SQLite's pages).
//
// One row per key: a key written again (a resumed purge walks again the pages whose deletion was never confirmed)
// replaces its earlier row in the same transaction. The writer finds that row through an in-memory index of the keys
// in the file (a 64-bit hash → row id, ~30 bytes a key, loaded when create() appends to an existing file), not
// through a SQLite index: keys arrive in SCAN's (hash) order, so a B-tree index on them dirties about one 4 KB page
// per key at every commit, which made a snapshot 20× slower than the purge it protects. Files written before this
// have a UNIQUE index on key; the writer drops it (readers never needed it).
//
// Restore checks the whole file first (verify(): the pages, then every row, each DUMP payload by its own checksum),
// so a damaged file restores nothing, and marks the rows it put back (restored = 1), so restoring again after an
// interruption tries only the rest.
//
// Schema history:
//   1  meta(name, value): created_ms, connection, target, server, limit_bytes, state;
//      keys(id, key BLOB (one row per key, kept by the writer), pttl ms (-1: no expiry), payload BLOB (DUMP), taken_ms (client clock when DUMP was
//      sent), node, restored 0/1)
//   2  unconfirmed(node, key BLOB): keys whose deletion was sent but never answered, and that the purge could not ask
//      about afterwards (the server stayed away); the purge that resumes into the file asks EXISTS about them
#include "connectors/sqlite/SqliteDb.h"

#include <QDateTime>
#include <QHash>
#include <QMetaType>
#include <QString>
#include <QVector>

#include <memory>

namespace cachelens {

// What a snapshot file holds (plain value: it travels from a loader thread to the GUI).
struct SnapshotInfo {
    QString path;
    QDateTime created;              // UTC
    QString connection;             // the connection's name as the user knew it
    QString target;                 // what was purged: "pattern user:*"
    QString server;                 // "127.0.0.1:6379", or the masters of a cluster
    QString state;                  // writing, complete, limit, cancelled, interrupted, failed (see stateText)
    qint64 keys = 0;
    qint64 bytes = 0;               // keys + payloads
    qint64 limitBytes = 0;
    qint64 restored = 0;            // rows an earlier restore put back
    qint64 fileBytes = 0;
    QString error;                  // set when the file could not be read (the other fields may be empty)

    QString stateText() const;      // "complete", "stopped at its size limit", … (translated)
};

struct SnapshotRow {
    qint64 id = 0;
    QByteArray key;
    qint64 pttlMs = -1;             // -1: no expiry
    QByteArray payload;             // DUMP's serialized value
    qint64 takenMs = 0;             // Unix ms (client clock) when the DUMP + PTTL were sent
    QString node;                   // master it came from ("host:port")
};

class SnapshotFile
{
public:
    static constexpr int kSchemaVersion = 2;

    SnapshotFile() = default;
    ~SnapshotFile();
    SnapshotFile(const SnapshotFile&) = delete;
    SnapshotFile& operator=(const SnapshotFile&) = delete;

    static QString defaultDirectory();                   // <AppDataLocation>/snapshots
    static QString suffix() { return QStringLiteral(".snapshot.db"); }
    // "<directory>/20260304-050607-prod-cache.snapshot.db" — a name no file has yet (-2, -3 … when needed).
    static QString newPath(const QString& directory, const QString& connection, const QDateTime& time);

    // A new file with `meta` (state "writing"), or an existing snapshot to append to (a resumed purge): its
    // rows count toward keys() and bytes(). False: errorString() says why.
    bool create(const QString& path, const SnapshotInfo& meta);
    // An existing snapshot: read-only (listing, dry run) or read-write (restore marks rows).
    bool open(const QString& path, bool readOnly);
    void close();
    bool isOpen() const { return m_db.isOpen(); }
    QString path() const { return m_db.path(); }
    QString errorString() const { return m_db.errorString(); }

    // Every row in the file, and their keys + payloads, as of open() plus what append() wrote since (a key written
    // again counts again here until the next open: the limit errs on the safe side).
    qint64 keys() const { return m_keys; }
    qint64 bytes() const { return m_bytes; }
    // Counts the rows again, so keys() and bytes() are exact (each key once) until the next append().
    bool countRows() { return loadTotals(); }
    // Writes the rows in one durable transaction. False: nothing of them was written.
    bool append(const QVector<SnapshotRow>& rows);
    bool setState(const QString& state);
    // The keys (with their master) a purge deleted without an answer and could not ask about: replaces the earlier
    // set, in one transaction. Every one of them has its row in keys (it was DUMPed before its UNLINK was sent).
    bool setUnconfirmed(const QList<QPair<QString, QByteArray>>& keys);
    QList<QPair<QString, QByteArray>> unconfirmed();
    SnapshotInfo info();

    // Before anything is restored from the file: its pages (PRAGMA quick_check) and every row — a key Redis could
    // hold (at most 512 MiB), a PTTL that PTTL can answer (-1 for none, else 0 or more), a DUMP payload whose own
    // checksum holds (redis/DumpPayload), a time it was taken that is not in the future, restored 0 or 1. False:
    // errorString() says what is damaged, naming the file and the first bad row and its key, in one sentence.
    bool verify();

    // Rows no restore has put back yet, in id order after `afterId`, at most `limit`.
    QVector<SnapshotRow> pending(qint64 afterId, int limit);
    qint64 pendingCount();
    bool markRestored(const QVector<qint64>& ids);       // one transaction

    // Every snapshot in `directory`, newest first; a file that cannot be read is listed with its error.
    static QVector<SnapshotInfo> list(const QString& directory);
    // Removes the file (and SQLite's -wal/-shm/-journal beside it). False: `error` says why.
    static bool remove(const QString& path, QString* error);

private:
    bool openWith(const QString& path, SqliteDb::Mode mode);
    bool loadTotals();
    bool loadRowIndex();
    bool setMeta(const QString& name, const QString& value);
    bool replaceEarlierRow(const QByteArray& key, qint64 rowId);

    SqliteDb m_db;
    // Writer only: hash of each key in the file → its row id, and the statements append() runs for every batch.
    QHash<quint64, qint64> m_rowOfKey;
    std::unique_ptr<SqliteStatement> m_insert;
    std::unique_ptr<SqliteStatement> m_deleteRow;
    qint64 m_keys = 0;
    qint64 m_bytes = 0;
    bool m_readOnly = false;
};

} // namespace cachelens

Q_DECLARE_METATYPE(cachelens::SnapshotInfo)
