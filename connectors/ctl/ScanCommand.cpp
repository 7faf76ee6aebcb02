#include "connectors/ctl/Commands.h"
#include "connectors/ctl/RedisCommandSupport.h"
#include "connectors/redis/KeyScanner.h"

#include <cachelens/key_escape.h>

#include <QCommandLineParser>
#include <QCoreApplication>

namespace cachelens::ctl {
namespace {

QString escaped(const QByteArray& key)
{
    return QString::fromStdString(engine::escapeKey(std::string_view(key.constData(), size_t(key.size()))));
}

// The escaped form holds printable UTF-8 and backslash escapes only, so JSON needs just '\\' and '"' escaped.
QString jsonString(QString text)
{
    text.replace(QLatin1Char('\\'), QStringLiteral("\\\\")).replace(QLatin1Char('"'), QStringLiteral("\\\""));
    return QLatin1Char('"') + text + QLatin1Char('"');
}

} // namespace

// `cachelensctl scan URL [--match GLOB] [--type T] [--count-only] [--json] [--page N]`: every key, escaped and one
// per line (so NUL bytes, newlines and invalid UTF-8 survive a pipe; `cachelensctl match` reads the same form), or
// only their number. Keys are printed as pages arrive, so memory stays flat on a million keys.
Command scanCommand()
{
    Command c;
    c.name = QStringLiteral("scan");
    c.connects = true;
    c.summary = QCoreApplication::translate("ctl", "list (or count) a Redis server's keys with SCAN, escaped one per line");
    c.usage = QStringLiteral("cachelensctl scan URL [--match GLOB] [--type TYPE] [--count-only] [--json] [--page N]");
    c.options = {urlArgument(),
                 option("--match GLOB", "only keys matching this Redis glob (* ? [abc] [^a] [a-z] \\x); quote it for the shell"),
                 option("--type TYPE", "only keys of this type: string, list, set, zset, hash or stream"),
                 option("--count-only", "print the number of keys instead of the keys"),
                 option("--json", "print {\"keys\":[…],\"count\":N} (or {\"count\":N} with --count-only)"),
                 option("--page N", "SCAN's COUNT hint: keys asked for per round trip")};
    c.run = [](Context& ctx) {
        QCommandLineParser parser;
        parser.addPositionalArgument(QStringLiteral("url"), QString());
        parser.addOption({QStringLiteral("match"), QString(), QStringLiteral("glob")});
        parser.addOption({QStringLiteral("type"), QString(), QStringLiteral("type")});
        parser.addOption({QStringLiteral("count-only"), QString()});
        parser.addOption({QStringLiteral("json"), QString()});
        parser.addOption({QStringLiteral("page"), QString(), QStringLiteral("n")});
        if (!parser.parse(QStringList{QStringLiteral("scan")} + ctx.args))
            return misuse(ctx, QStringLiteral("scan"), parser.errorText());
        if (parser.positionalArguments().size() != 1)
            return misuse(ctx, QStringLiteral("scan"), QStringLiteral("expects exactly one URL, e.g. redis://localhost:6379"));
        redis::KeyScanner::Options options;
        options.match = parser.value(QStringLiteral("match")).toUtf8();
        if (parser.isSet(QStringLiteral("match")) && !acceptGlob(ctx, QStringLiteral("scan"), options.match))
            return int(Misuse);
        options.type = parser.value(QStringLiteral("type")).toLower().toUtf8();
        static const QList<QByteArray> types{"string", "list", "set", "zset", "hash", "stream"};
        if (!options.type.isEmpty() && !types.contains(options.type))
            return misuse(ctx, QStringLiteral("scan"),
                          QStringLiteral("--type must be one of string, list, set, zset, hash, stream (not '%1')")
                              .arg(parser.value(QStringLiteral("type"))));
        if (parser.isSet(QStringLiteral("page"))) {
            bool ok = false;
            options.count = parser.value(QStringLiteral("page")).toInt(&ok);
            if (!ok || options.count <= 0)
                return misuse(ctx, QStringLiteral("scan"), QStringLiteral("--page needs a positive number"));
        }
        const bool countOnly = parser.isSet(QStringLiteral("count-only"));
        const bool json = parser.isSet(QStringLiteral("json"));

        int code = Ok;
        auto client = connectRedis(ctx, QStringLiteral("scan"), parser.positionalArguments().first(), code);
        if (!client)
            return code;

        redis::KeyScanner scanner(client.get(), options);
        bool first = true;
        if (json && !countOnly)
            ctx.out << "{\"keys\":[";
        if (!countOnly) {
            QObject::connect(&scanner, &redis::KeyScanner::keysFound, &scanner, [&](const QList<QByteArray>& keys) {
                for (const QByteArray& key : keys) {
                    if (json) {
                        ctx.out << (first ? "" : ",") << jsonString(escaped(key));
                        first = false;
                    } else {
                        ctx.out << escaped(key) << '\n';
                    }
                }
            });
        }
        QEventLoop loop;
        quint64 total = 0;
        redis::RedisError error;
        QObject::connect(&scanner, &redis::KeyScanner::finished, &loop,
                         [&](quint64 n, bool, const redis::RedisError& e) {
                             total = n;
                             error = e;
                             loop.quit();
                         });
        scanner.start();
        loop.exec();
        if (json && !countOnly)
            ctx.out << "],\"count\":" << total << '}' << Qt::endl;
        else if (json)
            ctx.out << "{\"count\":" << total << '}' << Qt::endl;
        else if (countOnly)
            ctx.out << total << Qt::endl;
        ctx.out.flush();
        if (error.isError()) {
            ctx.err << "cachelensctl scan: stopped after " << total << " keys: " << error.message << Qt::endl;
            return int(Failed);
        }
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
