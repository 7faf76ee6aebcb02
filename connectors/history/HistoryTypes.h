#pragma once
// Plain value types of the metrics history (history.db): what the dashboard records and reads back.
#include "connectors/SourceTypes.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QVector>

namespace cachelens {

// A vertical line on the dashboard's timeline.
struct HistoryMarker {
    enum class Kind { Deploy, Restart, Flush, StatsReset, Alert };
    qint64 id = 0;                  // row id in history.db; 0 until stored
    QString sourceId;               // the connection it concerns; empty for a deploy that concerns all of them
    QDateTime time;                 // UTC
    Kind kind = Kind::Deploy;
    QString label;                  // the user's text ("v2.3.1 to prod"), or a generated one ("restart")
};

inline QString markerKindKey(HistoryMarker::Kind kind)   // stored in history.db: never translate
{
    switch (kind) {
    case HistoryMarker::Kind::Deploy: return QStringLiteral("deploy");
    case HistoryMarker::Kind::Restart: return QStringLiteral("restart");
    case HistoryMarker::Kind::Flush: return QStringLiteral("flush");
    case HistoryMarker::Kind::StatsReset: return QStringLiteral("statsreset");
    case HistoryMarker::Kind::Alert: return QStringLiteral("alert");
    }
    return {};
}

inline HistoryMarker::Kind markerKindFromKey(const QString& key)
{
    for (auto k : {HistoryMarker::Kind::Restart, HistoryMarker::Kind::Flush, HistoryMarker::Kind::StatsReset,
                   HistoryMarker::Kind::Alert}) {
        if (key == markerKindKey(k))
            return k;
    }
    return HistoryMarker::Kind::Deploy;
}

} // namespace cachelens

Q_DECLARE_METATYPE(cachelens::HistoryMarker)
