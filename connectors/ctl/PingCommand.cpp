#include "connectors/ctl/Commands.h"
#include "connectors/ctl/RedisCommandSupport.h"
#include "connectors/redis/ServerInfo.h"

#include <QCoreApplication>
#include <QElapsedTimer>

namespace cachelens::ctl {

// `cachelensctl ping URL`: can CacheLens reach this server with these credentials? Prints the round trip and the
// server version: "PONG from 127.0.0.1:6379 in 0.21 ms (redis 7.0.15, standalone)".
Command pingCommand()
{
    Command c;
    c.name = QStringLiteral("ping");
    c.connects = true;
    c.summary = QCoreApplication::translate("ctl", "connect to a Redis URL, PING it and print the round trip and server version");
    c.usage = QStringLiteral("cachelensctl ping URL");
    c.options = {urlArgument()};
    c.run = [](Context& ctx) {
        if (ctx.args.size() != 1)
            return misuse(ctx, QStringLiteral("ping"), QStringLiteral("expects exactly one URL, e.g. redis://localhost:6379"));
        int code = Ok;
        auto client = connectRedis(ctx, QStringLiteral("ping"), ctx.args.first(), code);
        if (!client)
            return code;
        QElapsedTimer clock;
        clock.start();
        const redis::RedisReply pong = callRedis(*client, {QByteArrayLiteral("PING")});
        const double ms = double(clock.nsecsElapsed()) / 1e6;
        if (pong.isError()) {
            ctx.err << "cachelensctl ping: " << pong.error().message << Qt::endl;
            return int(Failed);
        }
        const redis::RedisReply info = callRedis(*client, {QByteArrayLiteral("INFO"), QByteArrayLiteral("server")});
        const redis::ServerInfo server = redis::ServerInfo::parse(info.bytes());
        ctx.out << "PONG from " << client->endpoint().label() << " in " << QString::number(ms, 'f', 2) << " ms";
        if (!server.version.isEmpty())
            ctx.out << " (redis " << server.version << ", " << (server.mode.isEmpty() ? QStringLiteral("standalone") : server.mode) << ')';
        ctx.out << Qt::endl;
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
