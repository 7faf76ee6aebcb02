// cachelens-bench purge: deleting 500k of 1M keys by pattern on a real redis-server (started by the test fixture,
// loopback), `cachelensctl purge URL --match 'purge:*' --yes` (ctl::run in this process, default options: latency
// budget on, new keys included with a final sweep) against the shell pipeline people use:
//     redis-cli --scan --pattern 'purge:*' | xargs -n 1000 redis-cli unlink
// Both are checked exact: DBSIZE before and after must differ by exactly 500k (and, for ours, equal the reported
// deleted count). Target: ours ≥ 3× faster. Options: --keys N (total, default 1000000; half match), --runs N
// (default 3, medians). With --json: one JSON object on stdout; progress on stderr. The audit rows go to a
// temporary XDG_DATA_HOME, never the user's audit.db.
#include "Bench.h"

#include "RedisServer.h"
#include "connectors/ctl/Command.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <cstdio>
#include <memory>

namespace cachelens::bench {
namespace {

struct Timed {
    double seconds = 0;
    qint64 deletedByDbsize = 0;
    qint64 reported = -1;
};

void populate(test::RedisServer& server, qint64 keys)
{
    server.cli({QStringLiteral("FLUSHALL")});
    server.cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QString::number(keys / 2), QStringLiteral("purge"), QStringLiteral("16")});
    server.cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QString::number(keys - keys / 2), QStringLiteral("keep"), QStringLiteral("16")});
}

qint64 dbsize(test::RedisServer& server) { return server.cli({QStringLiteral("DBSIZE")}).toLongLong(); }

Timed ours(test::RedisServer& server, qint64 keys)
{
    populate(server, keys);
    Timed t;
    const qint64 before = dbsize(server);
    QString out, err;
    QTextStream o(&out), e(&err);
    QBuffer in;
    in.open(QIODevice::ReadOnly);
    const auto start = std::chrono::steady_clock::now();
    const int code = ctl::run({QStringLiteral("purge"), server.url(), QStringLiteral("--match"), QStringLiteral("purge:*"),
                               QStringLiteral("--yes")}, o, e, in);
    t.seconds = secondsSince(start);
    t.deletedByDbsize = before - dbsize(server);
    const auto m = QRegularExpression(QStringLiteral("deleted=(\\d+)")).match(out);
    t.reported = m.hasMatch() ? m.captured(1).toLongLong() : -1;
    if (code != 0)
        std::fprintf(stderr, "purge: cachelensctl exited %d: %s\n", code, qPrintable(err));
    return t;
}

Timed baseline(test::RedisServer& server, qint64 keys)
{
    populate(server, keys);
    Timed t;
    const qint64 before = dbsize(server);
    QProcess sh;
    const auto start = std::chrono::steady_clock::now();
    sh.start(QStringLiteral("sh"), {QStringLiteral("-c"),
                                    QStringLiteral("redis-cli -p %1 --scan --pattern 'purge:*' | xargs -n 1000 redis-cli -p %1 unlink > /dev/null")
                                        .arg(server.port())});
    sh.waitForFinished(1800000);
    t.seconds = secondsSince(start);
    t.deletedByDbsize = before - dbsize(server);
    return t;
}

int run(const Args& args)
{
    QTemporaryDir data;
    qputenv("XDG_DATA_HOME", QFile::encodeName(data.path()));
    int argc = 1;
    char name[] = "cachelens-bench";
    char* argv[] = {name, nullptr};
    std::unique_ptr<QCoreApplication> app;
    if (!QCoreApplication::instance())
        app = std::make_unique<QCoreApplication>(argc, argv);

    const qint64 keys = std::stoll(args.value("--keys", "1000000"));
    const int runs = std::stoi(args.value("--runs", "3"));
    test::RedisServer server;
    if (!server.start()) {
        std::fprintf(stderr, "purge: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    std::vector<double> ourTimes, cliTimes;
    bool exact = true;
    Timed lastOurs, lastCli;
    for (int i = 0; i < runs; ++i) {
        lastOurs = ours(server, keys);
        lastCli = baseline(server, keys);
        ourTimes.push_back(lastOurs.seconds);
        cliTimes.push_back(lastCli.seconds);
        exact = exact && lastOurs.deletedByDbsize == keys / 2 && lastOurs.reported == keys / 2
                && lastCli.deletedByDbsize == keys / 2;
        std::fprintf(stderr, "purge run %d: cachelensctl %.3f s (deleted %lld, DBSIZE drop %lld), redis-cli|xargs %.3f s "
                             "(DBSIZE drop %lld)\n", i + 1, lastOurs.seconds, static_cast<long long>(lastOurs.reported),
                     static_cast<long long>(lastOurs.deletedByDbsize), lastCli.seconds,
                     static_cast<long long>(lastCli.deletedByDbsize));
    }
    const double our = median(ourTimes), cli = median(cliTimes);
    const double speedup = cli / our;
    std::fprintf(stderr, "purge %lld of %lld keys: cachelensctl purge %.3f s vs redis-cli --scan | xargs -n 1000 unlink %.3f s "
                         "→ %.2f× faster (target ≥ 3×), counts %s\n",
                 static_cast<long long>(keys / 2), static_cast<long long>(keys), our, cli, speedup, exact ? "exact" : "NOT exact");
    if (args.json)
        std::printf("{\"bench\":\"purge\",\"keys\":%lld,\"matching\":%lld,\"runs\":%d,\"cachelensctl_seconds\":%.4f,"
                    "\"redis_cli_xargs_seconds\":%.4f,\"speedup\":%.3f,\"target_min\":3,\"exact\":%s}\n",
                    static_cast<long long>(keys), static_cast<long long>(keys / 2), runs, our, cli, speedup,
                    exact ? "true" : "false");
    return exact ? 0 : 1;
}

} // namespace

CACHELENS_BENCH(purge, "purge 500k of 1M keys by pattern: cachelensctl purge vs redis-cli --scan | xargs unlink", run);

} // namespace cachelens::bench
