#include "connectors/sqlite/SqliteDb.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

namespace cachelens {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("cachelens::SqliteDb", text); }

} // namespace

// ---- SqliteStatement ------------------------------------------------------------------------------------------------

SqliteStatement::SqliteStatement(sqlite3* db, const char* sql)
{
    if (db && sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK) {
        sqlite3_finalize(m_stmt);
        m_stmt = nullptr;
    }
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(m_stmt); }

void SqliteStatement::bind(int i, qint64 v) { sqlite3_bind_int64(m_stmt, i, v); }
void SqliteStatement::bind(int i, double v) { sqlite3_bind_double(m_stmt, i, v); }

void SqliteStatement::bind(int i, const QString& v) { bindText(i, v.toUtf8()); }

void SqliteStatement::bindText(int i, const QByteArray& utf8)
{
    sqlite3_bind_text(m_stmt, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
}

void SqliteStatement::bindBlob(int i, const QByteArray& v)
{
    // A zero-length blob, not NULL, for an empty value (sqlite3_bind_blob with a null pointer binds NULL).
    sqlite3_bind_blob64(m_stmt, i, v.isEmpty() ? "" : v.constData(), sqlite3_uint64(v.size()), SQLITE_TRANSIENT);
}

void SqliteStatement::bindBytes(int i, std::string_view v)
{
    sqlite3_bind_blob64(m_stmt, i, v.empty() ? "" : v.data(), sqlite3_uint64(v.size()), SQLITE_TRANSIENT);
}

int SqliteStatement::step() { return m_stmt ? sqlite3_step(m_stmt) : SQLITE_MISUSE; }

void SqliteStatement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

qint64 SqliteStatement::int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
double SqliteStatement::real(int col) const { return sqlite3_column_double(m_stmt, col); }

QString SqliteStatement::text(int col) const
{
    return QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col)),
                             sqlite3_column_bytes(m_stmt, col));
}

QByteArray SqliteStatement::blob(int col) const
{
    const void* data = sqlite3_column_blob(m_stmt, col);
    return QByteArray(static_cast<const char*>(data), sqlite3_column_bytes(m_stmt, col));
}

std::string_view SqliteStatement::bytes(int col) const
{
    const auto* data = static_cast<const char*>(sqlite3_column_blob(m_stmt, col));
    return data ? std::string_view(data, std::size_t(sqlite3_column_bytes(m_stmt, col))) : std::string_view();
}

// ---- SqliteDb -------------------------------------------------------------------------------------------------------

SqliteDb::~SqliteDb() { close(); }

QString SqliteDb::file() const { return QDir::toNativeSeparators(m_path); }

bool SqliteDb::failWith(const QString& message)
{
    m_error = message;
    if (!m_schema.consequence.isEmpty())
        m_error += QLatin1Char(' ') + m_schema.consequence;
    return false;
}

bool SqliteDb::fail(const QString& what)
{
    const int code = m_db ? sqlite3_errcode(m_db) : SQLITE_CANTOPEN;
    const QString detail = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : tr("cannot open");
    switch (code) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return failWith(tr("%1 %2 is damaged or is not a CacheLens %3 database (%4).")
                            .arg(m_schema.what, file(), m_schema.kind, detail));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return failWith(tr("%1 %2 is locked by another program (%3).").arg(m_schema.what, file(), detail));
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
        return failWith(tr("%1 %2 cannot be written (%3).").arg(m_schema.what, file(), detail));
    case SQLITE_FULL:
        return failWith(tr("%1 %2 cannot grow: the disk is full (%3).").arg(m_schema.what, file(), detail));
    default:
        return failWith(tr("%1 failed on %2 %3: %4.").arg(what, m_schema.what, file(), detail));
    }
}

