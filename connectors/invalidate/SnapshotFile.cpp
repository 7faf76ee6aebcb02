#include "connectors/invalidate/SnapshotFile.h"

#include "connectors/redis/DumpPayload.h"
#include <cachelens/key_escape.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

#include <sqlite3.h>

#include <algorithm>

namespace cachelens {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("cachelens::SnapshotFile", text); }

const char* const kMigrations[] = {
    // 0 → 1
    "CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE keys(id INTEGER PRIMARY KEY, key BLOB NOT NULL, pttl INTEGER NOT NULL, payload BLOB NOT NULL,"
    " taken_ms INTEGER NOT NULL, node TEXT NOT NULL DEFAULT '', restored INTEGER NOT NULL DEFAULT 0);",
    // 1 → 2
    "CREATE TABLE unconfirmed(node TEXT NOT NULL, key BLOB NOT NULL);",
};
static_assert(std::size(kMigrations) == SnapshotFile::kSchemaVersion);

SqliteDb::Schema schema(int busyTimeoutMs = 2000)
{
    SqliteDb::Schema s;
    s.what = tr("the snapshot");
    s.kind = QStringLiteral("snapshot");
    s.migrations = kMigrations;
    s.version = SnapshotFile::kSchemaVersion;
    // FULL: a committed batch is on disk before its keys are deleted (WAL syncs the log at every commit).
    s.pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
    s.busyTimeoutMs = busyTimeoutMs;
    s.applicationId = 0x434c534e;   // "CLSN"
    return s;
}

// The in-memory index of the writer (see SnapshotFile.h); a collision only costs a scan of the table.
quint64 keyHash(const QByteArray& key) { return quint64(qHash(key, size_t(0x9e3779b97f4a7c15ull))); }

QString fileNamePart(const QString& connection)
{
    QString out;
    for (const QChar c : connection) {
        const bool plain = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
                           || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('-') || c == QLatin1Char('.');
        out += plain ? c : QLatin1Char('_');
    }
    return out.left(60);
}

} // namespace

QString SnapshotInfo::stateText() const
{
    if (state == QLatin1String("complete"))
        return tr("complete");
    if (state == QLatin1String("limit"))
        return tr("stopped at its size limit");
    if (state == QLatin1String("cancelled"))
        return tr("purge cancelled");
    if (state == QLatin1String("interrupted"))
        return tr("purge interrupted");
    if (state == QLatin1String("failed"))
        return tr("purge failed");
    if (state == QLatin1String("writing"))
        return tr("being written (or its purge died)");
    return state;
}

SnapshotFile::~SnapshotFile() { close(); }

QString SnapshotFile::defaultDirectory()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("snapshots"));
}

QString SnapshotFile::newPath(const QString& directory, const QString& connection, const QDateTime& time)
{
    const QString base = QDir(directory).filePath(time.toUTC().toString(QStringLiteral("yyyyMMdd-HHmmss")) + QLatin1Char('-')
                                                  + fileNamePart(connection));
    QString path = base + suffix();
    for (int n = 2; QFileInfo::exists(path); ++n)
        path = base + QLatin1Char('-') + QString::number(n) + suffix();
    return path;
}

bool SnapshotFile::openWith(const QString& path, SqliteDb::Mode mode)
{
    close();
    m_readOnly = mode == SqliteDb::Mode::ReadOnly;
    return m_db.open(path, schema(), mode) && loadTotals();
}

bool SnapshotFile::create(const QString& path, const SnapshotInfo& meta)
{
    if (!openWith(path, SqliteDb::Mode::Create))
        return false;
    // The writer keeps one row per key itself (an index on key would cost a page write per key and commit).
    m_insert = std::make_unique<SqliteStatement>(m_db.handle(), "INSERT INTO keys(key, pttl, payload, taken_ms, node)"
                                                                " VALUES(?,?,?,?,?)");
    m_deleteRow = std::make_unique<SqliteStatement>(m_db.handle(), "DELETE FROM keys WHERE id = ? AND key = ?");
    if (!m_db.exec("DROP INDEX IF EXISTS keys_by_key") || !m_insert->ok() || !m_deleteRow->ok() || !loadRowIndex()) {
        m_db.fail(tr("Preparing"));
        close();
        return false;
    }
    if (info().created.isValid())
        return setState(QStringLiteral("writing"));   // appending (a resumed purge): keep the first run's description
    SqliteDb::Transaction transaction(m_db);
    const QDateTime created = meta.created.isValid() ? meta.created : QDateTime::currentDateTimeUtc();
    const bool ok = transaction.ok() && setMeta(QStringLiteral("created_ms"), QString::number(created.toMSecsSinceEpoch()))
                    && setMeta(QStringLiteral("connection"), meta.connection) && setMeta(QStringLiteral("target"), meta.target)
                    && setMeta(QStringLiteral("server"), meta.server)
                    && setMeta(QStringLiteral("limit_bytes"), QString::number(meta.limitBytes))
                    && setMeta(QStringLiteral("state"), QStringLiteral("writing"));
    if (!ok || !transaction.commit()) {
        m_db.fail(tr("Writing"));
        close();
        return false;
    }
    return true;
}

