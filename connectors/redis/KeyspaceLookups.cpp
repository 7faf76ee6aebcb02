#include "connectors/redis/KeyspaceLookups.h"

#include <QHash>

#include <algorithm>

namespace cachelens::redis {

namespace {

const QHash<QByteArray, LookupRule>& rules()
{
    // Every command CacheLens sends, and a few close relatives; anything else is Uncountable.
    static const QHash<QByteArray, LookupRule> table{
        // Connection, server and keyless commands, SCAN included.
        {"AUTH", LookupRule::None}, {"SELECT", LookupRule::None}, {"CLIENT", LookupRule::None},
        {"ROLE", LookupRule::None}, {"PING", LookupRule::None}, {"ECHO", LookupRule::None},
        {"INFO", LookupRule::None}, {"DBSIZE", LookupRule::None}, {"SCAN", LookupRule::None},
        {"CLUSTER", LookupRule::None}, {"CONFIG", LookupRule::None}, {"ASKING", LookupRule::None},
        {"SENTINEL", LookupRule::None}, {"PUBLISH", LookupRule::None}, {"SLOWLOG", LookupRule::None},
        {"TIME", LookupRule::None}, {"SCRIPT", LookupRule::None},
        // MEMORY USAGE finds the key in the dictionary directly, without a counted lookup.
        {"MEMORY", LookupRule::None},
        // Writes look keys up for writing, which Redis does not count.
        {"SET", LookupRule::None}, {"HSET", LookupRule::None}, {"DEL", LookupRule::None},
        {"UNLINK", LookupRule::None}, {"PEXPIRE", LookupRule::None}, {"EXPIRE", LookupRule::None},
        {"PERSIST", LookupRule::None}, {"RESTORE", LookupRule::None},
        // Reads.
        {"TYPE", LookupRule::Type},
        {"PTTL", LookupRule::Ttl}, {"TTL", LookupRule::Ttl},
        {"GET", LookupRule::NilIsMiss}, {"DUMP", LookupRule::NilIsMiss},
        {"OBJECT", LookupRule::Object},
        {"STRLEN", LookupRule::ZeroIsMiss}, {"HLEN", LookupRule::ZeroIsMiss}, {"LLEN", LookupRule::ZeroIsMiss},
        {"SCARD", LookupRule::ZeroIsMiss}, {"ZCARD", LookupRule::ZeroIsMiss}, {"XLEN", LookupRule::ZeroIsMiss},
        {"GETRANGE", LookupRule::EmptyIsMiss}, {"LRANGE", LookupRule::EmptyIsMiss},
        {"XRANGE", LookupRule::EmptyIsMiss}, {"SMEMBERS", LookupRule::EmptyIsMiss},
        {"HSCAN", LookupRule::ScanIsMiss}, {"SSCAN", LookupRule::ScanIsMiss}, {"ZSCAN", LookupRule::ScanIsMiss},
        {"EXISTS", LookupRule::Exists},
        // Scripts read what they like.
        {"EVAL", LookupRule::Uncountable}, {"EVALSHA", LookupRule::Uncountable},
    };
    return table;
}

bool isUpper(const QByteArray& name)
{
    for (char c : name)
        if (c >= 'a' && c <= 'z')
            return false;
    return true;
}

LookupCounts hitIf(bool hit)
{
    return hit ? LookupCounts{1, 0, 0} : LookupCounts{0, 1, 0};
}

} // namespace

LookupRule lookupRule(const QList<QByteArray>& args)
{
    if (args.isEmpty())
        return LookupRule::None;
    const QByteArray& first = args.first();
    const QByteArray name = isUpper(first) ? first : first.toUpper();   // CacheLens's own literals are upper case
    const auto it = rules().constFind(name);
    if (it == rules().constEnd())
        return LookupRule::Uncountable;
    if (*it == LookupRule::Object && args.size() < 3)
        return LookupRule::None;   // OBJECT HELP
    if (name == "SET") {
        // SET … GET reads the old value the counted way.
        for (qsizetype i = 3; i < args.size(); ++i)
            if (args.at(i).compare("GET", Qt::CaseInsensitive) == 0)
                return LookupRule::NilIsMiss;
    }
    return *it;
}

LookupCounts countLookups(LookupRule rule, qsizetype keys, const RedisReply& reply)
{
    switch (rule) {
    case LookupRule::None:
        return {};
    case LookupRule::Uncountable:
        return {0, 0, 1};
    case LookupRule::Exists: {
        if (!reply.isInteger())
            return {};
        const quint64 hits = quint64(std::clamp<long long>(reply.toInteger(), 0, keys));
        return {hits, quint64(keys) - hits, 0};
    }
    default:
        break;
    }
    if (reply.isError()) {
        // The key was found, then refused: WRONGTYPE, or OBJECT FREQ/IDLETIME under the other kind of policy.
        // Other errors (syntax, NOPERM, MOVED, a client-side failure) come before any lookup.
        if (reply.error().kind == RedisError::Kind::WrongType)
            return {1, 0, 0};
        if (rule == LookupRule::Object && reply.error().message.contains(QLatin1String("maxmemory policy")))
            return {1, 0, 0};
        return {};
    }
    switch (rule) {
    case LookupRule::Type:
        return hitIf(reply.bytes() != "none");
    case LookupRule::Ttl:
        return hitIf(!(reply.isInteger() && reply.toInteger() == -2));
    case LookupRule::NilIsMiss:
    case LookupRule::Object:
        return hitIf(!reply.isNil());
    case LookupRule::ZeroIsMiss:
        return hitIf(!(reply.isInteger() && reply.toInteger() == 0));
    case LookupRule::EmptyIsMiss:
        return hitIf(reply.isArray() ? !reply.elements().isEmpty() : !reply.bytes().isEmpty());
    case LookupRule::ScanIsMiss:
        return hitIf(!(reply.isArray() && reply.elements().size() == 2 && reply.elements().at(0).bytes() == "0"
                       && reply.elements().at(1).elements().isEmpty()));
    default:
        return {};
    }
}

} // namespace cachelens::redis
