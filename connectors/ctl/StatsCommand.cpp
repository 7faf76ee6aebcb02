#include "connectors/ctl/Commands.h"
#include "connectors/ctl/RedisCommandSupport.h"
#include "connectors/redis/ServerInfo.h"
#include "connectors/support/Units.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTimer>

namespace cachelens::ctl {
namespace {

QJsonObject toJson(const redis::ServerInfo& info, const QString& endpoint)
{
    QJsonObject o;
    o.insert(QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    o.insert(QStringLiteral("endpoint"), endpoint);
    o.insert(QStringLiteral("version"), info.version);
    o.insert(QStringLiteral("mode"), info.mode);
    o.insert(QStringLiteral("role"), info.role);
    o.insert(QStringLiteral("run_id"), info.runId);
    o.insert(QStringLiteral("uptime_seconds"), info.uptimeSeconds);
    o.insert(QStringLiteral("keys"), info.totalKeys());
    o.insert(QStringLiteral("used_memory"), info.usedMemory);
    o.insert(QStringLiteral("connected_clients"), info.connectedClients);
    o.insert(QStringLiteral("keyspace_hits"), info.keyspaceHits);
    o.insert(QStringLiteral("keyspace_misses"), info.keyspaceMisses);
    o.insert(QStringLiteral("evicted_keys"), info.evictedKeys);
    o.insert(QStringLiteral("expired_keys"), info.expiredKeys);
    o.insert(QStringLiteral("total_commands_processed"), info.totalCommandsProcessed);
    o.insert(QStringLiteral("instantaneous_ops_per_sec"), info.instantaneousOpsPerSec);
    const qint64 lookups = info.keyspaceHits + info.keyspaceMisses;
    o.insert(QStringLiteral("hit_rate"), lookups > 0 ? double(info.keyspaceHits) / double(lookups) : QJsonValue());
    QJsonObject dbs;
    for (auto it = info.keyspace.cbegin(); it != info.keyspace.cend(); ++it)
        dbs.insert(QStringLiteral("db%1").arg(it.key()), QJsonObject{{QStringLiteral("keys"), it->keys}, {QStringLiteral("expires"), it->expires}});
    o.insert(QStringLiteral("keyspace"), dbs);
    return o;
}

void printHuman(QTextStream& out, const redis::ServerInfo& info, const QString& endpoint)
{
    const qint64 lookups = info.keyspaceHits + info.keyspaceMisses;
    out << "server    " << endpoint << " redis " << info.version << ' ' << info.mode << ", role " << info.role
        << ", up " << formatCount(info.uptimeSeconds) << " s\n";
    out << "keys      " << formatCount(info.totalKeys());
    for (auto it = info.keyspace.cbegin(); it != info.keyspace.cend(); ++it)
        out << "  db" << it.key() << '=' << formatCount(it->keys);
    out << '\n';
    out << "memory    " << formatBytes(info.usedMemory, 1, QLocale::c()) << '\n';
    out << "hits      " << formatCount(info.keyspaceHits) << "  misses " << formatCount(info.keyspaceMisses);
    if (lookups > 0)
        out << "  hit rate " << QString::number(100.0 * double(info.keyspaceHits) / double(lookups), 'f', 1) << " %";
    out << '\n';
    out << "ops/s     " << info.instantaneousOpsPerSec << "  commands " << formatCount(info.totalCommandsProcessed) << '\n';
    out << "evicted   " << formatCount(info.evictedKeys) << "  expired " << formatCount(info.expiredKeys) << '\n';
    out << "clients   " << formatCount(info.connectedClients) << Qt::endl;
}

} // namespace

// `cachelensctl stats URL [--json] [--watch SECONDS [--count N]]`: the dashboard's figures for a script or a
// terminal. With --watch, one sample every SECONDS until interrupted (or N samples); --json prints one JSON object
// per sample, one per line.
Command statsCommand()
{
    Command c;
    c.name = QStringLiteral("stats");
    c.connects = true;
    c.summary = QCoreApplication::translate("ctl", "print a Redis server's hits, misses, memory, keys, ops/s (once or every N seconds)");
    c.usage = QStringLiteral("cachelensctl stats URL [--json] [--watch SECONDS [--count N]]");
    c.options = {urlArgument(),
                 option("--json", "one JSON object per sample, one per line"),
                 option("--watch SECONDS", "take a sample every SECONDS (fractions allowed) until interrupted"),
                 option("--count N", "stop after N samples")};
    c.run = [](Context& ctx) {
        QCommandLineParser parser;
        parser.addPositionalArgument(QStringLiteral("url"), QString());
        parser.addOption({QStringLiteral("json"), QString()});
        parser.addOption({QStringLiteral("watch"), QString(), QStringLiteral("seconds")});
        parser.addOption({QStringLiteral("count"), QString(), QStringLiteral("n")});
        if (!parser.parse(QStringList{QStringLiteral("stats")} + ctx.args))
            return misuse(ctx, QStringLiteral("stats"), parser.errorText());
        if (parser.positionalArguments().size() != 1)
            return misuse(ctx, QStringLiteral("stats"), QStringLiteral("expects exactly one URL, e.g. redis://localhost:6379"));
        double watch = 0;
        if (parser.isSet(QStringLiteral("watch"))) {
            bool ok = false;
            watch = parser.value(QStringLiteral("watch")).toDouble(&ok);
            if (!ok || watch <= 0)
                return misuse(ctx, QStringLiteral("stats"), QStringLiteral("--watch needs a positive number of seconds"));
        }
        qint64 samples = watch > 0 ? -1 : 1;
        if (parser.isSet(QStringLiteral("count"))) {
            bool ok = false;
            samples = parser.value(QStringLiteral("count")).toLongLong(&ok);
            if (!ok || samples <= 0)
                return misuse(ctx, QStringLiteral("stats"), QStringLiteral("--count needs a positive number"));
        }
        const bool json = parser.isSet(QStringLiteral("json"));
        int code = Ok;
        auto client = connectRedis(ctx, QStringLiteral("stats"), parser.positionalArguments().first(), code);
        if (!client)
            return code;
        const QString endpoint = client->endpoint().label();
        for (qint64 n = 0; samples < 0 || n < samples; ++n) {
            if (n > 0) {
                QEventLoop pause;
                QTimer::singleShot(int(watch * 1000), &pause, &QEventLoop::quit);
                pause.exec();
            }
            const redis::RedisReply reply = callRedis(*client, {QByteArrayLiteral("INFO")});
            if (reply.isError()) {
                ctx.err << "cachelensctl stats: " << reply.error().message << Qt::endl;
                return int(Failed);
            }
            const redis::ServerInfo info = redis::ServerInfo::parse(reply.bytes());
            if (json)
                ctx.out << QJsonDocument(toJson(info, endpoint)).toJson(QJsonDocument::Compact) << Qt::endl;
            else
                printHuman(ctx.out, info, endpoint);
            if (!json && watch > 0)
                ctx.out << Qt::endl;
        }
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
