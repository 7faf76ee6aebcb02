// cachelens-bench provider: the engine over Redis (issue #6), on one redis-server started here (loopback).
//
//   l1_vs_memory_get   thread CPU ns per Cache::get on an L1 hit (redis provider with L1) ÷ the same on the memory
//                      provider (same keys, one thread): the median ratio of 40 alternating chunks, so both meet the
//                      same load on a shared machine; *_wall is the wall-clock version                target ≤ 1.5
//   bus_p50_ms/p99_ms  instance A invalidates a key → instance B's L1 no longer has it (publish, subscriber thread,
//                      L1 drop), over --bus-samples runs                                         target p99 ≤ 5 ms
//   loader_runs_*      8 instances (own connections, one thread each) miss one key at once; loader takes 50 ms:
//                      with distributed single-flight / without                                  target 1 / 8
//   cluster_vs_standalone_l2_get   µs per L2 get (no L1: one round trip) on a 3-master Redis Cluster started here
//                      (slot routing) ÷ the same on the standalone server (wall clock: it is a network wait);
//                      --l2-gets N (default 20000), 0 = skip
//   stopped_wrap_max_ms  the longest of 20 fail-open wrap() calls while the server is stopped (SIGSTOP: it accepts
//                      TCP but never answers), each meeting it afresh, with timeout_ms = 100       target ≈ timeout
// With --json: one JSON object on stdout; progress goes to stderr. Options: --keys N (default 10000),
// --gets N (default 2000000), --bus-samples N (default 1000).
#include "Bench.h"

#include "RedisCluster.h"
#include "RedisServer.h"
#include "connectors/provider/RedisProvider.h"
#include <cachelens/cache.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

namespace cachelens::bench {
namespace {

using namespace cachelens::engine;
using namespace cachelens::provider;
using namespace std::chrono_literals;

std::unique_ptr<Cache> makeCache(const std::string& provider, const std::string& url)
{
    CacheOptions o;
    o.provider = provider;
    o.providerUrl = url;
    o.keyPrefix = "bench:";
    o.backgroundThread = false;
    return std::make_unique<Cache>(std::move(o));
}

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

struct PerGet {
    double wallNs = 0, cpuNs = 0;
};

PerGet perGet(Cache& c, const std::vector<std::string>& keys, std::size_t gets, bool warm = true)
{
    std::size_t hits = 0;
    if (warm)
        for (const auto& k : keys) (void)c.get(k); // fills L1
    const auto start = std::chrono::steady_clock::now();
    const double cpu = threadCpuSeconds();
    for (std::size_t i = 0; i < gets; ++i) hits += c.get(keys[i % keys.size()]) ? 1 : 0;
    PerGet r;
    r.cpuNs = (threadCpuSeconds() - cpu) * 1e9 / static_cast<double>(gets);
    r.wallNs = secondsSince(start) * 1e9 / static_cast<double>(gets);
    if (hits < gets) std::fprintf(stderr, "provider: unexpected misses (%zu hits)\n", hits);
    return r;
}

// Thread CPU per get on `a` and on `b`, measured in alternating chunks (so both meet the same load on a shared
// machine); `ratio` is the median of the chunks' b/a ratios.
struct Interleaved {
    PerGet a, b;
    double ratio = 0, ratioWall = 0;
};

Interleaved interleaved(Cache& a, Cache& b, const std::vector<std::string>& keys, std::size_t gets)
{
    constexpr std::size_t kChunks = 40;
    const std::size_t chunk = std::max<std::size_t>(gets / kChunks, 1);
    Interleaved r;
    std::vector<double> ratios, ratiosWall;
    for (std::size_t i = 0; i < kChunks; ++i) {
        const PerGet x = perGet(a, keys, chunk, i == 0), y = perGet(b, keys, chunk, i == 0);
        r.a.cpuNs += x.cpuNs / kChunks;
        r.a.wallNs += x.wallNs / kChunks;
        r.b.cpuNs += y.cpuNs / kChunks;
        r.b.wallNs += y.wallNs / kChunks;
        ratios.push_back(y.cpuNs / x.cpuNs);
        ratiosWall.push_back(y.wallNs / x.wallNs);
    }
    r.ratio = median(ratios);
    r.ratioWall = median(ratiosWall);
    return r;
}

// The longest fail-open wrap() against a server that accepts TCP but never answers (SIGSTOP).
double stoppedWrapMaxMs(int timeoutMs)
{
    test::RedisServer victim;
    if (!victim.start()) return -1;
    RedisProviderOptions o;
    o.timeout = milliseconds(timeoutMs);
    o.retryAfter = o.timeout;
    registerRedisProvider(o, "redis-stopped");
    auto c = makeCache("redis-stopped", victim.url().toStdString());
    (void)c->set("warm", "1");
    long pid = 0;
    for (const QByteArray& line : victim.cli({QStringLiteral("INFO"), QStringLiteral("server")}).split('\n'))
        if (line.startsWith("process_id:")) pid = line.mid(11).trimmed().toLong();
    if (pid <= 0 || ::kill(pid_t(pid), SIGSTOP) != 0) return -1;
    double worst = 0;
    for (int i = 0; i < 20; ++i) {
        std::this_thread::sleep_for(milliseconds(timeoutMs + 20)); // past retryAfter: each wrap meets the server afresh
        std::string key = std::to_string(i); // (not "k" + …: GCC 12 -O3 warns falsely, -Wrestrict)
        key.insert(0, "stopped:");
        const auto start = std::chrono::steady_clock::now();
        (void)c->wrap(key, [] { return std::optional<std::string>("from the database"); });
        worst = std::max(worst, secondsSince(start) * 1000.0);
    }
    ::kill(pid_t(pid), SIGCONT);
    return worst;
}

int loaderRuns(const std::string& provider, const std::string& url, const std::string& key)
{
    std::vector<std::unique_ptr<Cache>> caches;
    for (int i = 0; i < 8; ++i) caches.push_back(makeCache(provider, url));
    std::atomic<int> loads{0}, ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&, i] {
            ++ready;
            while (ready.load() < 8) std::this_thread::yield();
            (void)caches[static_cast<std::size_t>(i)]->wrap(key, [&] {
                ++loads;
                std::this_thread::sleep_for(50ms);
                return std::optional<std::string>("value");
            });
        });
    for (auto& t : threads) t.join();
    return loads.load();
}

