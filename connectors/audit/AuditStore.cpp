#include "connectors/audit/AuditStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QIODevice>
#include <QStandardPaths>
#include <QSysInfo>

#include <sqlite3.h>

namespace cachelens {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("cachelens::AuditStore", text); }

class Statement
{
public:
    Statement(sqlite3* db, const char* sql) { m_ok = sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) == SQLITE_OK; }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    bool ok() const { return m_ok; }
    void bind(int i, qint64 v) { sqlite3_bind_int64(m_stmt, i, v); }
    void bind(int i, const QString& v)
    {
        const QByteArray utf8 = v.toUtf8();
        sqlite3_bind_text(m_stmt, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
    }
    int step() { return sqlite3_step(m_stmt); }
    qint64 int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    QString text(int col) const
    {
        return QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col)),
                                 sqlite3_column_bytes(m_stmt, col));
    }

private:
    sqlite3_stmt* m_stmt = nullptr;
    bool m_ok = false;
};

const char* const kMigrations[] = {
    // 0 → 1
    "CREATE TABLE actions(id INTEGER PRIMARY KEY, t_ms INTEGER NOT NULL, user TEXT NOT NULL, host TEXT NOT NULL,"
    " connection TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, matched INTEGER NOT NULL DEFAULT -1,"
    " deleted INTEGER NOT NULL DEFAULT -1, outcome TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX actions_by_time ON actions(t_ms);",
};
static_assert(std::size(kMigrations) == AuditStore::kSchemaVersion);

QString csvField(const QString& v)
{
    if (!v.contains(QLatin1Char(',')) && !v.contains(QLatin1Char('"')) && !v.contains(QLatin1Char('\n'))
        && !v.contains(QLatin1Char('\r')))
        return v;
    QString quoted = v;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace

AuditEntry AuditEntry::now(const QString& connection, const QString& action, const QString& target)
{
    AuditEntry e;
    e.time = QDateTime::currentDateTimeUtc();
    e.user = qEnvironmentVariable("USER", qEnvironmentVariable("LOGNAME", QStringLiteral("?")));
    e.host = QSysInfo::machineHostName();
    e.connection = connection;
    e.action = action;
    e.target = target;
    e.outcome = QStringLiteral("started");
    return e;
}

AuditStore::AuditStore() = default;
AuditStore::~AuditStore() { close(); }

QString AuditStore::defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("audit.db"));
}

bool AuditStore::exec(const char* sql) { return sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }

bool AuditStore::fail(const QString& what)
{
    const int code = m_db ? sqlite3_errcode(m_db) : SQLITE_CANTOPEN;
    const QString detail = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : tr("cannot open");
    const QString file = QDir::toNativeSeparators(m_path);
    switch (code) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        m_error = tr("the audit log %1 is damaged or is not a CacheLens audit database (%2)").arg(file, detail);
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        m_error = tr("the audit log %1 is locked by another program (%2)").arg(file, detail);
        break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
        m_error = tr("the audit log %1 cannot be written (%2)").arg(file, detail);
        break;
    default:
        m_error = tr("%1 failed on the audit log %2: %3").arg(what, file, detail);
    }
    return false;
}

bool AuditStore::open(const QString& path)
{
    close();
    m_path = path;
    m_error.clear();
    QDir().mkpath(QFileInfo(path).absolutePath());
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        nullptr) != SQLITE_OK) {
        fail(tr("Opening"));
        close();
        return false;
    }
    sqlite3_busy_timeout(m_db, 2000);
    int version = -1;
    {
        Statement q(m_db, "PRAGMA user_version");
        if (q.ok() && q.step() == SQLITE_ROW)
            version = int(q.int64(0));
    }
    if (version < 0) {
        fail(tr("Reading"));
        close();
        return false;
    }
    if (version > kSchemaVersion) {
        m_error = tr("the audit log %1 was written by a newer CacheLens (schema %2, this version knows up to %3)")
                      .arg(QDir::toNativeSeparators(path)).arg(version).arg(kSchemaVersion);
        close();
        return false;
    }
    // FULL sync: an audit row must survive a power cut that happens right after the purge it describes.
    if (!exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;")) {
        fail(tr("Preparing"));
        close();
        return false;
    }
    for (int v = version; v < kSchemaVersion; ++v) {
        const QByteArray bump = "PRAGMA user_version=" + QByteArray::number(v + 1);
        if (!exec("BEGIN IMMEDIATE") || !exec(kMigrations[v]) || !exec(bump.constData())) {
            fail(tr("Upgrading"));
            exec("ROLLBACK");
            close();
            return false;
        }
        if (!exec("COMMIT")) {
            fail(tr("Upgrading"));
            close();
            return false;
        }
    }
    return true;
}

