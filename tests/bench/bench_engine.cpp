// cachelens-bench engine: the engine against a naive baseline (std::unordered_map + one std::mutex + std::list
// LRU) in the same process, plus hit ratios of every policy on generated traces.
//
// Workload (issue #4): keys 16–24 bytes, values 100 bytes, 1M entries, Zipf(0.99) popularity, 2 threads.
// With --json: one JSON object on stdout; progress and the human-readable table go to stderr.
// Options: --entries N (default 1000000), --seconds S per throughput run (default 1.0), --quick.
#include "Bench.h"

#include <cachelens/cache.h>
#include <cachelens/sim/distributions.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <ctime>
#include <cstdio>
#include <list>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace cachelens::bench {
namespace {

using namespace cachelens::engine;

// ---- the naive baseline ---------------------------------------------------------------------------------------
// std::hash<std::string_view> is std::hash<std::string>'s hash; transparent so a string_view key is looked up without
// building a std::string (the harness must not allocate in the timed loop).
struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

class NaiveLru {
public:
    explicit NaiveLru(std::size_t capacity) : capacity_(capacity) { map_.reserve(capacity); }
    bool get(std::string_view key, std::string& out)
    {
        std::lock_guard lock(mu_);
        auto it = map_.find(key);
        if (it == map_.end()) return false;
        order_.splice(order_.begin(), order_, it->second);
        out.assign(it->second->second);
        return true;
    }
    void set(std::string_view key, std::string_view value)
    {
        std::lock_guard lock(mu_);
        auto it = map_.find(key);
        if (it != map_.end()) {
            it->second->second.assign(value);
            order_.splice(order_.begin(), order_, it->second);
            return;
        }
        order_.emplace_front(std::string(key), std::string(value));
        map_.emplace(order_.front().first, order_.begin());
        if (map_.size() > capacity_) {
            map_.erase(order_.back().first);
            order_.pop_back();
        }
    }

private:
    using Order = std::list<std::pair<std::string, std::string>>;
    std::mutex mu_;
    std::size_t capacity_;
    Order order_;
    std::unordered_map<std::string, Order::iterator, StringHash, std::equal_to<>> map_;
};

// The calibration rows: a plain std::unordered_map read by both threads with no lock and no policy.
using PlainMap = std::unordered_map<std::string, std::string, StringHash, std::equal_to<>>;

// One thread's pre-built sequence of keys, as Caffeine's GetPutBenchmark has (a pre-built array indexed by a
// thread-local counter with a mask): the keys' bytes sit in order in 32-byte slots (a length byte, then up to 31
// bytes), so the timed loop reads its next key sequentially instead of chasing a std::string to the heap, draws no
// random numbers and allocates nothing. What it measures is then the cache, not the harness.
class KeySequence {
public:
    static constexpr std::size_t kLength = std::size_t{1} << 20; // Caffeine's size, 32 MiB per thread
    static constexpr std::size_t kMask = kLength - 1;
    KeySequence(const std::vector<std::string>& keys, const std::vector<std::uint32_t>& draws) : bytes_(kLength * 32)
    {
        for (std::size_t i = 0; i < kLength; ++i) {
            const std::string& k = keys[draws[i % draws.size()]];
            char* slot = &bytes_[i * 32];
            slot[0] = static_cast<char>(k.size());
            std::memcpy(slot + 1, k.data(), std::min<std::size_t>(k.size(), 31));
        }
    }
    std::string_view operator[](std::uint64_t i) const noexcept
    {
        const char* slot = &bytes_[(i & kMask) * 32];
        return {slot + 1, static_cast<unsigned char>(slot[0])};
    }

private:
    std::vector<char> bytes_;
};

// ---- workload: the Zipf generator lives in engine/sim (the simulator samples the same popularity) -----------
using cachelens::engine::sim::Zipf;
using cachelens::engine::sim::zipfTrace;

double loadAverage()
{
    double l = 0;
    if (FILE* f = std::fopen("/proc/loadavg", "r")) {
        if (std::fscanf(f, "%lf", &l) != 1) l = 0;
        std::fclose(f);
    }
    return l;
}

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::string makeKey(std::size_t i)
{
    char buf[40];
    // "obj:" + 10 digits + ":" + 1…9 filler bytes: 16–24 bytes
    const int n = std::snprintf(buf, sizeof buf, "obj:%010zu:", i);
    std::string k(buf, static_cast<std::size_t>(n));
    k.append(1 + i % 9, static_cast<char>('a' + i % 26));
    return k;
}

// Runs `op(threadIndex, i)` on `threads` threads for `seconds`. Returns millions of operations per second of wall
// time, and in `perCpu` the same normalised by the CPU time the threads actually got (sum over threads of
// ops / thread CPU seconds): on a shared, loaded machine the second is the steadier figure.
template <class Op>
double throughput(unsigned threads, double seconds, Op&& op, double* perCpu = nullptr)
{
    std::atomic<bool> stop{false};
    std::atomic<unsigned> ready{0};
    std::atomic<std::uint64_t> total{0};
    std::vector<double> cpuRate(threads, 0.0);
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < threads; ++t)
        ts.emplace_back([&, t] {
            ready.fetch_add(1);
            while (ready.load() < threads) {}
            const double c0 = threadCpuSeconds();
            std::uint64_t n = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                for (int k = 0; k < 256; ++k) op(t, n++);
            }
            cpuRate[t] = static_cast<double>(n) / std::max(1e-9, threadCpuSeconds() - c0);
            total.fetch_add(n);
        });
    while (ready.load() < threads) {}
    const auto start = std::chrono::steady_clock::now();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : ts) t.join();
    if (perCpu) {
        *perCpu = 0;
        for (double r : cpuRate) *perCpu += r / 1e6;
    }
    return static_cast<double>(total.load()) / secondsSince(start) / 1e6;
}


