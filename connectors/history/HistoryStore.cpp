#include "connectors/history/HistoryStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <sqlite3.h>

namespace cachelens {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("cachelens::HistoryStore", text);
}

// Finalizes on every path out of a query.
class Statement
{
public:
    Statement(sqlite3* db, const char* sql) { m_ok = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) == SQLITE_OK; }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    bool ok() const { return m_ok; }
    sqlite3_stmt* get() const { return m_stmt; }
    void bind(int i, qint64 v) { sqlite3_bind_int64(m_stmt, i, v); }
    void bind(int i, double v) { sqlite3_bind_double(m_stmt, i, v); }
    void bind(int i, const QString& v)
    {
        const QByteArray utf8 = v.toUtf8();
        sqlite3_bind_text(m_stmt, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    }
    int step() { return sqlite3_step(m_stmt); }
    void reset() { sqlite3_reset(m_stmt); }
    qint64 int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    double real(int col) const { return sqlite3_column_double(m_stmt, col); }
    QString text(int col) const
    {
        return QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col)),
                                 sqlite3_column_bytes(m_stmt, col));
    }

private:
    sqlite3_stmt* m_stmt = nullptr;
    bool m_ok = false;
};

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

// One entry per schema version: the SQL that takes the file from version i to i + 1.
const char* const kMigrations[] = {
    // 0 → 1
    "CREATE TABLE samples(source_id TEXT NOT NULL, t_ms INTEGER NOT NULL, hits INTEGER, misses INTEGER,"
    " sets INTEGER, deletes INTEGER, evictions INTEGER, expirations INTEGER, commands INTEGER, keys INTEGER,"
    " memory INTEGER, run_id TEXT, uptime INTEGER);"
    "CREATE TABLE markers(id INTEGER PRIMARY KEY, t_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
    " label TEXT NOT NULL DEFAULT '');",
    // 1 → 2
    "ALTER TABLE samples ADD COLUMN clients INTEGER NOT NULL DEFAULT -1;"
    "ALTER TABLE samples ADD COLUMN ops_per_sec REAL NOT NULL DEFAULT -1;"
    "ALTER TABLE markers ADD COLUMN source_id TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX samples_by_source_time ON samples(source_id, t_ms);"
    "CREATE INDEX markers_by_time ON markers(t_ms);",
    // 2 → 3
    "CREATE TABLE sources(source_id TEXT PRIMARY KEY, name TEXT NOT NULL);",
};
static_assert(std::size(kMigrations) == HistoryStore::kSchemaVersion);

} // namespace

HistoryStore::HistoryStore() = default;

HistoryStore::~HistoryStore()
{
    close();
}

QString HistoryStore::defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("history.db"));
}

bool HistoryStore::fail(const QString& what)
{
    const int code = m_db ? sqlite3_errcode(m_db) : SQLITE_ERROR;
    const QString detail = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QString();
    switch (code) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        m_error = tr("%1 is damaged or is not a CacheLens history database (%2). Move it away to start a new "
                     "history; the charts work without it.").arg(QDir::toNativeSeparators(m_path), detail);
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        m_error = tr("%1 is locked by another program (%2); history is not recorded until it is free.")
                      .arg(QDir::toNativeSeparators(m_path), detail);
        break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
        m_error = tr("%1 cannot be written (%2); history is not recorded.").arg(QDir::toNativeSeparators(m_path), detail);
        break;
    default:
        m_error = tr("%1 failed on %2: %3").arg(what, QDir::toNativeSeparators(m_path), detail);
    }
    return false;
}

bool HistoryStore::exec(const char* sql)
{
    return sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) == SQLITE_OK;
}

bool HistoryStore::open(const QString& path)
{
    close();
    m_path = path;
    m_error.clear();
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        nullptr) != SQLITE_OK) {
        fail(tr("Opening the history"));
        close();
        return false;
    }
    sqlite3_busy_timeout(m_db, 2000);
    // Reading the header is the first thing that notices a damaged or foreign file.
    const int version = schemaVersion();
    if (version < 0) {
        fail(tr("Reading the history"));
        close();
        return false;
    }
    if (version > kSchemaVersion) {
        m_error = tr("%1 was written by a newer CacheLens (history schema %2, this version reads up to %3); it is "
                     "left untouched and history is not recorded.")
                      .arg(QDir::toNativeSeparators(path)).arg(version).arg(kSchemaVersion);
        close();
        return false;
    }
    // WAL: the writer's batches do not block a reader; NORMAL sync is durable enough for metrics.
    if (!exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;") || !migrate()) {
        fail(tr("Preparing the history"));
        close();
        return false;
    }
    return true;
}

