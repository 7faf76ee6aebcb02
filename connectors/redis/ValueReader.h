#pragma once
// Paged, typed reads of one key's value, so the value viewer never asks the server for a whole 100 MB string or a
// hash of ten million fields at once:
//   string  STRLEN + GETRANGE offset…offset+pageSize-1   cursor = byte offset
//   list    LLEN + LRANGE start start+pageSize-1          cursor = index
//   hash    HLEN + HSCAN cursor COUNT pageSize             cursor = HSCAN cursor
//   set     SCARD + SSCAN …                                cursor = SSCAN cursor
//   zset    ZCARD + ZSCAN …                                cursor = ZSCAN cursor
//   stream  XLEN + XRANGE (lastId + COUNT pageSize        cursor = last id read (exclusive ranges: Redis 6.2+)
// The size, TTL and page are pipelined in one round trip; an unknown type costs one TYPE round trip first.
#include "connectors/SourceTypes.h"

#include <QObject>

#include <functional>

namespace cachelens::redis {

class CommandSink;

using ValuePageDone = std::function<void(ValuePage page)>;

// `page.requestId` is left 0 for the caller to fill. pageSize: bytes for strings, elements otherwise.
void readValuePage(CommandSink& client, const QByteArray& key, KeyType type, const QByteArray& cursor, int pageSize,
                   QObject* context, ValuePageDone done);

} // namespace cachelens::redis
