#pragma once
// AuditStore: every destructive action CacheLens performs (a purge from the Invalidate panel, `cachelensctl purge`,
// …) in audit.db (SQLite, under AppDataLocation): time, OS user, host, connection, action, pattern or tag, keys
// matched, keys deleted, outcome. An action is written *before* it runs (outcome "started") and completed after;
// a failed first write means the action must not run (callers check begin()'s result). A row left at "started"
// is an action whose process died before it could say how it ended.
//
// Schema version in PRAGMA user_version, migrated forward on open (connectors/sqlite/SqliteDb). Synchronous: used
// from a Source's worker thread, the CLI, or the Audit view's loader thread, never from the GUI thread.
//
// Schema history:
//   1  actions(id, t_ms, user, host, connection, action, target, matched, deleted, outcome, detail)
#include "connectors/sqlite/SqliteDb.h"

#include <QDateTime>
#include <QString>
#include <QVector>

class QIODevice;

namespace cachelens {

struct AuditEntry {
    qint64 id = 0;
    QDateTime time;                 // UTC
    QString user;                   // OS user: "alice (uid 1000)", from the effective uid (osUser)
    QString host;
    QString connection;             // connection name as the user knows it
    QString action;                 // "purge pattern", "expire pattern", "invalidate tag"
    QString target;                 // the pattern or tag
    qint64 matched = -1;            // -1 unknown (still running, or died)
    qint64 deleted = -1;
    QString outcome;                // started, completed, cancelled, interrupted, stopped (a limit), failed
    QString detail;                 // the final sentence shown to the user

    static AuditEntry now(const QString& connection, const QString& action, const QString& target);   // user, host, time filled
    static QString osUser();        // the effective uid's account name and the uid, never $USER
};

struct AuditFilter {
    QString text;                   // substring of connection, action, target, user or outcome; empty = all
    QDateTime from, to;             // invalid = open
    int limit = 10000;
};

class AuditStore
{
public:
    static constexpr int kSchemaVersion = 1;

    AuditStore();
    ~AuditStore();
    AuditStore(const AuditStore&) = delete;
    AuditStore& operator=(const AuditStore&) = delete;

    static QString defaultPath();   // <AppDataLocation>/audit.db

    bool open(const QString& path); // creates and migrates; false: errorString() says why, in a sentence
    void close();
    bool isOpen() const { return m_db.isOpen(); }
    QString errorString() const { return m_db.errorString(); }
    QString path() const { return m_db.path(); }

    qint64 begin(const AuditEntry& entry);   // the new row id (outcome "started"); 0 on failure
    bool finish(qint64 id, qint64 matched, qint64 deleted, const QString& outcome, const QString& detail);
    qint64 record(const AuditEntry& entry);  // a complete row at once; 0 on failure
    QVector<AuditEntry> entries(const AuditFilter& filter = {});   // newest first

    // RFC 4180 CSV with a header row; false when the device cannot be written.
    static bool exportCsv(const QVector<AuditEntry>& entries, QIODevice& out);

private:
    SqliteDb m_db;
};

} // namespace cachelens
