#include "connectors/invalidate/InvalidationAudit.h"

#include "connectors/audit/AuditStore.h"
#include "engine/key_escape.h"

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
    if (report.snapshotLimitReached)
        return QStringLiteral("stopped");
    if (report.interrupted)
        return QStringLiteral("interrupted");
    if (report.cancelled)
        return QStringLiteral("cancelled");
    if (report.error.isError())
        return QStringLiteral("failed");
    return QStringLiteral("completed");
}

void InvalidationAudit::finish(qint64 matched, qint64 changed, const QString& outcome, const QString& detail)
{
    if (m_row == 0)
        return;
    AuditStore store;
    // A failure here leaves the row at "started", which the Audit view shows as an action of unknown outcome.
    if (store.open(m_path))
        store.finish(m_row, matched, changed, outcome, detail);
}

void InvalidationAudit::finish(const InvalidationReport& report)
{
    finish(qint64(report.matched), qint64(report.deleted), outcomeOf(report), report.summary());
}

void InvalidationAudit::finish(const RestoreReport& report)
{
    const QString outcome = report.interrupted ? QStringLiteral("interrupted")
                          : report.cancelled   ? QStringLiteral("cancelled")
                          : report.error.isError() ? QStringLiteral("failed")
                                                   : QStringLiteral("completed");
    finish(qint64(report.total), 0, outcome, report.summary());
}

QString InvalidationAudit::describeKeys(const QList<QByteArray>& keys)
{
    constexpr int kNamed = 3;
    QStringList named;
    for (int i = 0; i < keys.size() && i < kNamed; ++i) {
        const QByteArray& k = keys.at(i);
        named << QString::fromStdString(engine::escapeKey(std::string_view(k.constData(), size_t(k.size()))));
    }
    QString text = named.join(QStringLiteral(", "));
    if (keys.size() > kNamed)
        text += QCoreApplication::translate("cachelens::InvalidationAudit", " and %1 more").arg(keys.size() - kNamed);
    return text;
}

bool InvalidationAudit::beginKeys(const QString& connection, const QString& action, const QList<QByteArray>& keys,
                                  QString* error, const QString& auditPath)
{
    InvalidateOptions options;
    options.auditPath = auditPath;
    return begin(options, connection, action, describeKeys(keys), error);
}

void InvalidationAudit::finish(const KeyOpResult& result)
{
    const QString outcome = result.error.isError() ? QStringLiteral("failed") : QStringLiteral("completed");
    const QString detail = result.error.isError()
        ? QCoreApplication::translate("cachelens::InvalidationAudit", "changed %1 of %2 keys: %3")
              .arg(result.affected).arg(result.requested).arg(result.error.message)
        : QCoreApplication::translate("cachelens::InvalidationAudit", "changed %1 of %2 keys")
              .arg(result.affected).arg(result.requested);
    finish(qint64(result.requested), qint64(result.affected), outcome, detail);
}

} // namespace cachelens