int run(const Args& args)
{
    const std::size_t keyCount = std::stoul(args.value("--keys", "10000"));
    const std::size_t gets = std::stoul(args.value("--gets", "2000000"));
    const int busSamples = std::stoi(args.value("--bus-samples", "1000"));
    const std::size_t l2Gets = std::stoul(args.value("--l2-gets", "20000"));
    test::RedisServer server;
    if (!server.start()) {
        std::fprintf(stderr, "provider: %s\n", qPrintable(server.errorString()));
        return 1;
    }
    const std::string url = server.url().toStdString();
    RedisProviderOptions withL1;
    withL1.l1 = true;
    registerRedisProvider(withL1, "redis-l1");
    RedisProviderOptions sf;
    sf.distributedSingleFlight = true;
    registerRedisProvider(sf, "redis-sf");
    registerRedisProvider({}, "redis");

    std::vector<std::string> keys;
    for (std::size_t i = 0; i < keyCount; ++i) keys.push_back("user:" + std::to_string(i * 7919));
    const std::string value(100, 'v');

    // 1. L1 hit path against the memory provider.
    auto memory = makeCache("memory", url);
    auto a = makeCache("redis-l1", url);
    auto b = makeCache("redis-l1", url);
    auto& pa = dynamic_cast<RedisProvider&>(engine::CacheInternals::provider(*a));
    auto& pb = dynamic_cast<RedisProvider&>(engine::CacheInternals::provider(*b));
    if (!pa.waitForBus(5s) || !pb.waitForBus(5s)) {
        std::fprintf(stderr, "provider: the invalidation bus did not subscribe\n");
        return 1;
    }
    for (const auto& k : keys) {
        (void)memory->set(k, value);
        (void)a->set(k, value);
    }
    std::fprintf(stderr, "provider: %zu gets on %zu keys…\n", gets, keyCount);
    const Interleaved l1 = interleaved(*memory, *a, keys, gets);
    const PerGet& mem = l1.a;
    const PerGet& l1Hit = l1.b;
    std::fprintf(stderr, "provider: get memory %.1f ns CPU, redis L1 hit %.1f ns CPU (median ratio %.2f×; wall %.2f×)\n",
                 mem.cpuNs, l1Hit.cpuNs, l1.ratio, l1.ratioWall);

    // 2. Invalidation propagation A → B's L1.
    std::vector<double> ms;
    for (int i = 0; i < busSamples; ++i) {
        const std::string& k = keys[static_cast<std::size_t>(i) % keys.size()];
        const std::string full = "bench:" + k;
        (void)a->set(k, value);
        while (!b->get(k) || !pb.l1()->exists(full)) std::this_thread::yield(); // B holds it in L1
        const auto start = std::chrono::steady_clock::now();
        (void)a->del(k);
        while (pb.l1()->exists(full)) std::this_thread::yield();
        ms.push_back(secondsSince(start) * 1000.0);
    }
    std::sort(ms.begin(), ms.end());
    const double p50 = ms[ms.size() / 2];
    const double p99 = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
    std::fprintf(stderr, "provider: bus propagation p50 %.3f ms, p99 %.3f ms (%d samples)\n", p50, p99, busSamples);

    // 3. Eight instances missing one key at once.
    const int withSf = loaderRuns("redis-sf", url, "hot:sf");
    const int without = loaderRuns("redis", url, "hot:plain");
    std::fprintf(stderr, "provider: loader runs with distributed single-flight %d, without %d\n", withSf, without);

    // 4. An L2 get (one round trip) on a cluster, against the standalone server.
    double l2Us = -1, clusterUs = -1;
    if (l2Gets > 0) {
        const std::vector<std::string> few(keys.begin(), keys.begin() + std::ptrdiff_t(std::min<std::size_t>(1000, keys.size())));
        auto plain = makeCache("redis", url);
        for (const auto& k : few) (void)plain->set(k, value);
        l2Us = perGet(*plain, few, l2Gets).wallNs / 1000.0;
        test::RedisCluster cluster;
        if (!cluster.start()) {
            std::fprintf(stderr, "provider: %s\n", qPrintable(cluster.errorString()));
            return 1;
        }
        auto onCluster = makeCache("redis", cluster.seedUrl().toStdString());
        for (const auto& k : few) (void)onCluster->set(k, value);
        clusterUs = perGet(*onCluster, few, l2Gets).wallNs / 1000.0;
        std::fprintf(stderr, "provider: L2 get standalone %.1f µs, cluster %.1f µs (%.2f×)\n", l2Us, clusterUs,
                     clusterUs / l2Us);
    }

    // 5. A stopped server: what a wrap() waits at most.
    constexpr int kStoppedTimeoutMs = 100;
    const double stoppedMs = stoppedWrapMaxMs(kStoppedTimeoutMs);
    std::fprintf(stderr, "provider: stopped server, longest fail-open wrap %.1f ms (timeout %d ms)\n", stoppedMs,
                 kStoppedTimeoutMs);

    if (args.json) {
        std::printf("{\"memory_get_cpu_ns\": %.1f, \"l1_get_cpu_ns\": %.1f, \"l1_vs_memory_get\": %.3f, "
                    "\"l1_vs_memory_get_wall\": %.3f, \"bus_p50_ms\": %.3f, "
                    "\"bus_p99_ms\": %.3f, \"bus_samples\": %d, \"loader_runs_single_flight\": %d, "
                    "\"loader_runs_without\": %d, \"l2_get_us\": %.1f, \"cluster_l2_get_us\": %.1f, "
                    "\"cluster_vs_standalone_l2_get\": %.3f, \"stopped_wrap_max_ms\": %.1f, \"timeout_ms\": %d}\n",
                    mem.cpuNs, l1Hit.cpuNs, l1.ratio, l1.ratioWall, p50, p99, busSamples, withSf,
                    without, l2Us, clusterUs, l2Us > 0 ? clusterUs / l2Us : -1.0, stoppedMs, kStoppedTimeoutMs);
    }
    return 0;
}

} // namespace

CACHELENS_BENCH(provider, "the engine over Redis: L1 hit vs memory get, invalidation bus latency, distributed single-flight", run);

} // namespace cachelens::bench
