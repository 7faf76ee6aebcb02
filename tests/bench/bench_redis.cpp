// cachelens-bench redis: the Redis client against the tools a user would otherwise use, on one redis-server started
// by the test fixture (loopback, same machine, one run each unless --runs N).
//
//   scan      `cachelensctl scan --count-only` (ctl::run, our client) vs `redis-cli --scan | wc -l`   target ≤ 1.3×
//   details   TYPE + PTTL + MEMORY USAGE for 100k keys, pipelined vs one request at a time            target ≥ 10×
//   memory    resident growth of this process while scanning 1M keys, per key                         target ≤ 100 B
//
// With --json: one JSON object on stdout; progress goes to stderr. Options: --keys N (default 1000000),
// --detail-keys N (default 100000), --runs N (default 3, medians).
#include "Bench.h"

#include "RedisServer.h"
#include "connectors/ConnectionUrl.h"
#include "connectors/ctl/Command.h"
#include "connectors/redis/KeyCommands.h"
#include "connectors/redis/KeyScanner.h"
#include "connectors/redis/RedisClient.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QEventLoop>
#include <QProcess>

#include <cstdio>
#include <memory>
#include <optional>

namespace cachelens::bench {
namespace {

using redis::RedisClient;
using redis::RedisReply;

std::unique_ptr<RedisClient> connectClient(const QString& url)
{
    auto client = std::make_unique<RedisClient>(*ConnectionUrl::parse(url).url);
    QEventLoop loop;
    QObject::connect(client.get(), &RedisClient::stateChanged, &loop, [&](ConnectionState s) {
        if (s == ConnectionState::Ready || s == ConnectionState::Failed)
            loop.quit();
    });
    client->open();
    loop.exec();
    return client->state() == ConnectionState::Ready ? std::move(client) : nullptr;
}

RedisReply call(RedisClient& client, const QList<QByteArray>& args)
{
    QEventLoop loop;
    std::optional<RedisReply> reply;
    client.command(args, &loop, [&](const RedisReply& r) {
        reply = r;
        loop.quit();
    }, 600000);
    if (!reply)
        loop.exec();
    return *reply;
}

double timeRedisCliScan(quint16 port, qint64* count)
{
    QProcess sh;
    const auto start = std::chrono::steady_clock::now();
    sh.start(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("redis-cli -p %1 --scan | wc -l").arg(port)});
    sh.waitForFinished(600000);
    const double seconds = secondsSince(start);
    *count = sh.readAllStandardOutput().trimmed().toLongLong();
    return seconds;
}

double timeCtlScan(const QString& url, qint64* count)
{
    QString out, err;
    QTextStream o(&out), e(&err);
    QBuffer in;
    in.open(QIODevice::ReadOnly);
    const auto start = std::chrono::steady_clock::now();
    ctl::run({QStringLiteral("scan"), url, QStringLiteral("--count-only")}, o, e, in);
    const double seconds = secondsSince(start);
    *count = out.trimmed().toLongLong();
    return seconds;
}

// Resident growth while our client scans every key (count only, keys dropped as they arrive: what
// `cachelensctl scan` and RedisSource hold before handing pages on).
double scanMemoryPerKey(RedisClient& client, qint64 keys, std::uint64_t* peakGrowth)
{
    const std::uint64_t before = residentBytes();
    std::uint64_t peak = before;
    redis::KeyScanner scanner(&client, {});
    QObject::connect(&scanner, &redis::KeyScanner::keysFound, &scanner, [&](const QList<QByteArray>&) {
        peak = std::max(peak, residentBytes());
    });
    QEventLoop loop;
    QObject::connect(&scanner, &redis::KeyScanner::finished, &loop, &QEventLoop::quit);
    scanner.start();
    loop.exec();
    *peakGrowth = peak - before;
    return double(peak - before) / double(keys);
}

// Resident growth per key, beyond the key bytes, when every key is kept as the KeyEntry a Keys panel receives
// (informative: the target is about the client, which keeps nothing).
double heldMemoryPerKey(RedisClient& client, qint64 keys, std::uint64_t* keyBytes)
{
    const std::uint64_t before = residentBytes();
    QVector<KeyEntry> held;
    std::uint64_t bytes = 0;
    redis::KeyScanner scanner(&client, {});
    QObject::connect(&scanner, &redis::KeyScanner::keysFound, &scanner, [&](const QList<QByteArray>& page) {
        for (const QByteArray& key : page) {
            held.append(KeyEntry{key, KeyType::Unknown, -2, -1});
            bytes += std::uint64_t(key.size());
        }
    });
    QEventLoop loop;
    QObject::connect(&scanner, &redis::KeyScanner::finished, &loop, &QEventLoop::quit);
    scanner.start();
    loop.exec();
    const std::uint64_t growth = residentBytes() - before;
    *keyBytes = bytes;
    return (double(growth) - double(bytes)) / double(keys);
}

int run(const Args& args)
{
    int argc = 1;
    char name[] = "cachelens-bench";
    char* argv[] = {name, nullptr};
    std::unique_ptr<QCoreApplication> app;
    if (!QCoreApplication::instance())
        app = std::make_unique<QCoreApplication>(argc, argv);

    const qint64 keys = std::stoll(args.value("--keys", "1000000"));
    const qint64 detailKeys = std::stoll(args.value("--detail-keys", "100000"));
    const int runs = std::stoi(args.value("--runs", "3"));

    test::RedisServer server;
    if (!server.start()) {
        std::fprintf(stderr, "redis: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    auto client = connectClient(server.url());
    if (!client) {
        std::fprintf(stderr, "redis: cannot connect\n");
        return 1;
    }
    std::fprintf(stderr, "redis: populating %lld keys…\n", static_cast<long long>(keys));
    call(*client, {"DEBUG", "POPULATE", QByteArray::number(keys), "key", "16"});

    // --- scan
    std::vector<double> cliTimes, ourTimes;
    qint64 cliCount = 0, ourCount = 0;
    for (int i = 0; i < runs; ++i) {
        cliTimes.push_back(timeRedisCliScan(server.port(), &cliCount));
        ourTimes.push_back(timeCtlScan(server.url(), &ourCount));
        std::fprintf(stderr, "redis: scan run %d: redis-cli %.3f s (%lld keys), cachelensctl %.3f s (%lld keys)\n", i + 1,
                     cliTimes.back(), static_cast<long long>(cliCount), ourTimes.back(), static_cast<long long>(ourCount));
    }
    const double cliScan = median(cliTimes), ourScan = median(ourTimes);

    // --- details: the first detailKeys keys, pipelined vs one request at a time (same client, same commands)
    QList<QByteArray> detailList;
    detailList.reserve(detailKeys);
    for (qint64 i = 0; i < detailKeys; ++i)
        detailList.append("key:" + QByteArray::number(i));
    std::vector<double> pipeTimes;
    for (int i = 0; i < runs; ++i) {
        QEventLoop loop;
        QObject context;
        qint64 filled = 0;
        const auto start = std::chrono::steady_clock::now();
        redis::fetchKeyDetails(*client, detailList, true, &context, [&](QVector<KeyEntry> entries, redis::RedisError) {
            for (const KeyEntry& e : entries)
                filled += e.type == KeyType::String && e.memoryBytes > 0;
            loop.quit();
        });
        loop.exec();
        pipeTimes.push_back(secondsSince(start));
        std::fprintf(stderr, "redis: pipelined details run %d: %.3f s (%lld filled)\n", i + 1, pipeTimes.back(),
                     static_cast<long long>(filled));
    }
    const double pipelined = median(pipeTimes);
    std::fprintf(stderr, "redis: one-at-a-time details (%lld keys × 3 round trips)…\n", static_cast<long long>(detailKeys));
    auto start = std::chrono::steady_clock::now();
    for (const QByteArray& key : detailList) {
        call(*client, {"TYPE", key});
        call(*client, {"PTTL", key});
        call(*client, {"MEMORY", "USAGE", key});
    }
    const double sequential = secondsSince(start);
    const redis::ClientLoad load = client->load();

    // --- memory while scanning
    std::uint64_t growth = 0;
    const double perKey = scanMemoryPerKey(*client, keys, &growth);
    std::uint64_t keyBytes = 0;
    const double heldPerKey = heldMemoryPerKey(*client, keys, &keyBytes);

    const double scanRatio = ourScan / cliScan;
    const double detailSpeedup = sequential / pipelined;
    std::fprintf(stderr,
                 "redis: scan %lld keys: cachelensctl %.3f s vs redis-cli --scan|wc -l %.3f s → %.2f× (target ≤ 1.3×)\n"
                 "redis: TYPE+PTTL+MEMORY USAGE × %lld: pipelined %.3f s vs one at a time %.3f s → %.1f× faster (target ≥ 10×)\n"
                 "redis: resident growth while scanning: %.1f bytes/key (target ≤ 100)\n"
                 "redis: holding every key as a KeyEntry: %.1f bytes/key beyond the key bytes (informative)\n",
                 static_cast<long long>(ourCount), ourScan, cliScan, scanRatio, static_cast<long long>(detailKeys), pipelined,
                 sequential, detailSpeedup, perKey, heldPerKey);
    if (args.json) {
        std::printf("{\"bench\":\"redis\",\"keys\":%lld,\"runs\":%d,"
                    "\"scan\":{\"cachelensctl_seconds\":%.4f,\"redis_cli_seconds\":%.4f,\"ratio\":%.3f,\"target_max\":1.3,"
                    "\"cachelensctl_count\":%lld,\"redis_cli_count\":%lld},"
                    "\"details\":{\"keys\":%lld,\"pipelined_seconds\":%.4f,\"sequential_seconds\":%.4f,\"speedup\":%.2f,"
                    "\"target_min\":10},"
                    "\"scan_memory\":{\"resident_growth_bytes\":%llu,\"bytes_per_key\":%.2f,\"target_max\":100,"
                    "\"held_as_key_entries_bytes_per_key_beyond_key_bytes\":%.2f,\"key_bytes\":%llu},"
                    "\"client_load\":{\"commands\":%llu,\"bytes_out\":%llu,\"bytes_in\":%llu,\"p50_ms\":%.4f,\"p99_ms\":%.4f}}\n",
                    static_cast<long long>(keys), runs, ourScan, cliScan, scanRatio, static_cast<long long>(ourCount),
                    static_cast<long long>(cliCount), static_cast<long long>(detailKeys), pipelined, sequential,
                    detailSpeedup, static_cast<unsigned long long>(growth), perKey, heldPerKey,
                    static_cast<unsigned long long>(keyBytes),
                    static_cast<unsigned long long>(load.commands), static_cast<unsigned long long>(load.bytesOut),
                    static_cast<unsigned long long>(load.bytesIn), load.latencyP50Ms, load.latencyP99Ms);
    }
    return 0;
}

} // namespace

CACHELENS_BENCH(redis, "Redis client: SCAN vs redis-cli, pipelined key details, memory per scanned key", run);

} // namespace cachelens::bench
