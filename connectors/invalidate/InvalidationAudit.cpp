#include "connectors/invalidate/InvalidationAudit.h"

#include "connectors/audit/AuditStore.h"

#include <QCoreApplication>

namespace cachelens {

bool InvalidationAudit::begin(const InvalidateOptions& options, const QString& connection, const QString& action,
                              const QString& target, QString* error)
{
    m_path = options.auditPath.isEmpty() ? AuditStore::defaultPath() : options.auditPath;
    AuditStore store;
    if (store.open(m_path))
        m_row = store.begin(AuditEntry::now(options.auditConnection.isEmpty() ? connection : options.auditConnection,
                                            action, target));
    if (m_row == 0 && error)
        *error = QCoreApplication::translate("cachelens::InvalidationAudit", "nothing was changed: %1")
                     .arg(store.errorString());
    return m_row != 0;
}

QString InvalidationAudit::outcomeOf(const InvalidationReport& report)
{
    if (report.interrupted)
        return QStringLiteral("interrupted");
    if (report.cancelled)
        return QStringLiteral("cancelled");
    if (report.error.isError())
        return QStringLiteral("failed");
    return QStringLiteral("completed");
}

void InvalidationAudit::finish(const InvalidationReport& report)
{
    if (m_row == 0)
        return;
    AuditStore store;
    // A failure here leaves the row at "started", which the Audit view shows as an action of unknown outcome.
    if (store.open(m_path))
        store.finish(m_row, qint64(report.matched), qint64(report.deleted), outcomeOf(report), report.summary());
}

} // namespace cachelens