void HistoryStore::close()
{
    if (m_db)
        sqlite3_close(m_db);
    m_db = nullptr;
}

int HistoryStore::schemaVersion()
{
    if (!m_db)
        return -1;
    Statement q(m_db, "PRAGMA user_version");
    if (!q.ok() || q.step() != SQLITE_ROW)
        return -1;
    return int(q.int64(0));
}

bool HistoryStore::migrate()
{
    for (int v = schemaVersion(); v < kSchemaVersion; ++v) {
        if (!exec("BEGIN IMMEDIATE"))
            return false;
        const QByteArray bump = "PRAGMA user_version=" + QByteArray::number(v + 1);
        if (!exec(kMigrations[v]) || !exec(bump.constData())) {
            const QString error = QString::fromUtf8(sqlite3_errmsg(m_db));
            exec("ROLLBACK");
            m_error = tr("Upgrading %1 from history schema %2 failed: %3")
                          .arg(QDir::toNativeSeparators(m_path)).arg(v).arg(error);
            return false;
        }
        if (!exec("COMMIT"))
            return false;
    }
    return true;
}

bool HistoryStore::appendSamples(const QVector<StatsSample>& samples)
{
    if (!m_db)
        return false;
    if (samples.isEmpty())
        return true;
    if (!exec("BEGIN"))
        return fail(tr("Writing samples"));
    Statement q(m_db,
                "INSERT INTO samples(source_id, t_ms, hits, misses, sets, deletes, evictions, expirations, commands,"
                " keys, memory, run_id, uptime, clients, ops_per_sec) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!q.ok()) {
        exec("ROLLBACK");
        return fail(tr("Writing samples"));
    }
    for (const StatsSample& s : samples) {
        q.bind(1, s.sourceId);
        q.bind(2, s.time.toMSecsSinceEpoch());
        q.bind(3, qint64(s.hits));
        q.bind(4, qint64(s.misses));
        q.bind(5, qint64(s.sets));
        q.bind(6, qint64(s.deletes));
        q.bind(7, qint64(s.evictions));
        q.bind(8, qint64(s.expirations));
        q.bind(9, qint64(s.commands));
        q.bind(10, qint64(s.keys));
        q.bind(11, qint64(s.memoryBytes));
        q.bind(12, s.runId);
        q.bind(13, qint64(s.uptimeSeconds));
        q.bind(14, qint64(s.clients));
        q.bind(15, s.opsPerSecond);
        if (q.step() != SQLITE_DONE) {
            fail(tr("Writing samples"));
            exec("ROLLBACK");
            return false;
        }
        q.reset();
    }
    return exec("COMMIT") || fail(tr("Writing samples"));
}

qint64 HistoryStore::addMarker(const HistoryMarker& marker)
{
    if (!m_db)
        return 0;
    Statement q(m_db, "INSERT INTO markers(t_ms, kind, label, source_id) VALUES(?,?,?,?)");
    if (!q.ok())
        return fail(tr("Writing a marker")), 0;
    q.bind(1, marker.time.toMSecsSinceEpoch());
    q.bind(2, markerKindKey(marker.kind));
    q.bind(3, marker.label);
    q.bind(4, marker.sourceId);
    if (q.step() != SQLITE_DONE)
        return fail(tr("Writing a marker")), 0;
    return sqlite3_last_insert_rowid(m_db);
}

