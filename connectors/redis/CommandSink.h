#pragma once
// CommandSink: where the helpers (KeyCommands, ValueReader) send keyed commands — one RedisClient, or a
// ClusterClient that routes each command to the master owning its key's slot. Same contract as
// RedisClient::command: replies in order per node, callbacks on the sink's thread, guarded by `context`.
#include "connectors/redis/RedisReply.h"

#include <QByteArray>
#include <QList>

#include <functional>

class QObject;

namespace cachelens::redis {

class CommandSink
{
public:
    using Callback = std::function<void(const RedisReply& reply)>;
    virtual ~CommandSink() = default;
    virtual void command(const QList<QByteArray>& args, QObject* context, Callback callback, int timeoutMs = 0) = 0;
};

} // namespace cachelens::redis
