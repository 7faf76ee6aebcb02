#include "connectors/SourceTypes.h"

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>

namespace cachelens {

QString connectionStateName(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Disconnected: return QCoreApplication::translate("Source", "disconnected");
    case ConnectionState::Connecting: return QCoreApplication::translate("Source", "connecting");
    case ConnectionState::Ready: return QCoreApplication::translate("Source", "ready");
    case ConnectionState::Reconnecting: return QCoreApplication::translate("Source", "reconnecting");
    case ConnectionState::Failed: return QCoreApplication::translate("Source", "failed");
    }
    return {};
}

QString keyTypeName(KeyType type)
{
    switch (type) {
    case KeyType::String: return QStringLiteral("string");
    case KeyType::List: return QStringLiteral("list");
    case KeyType::Set: return QStringLiteral("set");
    case KeyType::ZSet: return QStringLiteral("zset");
    case KeyType::Hash: return QStringLiteral("hash");
    case KeyType::Stream: return QStringLiteral("stream");
    case KeyType::None: return QStringLiteral("none");
    case KeyType::Unknown: break;
    }
    return QStringLiteral("?");
}

QString InvalidationReport::summary() const
{
    const QLocale locale;
    QString text = dryRun ? QCoreApplication::translate("Source", "%1 keys match (dry run, nothing deleted)")
                                .arg(locale.toString(qulonglong(matched)))
                          : QCoreApplication::translate("Source", "deleted %1 of %2 keys")
                                .arg(locale.toString(qulonglong(deleted)), locale.toString(qulonglong(matched)));
    if (expired && !dryRun)
        text = QCoreApplication::translate("Source", "expiring %1 of %2 keys over time")
                   .arg(locale.toString(qulonglong(deleted)), locale.toString(qulonglong(matched)));
    if (cancelled)
        text += QCoreApplication::translate("Source", ", cancelled");
    if (unconfirmed)
        text += QCoreApplication::translate("Source", ", %1 more may have been deleted (sent, never answered)")
                    .arg(locale.toString(qulonglong(unconfirmed)));
    if (interrupted)
        text += QCoreApplication::translate("Source", ", interrupted");
    if (rescannedNodes > 0)
        text += QCoreApplication::translate("Source", " (the server restarted since the interruption, so it was scanned "
                                                      "again from the start)");
    if (error.isError())
        text += QCoreApplication::translate("Source", ", stopped: %1").arg(error.message);
    if (!dryRun && !snapshotPath.isEmpty())
        text += QCoreApplication::translate("Source", "; %1 keys saved in the snapshot %2 first")
                    .arg(locale.toString(qulonglong(snapshotKeys)), snapshotPath);
    return text;
}

InvalidationReport InvalidationReport::withEarlierPart(const EarlierPart& earlier) const
{
    InvalidationReport whole = *this;
    const quint64 asked = std::min(earlier.unconfirmed, earlierUnconfirmedDeleted + earlierUnconfirmedKept);
    const quint64 gone = std::min(asked, earlierUnconfirmedDeleted);
    whole.matched += earlier.deleted + gone;
    whole.deleted += earlier.deleted + gone;
    whole.unconfirmed += earlier.unconfirmed - asked;
    whole.earlierUnconfirmedDeleted = whole.earlierUnconfirmedKept = 0;   // part of the whole's figures now
    whole.seconds += earlier.seconds;
    return whole;
}

QString RestoreReport::summary() const
{
    const QLocale locale;
    auto n = [&locale](quint64 v) { return locale.toString(qulonglong(v)); };
    QString text = dryRun ? QCoreApplication::translate("Source", "%1 of %2 keys would be restored (dry run, nothing "
                                                                  "written)").arg(n(restored), n(total))
                          : QCoreApplication::translate("Source", "restored %1 of %2 keys").arg(n(restored), n(total));
    if (skippedExisting)
        text += (dryRun ? QCoreApplication::translate("Source", ", %1 exist again (re-created since) and would be skipped")
                        : QCoreApplication::translate("Source", ", skipped %1 re-created meanwhile"))
                    .arg(n(skippedExisting));
    if (skippedExpired)
        text += QCoreApplication::translate("Source", ", %1 expired (their TTL has run out since the snapshot)")
                    .arg(n(skippedExpired));
    if (failed)
        text += QCoreApplication::translate("Source", ", %1 refused by the server").arg(n(failed));
    if (unconfirmed)
        text += QCoreApplication::translate("Source", ", %1 more sent without an answer (may be restored)")
                    .arg(n(unconfirmed));
    if (restoredBefore)
        text += QCoreApplication::translate("Source", " (%1 were restored by an earlier run)").arg(n(restoredBefore));
    if (cancelled)
        text += QCoreApplication::translate("Source", ", cancelled");
    if (interrupted)
        text += QCoreApplication::translate("Source", ", interrupted");
    if (error.isError())
        text += QCoreApplication::translate("Source", ", stopped: %1").arg(error.message);
    return text;
}

} // namespace cachelens
