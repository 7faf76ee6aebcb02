#pragma once
// SqliteDb: one SQLite file the way CacheLens's stores use it (audit.db, history.db, purge snapshots). open() sets a
// busy timeout, reads the schema version from PRAGMA user_version and migrates forward one step per version, each in
// its own transaction; every failure becomes one sentence that names the file and says what is wrong with it —
// damaged or not ours, written by a newer CacheLens, locked by another program, not writable — with the store's own
// consequence appended ("the charts work without it"). A file that cannot be used is left untouched.
// SqliteStatement prepares, binds and finalizes on every path out.
//
// Single-threaded: one SqliteDb per thread (the stores are used from worker threads or the CLI, never the GUI), or
// one shared under its owner's mutex (the simulator's SqliteBacking).
#include <QByteArray>
#include <QString>

#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace cachelens {

class SqliteStatement
{
public:
    SqliteStatement(sqlite3* db, const char* sql);
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    bool ok() const { return m_stmt != nullptr; }
    void bind(int i, qint64 v);
    void bind(int i, double v);
    void bind(int i, const QString& v);         // UTF-8 text
    void bindText(int i, const QByteArray& utf8);
    void bindBlob(int i, const QByteArray& v);  // exact bytes (binary keys and values)
    void bindBytes(int i, std::string_view v);  // the same, from bytes not held in a QByteArray (no copy first)
    int step();                                 // SQLITE_ROW, SQLITE_DONE or an error code
    void reset();                               // ready to bind and step again
    qint64 int64(int col) const;
    double real(int col) const;
    QString text(int col) const;
    QByteArray blob(int col) const;
    std::string_view bytes(int col) const;      // a blob's bytes in place: valid until the next step() or reset()

private:
    sqlite3_stmt* m_stmt = nullptr;
};

class SqliteDb
{
public:
    // What a store is and how it wants its file.
    struct Schema {
        QString what;                // how messages name the file: "the audit log", "The history file"
        QString kind;                // "… is not a CacheLens <kind> database": "audit", "history", "snapshot"
        QString consequence;         // appended to every error (may be empty): "The charts work without it."
        const char* const* migrations = nullptr;   // migrations[v]: SQL taking the schema from v to v + 1
        int version = 0;             // the version this build writes (number of migrations)
        const char* pragmas = "";    // run after the version check, before migrating (journal mode, sync)
        int busyTimeoutMs = 2000;
        // Non-zero: PRAGMA application_id of this kind of file, written by the first migration's transaction and
        // checked on open, so another SQLite file at the same schema version is refused as "not a … database".
        int applicationId = 0;
    };
    enum class Mode {
        Create,                      // read-write, created (with its directory) when missing
        ReadWrite,                   // read-write, must exist
        ReadOnly,                    // must exist and already be at a version this build knows; nothing is written
    };

    SqliteDb() = default;
    ~SqliteDb();
    SqliteDb(const SqliteDb&) = delete;
    SqliteDb& operator=(const SqliteDb&) = delete;

    // False: errorString() says why in a sentence; the file is closed and was not modified.
    bool open(const QString& path, const Schema& schema, Mode mode = Mode::Create);
    void close();
    bool isOpen() const { return m_db != nullptr; }
    sqlite3* handle() const { return m_db; }
    QString path() const { return m_path; }
    QString errorString() const { return m_error; }
    int schemaVersion();             // -1 when it cannot be read

    bool exec(const char* sql);      // true on success; on failure the caller decides (see fail())
    // Turns SQLite's current error into errorString() ("<what> failed on …" for errors that are not about the file
    // itself) and returns false, so a caller can `return db.fail(tr("Writing samples"));`.
    bool fail(const QString& what);
    // Sets errorString() to `message` as given and returns false.
    bool failWith(const QString& message);

    // A transaction that rolls back unless commit() succeeded (BEGIN IMMEDIATE: takes the write lock at once).
    class Transaction
    {
    public:
        explicit Transaction(SqliteDb& db);
        ~Transaction();
        Transaction(const Transaction&) = delete;
        Transaction& operator=(const Transaction&) = delete;
        bool ok() const { return m_open; }
        bool commit();
    private:
        SqliteDb& m_db;
        bool m_open = false;
    };

    qint64 lastInsertRowId() const;
    int changes() const;

private:
    bool migrate(int from);
    QString file() const;

    sqlite3* m_db = nullptr;
    QString m_path;
    QString m_error;
    Schema m_schema;
};

} // namespace cachelens
