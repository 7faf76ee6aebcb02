#include "connectors/history/HistoryStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QStandardPaths>

#include <sqlite3.h>

namespace cachelens {

namespace {

QString tr(const char* text)
{
    return QCoreApplication::translate("cachelens::HistoryStore", text);
}

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
    // 3 → 4: CacheLens's own keyspace lookups, so that a recorded hit rate is corrected as the live one was
    // (-1: not counted, as in every older row)
    "ALTER TABLE samples ADD COLUMN own_hits INTEGER NOT NULL DEFAULT -1;"
    "ALTER TABLE samples ADD COLUMN own_misses INTEGER NOT NULL DEFAULT -1;"
    "ALTER TABLE samples ADD COLUMN own_uncountable INTEGER NOT NULL DEFAULT -1;",
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

bool HistoryStore::open(const QString& path)
{
    SqliteDb::Schema schema;
    schema.what = tr("The history file");
    schema.kind = QStringLiteral("history");
    schema.consequence = tr("Dashboard history is not recorded until it is moved away or fixed; the charts work "
                            "without it.");
    schema.migrations = kMigrations;
    schema.version = kSchemaVersion;
    // WAL: the writer's batches do not block a reader; NORMAL sync is durable enough for metrics.
    schema.pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;";
    return m_db.open(path, schema);
}

void HistoryStore::close() { m_db.close(); }

int HistoryStore::schemaVersion() { return m_db.isOpen() ? m_db.schemaVersion() : -1; }

bool HistoryStore::appendSamples(const QVector<StatsSample>& samples)
{
    if (!m_db.isOpen())
        return false;
    if (samples.isEmpty())
        return true;
    SqliteDb::Transaction transaction(m_db);
    if (!transaction.ok())
        return m_db.fail(tr("Writing samples"));
    SqliteStatement q(m_db.handle(),
                "INSERT INTO samples(source_id, t_ms, hits, misses, sets, deletes, evictions, expirations, commands,"
                " keys, memory, run_id, uptime, clients, ops_per_sec, own_hits, own_misses, own_uncountable)"
                " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    if (!q.ok())
        return m_db.fail(tr("Writing samples"));
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
        q.bind(16, qint64(s.ownHits));
        q.bind(17, qint64(s.ownMisses));
        q.bind(18, qint64(s.ownUncountable));
        if (q.step() != SQLITE_DONE)
            return m_db.fail(tr("Writing samples"));
        q.reset();
    }
    return transaction.commit() || m_db.fail(tr("Writing samples"));
}

qint64 HistoryStore::addMarker(const HistoryMarker& marker)
{
    if (!m_db.isOpen())
        return 0;
    SqliteStatement q(m_db.handle(), "INSERT INTO markers(t_ms, kind, label, source_id) VALUES(?,?,?,?)");
    if (!q.ok())
        return m_db.fail(tr("Writing a marker")), 0;
    q.bind(1, marker.time.toMSecsSinceEpoch());
    q.bind(2, markerKindKey(marker.kind));
    q.bind(3, marker.label);
    q.bind(4, marker.sourceId);
    if (q.step() != SQLITE_DONE)
        return m_db.fail(tr("Writing a marker")), 0;
    return m_db.lastInsertRowId();
}

QVector<StatsSample> HistoryStore::samples(const QString& sourceId, const QDateTime& from, const QDateTime& to)
{
    QVector<StatsSample> out;
    if (!m_db.isOpen())
        return out;
    SqliteStatement q(m_db.handle(),
                "SELECT t_ms, hits, misses, sets, deletes, evictions, expirations, commands, keys, memory, run_id,"
                " uptime, clients, ops_per_sec, own_hits, own_misses, own_uncountable FROM samples WHERE source_id = ? AND t_ms >= ? AND t_ms <= ?"
                " ORDER BY t_ms");
    if (!q.ok()) {
        m_db.fail(tr("Reading samples"));
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
        s.ownHits = q.int64(14);
        s.ownMisses = q.int64(15);
        s.ownUncountable = q.int64(16);
        out.append(s);
    }
    if (rc != SQLITE_DONE)
        m_db.fail(tr("Reading samples"));
    return out;
}

QVector<HistoryMarker> HistoryStore::markers(const QDateTime& from, const QDateTime& to)
{
    QVector<HistoryMarker> out;
    if (!m_db.isOpen())
        return out;
    SqliteStatement q(m_db.handle(),
                      "SELECT id, t_ms, kind, label, source_id FROM markers WHERE t_ms >= ? AND t_ms <= ? ORDER BY t_ms");
    if (!q.ok()) {
        m_db.fail(tr("Reading markers"));
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
    if (!m_db.isOpen())
        return out;
    // A recording is a run of one source's samples with no silence longer than the gap between two of them: every
    // sample after such a silence starts a new one (a running total of "breaks" numbers them).
    SqliteStatement q(m_db.handle(),
                "SELECT r.source_id, MIN(r.t_ms), MAX(r.t_ms), COUNT(*), COALESCE(MAX(s.name), r.source_id) FROM ("
                "  SELECT source_id, t_ms, SUM(brk) OVER (PARTITION BY source_id ORDER BY t_ms"
                "                                         ROWS UNBOUNDED PRECEDING) AS run FROM ("
                "    SELECT source_id, t_ms, CASE WHEN t_ms - LAG(t_ms) OVER (PARTITION BY source_id ORDER BY t_ms) > ?1"
                "                                 THEN 1 ELSE 0 END AS brk FROM samples)) AS r"
                " LEFT JOIN sources AS s ON s.source_id = r.source_id"
                " GROUP BY r.source_id, r.run ORDER BY 3 DESC");
    if (!q.ok()) {
        m_db.fail(tr("Reading recordings"));
        return out;
    }
    q.bind(1, qint64(gapSeconds) * 1000);
    while (q.step() == SQLITE_ROW)
        out.append(Recording{q.text(0), q.text(4), fromMs(q.int64(1)), fromMs(q.int64(2)), q.int64(3)});
    return out;
}

bool HistoryStore::setSourceName(const QString& sourceId, const QString& name)
{
    if (!m_db.isOpen())
        return false;
    SqliteStatement q(m_db.handle(), "INSERT INTO sources(source_id, name) VALUES(?1, ?2)"
                      " ON CONFLICT(source_id) DO UPDATE SET name = excluded.name");
    if (!q.ok())
        return m_db.fail(tr("Naming a source"));
    q.bind(1, sourceId);
    q.bind(2, name);
    if (q.step() != SQLITE_DONE)
        return m_db.fail(tr("Naming a source"));
    return true;
}

qint64 HistoryStore::removeBefore(const QDateTime& cutoff)
{
    if (!m_db.isOpen())
        return -1;
    qint64 removed = 0;
    for (const char* sql : {"DELETE FROM samples WHERE t_ms < ?", "DELETE FROM markers WHERE t_ms < ?"}) {
        SqliteStatement q(m_db.handle(), sql);
        if (!q.ok())
            return m_db.fail(tr("Applying retention")), -1;
        q.bind(1, cutoff.toMSecsSinceEpoch());
        if (q.step() != SQLITE_DONE)
            return m_db.fail(tr("Applying retention")), -1;
        removed += m_db.changes();
    }
    return removed;
}

} // namespace cachelens
