#pragma once
// KeyspaceLookups: what a command CacheLens sends does to the server's keyspace_hits and keyspace_misses (INFO stats),
// so the Dashboard can take CacheLens's own lookups out of the hit rate it shows (RedisClient counts every reply).
//
// Redis (7.0) counts a lookup when a command reads a key through lookupKeyRead* without LOOKUP_NOSTATS: TYPE, PTTL,
// EXISTS (once per key), GET/MGET, the length commands, the range and *SCAN readers, DUMP, OBJECT …; a hit when the
// key exists, a miss when it does not (or has just expired). Writes (SET, HSET, PEXPIRE, UNLINK, RESTORE …), SCAN,
// MEMORY USAGE, DBSIZE and INFO count nothing. A command that looks the key up and then refuses it (WRONGTYPE,
// OBJECT FREQ without an LFU policy) still counted a hit. Whether it was a hit or a miss is read from the reply:
// TYPE "none", PTTL -2, nil, a length of 0, an empty range are misses. Where Redis answers a missing key and an empty
// value alike (STRLEN of an empty string, XLEN of an empty stream, a range past the end) the reply reads as a miss.
// A Lua script, or a command this table does not know, may look keys up in numbers nobody can tell from its reply:
// it is counted as uncountable, so the Dashboard can say its correction is partial. tst_keyspacelookups checks every
// rule against a real server.
#include "connectors/redis/RedisReply.h"

#include <QByteArray>
#include <QList>

#include <cstdint>

namespace cachelens::redis {

struct LookupCounts {
    quint64 hits = 0;
    quint64 misses = 0;
    quint64 uncountable = 0;   // commands whose lookups could not be counted (scripts, unknown commands)
    LookupCounts& operator+=(const LookupCounts& other)
    {
        hits += other.hits;
        misses += other.misses;
        uncountable += other.uncountable;
        return *this;
    }
    bool operator==(const LookupCounts&) const = default;
};

enum class LookupRule : std::uint8_t {
    None,          // no counted lookup
    Type,          // TYPE: "none" is a miss
    Ttl,           // PTTL/TTL: -2 is a miss
    NilIsMiss,     // GET, DUMP
    Object,        // OBJECT FREQ/ENCODING/…: nil is a miss; a refusal after the lookup (no LFU policy) is a hit
    ZeroIsMiss,    // STRLEN, HLEN, LLEN, SCARD, ZCARD, XLEN
    EmptyIsMiss,   // GETRANGE "", LRANGE/XRANGE/SMEMBERS/… []
    ScanIsMiss,    // HSCAN/SSCAN/ZSCAN: cursor 0 and no element
    Exists,        // EXISTS k…: the reply counts the hits, the other keys missed
    MGet,          // MGET k…: one lookup per key, nil a miss
    Uncountable,   // EVAL/EVALSHA and commands not in the table
};

// The rule for a command (its name and, for MEMORY/OBJECT/…, its subcommand; case-insensitive).
LookupRule lookupRule(const QList<QByteArray>& args);
// What one reply to a command of that rule counted; `keys` is the number of key arguments (EXISTS, MGET).
LookupCounts countLookups(LookupRule rule, qsizetype keys, const RedisReply& reply);

} // namespace cachelens::redis
