#pragma once
// Batch operations on keys, pipelined on one RedisClient: details (TYPE + PTTL + MEMORY USAGE), TTL changes and
// removal. Each reports once, through `done`, on the client's thread; `context` guards the callback like
// RedisClient::command.
#include "connectors/SourceTypes.h"
#include "connectors/redis/RedisReply.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QVector>

#include <functional>

namespace cachelens::redis {

class CommandSink;

KeyType keyTypeFromName(const QByteArray& name);   // reply of TYPE: "string", "hash", …, "none"

// TYPE, PTTL and (when withMemory) MEMORY USAGE for every key, all pipelined: one round trip for the batch instead
// of 3 per key. Entries come back in the order of `keys`; a key deleted meanwhile has type None. `firstError` is the
// first error reply (other keys are still filled); MEMORY USAGE unknown to the server (Redis < 4) leaves -1.
using KeyDetailsDone = std::function<void(QVector<KeyEntry> entries, RedisError firstError)>;
// Per key with memory: three commands, two of them keyspace lookups (TYPE, PTTL; MEMORY USAGE counts none).
inline constexpr int kKeyDetailsCommands = 3;
inline constexpr int kKeyDetailsLookups = 2;
// Per key of fetchKeyStats: TYPE, plus the element count (HLEN, LLEN, SCARD, ZCARD, XLEN or STRLEN) and OBJECT FREQ
// when asked; every one of them is a keyspace lookup.
constexpr int keyStatsCommands(bool withElements, bool withFrequency)
{
    return 1 + (withElements ? 1 : 0) + (withFrequency ? 1 : 0);
}
void fetchKeyDetails(CommandSink& client, const QList<QByteArray>& keys, bool withMemory, QObject* context,
                     KeyDetailsDone done);

// PEXPIRE every key to ttlMs (> 0), or PERSIST when ttlMs < 0. `affected`: keys whose TTL changed (PEXPIRE/PERSIST
// answered 1). Pipelined in windows, so a namespace of a million keys does not sit in one socket buffer.
using KeyOpDone = std::function<void(quint64 affected, RedisError error)>;
void setKeysTtl(CommandSink& client, const QList<QByteArray>& keys, qint64 ttlMs, QObject* context, KeyOpDone done);

// UNLINK in batches of `batchSize` keys (a few batches in flight); a server without UNLINK (Redis < 4) gets DEL.
// `affected`: keys that existed and are gone.
void removeKeys(CommandSink& client, const QList<QByteArray>& keys, int batchSize, QObject* context, KeyOpDone done);

// ---- Keys panel: element counts and access frequency (#7) ----
// TYPE (and OBJECT FREQ when withFrequency) for every key in one pipeline, then, when withElements, the element
// count by type (HLEN/LLEN/SCARD/ZCARD/XLEN, STRLEN) in a second one. TYPE and OBJECT FREQ do not touch the key;
// the count commands do (they update its LRU clock / LFU counter, as `redis-cli --bigkeys` does), so frequencies
// are read before any count. `frequencyUnavailable` carries the server's own text when OBJECT FREQ was refused
// (no LFU maxmemory-policy); such keys keep frequency -1 and that refusal is not `firstError`.
using KeyStatsDone = std::function<void(QVector<KeyStat> stats, RedisError firstError, QString frequencyUnavailable)>;
void fetchKeyStats(CommandSink& client, const QList<QByteArray>& keys, bool withElements, bool withFrequency,
                   QObject* context, KeyStatsDone done);
// The element-count command for a type ("HLEN", …, "STRLEN"); empty for Unknown/None.
QByteArray elementCountCommand(KeyType type);
// True for maxmemory-policy values under which Redis keeps LFU counters (allkeys-lfu, volatile-lfu).
bool isLfuPolicy(const QByteArray& policy);

} // namespace cachelens::redis