QVector<StatsSample> HistoryStore::samples(const QString& sourceId, const QDateTime& from, const QDateTime& to)
{
    QVector<StatsSample> out;
    if (!m_db)
        return out;
    Statement q(m_db,
                "SELECT t_ms, hits, misses, sets, deletes, evictions, expirations, commands, keys, memory, run_id,"
                " uptime, clients, ops_per_sec FROM samples WHERE source_id = ? AND t_ms >= ? AND t_ms <= ?"
                " ORDER BY t_ms");
    if (!q.ok()) {
        fail(tr("Reading samples"));
        return out;
    }
    q.bind(1, sourceId);
    q.bind(2, from.toMSecsSinceEpoch());
    q.bind(3, to.toMSecsSinceEpoch());
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
        StatsSample s;
        s.sourceId = sourceId;
        s.time = fromMs(q.int64(0));
        s.hits = q.int64(1);
        s.misses = q.int64(2);
        s.sets = q.int64(3);
        s.deletes = q.int64(4);
        s.evictions = q.int64(5);
        s.expirations = q.int64(6);
        s.commands = q.int64(7);
        s.keys = q.int64(8);
        s.memoryBytes = q.int64(9);
        s.runId = q.text(10);
        s.uptimeSeconds = q.int64(11);
        s.clients = q.int64(12);
        s.opsPerSecond = q.real(13);
        out.append(s);
    }
    if (rc != SQLITE_DONE)
        fail(tr("Reading samples"));
    return out;
}

QVector<HistoryMarker> HistoryStore::markers(const QDateTime& from, const QDateTime& to)
{
    QVector<HistoryMarker> out;
    if (!m_db)
        return out;
    Statement q(m_db, "SELECT id, t_ms, kind, label, source_id FROM markers WHERE t_ms >= ? AND t_ms <= ? ORDER BY t_ms");
    if (!q.ok()) {
        fail(tr("Reading markers"));
        return out;
    }
    q.bind(1, from.toMSecsSinceEpoch());
    q.bind(2, to.toMSecsSinceEpoch());
    while (q.step() == SQLITE_ROW)
        out.append(HistoryMarker{q.int64(0), q.text(4), fromMs(q.int64(1)), markerKindFromKey(q.text(2)), q.text(3)});
    return out;
}

QVector<HistoryStore::Recording> HistoryStore::recordings(int gapSeconds)
{
    QVector<Recording> out;
    if (!m_db)
        return out;
    // A recording is a run of one source's samples with no silence longer than the gap between two of them: every
    // sample after such a silence starts a new one (a running total of "breaks" numbers them).
    Statement q(m_db,
                "SELECT r.source_id, MIN(r.t_ms), MAX(r.t_ms), COUNT(*), COALESCE(MAX(s.name), r.source_id) FROM ("
                "  SELECT source_id, t_ms, SUM(brk) OVER (PARTITION BY source_id ORDER BY t_ms"
                "                                         ROWS UNBOUNDED PRECEDING) AS run FROM ("
                "    SELECT source_id, t_ms, CASE WHEN t_ms - LAG(t_ms) OVER (PARTITION BY source_id ORDER BY t_ms) > ?1"
                "                                 THEN 1 ELSE 0 END AS brk FROM samples)) AS r"
                " LEFT JOIN sources AS s ON s.source_id = r.source_id"
                " GROUP BY r.source_id, r.run ORDER BY 3 DESC");
    if (!q.ok()) {
        fail(tr("Reading recordings"));
        return out;
    }
    q.bind(1, qint64(gapSeconds) * 1000);
    while (q.step() == SQLITE_ROW)
        out.append(Recording{q.text(0), q.text(4), fromMs(q.int64(1)), fromMs(q.int64(2)), q.int64(3)});
    return out;
}

bool HistoryStore::setSourceName(const QString& sourceId, const QString& name)
{
    if (!m_db)
        return false;
    Statement q(m_db, "INSERT INTO sources(source_id, name) VALUES(?1, ?2)"
                      " ON CONFLICT(source_id) DO UPDATE SET name = excluded.name");
    if (!q.ok())
        return fail(tr("Naming a source"));
    q.bind(1, sourceId);
    q.bind(2, name);
    if (q.step() != SQLITE_DONE)
        return fail(tr("Naming a source"));
    return true;
}

qint64 HistoryStore::removeBefore(const QDateTime& cutoff)
{
    if (!m_db)
        return -1;
    qint64 removed = 0;
    for (const char* sql : {"DELETE FROM samples WHERE t_ms < ?", "DELETE FROM markers WHERE t_ms < ?"}) {
        Statement q(m_db, sql);
        if (!q.ok())
            return fail(tr("Applying retention")), -1;
        q.bind(1, cutoff.toMSecsSinceEpoch());
        if (q.step() != SQLITE_DONE)
            return fail(tr("Applying retention")), -1;
        removed += sqlite3_changes(m_db);
    }
    return removed;
}

} // namespace cachelens