// ---- hit-ratio traces (key indices) -----------------------------------------------------------------------------
struct Trace {
    std::string name;
    std::vector<std::uint32_t> keys;
};

std::vector<Trace> makeTraces(std::size_t keySpace, std::size_t length)
{
    std::vector<Trace> out;
    std::mt19937_64 rng(42);
    Zipf z09(keySpace, 0.9), z099(keySpace, 0.99);
    out.push_back({"zipf0.9", zipfTrace(z09, length, 1)});
    out.push_back({"zipf0.99", zipfTrace(z099, length, 2)});
    {
        // Zipf(0.9) in blocks of 5,000 accesses, each followed by a sequential scan of 5,000 keys never seen
        // before (a batch job or a crawler walking the table).
        Trace t{"zipf+scans", {}};
        auto base = zipfTrace(z09, length, 3);
        std::uint32_t scanNext = static_cast<std::uint32_t>(keySpace);
        for (std::size_t i = 0; t.keys.size() < length; ++i) {
            t.keys.push_back(base[i % base.size()]);
            if (i % 5000 == 4999)
                for (int k = 0; k < 5000 && t.keys.size() < length; ++k) t.keys.push_back(scanNext++);
        }
        out.push_back(std::move(t));
    }
    {
        // A loop over 1.5 × the cache size: LRU's worst case.
        Trace t{"loop", {}};
        const std::size_t loop = keySpace / 100 * 3 / 2;
        for (std::size_t i = 0; i < length; ++i) t.keys.push_back(static_cast<std::uint32_t>(i % loop));
        out.push_back(std::move(t));
    }
    {
        // Recency: a working set of 80% of the cache that slides forward by one key every 10 accesses,
        // covering the whole key space once: recently used keys are the ones used next.
        Trace t{"recency", {}};
        const std::size_t window = keySpace / 100 * 8 / 10;
        const std::size_t stride = std::max<std::size_t>(1, length / keySpace);
        for (std::size_t i = 0; i < length; ++i)
            t.keys.push_back(static_cast<std::uint32_t>((i / stride + rng() % window) % (keySpace + window)));
        out.push_back(std::move(t));
    }
    return out;
}

double hitRatio(PolicyKind policy, std::size_t capacity, const std::vector<std::uint32_t>& trace,
                const std::vector<std::string>& names)
{
    CacheOptions o;
    o.maxEntries = capacity;
    o.maxBytes = 0;
    o.policy = policy;
    o.shards = 1;
    o.backgroundThread = false;
    Cache c(o);
    std::uint64_t hits = 0;
    for (auto k : trace) {
        const std::string& key = names[k % names.size()];
        if (c.read(key, [](std::string_view) {})) ++hits;
        else (void)c.set(key, "v");
    }
    return static_cast<double>(hits) / static_cast<double>(trace.size());
}

using RatioTable = std::map<std::string, std::map<std::string, double>>;

