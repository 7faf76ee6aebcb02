// cachelens-bench sim: the simulator's own speed (issue #10's targets) and the miss-ratio curves' accuracy.
//
//   simulator_mrps       requests/s of one simulator thread with the local engine and no backing latency (memory
//                        backing): the issue example workload (100,000 keys, Zipf 0.9, 95% reads, 30 s TTL,
//                        W-TinyLFU 10,000 entries) on the virtual clock. Target ≥ 5M/s.
//   replay_mrps          cachelensctl replay's loop over a 10M-request Zipf(0.9) trace (LRU, 10,000 entries): the
//                        lean loop around the real policy objects; replay_store_mrps the same replay through the
//                        engine's Store (one shard), run beside it in this process, and replay_speedup their ratio
//                        per CPU-second.
//   opt_mrps             Belady's optimum (cachelensctl replay --policy opt) on the same trace at 10,000 entries:
//                        requests/s of the first pass and one capacity's replay together; opt_run_mrps the replay of
//                        one more capacity alone (the first pass is shared between capacities).
//   mrc_exact_seconds    exact LRU stack distances over 10M requests (1M keys, Zipf 0.9). Target < 10 s.
//   mrc_shards_seconds   SHARDS at R = 0.01 on the same trace, and its mean/max absolute error against exact.
// Options: --quick (1M requests), --requests N.
#include "Bench.h"

#include <cachelens/sim/backing.h>
#include <cachelens/sim/distributions.h>
#include <cachelens/sim/mrc.h>
#include <cachelens/sim/opt.h>
#include <cachelens/sim/replay.h>
#include <cachelens/sim/simulator.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <string>

