#include "connectors/redis/ServerInfo.h"

#include <QList>

namespace cachelens::redis {
namespace {

qint64 number(const QHash<QByteArray, QByteArray>& fields, const char* name)
{
    const auto it = fields.constFind(QByteArray(name));
    if (it == fields.constEnd())
        return -1;
    bool ok = false;
    const qint64 v = it->toLongLong(&ok);
    return ok ? v : -1;
}

qint64 addKnown(qint64 a, qint64 b) { return a < 0 ? b : b < 0 ? a : a + b; }

} // namespace

ServerInfo ServerInfo::parse(const QByteArray& text)
{
    ServerInfo info;
    for (const QByteArray& rawLine : text.split('\n')) {
        const QByteArray line = rawLine.trimmed();   // INFO lines end in \r\n
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const int colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon);
        const QByteArray value = line.mid(colon + 1);
        info.fields.insert(name, value);
        if (name.startsWith("db")) {
            bool ok = false;
            const int db = name.mid(2).toInt(&ok);
            if (!ok)
                continue;
            KeyspaceDb counts;
            for (const QByteArray& part : value.split(',')) {
                const int eq = part.indexOf('=');
                const QByteArray k = part.left(eq);
                const qint64 v = part.mid(eq + 1).toLongLong();
                if (k == "keys")
                    counts.keys = v;
                else if (k == "expires")
                    counts.expires = v;
                else if (k == "avg_ttl")
                    counts.avgTtlMs = v;
            }
            info.keyspace.insert(db, counts);
        }
    }
    const auto& f = info.fields;
    info.version = QString::fromUtf8(f.value("redis_version"));
    info.mode = QString::fromUtf8(f.value("redis_mode"));
    info.role = QString::fromUtf8(f.value("role"));
    info.runId = QString::fromUtf8(f.value("run_id"));
    info.uptimeSeconds = number(f, "uptime_in_seconds");
    info.connectedClients = number(f, "connected_clients");
    info.usedMemory = number(f, "used_memory");
    info.maxMemory = number(f, "maxmemory");
    info.keyspaceHits = number(f, "keyspace_hits");
    info.keyspaceMisses = number(f, "keyspace_misses");
    info.evictedKeys = number(f, "evicted_keys");
    info.expiredKeys = number(f, "expired_keys");
    info.totalCommandsProcessed = number(f, "total_commands_processed");
    if (f.contains("instantaneous_ops_per_sec"))
        info.instantaneousOpsPerSec = f.value("instantaneous_ops_per_sec").toDouble();
    return info;
}

qint64 ServerInfo::totalKeys() const
{
    qint64 total = 0;
    for (const KeyspaceDb& db : keyspace)
        total += db.keys;
    return total;
}

ServerInfo& ServerInfo::operator+=(const ServerInfo& o)
{
    uptimeSeconds = uptimeSeconds < 0 ? o.uptimeSeconds : o.uptimeSeconds < 0 ? uptimeSeconds : qMin(uptimeSeconds, o.uptimeSeconds);
    connectedClients = addKnown(connectedClients, o.connectedClients);
    usedMemory = addKnown(usedMemory, o.usedMemory);
    maxMemory = addKnown(maxMemory, o.maxMemory);
    keyspaceHits = addKnown(keyspaceHits, o.keyspaceHits);
    keyspaceMisses = addKnown(keyspaceMisses, o.keyspaceMisses);
    evictedKeys = addKnown(evictedKeys, o.evictedKeys);
    expiredKeys = addKnown(expiredKeys, o.expiredKeys);
    totalCommandsProcessed = addKnown(totalCommandsProcessed, o.totalCommandsProcessed);
    if (o.instantaneousOpsPerSec >= 0)
        instantaneousOpsPerSec = qMax(0.0, instantaneousOpsPerSec) + o.instantaneousOpsPerSec;
    for (auto it = o.keyspace.cbegin(); it != o.keyspace.cend(); ++it) {
        KeyspaceDb& db = keyspace[it.key()];
        db.keys += it->keys;
        db.expires += it->expires;
    }
    return *this;
}

} // namespace cachelens::redis