// Hit ratios: every policy on every trace, cache at 1% of the key space (single shard, exact LRU).
RatioTable hitRatioTable(bool quick)
{
    const std::size_t keySpace = quick ? 20000 : 100000, length = quick ? 200000 : 1000000;
    std::fprintf(stderr, "hit ratios: key space %zu, cache %zu, %zu accesses per trace\n", keySpace, keySpace / 100,
                 length);
    std::vector<std::string> names;
    for (std::size_t i = 0; i < keySpace * 12; ++i) names.push_back(makeKey(i));
    const auto traceSet = makeTraces(keySpace, length);
    const PolicyKind policies[] = {PolicyKind::Lru, PolicyKind::WTinyLfu, PolicyKind::S3Fifo, PolicyKind::Sieve};
    std::map<std::string, std::map<std::string, double>> ratios;
    std::fprintf(stderr, "  %-12s %8s %8s %8s %8s\n", "trace", "lru", "wtinylfu", "s3fifo", "sieve");
    for (const auto& t : traceSet) {
        std::fprintf(stderr, "  %-12s", t.name.c_str());
        for (auto p : policies) {
            const double r = hitRatio(p, keySpace / 100, t.keys, names);
            ratios[t.name][policyName(p)] = r;
            std::fprintf(stderr, " %8.4f", r);
        }
        std::fprintf(stderr, "\n");
    }

    return ratios;
}

void printRatiosJson(const RatioTable& ratios, bool standalone)
{
    if (standalone) std::printf("{");
    std::printf("\"hit_ratio\": {");
    bool firstT = true;
    for (const auto& [trace, byPolicy] : ratios) {
        std::printf("%s\"%s\": {", firstT ? "" : ", ", trace.c_str());
        bool firstP = true;
        for (const auto& [p, r] : byPolicy) {
            std::printf("%s\"%s\": %.4f", firstP ? "" : ", ", p.c_str(), r);
            firstP = false;
        }
        std::printf("}");
        firstT = false;
    }
    std::printf("}");
    if (standalone) std::printf("}\n");
}