namespace cachelens::bench {
namespace {

using namespace cachelens::engine;

// CPU seconds this thread has run: the machine these figures come from is shared (load average 8 on 2 cores), so
// each rate is also given per CPU-second actually received, which is the steadier figure.
double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

int run(const Args& args)
{
    const bool quick = args.has("--quick");
    const std::uint64_t n = std::stoull(args.value("--requests", quick ? "1000000" : "10000000"));
    std::map<std::string, double> fig;

    sim::WorkloadSpec s;
    s.keys = 100000;
    s.distribution.kind = sim::DistributionKind::Zipf;
    s.distribution.s = 0.9;
    s.requests = n / 2;
    s.readRatio = 0.95;
    s.rate = 5000;
    s.valueMin = 100;
    s.valueMax = 1000;
    s.ttlSeconds = 30;
    s.policy = PolicyKind::WTinyLfu;
    s.maxEntries = 10000;
    s.backingType = "memory";
    s.latencyMs = 0;
    {
        sim::MemoryBacking backing(s.keys, s.valueMin, s.valueMax);
        std::vector<double> rates, cpuRates;
        sim::SimResults r;
        for (int i = 0; i < 3; ++i) {
            sim::Simulator simulator(s, backing);
            const double c0 = threadCpuSeconds();
            r = simulator.run();
            cpuRates.push_back(static_cast<double>(r.requests) / (threadCpuSeconds() - c0) / 1e6);
            rates.push_back(r.requestsPerSecond / 1e6);
        }
        fig["simulator_mrps"] = median(rates);
        fig["cpu_simulator_mrps"] = median(cpuRates);
        fig["simulator_hit_rate"] = r.hitRate;
        std::fprintf(stderr, "simulator: %.2f M requests/s (median of 3 runs of %llu requests; hit rate %.4f)\n",
                     fig["simulator_mrps"], static_cast<unsigned long long>(s.requests), r.hitRate);
    }

    std::fprintf(stderr, "generating a %llu-request Zipf(0.9) trace over 1M keys...\n", static_cast<unsigned long long>(n));
    std::vector<std::uint64_t> keys(n);
    {
        sim::DistributionSpec d;
        d.kind = sim::DistributionKind::Zipf;
        d.s = 0.9;
        auto sampler = sim::makeSampler(d, 1000000, nullptr);
        sim::Rng rng(7);
        for (auto& k : keys) k = sampler->next(rng) * 2654435761ull; // sparse ids, as real traces have
    }
    {
        sim::Trace t;
        t.keys = keys;
        // Alternately, three times each (the machine's load moves): medians per CPU-second and their ratio.
        std::vector<double> lean, store, leanWall, storeWall;
        double hitLean = 0, hitStore = 0;
        for (int i = 0; i < 3; ++i) {
            double c0 = threadCpuSeconds();
            const auto a = sim::replayTrace(t, PolicyKind::Lru, 10000);
            lean.push_back(static_cast<double>(a.requests) / (threadCpuSeconds() - c0) / 1e6);
            leanWall.push_back(static_cast<double>(a.requests) / a.seconds / 1e6);
            c0 = threadCpuSeconds();
            const auto b = sim::replayTraceThroughStore(t, PolicyKind::Lru, 10000);
            store.push_back(static_cast<double>(b.requests) / (threadCpuSeconds() - c0) / 1e6);
            storeWall.push_back(static_cast<double>(b.requests) / b.seconds / 1e6);
            hitLean = a.hitRatio;
            hitStore = b.hitRatio;
        }
        fig["cpu_replay_mrps"] = median(lean);
        fig["replay_mrps"] = median(leanWall);
        fig["cpu_replay_store_mrps"] = median(store);
        fig["replay_store_mrps"] = median(storeWall);
        fig["replay_speedup"] = fig["cpu_replay_mrps"] / fig["cpu_replay_store_mrps"];
        std::fprintf(stderr, "replay: %.2f M requests/s per CPU-second (LRU, 10,000 entries, hit ratio %.4f); through the Store "
                             "%.2f M (hit ratio %.4f): %.2fx\n",
                     fig["cpu_replay_mrps"], hitLean, fig["cpu_replay_store_mrps"], hitStore, fig["replay_speedup"]);
    }
    {
        sim::Trace t;
        t.keys = keys;
        std::vector<double> rates, cpuRates, runRates;
        double hitRatio = 0;
        for (int i = 0; i < 3; ++i) {
            const auto t0 = std::chrono::steady_clock::now();
            const double c0 = threadCpuSeconds();
            const sim::BeladyOptimum opt(t);
            const auto r = opt.run(10000);
            cpuRates.push_back(static_cast<double>(r.requests) / (threadCpuSeconds() - c0) / 1e6);
            rates.push_back(static_cast<double>(r.requests) / secondsSince(t0) / 1e6);
            hitRatio = r.hitRatio;
            const auto again = opt.run(100000);
            runRates.push_back(static_cast<double>(again.requests) / again.seconds / 1e6);
        }
        fig["opt_mrps"] = median(rates);
        fig["cpu_opt_mrps"] = median(cpuRates);
        fig["opt_run_mrps"] = median(runRates);
        fig["opt_hit_ratio"] = hitRatio;
        std::fprintf(stderr, "OPT: %.2f M requests/s (%.2f per CPU-second; 10,000 entries, hit ratio %.4f); one more capacity "
                             "%.2f M requests/s\n",
                     fig["opt_mrps"], fig["cpu_opt_mrps"], hitRatio, fig["opt_run_mrps"]);
    }
    std::vector<std::uint64_t> sizes;
    for (std::uint64_t c = 10000; c <= 500000; c += 10000) sizes.push_back(c);
    auto t0 = std::chrono::steady_clock::now();
    double c0 = threadCpuSeconds();
    const sim::Mrc exact = sim::exactLruMrc(keys, sizes);
    fig["mrc_exact_seconds"] = secondsSince(t0);
    fig["cpu_mrc_exact_seconds"] = threadCpuSeconds() - c0;
    t0 = std::chrono::steady_clock::now();
    c0 = threadCpuSeconds();
    const sim::Mrc sampled = sim::shardsMrc(keys, sizes, 0.01);
    fig["mrc_shards_seconds"] = secondsSince(t0);
    fig["cpu_mrc_shards_seconds"] = threadCpuSeconds() - c0;
    double mae = 0, maxErr = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const double e = std::abs(exact.points[i].hitRatio - sampled.points[i].hitRatio);
        mae += e / static_cast<double>(sizes.size());
        maxErr = std::max(maxErr, e);
    }
    fig["mrc_shards_mean_abs_error"] = mae;
    fig["mrc_shards_max_abs_error"] = maxErr;
    fig["mrc_requests"] = static_cast<double>(n);
    if (FILE* f = std::fopen("/proc/loadavg", "r")) {
        double l = 0;
        if (std::fscanf(f, "%lf", &l) == 1) fig["load_average_1m"] = l;
        std::fclose(f);
    }
    std::fprintf(stderr, "MRC over %llu requests, %zu sizes: exact %.2f s; SHARDS R=0.01 %.2f s, error mean %.4f max %.4f\n",
                 static_cast<unsigned long long>(n), sizes.size(), fig["mrc_exact_seconds"], fig["mrc_shards_seconds"], mae, maxErr);
    std::fprintf(stderr, "per CPU-second: simulator %.2f M/s, replay %.2f M/s, exact MRC %.2f CPU s\n",
                 fig["cpu_simulator_mrps"], fig["cpu_replay_mrps"], fig["cpu_mrc_exact_seconds"]);
    if (args.json) {
        std::printf("{");
        bool first = true;
        for (const auto& [k, v] : fig) {
            std::printf("%s\"%s\": %.4f", first ? "" : ", ", k.c_str(), v);
            first = false;
        }
        std::printf("}\n");
    }
    return 0;
}

} // namespace

CACHELENS_BENCH(sim, "simulator requests/s, trace replay rate and miss-ratio curve time/accuracy (issue #10)", run);

} // namespace cachelens::bench
