#pragma once
// ServerInfo: the INFO text of one server parsed into the typed fields the dashboard needs; every raw field is kept
// too. Missing fields stay -1 (old servers, proxies, INFO sections a managed service hides).
#include <QByteArray>
#include <QHash>
#include <QMap>
#include <QString>

namespace cachelens::redis {

struct KeyspaceDb {
    qint64 keys = 0;
    qint64 expires = 0;
    qint64 avgTtlMs = 0;
};

struct ServerInfo {
    QString version;                  // redis_version
    QString mode;                     // redis_mode: standalone, cluster, sentinel
    QString role;                     // master, slave
    QString runId;
    qint64 uptimeSeconds = -1;
    qint64 connectedClients = -1;
    qint64 usedMemory = -1;
    qint64 maxMemory = -1;
    qint64 keyspaceHits = -1;
    qint64 keyspaceMisses = -1;
    qint64 evictedKeys = -1;
    qint64 expiredKeys = -1;
    qint64 totalCommandsProcessed = -1;
    double instantaneousOpsPerSec = -1;
    QMap<int, KeyspaceDb> keyspace;   // db index → counts, from "db0:keys=1,expires=0,avg_ttl=0"
    QHash<QByteArray, QByteArray> fields;   // every "name:value" line, raw

    qint64 totalKeys() const;         // sum over databases
    bool isCluster() const { return mode == QLatin1String("cluster"); }
    // Adds counters and gauges of another node (cluster total); identity fields keep this node's values.
    ServerInfo& operator+=(const ServerInfo& other);

    static ServerInfo parse(const QByteArray& text);
};

} // namespace cachelens::redis
