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
//
// --snapshot: what undo costs instead. Each run purges the same keys with default options, then with --snapshot
// (DUMP + PTTL of every key, durable in SQLite before its UNLINK), side by side in this process, then restores the
// snapshot (`cachelensctl restore … --yes`); it reports wall seconds, this process's CPU seconds (getrusage: the
// client's own cost, immune to the other builds' load) and the snapshot's size, checked exact (deleted = DBSIZE drop
// = snapshot rows; every key restored, DBSIZE back).
#include "Bench.h"

#include "RedisServer.h"
#include "connectors/ctl/Command.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

#include <sys/resource.h>

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

// CPU seconds this process has used (user + system, every thread).
double processCpuSeconds()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct CtlResult {
    int code = -1;
    QString out, err;
    double seconds = 0, cpuSeconds = 0;
};

CtlResult ctlRun(const QStringList& args)
{
    CtlResult r;
    QTextStream o(&r.out), e(&r.err);
    QBuffer in;
    in.open(QIODevice::ReadOnly);
    const double cpu = processCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    r.code = ctl::run(args, o, e, in);
    r.seconds = secondsSince(start);
    r.cpuSeconds = processCpuSeconds() - cpu;
    return r;
}

Timed ours(test::RedisServer& server, qint64 keys, const QStringList& extra, bool fill = true)
{
    if (fill)
        populate(server, keys);
    Timed t;
    const qint64 before = dbsize(server);
    resetStats(server);
    const CtlResult r = ctlRun(QStringList{QStringLiteral("purge"), server.url(), QStringLiteral("--match"),
                                           QStringLiteral("purge:*"), QStringLiteral("--yes")} + extra);
    t.seconds = r.seconds;
    t.server = serverCost(server);
    t.deletedByDbsize = before - dbsize(server);
    const auto m = QRegularExpression(QStringLiteral("deleted=(\\d+)")).match(r.out);
    t.reported = m.hasMatch() ? m.captured(1).toLongLong() : -1;
    if (r.code != 0)
        std::fprintf(stderr, "purge: cachelensctl exited %d: %s\n", r.code, qPrintable(r.err));
    return t;
}

// Plain purge vs purge with a snapshot vs restore of that snapshot, side by side.
int runSnapshot(const Args& args, test::RedisServer& server, qint64 keys, int runs)
{
    QTemporaryDir dir;
    std::vector<double> plainWall, snapWall, restoreWall, plainCpu, snapCpu, restoreCpu;
    qint64 fileBytes = 0;
    bool exact = true;
    for (int i = 0; i < runs; ++i) {
        populate(server, keys);
        const double cpu0 = processCpuSeconds();
        const Timed plain = ours(server, keys, {}, false);
        plainCpu.push_back(processCpuSeconds() - cpu0);
        plainWall.push_back(plain.seconds);
        exact = exact && plain.deletedByDbsize == keys / 2 && plain.reported == keys / 2;

        populate(server, keys);
        const QString file = dir.filePath(QStringLiteral("run-%1.snapshot.db").arg(i));
        const double cpu1 = processCpuSeconds();
        const Timed snap = ours(server, keys, {QStringLiteral("--snapshot=") + file}, false);
        snapCpu.push_back(processCpuSeconds() - cpu1);
        snapWall.push_back(snap.seconds);
        fileBytes = QFileInfo(file).size();
        qint64 rows = -1;
        {
            const CtlResult dry = ctlRun({QStringLiteral("restore"), server.url(), file, QStringLiteral("--dry-run"),
                                          QStringLiteral("--json")});
            const auto m = QRegularExpression(QStringLiteral("\"restored\":(\\d+)")).match(dry.out);
            rows = m.hasMatch() ? m.captured(1).toLongLong() : -1;
        }
        exact = exact && snap.deletedByDbsize == keys / 2 && snap.reported == keys / 2 && rows == keys / 2;

        const qint64 before = dbsize(server);
        const CtlResult restored = ctlRun({QStringLiteral("restore"), server.url(), file, QStringLiteral("--yes")});
        restoreWall.push_back(restored.seconds);
        restoreCpu.push_back(restored.cpuSeconds);
        exact = exact && restored.code == 0 && dbsize(server) - before == keys / 2;
        std::fprintf(stderr, "purge --snapshot run %d: plain %.3f s (%.3f CPU s), with snapshot %.3f s (%.3f CPU s, "
                             "%lld bytes, %lld rows), restore %.3f s (%.3f CPU s)%s\n", i + 1, plain.seconds, plainCpu.back(),
                     snap.seconds, snapCpu.back(), static_cast<long long>(fileBytes), static_cast<long long>(rows),
                     restored.seconds, restored.cpuSeconds, restored.code == 0 ? "" : qPrintable(QStringLiteral(": ") + restored.err));
    }
    const double pw = median(plainWall), sw = median(snapWall), rw = median(restoreWall);
    const double pc = median(plainCpu), sc = median(snapCpu), rc = median(restoreCpu);
    std::fprintf(stderr, "purge %lld of %lld keys: plain %.3f s, with snapshot %.3f s (%.2f× the time; client CPU %.3f s vs "
                         "%.3f s, %.2f×), snapshot %.1f MB; restore %.3f s (%.0f keys/s, client CPU %.3f s); %s\n",
                 static_cast<long long>(keys / 2), static_cast<long long>(keys), pw, sw, sw / pw, sc, pc, sc / pc,
                 double(fileBytes) / 1048576.0, rw, double(keys / 2) / rw, rc, exact ? "exact" : "NOT exact");
    if (args.json)
        std::printf("{\"bench\":\"purge-snapshot\",\"keys\":%lld,\"matching\":%lld,\"runs\":%d,"
                    "\"plain_seconds\":%.4f,\"snapshot_seconds\":%.4f,\"snapshot_time_ratio\":%.3f,"
                    "\"plain_cpu_seconds\":%.4f,\"snapshot_cpu_seconds\":%.4f,\"snapshot_cpu_ratio\":%.3f,"
                    "\"snapshot_file_bytes\":%lld,\"restore_seconds\":%.4f,\"restore_cpu_seconds\":%.4f,"
                    "\"restore_keys_per_second\":%.0f,\"exact\":%s}\n",
                    static_cast<long long>(keys), static_cast<long long>(keys / 2), runs, pw, sw, sw / pw, pc, sc, sc / pc,
                    static_cast<long long>(fileBytes), rw, rc, double(keys / 2) / rw, exact ? "true" : "false");
    return exact ? 0 : 1;
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
    if (args.has("--snapshot"))
        return runSnapshot(args, server, keys, runs);
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