bool SqliteDb::open(const QString& path, const Schema& schema, Mode mode)
{
    close();
    m_path = path;
    m_schema = schema;
    m_error.clear();
    if (mode == Mode::Create) {
        QDir().mkpath(QFileInfo(path).absolutePath());
    } else if (!QFileInfo(path).isFile()) {
        return failWith(tr("%1 %2 does not exist.").arg(schema.what, file()));
    }
    const int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
                    : mode == Mode::ReadWrite ? SQLITE_OPEN_READWRITE
                                              : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, flags, nullptr) != SQLITE_OK) {
        fail(tr("Opening"));
        close();
        return false;
    }
    sqlite3_busy_timeout(m_db, schema.busyTimeoutMs);
    // Reading the header is the first thing that notices a damaged, foreign or locked file.
    const int version = schemaVersion();
    if (version < 0) {
        fail(tr("Reading"));
        close();
        return false;
    }
    if (version > schema.version) {
        failWith(tr("%1 %2 was written by a newer CacheLens (%3 schema %4, this version knows up to %5); it is left "
                    "untouched.").arg(schema.what, file(), schema.kind).arg(version).arg(schema.version));
        close();
        return false;
    }
    if (schema.applicationId != 0 && version > 0) {
        bool ours = false;
        {   // finalised before close(): a connection with a live statement does not close
            SqliteStatement q(m_db, "PRAGMA application_id");
            ours = q.ok() && q.step() == SQLITE_ROW && q.int64(0) == schema.applicationId;
        }
        if (!ours) {
            failWith(tr("%1 %2 is not a CacheLens %3 database.").arg(schema.what, file(), schema.kind));
            close();
            return false;
        }
    }
    if (mode == Mode::ReadOnly) {
        if (version < schema.version) {
            failWith(version == 0
                         ? tr("%1 %2 is not a CacheLens %3 database.").arg(schema.what, file(), schema.kind)
                         : tr("%1 %2 has %3 schema %4, which this version reads only after upgrading it.")
                               .arg(schema.what, file(), schema.kind).arg(version));
            close();
            return false;
        }
        return true;
    }
    if ((schema.pragmas && *schema.pragmas && !exec(schema.pragmas)) || !migrate(version)) {
        if (m_error.isEmpty())
            fail(tr("Preparing"));
        close();
        return false;
    }
    return true;
}

bool SqliteDb::migrate(int from)
{
    for (int v = from; v < m_schema.version; ++v) {
        if (!exec("BEGIN IMMEDIATE"))
            return fail(tr("Upgrading"));
        QByteArray bump = "PRAGMA user_version=" + QByteArray::number(v + 1);
        if (v == 0 && m_schema.applicationId != 0)
            bump += "; PRAGMA application_id=" + QByteArray::number(m_schema.applicationId);
        if (!exec(m_schema.migrations[v]) || !exec(bump.constData())) {
            const QString detail = QString::fromUtf8(sqlite3_errmsg(m_db));
            exec("ROLLBACK");
            return failWith(tr("Upgrading %1 %2 from schema %3 failed: %4.").arg(m_schema.what, file()).arg(v).arg(detail));
        }
        if (!exec("COMMIT")) {
            fail(tr("Upgrading"));
            exec("ROLLBACK");
            return false;
        }
    }
    return true;
}

void SqliteDb::close()
{
    // close_v2: should a statement still be alive, the connection is freed when it is finalised instead of leaking.
    if (m_db)
        sqlite3_close_v2(m_db);
    m_db = nullptr;
}

int SqliteDb::schemaVersion()
{
    SqliteStatement q(m_db, "PRAGMA user_version");
    if (!q.ok() || q.step() != SQLITE_ROW)
        return -1;
    return int(q.int64(0));
}

bool SqliteDb::exec(const char* sql) { return m_db && sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

qint64 SqliteDb::lastInsertRowId() const { return m_db ? sqlite3_last_insert_rowid(m_db) : 0; }
int SqliteDb::changes() const { return m_db ? sqlite3_changes(m_db) : 0; }

SqliteDb::Transaction::Transaction(SqliteDb& db) : m_db(db), m_open(db.exec("BEGIN IMMEDIATE")) {}

SqliteDb::Transaction::~Transaction()
{
    if (m_open)
        m_db.exec("ROLLBACK");
}

bool SqliteDb::Transaction::commit()
{
    if (!m_open)
        return false;
    if (m_db.exec("COMMIT")) {
        m_open = false;
        return true;
    }
    return false;   // still open: the destructor rolls back
}

} // namespace cachelens
