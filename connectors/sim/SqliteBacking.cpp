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
} // namespace

std::unique_ptr<SqliteBacking> SqliteBacking::create(const QString& path, std::uint64_t keys, std::uint32_t minSize,
                                                     std::uint32_t maxSize, QString& error,
                                                     const std::function<void(std::uint64_t)>& progress,
                                                     const std::atomic<bool>* cancel)
{
    std::unique_ptr<SqliteBacking> b(new SqliteBacking);
    b->m_path = path;
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile::remove(path);
    QFile::remove(path + QStringLiteral("-journal"));
    auto fail = [&](const QString& what) {
        error = tr("%1 failed on %2: %3")
                    .arg(what, QDir::toNativeSeparators(path),
                         b->m_db ? QString::fromUtf8(sqlite3_errmsg(b->m_db)) : tr("cannot open the file"));
        return nullptr;
    };
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &b->m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        nullptr) != SQLITE_OK)
        return fail(tr("Creating the simulation database"));
    const char* schema = "PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY;"
                         "CREATE TABLE items (id INTEGER PRIMARY KEY, version INTEGER NOT NULL, value BLOB NOT NULL);";
    if (sqlite3_exec(b->m_db, schema, nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail(tr("Creating the simulation database"));
    sqlite3_stmt* insert = nullptr;
    if (sqlite3_exec(b->m_db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK
        || sqlite3_prepare_v2(b->m_db, "INSERT INTO items (id, version, value) VALUES (?, 0, ?)", -1, &insert, nullptr) != SQLITE_OK)
        return fail(tr("Filling the simulation database"));
    for (std::uint64_t id = 0; id < keys; ++id) {
        const std::string v = engine::sim::makeValue(id, 0, minSize, maxSize);
        sqlite3_bind_int64(insert, 1, static_cast<sqlite3_int64>(id));
        sqlite3_bind_blob(insert, 2, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        if (sqlite3_step(insert) != SQLITE_DONE) {
            sqlite3_finalize(insert);
            return fail(tr("Filling the simulation database"));
        }
        sqlite3_reset(insert);
        if (id % 10000 == 9999) {
            if (progress) progress(id + 1);
            if (cancel && cancel->load()) {
                sqlite3_finalize(insert);
                error = tr("Cancelled while generating the database (%1 of %2 rows)")
                            .arg(QLocale().toString(qulonglong(id + 1)), QLocale().toString(qulonglong(keys)));
                return nullptr;
            }
        }
    }
    sqlite3_finalize(insert);
    if (sqlite3_exec(b->m_db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail(tr("Filling the simulation database"));
    if (sqlite3_prepare_v2(b->m_db, "SELECT value FROM items WHERE id = ?", -1, &b->m_select, nullptr) != SQLITE_OK
        || sqlite3_prepare_v2(b->m_db, "UPDATE items SET version = ?, value = ? WHERE id = ?", -1, &b->m_update, nullptr) != SQLITE_OK)
        return fail(tr("Preparing queries on the simulation database"));
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
    sqlite3_finalize(m_select);
    sqlite3_finalize(m_update);
    sqlite3_close(m_db);
    if (!m_keep) {
        QFile::remove(m_path);
        QFile::remove(m_path + QStringLiteral("-journal"));
    }
}

std::optional<std::string> SqliteBacking::read(std::uint64_t key)
{
    std::lock_guard lock(m_mutex);
    sqlite3_bind_int64(m_select, 1, static_cast<sqlite3_int64>(key));
    const int rc = sqlite3_step(m_select);
    std::optional<std::string> out;
    if (rc == SQLITE_ROW) {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(m_select, 0));
        out.emplace(p ? p : "", static_cast<std::size_t>(sqlite3_column_bytes(m_select, 0)));
    }
    sqlite3_reset(m_select);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(m_db));
    return out;
}

void SqliteBacking::write(std::uint64_t key, std::uint32_t version, std::string_view value)
{
    std::lock_guard lock(m_mutex);
    sqlite3_bind_int64(m_update, 1, version);
    sqlite3_bind_blob(m_update, 2, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(m_update, 3, static_cast<sqlite3_int64>(key));
    const int rc = sqlite3_step(m_update);
    sqlite3_reset(m_update);
    if (rc != SQLITE_DONE) throw std::runtime_error(sqlite3_errmsg(m_db));
}

std::uint64_t SqliteBacking::rowCount()
{
    std::lock_guard lock(m_mutex);
    sqlite3_stmt* s = nullptr;
    std::uint64_t n = 0;
    if (sqlite3_prepare_v2(m_db, "SELECT COUNT(*) FROM items", -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        n = static_cast<std::uint64_t>(sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
    return n;
}

} // namespace cachelens::sim
