#include "connectors/sim/SqliteBacking.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace cachelens::sim {

namespace {
QString tr(const char* s) { return QCoreApplication::translate("SqliteBacking", s); }

const char* const kMigrations[] = {
    "CREATE TABLE items (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, value BLOB NOT NULL)",
};

SqliteDb::Schema schema()
{
    SqliteDb::Schema s;
    s.what = tr("The simulation database");
    s.kind = QStringLiteral("simulation");
    s.migrations = kMigrations;
    s.version = 1;
    // Scratch data: a crash loses nothing worth an fsync or a journal on disk.
    s.pragmas = "PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY;";
    return s;
}
} // namespace

std::unique_ptr<SqliteBacking> SqliteBacking::create(const QString& path, std::uint64_t keys, std::uint32_t minSize,
                                                     std::uint32_t maxSize, QString& error,
                                                     const std::function<void(std::uint64_t)>& progress,
                                                     const std::atomic<bool>* cancel)
{
    std::unique_ptr<SqliteBacking> b(new SqliteBacking);
    b->m_path = path;
    QFile::remove(path);
    QFile::remove(path + QStringLiteral("-journal"));
    SqliteDb& db = b->m_db;
    auto fail = [&](const QString& what) {
        db.fail(what);
        error = db.errorString();
        return nullptr;
    };
    if (!db.open(path, schema())) {
        error = db.errorString();
        return nullptr;
    }
    {
        SqliteDb::Transaction fill(db);
        SqliteStatement insert(db.handle(), "INSERT INTO items (id, version, value) VALUES (?, 0, ?)");
        if (!fill.ok() || !insert.ok())
            return fail(tr("Filling"));
        for (std::uint64_t id = 0; id < keys; ++id) {
            const std::string v = engine::sim::makeValue(id, 0, minSize, maxSize);
            insert.bind(1, qint64(id));
            insert.bindBytes(2, v);
            if (insert.step() != SQLITE_DONE)
                return fail(tr("Filling"));
            insert.reset();
            if (id % 10000 == 9999) {
                if (progress) progress(id + 1);
                if (cancel && cancel->load()) {
                    error = tr("Cancelled while generating the database (%1 of %2 rows)")
                                .arg(QLocale().toString(qulonglong(id + 1)), QLocale().toString(qulonglong(keys)));
                    return nullptr;
                }
            }
        }
        if (!fill.commit())
            return fail(tr("Filling"));
    }
    b->m_select = std::make_unique<SqliteStatement>(db.handle(), "SELECT value FROM items WHERE id = ?");
    b->m_update = std::make_unique<SqliteStatement>(db.handle(), "UPDATE items SET version = ?, value = ? WHERE id = ?");
    if (!b->m_select->ok() || !b->m_update->ok())
        return fail(tr("Preparing queries"));
    if (progress) progress(keys);
    return b;
}

std::uint64_t SqliteBacking::estimatedFileBytes(std::uint64_t keys, std::uint32_t minSize, std::uint32_t maxSize)
{
    // makeValue's sizes: uniform over [max(4, min), max(that, max)].
    const double lo = std::max<std::uint32_t>(4, minSize), hi = std::max<double>(lo, maxSize);
    const double bytes = double(keys) * ((lo + hi) / 2 + 16) * 1.2;
    return bytes >= 1.8e19 ? std::numeric_limits<std::uint64_t>::max() : std::uint64_t(bytes);
}

SqliteBacking::~SqliteBacking()
{
    // Closed before the file goes, so nothing is written to it after it is removed.
    m_select.reset();
    m_update.reset();
    m_db.close();
    if (!m_keep) {
        QFile::remove(m_path);
        QFile::remove(m_path + QStringLiteral("-journal"));
    }
}

std::optional<std::string> SqliteBacking::read(std::uint64_t key)
{
    std::lock_guard lock(m_mutex);
    m_select->bind(1, qint64(key));
    const int rc = m_select->step();
    std::optional<std::string> out;
    if (rc == SQLITE_ROW)
        out.emplace(m_select->bytes(0));
    m_select->reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        m_db.fail(tr("Reading a row"));
        throw std::runtime_error(m_db.errorString().toStdString());
    }
    return out;
}

void SqliteBacking::write(std::uint64_t key, std::uint32_t version, std::string_view value)
{
    std::lock_guard lock(m_mutex);
    m_update->bind(1, qint64(version));
    m_update->bindBytes(2, value);
    m_update->bind(3, qint64(key));
    const int rc = m_update->step();
    m_update->reset();
    if (rc != SQLITE_DONE) {
        m_db.fail(tr("Writing a row"));
        throw std::runtime_error(m_db.errorString().toStdString());
    }
}

std::uint64_t SqliteBacking::rowCount()
{
    std::lock_guard lock(m_mutex);
    SqliteStatement count(m_db.handle(), "SELECT COUNT(*) FROM items");
    return count.ok() && count.step() == SQLITE_ROW ? std::uint64_t(count.int64(0)) : 0;
}

} // namespace cachelens::sim