bool SnapshotFile::open(const QString& path, bool readOnly)
{
    return openWith(path, readOnly ? SqliteDb::Mode::ReadOnly : SqliteDb::Mode::ReadWrite);
}

void SnapshotFile::close()
{
    m_insert.reset();   // statements are finalized before their connection closes
    m_deleteRow.reset();
    m_rowOfKey.clear();
    if (m_db.isOpen() && !m_readOnly)
        m_db.exec("PRAGMA journal_mode=DELETE");   // one self-contained file again (fails harmlessly if others read it)
    m_db.close();
    m_keys = m_bytes = 0;
}

bool SnapshotFile::loadTotals()
{
    SqliteStatement q(m_db.handle(), "SELECT COUNT(*), COALESCE(SUM(length(key) + length(payload)), 0) FROM keys");
    if (!q.ok() || q.step() != SQLITE_ROW) {
        m_db.fail(tr("Reading"));
        m_db.close();
        return false;
    }
    m_keys = q.int64(0);
    m_bytes = q.int64(1);
    return true;
}

bool SnapshotFile::loadRowIndex()
{
    m_rowOfKey.clear();
    if (m_keys == 0)
        return true;
    m_rowOfKey.reserve(m_keys);
    SqliteStatement q(m_db.handle(), "SELECT id, key FROM keys");
    int rc = SQLITE_MISUSE;
    while (q.ok() && (rc = q.step()) == SQLITE_ROW)
        m_rowOfKey.insert(keyHash(q.blob(1)), q.int64(0));
    return rc == SQLITE_DONE;
}

// Removes the row `rowId` holds for `key`, written before: the new row replaces it.
bool SnapshotFile::replaceEarlierRow(const QByteArray& key, qint64 rowId)
{
    m_deleteRow->bind(1, rowId);
    m_deleteRow->bindBlob(2, key);
    const int rc = m_deleteRow->step();
    m_deleteRow->reset();
    if (rc != SQLITE_DONE)
        return false;
    if (m_db.changes() > 0)
        return true;
    // Another key with the same hash: look the key up the slow way (a scan of the table; practically never).
    SqliteStatement q(m_db.handle(), "DELETE FROM keys WHERE key = ?");
    q.bindBlob(1, key);
    return q.step() == SQLITE_DONE;
}

bool SnapshotFile::setMeta(const QString& name, const QString& value)
{
    SqliteStatement q(m_db.handle(), "INSERT INTO meta(name, value) VALUES(?1, ?2)"
                                     " ON CONFLICT(name) DO UPDATE SET value = excluded.value");
    if (!q.ok())
        return false;
    q.bind(1, name);
    q.bind(2, value);
    return q.step() == SQLITE_DONE;
}

bool SnapshotFile::setState(const QString& state)
{
    if (!m_db.isOpen())
        return false;
    return setMeta(QStringLiteral("state"), state) || m_db.fail(tr("Writing"));
}

bool SnapshotFile::append(const QVector<SnapshotRow>& rows)
{
    if (!m_db.isOpen() || !m_insert)
        return m_db.failWith(tr("the snapshot is not open"));
    if (rows.isEmpty())
        return true;
    SqliteDb::Transaction transaction(m_db);
    if (!transaction.ok())
        return m_db.fail(tr("Writing"));
    // A key DUMPed again (a resumed purge walks the pages whose deletion was never confirmed) keeps one row: the later
    // DUMP, taken right before the deletion that followed it. The index learns this batch's rows once they are durable.
    QHash<quint64, qint64> written;
    written.reserve(rows.size());
    qint64 bytes = 0;
    QString node;
    QByteArray nodeUtf8;
    for (const SnapshotRow& r : rows) {
        const quint64 hash = keyHash(r.key);
        const qint64 earlier = written.value(hash, m_rowOfKey.value(hash, 0));
        if (earlier != 0 && !replaceEarlierRow(r.key, earlier))
            return m_db.fail(tr("Writing"));
        if (r.node != node) {
            node = r.node;
            nodeUtf8 = node.toUtf8();
        }
        m_insert->bindBlob(1, r.key);
        m_insert->bind(2, r.pttlMs);
        m_insert->bindBlob(3, r.payload);
        m_insert->bind(4, r.takenMs);
        m_insert->bindText(5, nodeUtf8);
        const int rc = m_insert->step();
        m_insert->reset();
        if (rc != SQLITE_DONE)
            return m_db.fail(tr("Writing"));
        written.insert(hash, m_db.lastInsertRowId());
        bytes += r.key.size() + r.payload.size();
    }
    if (!transaction.commit())
        return m_db.fail(tr("Writing"));
    m_rowOfKey.insert(written);
    m_keys += rows.size();
    m_bytes += bytes;
    return true;
}

