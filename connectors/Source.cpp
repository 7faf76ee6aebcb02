#include "connectors/Source.h"

#include "connectors/invalidate/GlobCheck.h"
#include "connectors/invalidate/SnapshotFile.h"

#include <QFileInfo>

#include <algorithm>

namespace cachelens {
namespace {

QString tagTarget(const QByteArray& prefix, const QList<QByteArray>& tags)
{
    QStringList names;
    for (const QByteArray& t : tags)
        names << QString::fromUtf8(t);
    QString target = names.join(QStringLiteral(", "));
    if (!prefix.isEmpty())
        target += QStringLiteral(" (prefix %1)").arg(QString::fromUtf8(prefix));
    return target;
}

} // namespace

// ---- the guarded requests: validate what needs no server, pass the guard, then run --------------------------------

void Source::setTtl(quint64 requestId, const QList<QByteArray>& keys, qint64 ttlMs, const Confirmation& confirmation)
{
    if (ttlMs == 0) {
        Q_EMIT error(requestId, SourceError{SourceError::Kind::InvalidArgument,
                                            tr("a TTL of 0 would delete the keys; use remove, or a positive TTL")});
        return;
    }
    SourceError refusal;
    const AuditTicket ticket = m_guard.admit({ttlMs < 0 ? QStringLiteral("persist keys") : QStringLiteral("set TTL"),
                                              AuditTicket::describeKeys(keys)},
                                             confirmation, &refusal);
    if (!ticket.valid()) {
        Q_EMIT keysChanged(KeyOpResult{requestId, quint64(keys.size()), 0, refusal});
        return;
    }
    changeTtl(requestId, keys, ttlMs, ticket);
}

void Source::remove(quint64 requestId, const QList<QByteArray>& keys, const Confirmation& confirmation)
{
    SourceError refusal;
    const AuditTicket ticket = m_guard.admit({QStringLiteral("delete keys"), AuditTicket::describeKeys(keys)},
                                             confirmation, &refusal);
    if (!ticket.valid()) {
        Q_EMIT keysChanged(KeyOpResult{requestId, quint64(keys.size()), 0, refusal});
        return;
    }
    removeKeys(requestId, keys, ticket);
}

void Source::writeValue(quint64 requestId, const QByteArray& key, const QByteArray& field, const QByteArray& value,
                        const Confirmation& confirmation)
{
    SourceError refusal;
    const AuditTicket ticket = m_guard.admit({field.isEmpty() ? QStringLiteral("edit value") : QStringLiteral("edit hash field"),
                                              AuditTicket::describeKeys({key})},
                                             confirmation, &refusal);
    if (!ticket.valid()) {
        Q_EMIT keysChanged(KeyOpResult{requestId, 1, 0, refusal});
        return;
    }
    storeValue(requestId, key, field, value, ticket);
}

void Source::invalidatePattern(quint64 requestId, const QByteArray& glob, const InvalidateOptions& options,
                               const Confirmation& confirmation)
{
    const auto refuse = [&](const SourceError& e) {
        InvalidationReport refused;
        refused.requestId = requestId;
        refused.what = QStringLiteral("pattern ") + QString::fromUtf8(glob);
        refused.dryRun = options.dryRun;
        refused.error = e;
        Q_EMIT invalidationFinished(refused);
    };
    if (const QString problem = globProblem(glob); !problem.isEmpty())
        return refuse(SourceError{SourceError::Kind::InvalidArgument, problem});
    if (options.dryRun)
        return runPatternInvalidation(requestId, glob, options, AuditTicket{});
    SourceError refusal;
    const AuditTicket ticket = m_guard.admit({options.expireJitterSeconds > 0 ? QStringLiteral("expire pattern")
                                                                              : QStringLiteral("purge pattern"),
                                              QString::fromUtf8(glob)},
                                             confirmation, &refusal);
    if (!ticket.valid())
        return refuse(refusal);
    runPatternInvalidation(requestId, glob, options, ticket);
}

void Source::invalidateTags(quint64 requestId, const QByteArray& prefix, const QList<QByteArray>& tags,
                            const InvalidateOptions& options, const Confirmation& confirmation)
{
    const auto refuse = [&](const SourceError& e) {
        InvalidationReport refused;
        refused.requestId = requestId;
        refused.what = QStringLiteral("tag ") + tagTarget({}, tags);
        refused.dryRun = options.dryRun;
        refused.error = e;
        Q_EMIT invalidationFinished(refused);
    };
    if (tags.isEmpty() || std::any_of(tags.begin(), tags.end(), [](const QByteArray& t) { return t.isEmpty(); }))
        return refuse(SourceError{SourceError::Kind::InvalidArgument, tr("name at least one tag, and no empty one")});
    if (options.dryRun)
        return runTagInvalidation(requestId, prefix, tags, options, AuditTicket{});
    SourceError refusal;
    const AuditTicket ticket = m_guard.admit({QStringLiteral("invalidate tag"), tagTarget(prefix, tags)}, confirmation,
                                             &refusal);
    if (!ticket.valid())
        return refuse(refusal);
    runTagInvalidation(requestId, prefix, tags, options, ticket);
}

void Source::restoreSnapshot(quint64 requestId, const QString& path, const RestoreOptions& options,
                             const Confirmation& confirmation)
{
    const auto refuse = [&](const SourceError& e) {
        RestoreReport refused;
        refused.requestId = requestId;
        refused.path = path;
        refused.dryRun = options.dryRun;
        refused.error = e;
        Q_EMIT restoreFinished(refused);
    };
    if (kind() != Kind::Redis)   // DUMP payloads: a Redis format
        return refuse(unsupported(tr("restore snapshots: snapshots are for Redis connections only; nothing was restored")));
    // The file is the request's argument: one that cannot be read is refused before anything is audited or sent.
    SnapshotInfo info;
    {
        SnapshotFile file;
        // A damaged one too: every page and row is checked before the first RESTORE (SnapshotFile::verify).
        if (!file.open(path, true) || !file.verify())
            return refuse(SourceError{SourceError::Kind::Storage, file.errorString()});
        info = file.info();
    }
    if (options.dryRun)
        return runRestore(requestId, path, options, AuditTicket{});
    SourceError refusal;
    const AuditTicket ticket = m_guard.admit({QStringLiteral("restore snapshot"),
                                              tr("%1 (%2 from %3, %4 keys)")
                                                  .arg(QFileInfo(path).fileName(), info.target, info.connection)
                                                  .arg(info.keys)},
                                             confirmation, &refusal);
    if (!ticket.valid())
        return refuse(refusal);
    runRestore(requestId, path, options, ticket);
}

// ---- what a source that cannot do one answers (the rule at the top of Source.h) -----------------------------------

SourceError Source::unsupported(const QString& what) const
{
    return SourceError{SourceError::Kind::InvalidArgument, tr("%1 cannot %2").arg(displayName(), what)};
}

void Source::keyDetails(quint64 requestId, const QList<QByteArray>&)
{
    KeyBatch batch;
    batch.requestId = requestId;
    batch.error = unsupported(tr("read key details"));
    Q_EMIT keyDetailsReady(batch);
}

void Source::fetchValue(quint64 requestId, const QByteArray& key, const QByteArray& cursor, int)
{
    ValuePage page;
    page.requestId = requestId;
    page.key = key;
    page.cursor = cursor;
    page.error = unsupported(tr("read values"));
    Q_EMIT valueReady(page);
}

void Source::keyStats(quint64 requestId, const QList<QByteArray>&, bool, bool)
{
    KeyStatsBatch batch;
    batch.requestId = requestId;
    batch.error = unsupported(tr("count elements or read access frequencies"));
    Q_EMIT keyStatsReady(batch);
}

void Source::listTags(quint64 requestId, const QByteArray& prefix)
{
    TagList list;
    list.requestId = requestId;
    list.prefix = prefix;
    list.error = unsupported(tr("list tags"));
    Q_EMIT tagsListed(list);
}

void Source::tagMembers(quint64 requestId, const QByteArray&, const QByteArray& tag, int)
{
    TagMembers members;
    members.requestId = requestId;
    members.tag = tag;
    members.error = unsupported(tr("list the members of a tag"));
    Q_EMIT tagMembersReady(members);
}

void Source::changeTtl(quint64 requestId, const QList<QByteArray>& keys, qint64, const AuditTicket& ticket)
{
    const KeyOpResult result{requestId, quint64(keys.size()), 0, unsupported(tr("change TTLs"))};
    ticket.finish(result);
    Q_EMIT keysChanged(result);
}

void Source::removeKeys(quint64 requestId, const QList<QByteArray>& keys, const AuditTicket& ticket)
{
    const KeyOpResult result{requestId, quint64(keys.size()), 0, unsupported(tr("delete keys"))};
    ticket.finish(result);
    Q_EMIT keysChanged(result);
}

void Source::storeValue(quint64 requestId, const QByteArray&, const QByteArray&, const QByteArray&,
                        const AuditTicket& ticket)
{
    const KeyOpResult result{requestId, 1, 0, unsupported(tr("edit values"))};
    ticket.finish(result);
    Q_EMIT keysChanged(result);
}

void Source::runPatternInvalidation(quint64 requestId, const QByteArray& glob, const InvalidateOptions& options,
                                    const AuditTicket& ticket)
{
    InvalidationReport report;
    report.requestId = requestId;
    report.what = QStringLiteral("pattern ") + QString::fromUtf8(glob);
    report.dryRun = options.dryRun;
    report.error = unsupported(tr("invalidate keys by pattern"));
    ticket.finish(report);
    Q_EMIT invalidationFinished(report);
}

void Source::runTagInvalidation(quint64 requestId, const QByteArray&, const QList<QByteArray>& tags,
                                const InvalidateOptions& options, const AuditTicket& ticket)
{
    InvalidationReport report;
    report.requestId = requestId;
    report.what = QStringLiteral("tag ") + tagTarget({}, tags);
    report.dryRun = options.dryRun;
    report.error = unsupported(tr("invalidate keys by tag"));
    ticket.finish(report);
    Q_EMIT invalidationFinished(report);
}

void Source::runRestore(quint64 requestId, const QString& path, const RestoreOptions& options, const AuditTicket& ticket)
{
    RestoreReport report;
    report.requestId = requestId;
    report.path = path;
    report.dryRun = options.dryRun;
    report.error = unsupported(tr("restore snapshots"));
    ticket.finish(report);
    Q_EMIT restoreFinished(report);
}

} // namespace cachelens
