#include <cachelens/sim/simulator.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <thread>

#include <cachelens/cache.h>
#include <cachelens/sim/distributions.h>
#include <cachelens/sim/latency_histogram.h>
#include <cachelens/sim/random.h>
#include <cachelens/sim/trace_file.h>

namespace cachelens::engine::sim {

namespace {

// A counter one thread writes and any thread may read (a plain increment, but visible to TSan as atomic).
struct Counter {
    std::atomic<std::uint64_t> v{0};
    void publish(std::uint64_t n) noexcept { v.store(n, std::memory_order_relaxed); }
    std::uint64_t get() const noexcept { return v.load(std::memory_order_relaxed); }
};

// A worker's counts as it keeps them (plain integers, in registers or its own stack), published to its ThreadState
// every few thousand requests and at the end: snapshots lag by at most one batch, the hot loop writes no shared line.
struct Tally {
    std::uint64_t requests = 0, reads = 0, writes = 0, hits = 0, misses = 0, backingQueries = 0, backingWrites = 0,
                  stale = 0, stampedes = 0, loadFailures = 0;
};

struct alignas(64) ThreadState {
    Counter requests, reads, writes, hits, misses, backingQueries, backingWrites, stale, stampedes, loadFailures;
    LatencyHistogram hit, miss;
    void publish(const Tally& t) noexcept
    {
        requests.publish(t.requests);
        reads.publish(t.reads);
        writes.publish(t.writes);
        hits.publish(t.hits);
        misses.publish(t.misses);
        backingQueries.publish(t.backingQueries);
        backingWrites.publish(t.backingWrites);
        stale.publish(t.stale);
        stampedes.publish(t.stampedes);
        loadFailures.publish(t.loadFailures);
    }
};

using Clock = std::chrono::steady_clock;

inline std::uint64_t nsSince(Clock::time_point t0) noexcept
{
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
}

} // namespace

struct Simulator::Shared {
    const WorkloadSpec& spec;
    Backing& backing;
    const std::vector<std::uint64_t>* trace;
    std::uint64_t keys;
    Cache* cache;
    ManualClock* virtualClock;      // null on real time
    std::unique_ptr<std::atomic<std::uint32_t>[]> lastWritten; // per key: version of its last write
    std::unique_ptr<std::atomic<std::uint8_t>[]> loading;      // per key: loads running now
    std::vector<std::unique_ptr<ThreadState>> states;
    const std::atomic<bool>* cancel;
    std::atomic<bool> stop{false};
};

std::string Simulator::cacheKey(std::uint64_t id)
{
    std::string k(8, '\0');
    for (int i = 0; i < 8; ++i) k[static_cast<std::size_t>(i)] = static_cast<char>(id >> (8 * i));
    return k;
}

Simulator::Simulator(WorkloadSpec spec, Backing& backing) : spec_(std::move(spec)), backing_(backing)
{
    if (spec_.distribution.kind == DistributionKind::Trace) {
        std::string error;
        auto t = loadTrace(spec_.distribution.tracePath,
                           spec_.distribution.traceFormat.empty() ? guessTraceFormat(spec_.distribution.tracePath)
                                                                  : (spec_.distribution.traceFormat == "u64le" ? TraceFormat::U64Le : TraceFormat::Text),
                           error);
        if (!t) throw std::invalid_argument(error);
        if (t->keys.empty()) throw std::invalid_argument(spec_.distribution.tracePath + ": the trace is empty");
        trace_ = std::move(t->keys);
        traceOps_ = std::move(t->ops);
        spec_.keys = densify(trace_);
        if (spec_.requests == 0) spec_.requests = trace_.size();
    }
    for (const auto& p : spec_.distribution.parts)
        if (p.kind == DistributionKind::Trace) throw std::invalid_argument("a trace cannot be part of a mixed distribution");
    if (spec_.distribution.kind != DistributionKind::Trace) spec_.keys = workloadKeys(spec_);
    if (spec_.keys == 0) throw std::invalid_argument("the workload needs at least one key");
    if (!(spec_.readRatio >= 0 && spec_.readRatio <= 1)) throw std::invalid_argument("readRatio must be between 0 and 1");
    if (!(spec_.rate >= 0)) throw std::invalid_argument("rate must be 0 (closed loop) or positive");
    if (spec_.valueMax < spec_.valueMin) throw std::invalid_argument("valueSize.max is below valueSize.min");
    if (spec_.threads == 0 || spec_.threads > 256) throw std::invalid_argument("threads must be between 1 and 256");
    if (!(spec_.ttlSeconds >= 0) || !(spec_.latencyMs >= 0)) throw std::invalid_argument("ttlSeconds and latencyMs must not be negative");
    keys_ = spec_.keys;
    (void)makeSampler(spec_.distribution, keys_, &trace_); // validates the distribution's parameters now
}

Simulator::~Simulator() = default;

std::uint64_t workloadKeys(const WorkloadSpec& spec) noexcept
{
    const DistributionSpec& d = spec.distribution;
    if (d.kind == DistributionKind::Trace) return 0;
    if (d.kind != DistributionKind::Mixed || d.parts.empty() || d.parts.front().keys == 0) return spec.keys;
    std::uint64_t sum = 0; // the parts' own key ranges, one after another
    for (const auto& p : d.parts)
        if (__builtin_add_overflow(sum, p.keys, &sum)) return std::numeric_limits<std::uint64_t>::max();
    return sum;
}

namespace {

// Keys under a zipf alias table (AliasTable: a 16-byte cell per key) in one sampler of `d` over `keys` keys.
double zipfTableKeys(const DistributionSpec& d, std::uint64_t keys) noexcept
{
    if (d.kind == DistributionKind::Zipf) return static_cast<double>(keys);
    if (d.kind != DistributionKind::Mixed) return 0;
    const bool ranges = !d.parts.empty() && d.parts.front().keys > 0;
    double sum = 0;
    for (const auto& p : d.parts) sum += zipfTableKeys(p, ranges ? p.keys : keys);
    return sum;
}

} // namespace

std::uint64_t simulatorMemoryBytes(const WorkloadSpec& spec, std::uint64_t keys) noexcept
{
    const double perKey = sizeof(std::uint32_t) + sizeof(std::uint8_t) + (spec.backingType == "memory" ? sizeof(std::uint32_t) : 0);
    // Each thread draws from its own sampler; building one also holds the weights (8 + 8 bytes a key) and the
    // construction's scratch (8 + 4 + slack): 28 bytes a key on top of the 16 of the table itself.
    const double zipf = zipfTableKeys(spec.distribution, keys) * (16.0 * std::max(1u, spec.threads) + 28.0);
    const double total = static_cast<double>(keys) * perKey + zipf;
    return total >= 1.8e19 ? std::numeric_limits<std::uint64_t>::max() : static_cast<std::uint64_t>(total);
}

std::vector<std::uint64_t> Simulator::keyStream(std::uint64_t n) const
{
    Rng rng(spec_.seed * 0x100000001b3ull);
    auto sampler = makeSampler(spec_.distribution, keys_, &trace_, 0);
    std::vector<std::uint64_t> out(n);
    for (auto& k : out) {
        k = sampler->next(rng);
    }
    return out;
}

SimResults Simulator::run(const ProgressFn& progress, const std::atomic<bool>* cancel, std::chrono::milliseconds progressEvery)
{
    const WorkloadSpec& s = spec_;
    const bool remote = s.target != "local";
    const bool realTime = s.rate <= 0 || remote;
    if (remote && s.keyPrefix.empty())
        throw std::invalid_argument("a Redis target needs a key prefix for the simulated keys (cachelens:sim:<run>:)");
    ManualClock manual;
    CacheOptions o;
    o.maxEntries = s.maxEntries;
    o.maxBytes = s.maxBytes;
    o.policy = s.policy;
    o.shards = s.threads == 1 ? 1 : 0; // one shard: exact policy behaviour and the same results for the same seed
    o.backgroundThread = false;
    o.clock = realTime ? nullptr : &manual;
    if (remote) {
        o.provider = "redis";
        o.providerUrl = s.targetUrl.empty() ? s.target : s.targetUrl;
        o.keyPrefix = s.keyPrefix;
        o.maxBytes = 0;
    }
    Cache cache(o);

    Shared sh{s, backing_, &trace_, keys_, &cache, realTime ? nullptr : &manual,
              std::make_unique<std::atomic<std::uint32_t>[]>(keys_), std::make_unique<std::atomic<std::uint8_t>[]>(keys_), {},
              cancel};
    for (unsigned t = 0; t < s.threads; ++t) sh.states.push_back(std::make_unique<ThreadState>());

    const auto ttl = s.ttlSeconds > 0 ? std::optional<milliseconds>(milliseconds(static_cast<std::int64_t>(std::llround(s.ttlSeconds * 1000))))
                                      : std::nullopt;
    WrapOptions wrapOptions;
    wrapOptions.ttl = ttl;
    SetOptions setOptions;
    setOptions.ttl = ttl;
    // Mixed workloads whose parts have their own keys may give each part its own TTL (a TTL table per namespace).
    struct Range {
        std::uint64_t end;
        WrapOptions wrap;
        SetOptions set;
    };
    std::vector<Range> ranges;
    if (s.distribution.kind == DistributionKind::Mixed && !s.distribution.parts.empty() && s.distribution.parts.front().keys > 0) {
        std::uint64_t end = 0;
        for (const auto& p : s.distribution.parts) {
            end += p.keys;
            Range r{end, wrapOptions, setOptions};
            if (p.ttlSeconds >= 0) {
                const auto partTtl = p.ttlSeconds > 0 ? std::optional<milliseconds>(milliseconds(static_cast<std::int64_t>(std::llround(p.ttlSeconds * 1000))))
                                                      : std::nullopt;
                r.wrap.ttl = partTtl;
                r.set.ttl = partTtl;
            }
            ranges.push_back(std::move(r));
        }
    }
    auto optionsFor = [&](std::uint64_t key) -> std::pair<const WrapOptions*, const SetOptions*> {
        for (const auto& r : ranges)
            if (key < r.end) return {&r.wrap, &r.set};
        return {&wrapOptions, &setOptions};
    };
    const auto latency = std::chrono::nanoseconds(static_cast<std::int64_t>(s.latencyMs * 1e6));
    const auto simulatedLatencyNs = realTime ? 0 : static_cast<std::uint64_t>(latency.count());
    const Nanos start = realTime ? 0 : manual.now();
    const auto wallStart = Clock::now();

    auto snapshot = [&](bool final) {
        SimResults r;
        LatencyHistogram hit, miss, all;
        for (const auto& st : sh.states) {
            r.requests += st->requests.get();
            r.reads += st->reads.get();
            r.writes += st->writes.get();
            r.hits += st->hits.get();
            r.misses += st->misses.get();
            r.backingQueries += st->backingQueries.get();
            r.backingWrites += st->backingWrites.get();
            r.staleReads += st->stale.get();
            r.stampedes += st->stampedes.get();
            r.loadFailures += st->loadFailures.get();
            hit.merge(st->hit);
            miss.merge(st->miss);
        }
        all.merge(hit);
        all.merge(miss);
        const StatsSnapshot cs = cache.stats();
        r.evictions = cs.evictions();
        r.expirations = cs.at(engine::Counter::Expirations);
        r.invalidations = cs.invalidations();
        r.dedupeJoins = cs.at(engine::Counter::DedupeJoins);
        r.entries = cs.entries;
        r.bytes = cs.bytes;
        r.hitRate = r.reads ? static_cast<double>(r.hits) / static_cast<double>(r.reads) : 0;
        r.dbLoadReduction = r.reads ? 1.0 - static_cast<double>(r.backingQueries) / static_cast<double>(r.reads) : 0;
        auto pct = [](const LatencyHistogram& h) {
            return LatencyPercentiles{h.quantileNs(0.50) / 1e3, h.quantileNs(0.95) / 1e3, h.quantileNs(0.99) / 1e3, h.count()};
        };
        r.latency = pct(all);
        r.hitLatency = pct(hit);
        r.missLatency = pct(miss);
        r.wallSeconds = std::chrono::duration<double>(Clock::now() - wallStart).count();
        r.simulatedSeconds = realTime ? r.wallSeconds : static_cast<double>(manual.now() - start) / 1e9;
        r.requestsPerSecond = r.wallSeconds > 0 ? static_cast<double>(r.requests) / r.wallSeconds : 0;
        r.finished = final && r.requests == s.requests;
        r.cancelled = final && r.requests < s.requests;
        return r;
    };

    const bool solo = s.threads == 1;
    const ExponentialZiggurat exponential;
    auto worker = [&](unsigned t) {
        ThreadState& st = *sh.states[t];
        Tally n;
        Rng rng(s.seed * 0x100000001b3ull + t);
        auto sampler = makeSampler(s.distribution, keys_, &trace_, t * (keys_ / s.threads));
        const std::uint64_t count = s.requests / s.threads + (t < s.requests % s.threads ? 1 : 0);
        // A trace with operations replays them: request i is the trace's request (offset + i), as the sampler draws.
        const bool traceOps = !traceOps_.empty();
        const std::size_t traceOffset = traceOps ? (t * (keys_ / s.threads)) % traceOps_.size() : 0;
        const double meanGapNs = realTime ? 0 : 1e9 * s.threads / s.rate;
        char keyBuf[8];
        std::string keyString(8, '\0');
        std::string valueBuf, writeBuf; // the solo miss path's value and the writes' values, reused
        Nanos virtualNow = realTime ? 0 : manual.now();
        auto lastProgress = Clock::now();
        // Keys are drawn a batch at a time (one virtual call per batch; Zipf prefetches its table rows).
        constexpr std::size_t kKeyBatch = 64, kAhead = 4;
        std::uint64_t keyBatch[kKeyBatch];
        std::size_t keyPos = kKeyBatch;
        // On the virtual clock a miss's own time (the loader's query) is timed for the first 256 misses, then one in
        // 16 (weighted 16), as hits are: two clock readings per miss would otherwise cost about as much as the miss.
        // On real time every miss is timed.
        const unsigned missSample = realTime ? 1 : 16;
        std::uint64_t missTick = 0;
        unsigned missWeight = 1;
        for (std::uint64_t i = 0; i < count; ++i) {
            if ((i & 4095) == 0) {
                st.publish(n);
                if ((sh.cancel && sh.cancel->load(std::memory_order_relaxed)) || sh.stop.load(std::memory_order_relaxed)) {
                    sh.stop.store(true, std::memory_order_relaxed);
                    break;
                }
                if (t == 0) {
                    if (!realTime || s.threads == 1) cache.runMaintenance();
                    if (progress && Clock::now() - lastProgress >= progressEvery) {
                        lastProgress = Clock::now();
                        progress(snapshot(false));
                    }
                }
            }
            if (!realTime) {
                const auto gap = static_cast<std::int64_t>(exponential(rng) * meanGapNs);
                if (solo) manual.set(virtualNow += gap); // the only writer: a plain store, not a locked add
                else manual.advance(std::chrono::nanoseconds(gap));
            }
            if (keyPos == kKeyBatch) {
                sampler->fill(rng, keyBatch, kKeyBatch);
                keyPos = 0;
            }
            // The per-key state this request will read, a few requests ahead: its cache misses then overlap.
            if (keyPos + kAhead < kKeyBatch) {
                const std::uint64_t soon = keyBatch[keyPos + kAhead];
                __builtin_prefetch(&sh.lastWritten[soon]);
                backing_.prefetch(soon);
            }
            const std::uint64_t key = keyBatch[keyPos++];
            for (int b = 0; b < 8; ++b) keyBuf[b] = static_cast<char>(key >> (8 * b));
            const std::string_view k(keyBuf, 8);
            const auto [wrapOpts, setOpts] = optionsFor(key);
            ++n.requests;
            const bool isRead = traceOps ? traceOps_[(traceOffset + i) % traceOps_.size()] == TraceRequest::Get
                                         : s.readRatio >= 1 || rng.uniform() < s.readRatio;
            if (!isRead) {
                ++n.writes;
                const std::uint32_t v = sh.lastWritten[key].fetch_add(1, std::memory_order_acq_rel) + 1;
                makeValueInto(writeBuf, key, v, s.valueMin, s.valueMax);
                try {
                    backing_.write(key, v, writeBuf);
                    ++n.backingWrites;
                } catch (const std::exception&) {
                    ++n.loadFailures;
                    continue;
                }
                if (s.writeMode == WriteMode::Invalidate) {
                    keyString.assign(k);
                    cache.invalidate(std::span<const std::string>(&keyString, 1));
                } else if (s.writeMode == WriteMode::Update) {
                    (void)cache.set(k, writeBuf, *setOpts);
                }
                continue;
            }
            ++n.reads;
            const std::uint32_t expected = sh.lastWritten[key].load(std::memory_order_acquire);
            bool loaded = false;
            bool missTimed = false; // the solo path's sample of its misses, each standing for missWeight
            std::uint64_t loaderNs = 0;
            auto loader = [&]() -> std::optional<std::string> {
                loaded = true;
                const auto t0 = Clock::now();
                struct Guard {
                    std::atomic<std::uint8_t>& c;
                    ~Guard() { c.fetch_sub(1, std::memory_order_acq_rel); }
                } guard{sh.loading[key]};
                if (guard.c.fetch_add(1, std::memory_order_acq_rel) > 0) ++n.stampedes;
                ++n.backingQueries;
                auto value = backing_.read(key);
                if (realTime && latency.count() > 0) std::this_thread::sleep_for(latency);
                loaderNs = nsSince(t0);
                return value;
            };
            const bool timed = (i & 15) == 0;
            const auto t0 = timed ? Clock::now() : Clock::time_point{};
            std::uint32_t got = 0;
            bool ok = true;
            if (solo && s.singleFlight) {
                // One thread: no load can overlap another, so single-flight has nothing to merge and wrap()'s
                // machinery (its loader std::function, the flight table, a second lookup) would only cost time.
                // The same cache-aside steps by hand: read, on a miss query the backing store and set the value
                // with the same TTL, as wrap() would.
                if (!cache.read(k, [&](std::string_view v) { got = valueVersion(v); })) {
                    loaded = true;
                    missWeight = missTick < 256 ? 1 : missSample;
                    missTimed = missTick++ % missWeight == 0;
                    const auto l0 = missTimed ? Clock::now() : Clock::time_point{};
                    ++n.backingQueries;
                    try {
                        const bool found = backing_.readInto(key, valueBuf);
                        if (realTime && latency.count() > 0) std::this_thread::sleep_for(latency);
                        if (missTimed) loaderNs = nsSince(l0);
                        if (found) {
                            got = valueVersion(valueBuf);
                            (void)cache.set(k, valueBuf, *setOpts);
                        }
                    } catch (const std::exception&) {
                        if (missTimed) loaderNs = nsSince(l0);
                        ok = false;
                    }
                }
            } else if (s.singleFlight) {
                // read() first: its hit path is zero-copy and records the access as the policy wants it (exact
                // LRU reorders on the hit; wrap()'s peek only marks the entry, which makes LRU behave like CLOCK).
                // A miss goes through wrap(), whose single-flight is what keeps concurrent misses to one load.
                if (!cache.read(k, [&](std::string_view v) { got = valueVersion(v); })) {
                    auto r = cache.wrap(k, loader, *wrapOpts);
                    if (r.ok() && r.value()) got = valueVersion(r.value().value());
                    else ok = false;
                }
            } else {
                ValueRef v = cache.get(k);
                if (v) {
                    got = valueVersion(v.value());
                } else {
                    try {
                        auto value = loader();
                        if (value) {
                            got = valueVersion(*value);
                            (void)cache.set(k, *value, *setOpts);
                        }
                    } catch (const std::exception&) {
                        ok = false;
                    }
                }
            }
            if (!ok) ++n.loadFailures;
            if (loaded) {
                ++n.misses;
                // Loads through wrap() are always timed (the loader times itself); the solo path samples.
                if (!(solo && s.singleFlight)) st.miss.record(loaderNs + simulatedLatencyNs);
                else if (missTimed) st.miss.record(loaderNs + simulatedLatencyNs, missWeight);
            } else {
                ++n.hits;
                if (timed) st.hit.record(nsSince(t0), 16);
            }
            if (ok && got < expected) ++n.stale;
        }
        st.publish(n);
    };

    std::vector<std::thread> threads;
    for (unsigned t = 1; t < s.threads; ++t) threads.emplace_back(worker, t);
    worker(0);
    for (auto& th : threads) th.join();
    if (!realTime) cache.runMaintenance();
    SimResults r = snapshot(true);
    r.target = s.target;
    if (remote) r.keysCleanedUp = cache.clear(); // the provider's clear() deletes only keys under keyPrefix
    if (progress) progress(r);
    return r;
}

double cheLruHitRatio(const std::vector<double>& p, double capacity)
{
    if (capacity >= static_cast<double>(p.size())) return 1.0;
    auto occupied = [&](double T) {
        double sum = 0;
        for (double x : p) sum += -std::expm1(-x * T);
        return sum;
    };
    double lo = 0, hi = 1;
    while (occupied(hi) < capacity) hi *= 2;
    for (int i = 0; i < 200; ++i) {
        const double mid = (lo + hi) / 2;
        (occupied(mid) < capacity ? lo : hi) = mid;
    }
    double hit = 0;
    for (double x : p) hit += x * -std::expm1(-x * lo);
    return hit;
}

} // namespace cachelens::engine::sim
