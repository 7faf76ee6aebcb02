#include "connectors/audit/AuditStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QIODevice>
#include <QStandardPaths>
#include <QSysInfo>

#include <sqlite3.h>

#include <pwd.h>
#include <unistd.h>

#include <vector>

namespace cachelens {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("cachelens::AuditStore", text); }

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

QString AuditEntry::osUser()
{
    // The account of the effective uid, as the system knows it: $USER is whatever the caller exported.
    const uid_t uid = geteuid();
    long size = sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(std::size_t(size > 0 ? size : 16384));
    passwd entry{};
    passwd* found = nullptr;
    if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_name)
        return QStringLiteral("%1 (uid %2)").arg(QString::fromLocal8Bit(found->pw_name)).arg(uid);
    return QStringLiteral("uid %1").arg(uid);
}

AuditEntry AuditEntry::now(const QString& connection, const QString& action, const QString& target)
{
    AuditEntry e;
    e.time = QDateTime::currentDateTimeUtc();
    e.user = osUser();
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

bool AuditStore::open(const QString& path)
{
    SqliteDb::Schema schema;
    schema.what = tr("the audit log");
    schema.kind = QStringLiteral("audit");
    schema.migrations = kMigrations;
    schema.version = kSchemaVersion;
    // FULL sync: an audit row must survive a power cut that happens right after the purge it describes.
    schema.pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
    return m_db.open(path, schema);
}

void AuditStore::close() { m_db.close(); }

qint64 AuditStore::record(const AuditEntry& e)
{
    if (!m_db.isOpen()) {
        m_db.failWith(tr("the audit log is not open"));
        return 0;
    }
    SqliteStatement q(m_db.handle(), "INSERT INTO actions(t_ms, user, host, connection, action, target, matched,"
                                     " deleted, outcome, detail) VALUES(?,?,?,?,?,?,?,?,?,?)");
    if (!q.ok()) {
        m_db.fail(tr("Writing"));
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
        m_db.fail(tr("Writing"));
        return 0;
    }
    return m_db.lastInsertRowId();
}

qint64 AuditStore::begin(const AuditEntry& entry)
{
    AuditEntry e = entry;
    e.outcome = QStringLiteral("started");
    return record(e);
}

bool AuditStore::finish(qint64 id, qint64 matched, qint64 deleted, const QString& outcome, const QString& detail)
{
    if (!m_db.isOpen())
        return false;
    SqliteStatement q(m_db.handle(), "UPDATE actions SET matched=?, deleted=?, outcome=?, detail=? WHERE id=?");
    if (!q.ok())
        return m_db.fail(tr("Writing"));
    q.bind(1, matched);
    q.bind(2, deleted);
    q.bind(3, outcome);
    q.bind(4, detail);
    q.bind(5, id);
    if (q.step() != SQLITE_DONE)
        return m_db.fail(tr("Writing"));
    return m_db.changes() == 1;
}

QVector<AuditEntry> AuditStore::entries(const AuditFilter& filter)
{
    QVector<AuditEntry> out;
    if (!m_db.isOpen())
        return out;
    SqliteStatement q(m_db.handle(),
                      "SELECT id, t_ms, user, host, connection, action, target, matched, deleted, outcome, detail"
                      " FROM actions WHERE t_ms >= ? AND t_ms <= ? AND (? = '' OR instr(lower(connection || ' ' ||"
                      " action || ' ' || target || ' ' || user || ' ' || host || ' ' || outcome), lower(?)) > 0)"
                      " ORDER BY t_ms DESC, id DESC LIMIT ?");
    if (!q.ok()) {
        m_db.fail(tr("Reading"));
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