void AuditStore::close()
{
    if (m_db)
        sqlite3_close(m_db);
    m_db = nullptr;
}

qint64 AuditStore::record(const AuditEntry& e)
{
    if (!m_db) {
        m_error = tr("the audit log is not open");
        return 0;
    }
    Statement q(m_db, "INSERT INTO actions(t_ms, user, host, connection, action, target, matched, deleted, outcome,"
                      " detail) VALUES(?,?,?,?,?,?,?,?,?,?)");
    if (!q.ok()) {
        fail(tr("Writing"));
        return 0;
    }
    q.bind(1, (e.time.isValid() ? e.time : QDateTime::currentDateTimeUtc()).toMSecsSinceEpoch());
    q.bind(2, e.user);
    q.bind(3, e.host);
    q.bind(4, e.connection);
    q.bind(5, e.action);
    q.bind(6, e.target);
    q.bind(7, e.matched);
    q.bind(8, e.deleted);
    q.bind(9, e.outcome.isEmpty() ? QStringLiteral("started") : e.outcome);
    q.bind(10, e.detail);
    if (q.step() != SQLITE_DONE) {
        fail(tr("Writing"));
        return 0;
    }
    return sqlite3_last_insert_rowid(m_db);
}

qint64 AuditStore::begin(const AuditEntry& entry)
{
    AuditEntry e = entry;
    e.outcome = QStringLiteral("started");
    return record(e);
}

bool AuditStore::finish(qint64 id, qint64 matched, qint64 deleted, const QString& outcome, const QString& detail)
{
    if (!m_db)
        return false;
    Statement q(m_db, "UPDATE actions SET matched=?, deleted=?, outcome=?, detail=? WHERE id=?");
    if (!q.ok())
        return fail(tr("Writing"));
    q.bind(1, matched);
    q.bind(2, deleted);
    q.bind(3, outcome);
    q.bind(4, detail);
    q.bind(5, id);
    if (q.step() != SQLITE_DONE)
        return fail(tr("Writing"));
    return sqlite3_changes(m_db) == 1;
}

QVector<AuditEntry> AuditStore::entries(const AuditFilter& filter)
{
    QVector<AuditEntry> out;
    if (!m_db)
        return out;
    Statement q(m_db, "SELECT id, t_ms, user, host, connection, action, target, matched, deleted, outcome, detail"
                      " FROM actions WHERE t_ms >= ? AND t_ms <= ? AND (? = '' OR instr(lower(connection || ' ' ||"
                      " action || ' ' || target || ' ' || user || ' ' || host || ' ' || outcome), lower(?)) > 0)"
                      " ORDER BY t_ms DESC, id DESC LIMIT ?");
    if (!q.ok()) {
        fail(tr("Reading"));
        return out;
    }
    q.bind(1, filter.from.isValid() ? filter.from.toMSecsSinceEpoch() : std::numeric_limits<qint64>::min());
    q.bind(2, filter.to.isValid() ? filter.to.toMSecsSinceEpoch() : std::numeric_limits<qint64>::max());
    q.bind(3, filter.text);
    q.bind(4, filter.text);
    q.bind(5, qint64(filter.limit > 0 ? filter.limit : -1));
    while (q.step() == SQLITE_ROW) {
        AuditEntry e;
        e.id = q.int64(0);
        e.time = QDateTime::fromMSecsSinceEpoch(q.int64(1), Qt::UTC);
        e.user = q.text(2);
        e.host = q.text(3);
        e.connection = q.text(4);
        e.action = q.text(5);
        e.target = q.text(6);
        e.matched = q.int64(7);
        e.deleted = q.int64(8);
        e.outcome = q.text(9);
        e.detail = q.text(10);
        out.append(e);
    }
    return out;
}

bool AuditStore::exportCsv(const QVector<AuditEntry>& entries, QIODevice& out)
{
    QByteArray text = "time,user,host,connection,action,target,matched,deleted,outcome,detail\r\n";
    for (const AuditEntry& e : entries) {
        const QStringList fields{e.time.toString(Qt::ISODateWithMs), e.user, e.host, e.connection, e.action, e.target,
                                 QString::number(e.matched), QString::number(e.deleted), e.outcome, e.detail};
        QStringList quoted;
        for (const QString& f : fields)
            quoted << csvField(f);
        text += quoted.join(QLatin1Char(',')).toUtf8() + "\r\n";
    }
    return out.write(text) == text.size();
}

} // namespace cachelens
