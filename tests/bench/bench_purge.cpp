// cachelens-bench purge: deleting 500k of 1M keys by pattern on a real redis-server (started by the test fixture,
// loopback), `cachelensctl purge URL --match 'purge:*' --yes` (ctl::run in this process; default options, i.e. a
// 2 ms latency budget, and again with --latency-budget 0) against the shell pipeline people use:
//     redis-cli --scan --pattern 'purge:*' | xargs -n 1000 redis-cli unlink
// Both are checked exact: DBSIZE before and after must differ by exactly 500k (and, for ours, equal the reported
// deleted count). Target: ours ≥ 3× faster. Options: --keys N (total, default 1000000; half match), --runs N
// (default 3, medians). With --json: one JSON object on stdout; progress on stderr. The audit rows go to a
// temporary XDG_DATA_HOME, never the user's audit.db. Beside the times it prints what the server itself spent in each
// approach (INFO commandstats: SCAN and UNLINK calls and microseconds; the JSON has the last run's), which is the
// floor no client can beat.
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

// What the server itself spent (INFO commandstats, reset before each run): the floor no client can go under.
struct ServerCost {
    qint64 scanCalls = 0, scanUsec = 0, unlinkCalls = 0, unlinkUsec = 0, otherUsec = 0;
    double seconds() const { return double(scanUsec + unlinkUsec + otherUsec) / 1e6; }
};

ServerCost serverCost(test::RedisServer& server)
{
    ServerCost c;
    static const QRegularExpression line(QStringLiteral("^cmdstat_([a-z|]+):calls=(\\d+),usec=(\\d+)"),
                                         QRegularExpression::MultilineOption);
    const QString info = QString::fromUtf8(server.cli({QStringLiteral("INFO"), QStringLiteral("commandstats")}));
    for (auto it = line.globalMatch(info); it.hasNext();) {
        const auto m = it.next();
        const QString cmd = m.captured(1);
        const qint64 calls = m.captured(2).toLongLong(), usec = m.captured(3).toLongLong();
        if (cmd == QStringLiteral("scan")) {
            c.scanCalls = calls;
            c.scanUsec = usec;
        } else if (cmd == QStringLiteral("unlink")) {
            c.unlinkCalls = calls;
            c.unlinkUsec = usec;
        } else if (cmd != QStringLiteral("info") && cmd != QStringLiteral("config|resetstat")) {
            c.otherUsec += usec;
        }
    }
    return c;
}

void resetStats(test::RedisServer& server) { server.cli({QStringLiteral("CONFIG"), QStringLiteral("RESETSTAT")}); }

struct Timed {
    double seconds = 0;
    qint64 deletedByDbsize = 0;
    qint64 reported = -1;
    ServerCost server;
};

void populate(test::RedisServer& server, qint64 keys)
{
    server.cli({QStringLiteral("FLUSHALL")});
    server.cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QString::number(keys / 2), QStringLiteral("purge"), QStringLiteral("16")});
    server.cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QString::number(keys - keys / 2), QStringLiteral("keep"), QStringLiteral("16")});
}

qint64 dbsize(test::RedisServer& server) { return server.cli({QStringLiteral("DBSIZE")}).toLongLong(); }

