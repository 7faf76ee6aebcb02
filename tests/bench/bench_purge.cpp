// cachelens-bench purge: deleting 500k of 1M keys by pattern on a real redis-server (started by the test fixture,
// loopback), `cachelensctl purge URL --match 'purge:*' --yes` (ctl::run in this process; default options, i.e. a
// 2 ms latency budget, and again with --latency-budget 0) against the shell pipeline people use:
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

Timed ours(test::RedisServer& server, qint64 keys, const QStringList& extra)
{
    populate(server, keys);
    Timed t;
    const qint64 before = dbsize(server);
    QString out, err;
    QTextStream o(&out), e(&err);
    QBuffer in;
    in.open(QIODevice::ReadOnly);
    const auto start = std::chrono::steady_clock::now();
    const int code = ctl::run(QStringList{QStringLiteral("purge"), server.url(), QStringLiteral("--match"), QStringLiteral("purge:*"),
                               QStringLiteral("--yes")} + extra, o, e, in);
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
    // Default options (2 ms latency budget: gentle on a production server) and without a budget (as fast as the
    // server answers), each against the same pipeline.
    std::vector<double> gentleTimes, fastTimes, cliTimes;
    bool exact = true;
    for (int i = 0; i < runs; ++i) {
        const Timed gentle = ours(server, keys, {});
        const Timed fast = ours(server, keys, {QStringLiteral("--latency-budget"), QStringLiteral("0")});
        const Timed cli = baseline(server, keys);
        gentleTimes.push_back(gentle.seconds);
        fastTimes.push_back(fast.seconds);
        cliTimes.push_back(cli.seconds);
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
                    "\"target_min\":3,\"exact\":%s}\n",
                    static_cast<long long>(keys), static_cast<long long>(keys / 2), runs, cli, gentle, cli / gentle, fast,
                    cli / fast, exact ? "true" : "false");
    return exact ? 0 : 1;
}

} // namespace

CACHELENS_BENCH(purge, "purge 500k of 1M keys by pattern: cachelensctl purge vs redis-cli --scan | xargs unlink", run);

} // namespace cachelens::bench