bool SnapshotFile::setUnconfirmed(const QList<QPair<QString, QByteArray>>& keys)
{
    if (!m_db.isOpen() || m_readOnly)
        return m_db.failWith(tr("the snapshot is not open"));
    SqliteDb::Transaction transaction(m_db);
    SqliteStatement insert(m_db.handle(), "INSERT INTO unconfirmed(node, key) VALUES(?, ?)");
    if (!transaction.ok() || !insert.ok() || !m_db.exec("DELETE FROM unconfirmed"))
        return m_db.fail(tr("Writing"));
    for (const auto& [node, key] : keys) {
        insert.bind(1, node);
        insert.bindBlob(2, key);
        if (insert.step() != SQLITE_DONE)
            return m_db.fail(tr("Writing"));
        insert.reset();
    }
    return transaction.commit() || m_db.fail(tr("Writing"));
}

QList<QPair<QString, QByteArray>> SnapshotFile::unconfirmed()
{
    QList<QPair<QString, QByteArray>> keys;
    SqliteStatement q(m_db.handle(), "SELECT node, key FROM unconfirmed ORDER BY rowid");
    int rc = SQLITE_MISUSE;
    while (q.ok() && (rc = q.step()) == SQLITE_ROW)
        keys.append({q.text(0), q.blob(1)});
    if (rc != SQLITE_DONE)
        m_db.fail(tr("Reading"));
    return keys;
}

SnapshotInfo SnapshotFile::info()
{
    SnapshotInfo info;
    info.path = m_db.path();
    info.fileBytes = QFileInfo(info.path).size();
    if (!m_db.isOpen()) {
        info.error = m_db.errorString();
        return info;
    }
    info.keys = m_keys;
    info.bytes = m_bytes;
    SqliteStatement meta(m_db.handle(), "SELECT name, value FROM meta");
    while (meta.ok() && meta.step() == SQLITE_ROW) {
        const QString name = meta.text(0), value = meta.text(1);
        if (name == QLatin1String("created_ms"))
            info.created = QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
        else if (name == QLatin1String("connection"))
            info.connection = value;
        else if (name == QLatin1String("target"))
            info.target = value;
        else if (name == QLatin1String("server"))
            info.server = value;
        else if (name == QLatin1String("limit_bytes"))
            info.limitBytes = value.toLongLong();
        else if (name == QLatin1String("state"))
            info.state = value;
    }
    SqliteStatement restored(m_db.handle(), "SELECT COUNT(*) FROM keys WHERE restored = 1");
    if (restored.ok() && restored.step() == SQLITE_ROW)
        info.restored = restored.int64(0);
    return info;
}

bool SnapshotFile::verify()
{
    if (!m_db.isOpen())
        return m_db.failWith(tr("the snapshot is not open"));
    const QString file = QDir::toNativeSeparators(m_db.path());
    {
        SqliteStatement check(m_db.handle(), "PRAGMA quick_check(1)");
        if (!check.ok() || check.step() != SQLITE_ROW)
            return m_db.fail(tr("Checking"));
        if (const QString result = check.text(0); result != QLatin1String("ok"))
            return m_db.failWith(tr("The snapshot %1 is damaged (SQLite's check of its pages says: %2); nothing is "
                                    "restored from it.").arg(file, result.section(QLatin1Char('\n'), 0, 0)));
    }
    constexpr qint64 kMaxKeyBytes = 512ll << 20;    // Redis's limit for a string, keys included
    constexpr qint64 kMaxPttlMs = 1ll << 50;        // 35,000 years: beyond any expiry Redis can hold in practice
    const qint64 latestTaken = QDateTime::currentMSecsSinceEpoch() + 24ll * 3600 * 1000;   // clocks drift a little
    SqliteStatement q(m_db.handle(), "SELECT id, key, typeof(key), length(key), pttl, typeof(pttl), payload,"
                                     " typeof(payload), taken_ms, typeof(taken_ms), restored FROM keys ORDER BY id");
    if (!q.ok())
        return m_db.fail(tr("Checking"));
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
        QString problem;
        const qint64 pttl = q.int64(4), taken = q.int64(8), restored = q.int64(10);
        if (q.text(2) != QLatin1String("blob") || q.int64(0) <= 0)
            problem = tr("its key is not a key");
        else if (q.int64(3) > kMaxKeyBytes)
            problem = tr("its key is longer than Redis allows");
        else if (q.text(5) != QLatin1String("integer") || pttl < -1 || pttl > kMaxPttlMs)
            problem = tr("its TTL is %1 ms, which PTTL never answers").arg(q.text(4));
        else if (q.text(7) != QLatin1String("blob") || !redis::hasValidDumpChecksum(q.blob(6)))
            problem = tr("its value is not a DUMP payload whose checksum holds");
        else if (q.text(9) != QLatin1String("integer") || taken <= 0 || taken > latestTaken)
            problem = tr("the time it was taken (%1) is not a time before now").arg(q.text(8));
        else if (restored != 0 && restored != 1)
            problem = tr("its restored mark is %1, not 0 or 1").arg(restored);
        if (!problem.isEmpty()) {
            const QByteArray key = q.blob(1).left(200);
            return m_db.failWith(tr("The snapshot %1 is damaged: row %2 (key %3): %4; nothing is restored from it.")
                                     .arg(file, q.text(0),
                                          QString::fromStdString(engine::escapeKey(std::string_view(key.constData(), size_t(key.size())))),
                                          problem));
        }
    }
    return rc == SQLITE_DONE || m_db.fail(tr("Checking"));
}