Timed ours(test::RedisServer& server, qint64 keys, const QStringList& extra)
{
    populate(server, keys);
    Timed t;
    const qint64 before = dbsize(server);
    resetStats(server);
    QString out, err;
    QTextStream o(&out), e(&err);
    QBuffer in;
    in.open(QIODevice::ReadOnly);
    const auto start = std::chrono::steady_clock::now();
    const int code = ctl::run(QStringList{QStringLiteral("purge"), server.url(), QStringLiteral("--match"), QStringLiteral("purge:*"),
                               QStringLiteral("--yes")} + extra, o, e, in);
    t.seconds = secondsSince(start);
    t.server = serverCost(server);
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
    resetStats(server);
    QProcess sh;
    const auto start = std::chrono::steady_clock::now();
    sh.start(QStringLiteral("sh"), {QStringLiteral("-c"),
                                    QStringLiteral("redis-cli -p %1 --scan --pattern 'purge:*' | xargs -n 1000 redis-cli -p %1 unlink > /dev/null")
                                        .arg(server.port())});
    sh.waitForFinished(1800000);
    t.seconds = secondsSince(start);
    t.server = serverCost(server);
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
    // Default options (2 ms latency budget: gentle on a production server) and without a budget (as fast as the
    // server answers), each against the same pipeline.
    std::vector<double> gentleTimes, fastTimes, cliTimes;
    Timed lastGentle, lastFast, lastCli;
    bool exact = true;
    for (int i = 0; i < runs; ++i) {
        const Timed gentle = ours(server, keys, {});
        const Timed fast = ours(server, keys, {QStringLiteral("--latency-budget"), QStringLiteral("0")});
        const Timed cli = baseline(server, keys);
        gentleTimes.push_back(gentle.seconds);
        fastTimes.push_back(fast.seconds);
        cliTimes.push_back(cli.seconds);
        lastGentle = gentle;
        lastFast = fast;
        lastCli = cli;
        for (const auto& [what, t] : {std::pair{"cachelensctl", &gentle}, std::pair{"--latency-budget 0", &fast},
                                      std::pair{"redis-cli|xargs", &cli}})
            std::fprintf(stderr, "  server cost, %s: SCAN %lld calls %.3f s, UNLINK %lld calls %.3f s, other %.3f s; "
                                 "server busy %.3f s of %.3f s wall\n", what,
                         static_cast<long long>(t->server.scanCalls), double(t->server.scanUsec) / 1e6,
                         static_cast<long long>(t->server.unlinkCalls), double(t->server.unlinkUsec) / 1e6,
                         double(t->server.otherUsec) / 1e6, t->server.seconds(), t->seconds);
        for (const Timed& t : {gentle, fast})
            exact = exact && t.deletedByDbsize == keys / 2 && t.reported == keys / 2;
        exact = exact && cli.deletedByDbsize == keys / 2;
        std::fprintf(stderr, "purge run %d: cachelensctl %.3f s (deleted %lld, DBSIZE drop %lld), with --latency-budget 0 "
                             "%.3f s (deleted %lld, DBSIZE drop %lld), redis-cli|xargs %.3f s (DBSIZE drop %lld)\n", i + 1,
                     gentle.seconds, static_cast<long long>(gentle.reported), static_cast<long long>(gentle.deletedByDbsize),
                     fast.seconds, static_cast<long long>(fast.reported), static_cast<long long>(fast.deletedByDbsize),
                     cli.seconds, static_cast<long long>(cli.deletedByDbsize));
    }
    const double gentle = median(gentleTimes), fast = median(fastTimes), cli = median(cliTimes);
    std::fprintf(stderr, "purge %lld of %lld keys: redis-cli --scan | xargs -n 1000 unlink %.3f s; cachelensctl purge %.3f s "
                         "→ %.2f× faster; with --latency-budget 0 %.3f s → %.2f× faster (target ≥ 3×); counts %s\n",
                 static_cast<long long>(keys / 2), static_cast<long long>(keys), cli, gentle, cli / gentle, fast, cli / fast,
                 exact ? "exact" : "NOT exact");
    if (args.json)
        std::printf("{\"bench\":\"purge\",\"keys\":%lld,\"matching\":%lld,\"runs\":%d,\"redis_cli_xargs_seconds\":%.4f,"
                    "\"cachelensctl_seconds\":%.4f,\"speedup\":%.3f,\"no_budget_seconds\":%.4f,\"no_budget_speedup\":%.3f,"
                    "\"target_min\":3,\"exact\":%s,"
                    "\"server_seconds\":{\"cachelensctl\":%.4f,\"no_budget\":%.4f,\"redis_cli_xargs\":%.4f},"
                    "\"scan_calls\":{\"cachelensctl\":%lld,\"no_budget\":%lld,\"redis_cli_xargs\":%lld},"
                    "\"scan_usec\":{\"cachelensctl\":%lld,\"no_budget\":%lld,\"redis_cli_xargs\":%lld},"
                    "\"unlink_usec\":{\"cachelensctl\":%lld,\"no_budget\":%lld,\"redis_cli_xargs\":%lld}}\n",
                    static_cast<long long>(keys), static_cast<long long>(keys / 2), runs, cli, gentle, cli / gentle, fast,
                    cli / fast, exact ? "true" : "false", lastGentle.server.seconds(), lastFast.server.seconds(),
                    lastCli.server.seconds(), static_cast<long long>(lastGentle.server.scanCalls),
                    static_cast<long long>(lastFast.server.scanCalls), static_cast<long long>(lastCli.server.scanCalls),
                    static_cast<long long>(lastGentle.server.scanUsec), static_cast<long long>(lastFast.server.scanUsec),
                    static_cast<long long>(lastCli.server.scanUsec), static_cast<long long>(lastGentle.server.unlinkUsec),
                    static_cast<long long>(lastFast.server.unlinkUsec), static_cast<long long>(lastCli.server.unlinkUsec));
    return exact ? 0 : 1;
}

} // namespace

CACHELENS_BENCH(purge, "purge 500k of 1M keys by pattern: cachelensctl purge vs redis-cli --scan | xargs unlink", run);

} // namespace cachelens::bench