int run(const Args& args)
{
    const bool quick = args.has("--quick");
    const std::size_t n = std::stoull(args.value("--entries", quick ? "200000" : "1000000"));
    const double seconds = std::stod(args.value("--seconds", quick ? "0.3" : "1.0"));
    const unsigned threads = 2;
    const std::string value(100, 'v');
    std::map<std::string, double> fig;

    if (args.has("--only-ratios")) {
        const auto r = hitRatioTable(args.has("--quick"));
        if (args.json) printRatiosJson(r, true);
        return 0;
    }
    std::fprintf(stderr, "building %zu keys and Zipf(0.99) traces...\n", n);
    std::vector<std::string> keys;
    keys.reserve(n);
    std::uint64_t payload = 0;
    for (std::size_t i = 0; i < n; ++i) {
        keys.push_back(makeKey(i));
        payload += keys.back().size() + value.size();
    }
    Zipf zipf(n, 0.99);
    std::vector<KeySequence> seqs;
    seqs.reserve(threads);
    for (unsigned t = 0; t < threads; ++t) seqs.emplace_back(keys, zipfTrace(zipf, KeySequence::kLength, 100 + t));

    // Memory first, before any other allocation can be recycled into the cache.
    // Bounded at 1.1 × n: the bound is split evenly over shards, so an exact bound would evict a few keys from
    // the fullest shards and turn some reads into misses.
    CacheOptions o;
    o.maxEntries = n + n / 10;
    o.maxBytes = 0;
    o.backgroundThread = false;
    if (args.has("--policy") && !parsePolicy(args.value("--policy"), o.policy)) {
        std::fprintf(stderr, "unknown policy '%s' (lru, wtinylfu, s3fifo, sieve)\n", args.value("--policy").c_str());
        return 2;
    }
    const std::uint64_t rssBefore = residentBytes();
    Cache cache(o);
    for (std::size_t i = 0; i < n; ++i) (void)cache.set(keys[i], value);
    const std::uint64_t rssAfter = residentBytes();
    fig["overhead_bytes_per_entry"] =
        (static_cast<double>(rssAfter - rssBefore) - static_cast<double>(payload)) / static_cast<double>(n);
    std::fprintf(stderr, "memory: %.1f MB RSS for %zu entries, %.1f bytes/entry over key+value\n",
                 static_cast<double>(rssAfter - rssBefore) / 1e6, n, fig["overhead_bytes_per_entry"]);

    NaiveLru naive(n);
    for (std::size_t i = 0; i < n; ++i) naive.set(keys[i], value);
    PlainMap plain;
    plain.reserve(n);
    for (std::size_t i = 0; i < n; ++i) plain.emplace(keys[i], value);

    // Every thread folds what it read into its own line (no shared write in the timed loop, on either side).
    struct alignas(64) Sink {
        std::uint64_t v = 0;
        std::string out = std::string(128, ' '); // the copying readers' buffer, allocated once
    };
    std::vector<Sink> sinks(threads);
    auto naiveRead = [&](unsigned t, std::uint64_t i) {
        Sink& s = sinks[t];
        if (naive.get(seqs[t][i], s.out)) s.v += static_cast<unsigned char>(s.out[0]);
    };
    auto plainCopy = [&](unsigned t, std::uint64_t i) {
        Sink& s = sinks[t];
        const auto it = plain.find(seqs[t][i]);
        if (it != plain.end()) {
            s.out.assign(it->second);
            s.v += static_cast<unsigned char>(s.out[0]);
        }
    };
    auto plainView = [&](unsigned t, std::uint64_t i) {
        const auto it = plain.find(seqs[t][i]);
        if (it != plain.end()) sinks[t].v += static_cast<unsigned char>(it->second[0]);
    };
    // read(): the engine's zero-copy get (a view of the value under an epoch: no copy, no reference count).
    auto engineRead = [&](unsigned t, std::uint64_t i) {
        Sink& s = sinks[t];
        cache.read(seqs[t][i], [&](std::string_view v) { s.v += static_cast<unsigned char>(v[0]); });
    };
    // get(): a counted handle (ValueRef) that outlives the call: one increment and one decrement of the entry's
    // reference count, a line both threads write when they read the same hot key.
    auto engineGet = [&](unsigned t, std::uint64_t i) {
        ValueRef v = cache.get(seqs[t][i]);
        sinks[t].v += v ? static_cast<unsigned char>(v.value()[0]) : 0;
    };
    auto engineWrap = [&](unsigned t, std::uint64_t i) {
        auto r = cache.wrap(seqs[t][i], [&] { return std::optional<std::string>(value); });
        sinks[t].v += r.ok() && r.value() ? static_cast<unsigned char>(r.value().value()[0]) : 0;
    };

    // Baseline and engine runs alternate (B E B E B E) and each figure is the median of its runs, so a load that
    // changes while the bench runs hits both sides alike.
    struct Series {
        std::vector<double> wall, cpu;
        void add(double w, double c) { wall.push_back(w), cpu.push_back(c); }
    };
    auto measure = [&](auto&& op, Series& s) {
        double c = 0;
        const double w = throughput(threads, seconds, op, &c);
        s.add(w, c);
    };
    std::fprintf(stderr, "read-only, %u threads...\n", threads);
    // get and wrap run back to back five times: wrap_vs_get is a ratio of two medians that the machine's load
    // moves a lot, and the two sides must see the same load.
    Series bRead, cCopy, cView, eRead, eGet, eWrap;
    for (int r = 0; r < 5; ++r) {
        if (r < 3) {
            measure(naiveRead, bRead);
            measure(plainCopy, cCopy);
            measure(plainView, cView);
            measure(engineRead, eRead);
        }
        measure(engineGet, eGet);
        measure(engineWrap, eWrap);
    }
    // What a stats snapshot costs while both threads read (the GUI takes one at 10 Hz): CPU time per snapshot of
    // a thread taking about 1,000 a second, so it does not just measure waiting for a core.
    double snapshotUs = 0;
    {
        std::atomic<bool> done{false};
        std::uint64_t snapSink = 0;
        std::thread snapper([&] {
            const double c0 = threadCpuSeconds();
            std::uint64_t taken = 0;
            while (!done.load(std::memory_order_relaxed)) {
                for (int k = 0; k < 10; ++k, ++taken) snapSink += cache.stats().at(Counter::Hits);
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            }
            snapshotUs = (threadCpuSeconds() - c0) / static_cast<double>(std::max<std::uint64_t>(1, taken)) * 1e6;
        });
        Series ignored;
        measure(engineRead, ignored);
        done = true;
        snapper.join();
        sinks[0].v += snapSink == 42 ? 1 : 0;
    }
    fig["stats_snapshot_us"] = snapshotUs;
    std::fprintf(stderr, "90%% reads / 10%% writes, %u threads...\n", threads);
    auto naiveMixed = [&](unsigned t, std::uint64_t i) {
        if (i % 10 == 9) naive.set(seqs[t][i], value);
        else naiveRead(t, i);
    };
    auto engineMixed = [&](unsigned t, std::uint64_t i) {
        if (i % 10 == 9) (void)cache.set(seqs[t][i], value);
        else engineRead(t, i);
    };
    Series bMixed, eMixed;
    for (int r = 0; r < 3; ++r) {
        measure(naiveMixed, bMixed);
        measure(engineMixed, eMixed);
    }
    fig["baseline_read_mops"] = median(bRead.wall);
    fig["calibration_map_copy_mops"] = median(cCopy.wall);
    fig["calibration_map_view_mops"] = median(cView.wall);
    fig["read_mops"] = median(eRead.wall);
    fig["get_mops"] = median(eGet.wall);
    fig["wrap_mops"] = median(eWrap.wall);
    fig["read_vs_baseline"] = median(eRead.wall) / median(bRead.wall);
    fig["get_vs_baseline"] = median(eGet.wall) / median(bRead.wall);
    fig["read_vs_map_view"] = median(eRead.wall) / median(cView.wall);
    fig["wrap_vs_get"] = median(eGet.wall) / median(eWrap.wall); // time per wrap hit / time per get hit
    fig["baseline_mixed_mops"] = median(bMixed.wall);
    fig["mixed_mops"] = median(eMixed.wall);
    fig["mixed_vs_baseline"] = median(eMixed.wall) / median(bMixed.wall);
    // The same, per CPU-second the threads actually received (see throughput()).
    fig["cpu_baseline_read_mops"] = median(bRead.cpu);
    fig["cpu_calibration_map_copy_mops"] = median(cCopy.cpu);
    fig["cpu_calibration_map_view_mops"] = median(cView.cpu);
    fig["cpu_read_mops"] = median(eRead.cpu);
    fig["cpu_get_mops"] = median(eGet.cpu);
    fig["cpu_read_vs_baseline"] = median(eRead.cpu) / median(bRead.cpu);
    fig["cpu_get_vs_baseline"] = median(eGet.cpu) / median(bRead.cpu);
    fig["cpu_read_vs_map_view"] = median(eRead.cpu) / median(cView.cpu);
    fig["cpu_wrap_vs_get"] = median(eGet.cpu) / median(eWrap.cpu);
    fig["cpu_mixed_vs_baseline"] = median(eMixed.cpu) / median(bMixed.cpu);
    fig["load_average_1m"] = loadAverage();
    std::fprintf(stderr, "  calibration (unordered_map, no lock): %.2f M/s copying the value, %.2f M/s not copying\n",
                 fig["calibration_map_copy_mops"], fig["calibration_map_view_mops"]);
    std::fprintf(stderr, "  read: baseline %.2f M/s, read() %.2f M/s (%.2fx), get() %.2f M/s (%.2fx), wrap %.2f M/s (wrap/get %.2f)\n",
                 fig["baseline_read_mops"], fig["read_mops"], fig["read_vs_baseline"], fig["get_mops"],
                 fig["get_vs_baseline"], fig["wrap_mops"], fig["wrap_vs_get"]);
    std::fprintf(stderr, "  stats snapshot under full read load: %.2f us of CPU each\n", fig["stats_snapshot_us"]);
    std::fprintf(stderr, "  mixed: baseline %.2f M/s, engine %.2f M/s (%.2fx)\n", fig["baseline_mixed_mops"],
                 fig["mixed_mops"], fig["mixed_vs_baseline"]);
    std::fprintf(stderr, "  per CPU-second: baseline %.2f, map copy %.2f, map view %.2f, read %.2f, get %.2f M/s; read %.2fx, "
                         "get %.2fx, mixed %.2fx, wrap/get %.2f (load average %.1f)\n",
                 fig["cpu_baseline_read_mops"], fig["cpu_calibration_map_copy_mops"], fig["cpu_calibration_map_view_mops"],
                 fig["cpu_read_mops"], fig["cpu_get_mops"], fig["cpu_read_vs_baseline"], fig["cpu_get_vs_baseline"],
                 fig["cpu_mixed_vs_baseline"], fig["cpu_wrap_vs_get"], fig["load_average_1m"]);

    if (args.has("--no-ratios")) {
        if (args.json) {
            std::printf("{");
            for (const auto& [k, v] : fig) std::printf("\"%s\": %.4f, ", k.c_str(), v);
            std::printf("\"policy\": \"%s\"}\n", policyName(cache.options().policy));
        }
        return 0;
    }
    const auto ratios = hitRatioTable(quick);

    if (args.json) {
        std::printf("{");
        for (const auto& [k, v] : fig) std::printf("\"%s\": %.4f, ", k.c_str(), v);
        std::printf("\"entries\": %zu, \"threads\": %u, \"policy\": \"%s\", ", n, threads,
                    policyName(cache.options().policy));
        printRatiosJson(ratios, false);
        std::printf("}\n");
    }
    std::uint64_t observed = 0;
    for (const Sink& sk : sinks) observed += sk.v;
    return observed == 42 ? 1 : 0; // keep the reads observable
}

} // namespace

CACHELENS_BENCH(engine, "engine throughput, memory and hit ratios against a naive baseline", run);

} // namespace cachelens::bench