QVector<SnapshotRow> SnapshotFile::pending(qint64 afterId, int limit)
{
    QVector<SnapshotRow> rows;
    SqliteStatement q(m_db.handle(), "SELECT id, key, pttl, payload, taken_ms, node FROM keys"
                                     " WHERE restored = 0 AND id > ? ORDER BY id LIMIT ?");
    if (!q.ok()) {
        m_db.fail(tr("Reading"));
        return rows;
    }
    q.bind(1, afterId);
    q.bind(2, qint64(limit));
    int rc;
    while ((rc = q.step()) == SQLITE_ROW)
        rows.append(SnapshotRow{q.int64(0), q.blob(1), q.int64(2), q.blob(3), q.int64(4), q.text(5)});
    if (rc != SQLITE_DONE)
        m_db.fail(tr("Reading"));
    return rows;
}

qint64 SnapshotFile::pendingCount()
{
    SqliteStatement q(m_db.handle(), "SELECT COUNT(*) FROM keys WHERE restored = 0");
    return q.ok() && q.step() == SQLITE_ROW ? q.int64(0) : -1;
}

bool SnapshotFile::markRestored(const QVector<qint64>& ids)
{
    if (ids.isEmpty())
        return true;
    SqliteDb::Transaction transaction(m_db);
    SqliteStatement q(m_db.handle(), "UPDATE keys SET restored = 1 WHERE id = ?");
    if (!transaction.ok() || !q.ok())
        return m_db.fail(tr("Writing"));
    for (const qint64 id : ids) {
        q.bind(1, id);
        if (q.step() != SQLITE_DONE)
            return m_db.fail(tr("Writing"));
        q.reset();
    }
    return transaction.commit() || m_db.fail(tr("Writing"));
}

QVector<SnapshotInfo> SnapshotFile::list(const QString& directory)
{
    QVector<SnapshotInfo> out;
    const QFileInfoList files = QDir(directory).entryInfoList({QLatin1Char('*') + suffix()}, QDir::Files, QDir::Name);
    for (const QFileInfo& f : files) {
        SnapshotFile file;
        // A short wait: a file locked by a running purge is listed with its reason rather than stalling the list.
        file.m_readOnly = true;
        if (file.m_db.open(f.absoluteFilePath(), schema(200), SqliteDb::Mode::ReadOnly))
            file.loadTotals();
        SnapshotInfo info = file.info();
        info.path = f.absoluteFilePath();
        if (!info.created.isValid())
            info.created = f.lastModified().toUTC();
        out.append(info);
    }
    std::stable_sort(out.begin(), out.end(), [](const SnapshotInfo& a, const SnapshotInfo& b) { return a.created > b.created; });
    return out;
}

bool SnapshotFile::remove(const QString& path, QString* error)
{
    if (!path.endsWith(suffix())) {
        if (error)
            *error = tr("%1 is not a snapshot file").arg(QDir::toNativeSeparators(path));
        return false;
    }
    for (const char* extra : {"-wal", "-shm", "-journal"})
        QFile::remove(path + QLatin1String(extra));
    QFile file(path);
    if (!file.remove()) {
        if (error)
            *error = tr("%1 cannot be removed: %2").arg(QDir::toNativeSeparators(path), file.errorString());
        return false;
    }
    return true;
}

} // namespace cachelens
