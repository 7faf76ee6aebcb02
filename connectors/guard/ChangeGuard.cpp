#include "connectors/guard/ChangeGuard.h"

#include "connectors/audit/AuditStore.h"
#include "connectors/profiles/ConnectionProfile.h"
#include <cachelens/key_escape.h>

#include <QCoreApplication>

namespace cachelens {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("cachelens::ChangeGuard", text); }

} // namespace

struct AuditTicket::Row {
    QString path;
    qint64 id = 0;
};

GuardPolicy GuardPolicy::forProfile(const ConnectionProfile& profile)
{
    GuardPolicy p;
    p.connection = profile.name;
    p.readOnly = profile.readOnly;
    p.production = profile.production;
    return p;
}

ChangeGuard::ChangeGuard(GuardPolicy policy) : m_policy(std::move(policy)) {}

std::optional<SourceError> ChangeGuard::check(const Confirmation& confirmation) const
{
    if (m_policy.readOnly)
        return SourceError{SourceError::Kind::Refused,
                           tr("refused: the connection \"%1\" is read-only, so nothing was changed (clear its "
                              "read-only flag to change data there)").arg(m_policy.connection)};
    if (m_policy.production && confirmation.typedName != m_policy.connection)
        return SourceError{SourceError::Kind::Refused,
                           confirmation.typedName.isEmpty()
                               ? tr("refused: \"%1\" is a production connection; type its name to confirm "
                                    "(cachelensctl: --confirm '%1'); nothing was changed").arg(m_policy.connection)
                               : tr("refused: the name typed does not match the production connection \"%1\"; "
                                    "nothing was changed").arg(m_policy.connection)};
    return std::nullopt;
}

AuditTicket ChangeGuard::admit(const Change& change, const Confirmation& confirmation, SourceError* refusal) const
{
    if (const auto refused = check(confirmation)) {
        if (refusal)
            *refusal = *refused;
        return {};
    }
    auto row = std::make_shared<AuditTicket::Row>();
    row->path = m_policy.auditPath.isEmpty() ? AuditStore::defaultPath() : m_policy.auditPath;
    AuditStore store;
    if (store.open(row->path))
        row->id = store.begin(AuditEntry::now(m_policy.connection, change.action, change.target));
    if (row->id == 0) {
        if (refusal)
            *refusal = SourceError{SourceError::Kind::Storage,
                                   tr("nothing was changed: the audit log could not be written (%1)").arg(store.errorString())};
        return {};
    }
    return AuditTicket(std::move(row));
}

qint64 AuditTicket::rowId() const { return m_row ? m_row->id : 0; }

void AuditTicket::finish(qint64 matched, qint64 changed, const QString& outcome, const QString& detail) const
{
    if (!m_row)
        return;
    AuditStore store;
    // A failure here leaves the row at "started", which the Audit view shows as an action of unknown outcome.
    if (store.open(m_row->path))
        store.finish(m_row->id, matched, changed, outcome, detail);
}

QString AuditTicket::outcomeOf(const InvalidationReport& report)
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

void AuditTicket::finish(const InvalidationReport& report) const
{
    finish(qint64(report.matched), qint64(report.deleted), outcomeOf(report), report.summary());
}

void AuditTicket::finish(const RestoreReport& report) const
{
    const QString outcome = report.interrupted ? QStringLiteral("interrupted")
                          : report.cancelled   ? QStringLiteral("cancelled")
                          : report.error.isError() ? QStringLiteral("failed")
                                                   : QStringLiteral("completed");
    finish(qint64(report.total), 0, outcome, report.summary());
}

void AuditTicket::finish(const KeyOpResult& result) const
{
    const QString outcome = result.error.isError() ? QStringLiteral("failed") : QStringLiteral("completed");
    const QString detail = result.error.isError()
        ? tr("changed %1 of %2 keys: %3").arg(result.affected).arg(result.requested).arg(result.error.message)
        : tr("changed %1 of %2 keys").arg(result.affected).arg(result.requested);
    finish(qint64(result.requested), qint64(result.affected), outcome, detail);
}

QString AuditTicket::describeKeys(const QList<QByteArray>& keys)
{
    constexpr int kNamed = 3;
    QStringList named;
    for (int i = 0; i < keys.size() && i < kNamed; ++i) {
        const QByteArray& k = keys.at(i);
        named << QString::fromStdString(engine::escapeKey(std::string_view(k.constData(), size_t(k.size()))));
    }
    QString text = named.join(QStringLiteral(", "));
    if (keys.size() > kNamed)
        text += tr(" and %1 more").arg(keys.size() - kNamed);
    return text;
}

} // namespace cachelens
