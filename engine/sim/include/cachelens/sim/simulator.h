#pragma once
// The workload simulator: runs a WorkloadSpec against the engine's Cache with a Backing store behind a cache-aside
// loader, and measures what a user would see.
//
// Time: with spec.rate > 0 requests arrive as a Poisson process on a ManualClock (the cache's clock), so TTLs
// expire in simulated time and an hour of traffic runs in seconds; backing latency is then added to the miss
// latency without sleeping. With rate 0 the run is a closed loop on real time and the loader really sleeps
// latencyMs. Same spec and seed with threads = 1 → the same counts, every run.
//
// Reads: Cache::wrap (single-flight) or, with singleFlight = false, get → load → set by hand. With one thread
// (threads = 1) no two loads can overlap, so single-flight has nothing to merge: a miss then queries the backing
// store and sets the value directly (the same TTL and cache contents wrap() would give, without its loader
// std::function and flight table). Writes bump the
// key's version in the backing store, then invalidate the key, write the new value through, or leave the cache
// alone (WriteMode). Latency: every miss is timed; hits are timed one in 16 (weighted ×16) to keep timing off the
// hot path.
//
// Threads: run() uses the calling thread plus spec.threads - 1 std::threads. The progress callback runs on the
// calling thread (about every `progressEvery`); `cancel` is polled every 4,096 requests by every thread.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <cachelens/sim/backing.h>
#include <cachelens/sim/trace_file.h>
#include <cachelens/sim/workload.h>

namespace cachelens::engine::sim {

struct LatencyPercentiles {
    double p50 = 0, p95 = 0, p99 = 0; // microseconds
    std::uint64_t count = 0;
};

struct SimResults {
    std::uint64_t requests = 0, reads = 0, writes = 0;
    std::uint64_t hits = 0, misses = 0;
    std::uint64_t backingQueries = 0;  // loader calls (database reads)
    std::uint64_t backingWrites = 0;
    std::uint64_t staleReads = 0;      // reads that returned a version older than the key's last write
    std::uint64_t stampedes = 0;       // loads of a key started while another load of it was running
    std::uint64_t loadFailures = 0;
    std::uint64_t evictions = 0, expirations = 0, invalidations = 0, dedupeJoins = 0;
    std::uint64_t entries = 0, bytes = 0;
    double hitRate = 0;                // hits / reads
    double dbLoadReduction = 0;        // 1 - backingQueries / reads: without a cache every read queries the database
    LatencyPercentiles latency, hitLatency, missLatency;
    double simulatedSeconds = 0;       // virtual time covered (rate > 0) or wall time (rate 0)
    double wallSeconds = 0;
    double requestsPerSecond = 0;      // of wall time
    std::string target = "local";      // where it ran: "local" or the Redis target as given
    std::uint64_t keysCleanedUp = 0;   // Redis target: simulated keys deleted after the run
    bool finished = false, cancelled = false;
};

class Simulator {
public:
    // Throws std::invalid_argument for a spec it cannot run (no keys, bad distribution parameters, trace that does
    // not load: the message says which). The backing store must outlive the simulator.
    Simulator(WorkloadSpec spec, Backing& backing);
    ~Simulator();
    Simulator(const Simulator&) = delete;
    Simulator& operator=(const Simulator&) = delete;

    using ProgressFn = std::function<void(const SimResults&)>;
    SimResults run(const ProgressFn& progress = {}, const std::atomic<bool>* cancel = nullptr,
                   std::chrono::milliseconds progressEvery = std::chrono::milliseconds(100));

    const WorkloadSpec& spec() const noexcept { return spec_; }
    // n key ids drawn from the workload's distribution (same seed, one thread; reads and writes alike, as run()
    // draws them, though not the very same sequence): what a miss-ratio curve of this workload is computed from.
    std::vector<std::uint64_t> keyStream(std::uint64_t n) const;
    // Key ids run 0…keys()-1 (for trace workloads: the trace's distinct keys).
    std::uint64_t keys() const noexcept { return keys_; }
    // The cache key of an id (8 bytes, little-endian): binary-safe, and what the trace tap hashes.
    static std::string cacheKey(std::uint64_t id);

private:
    struct Shared;
    WorkloadSpec spec_;
    Backing& backing_;
    std::vector<std::uint64_t> trace_;
    std::vector<TraceRequest> traceOps_; // a trace's get/set/del (empty: all gets, or readRatio decides)
    std::uint64_t keys_ = 0;
};

// The key ids a workload runs over: spec.keys, or the sum of a mixed distribution's own key ranges; 0 for a trace
// (its distinct keys are known once it is loaded: Simulator::keys()). UINT64_MAX when the sum overflows.
std::uint64_t workloadKeys(const WorkloadSpec& spec) noexcept;
// The memory a run over `keys` key ids holds before any value is cached, for the size check before a run
// (engine/sim/size_limit.h): per key its last written version and a count of loads running, a memory backing's
// version, and the zipf distributions' alias tables (one per thread, and the scratch to build one). Saturates.
std::uint64_t simulatorMemoryBytes(const WorkloadSpec& spec, std::uint64_t keys) noexcept;

// What LRU's hit ratio should be under the independent reference model with these popularities and this many
// entries: Che's approximation (solve Σ(1 - e^{-p_i T}) = C for T, hit = Σ p_i (1 - e^{-p_i T})). Uniform
// popularity gives capacity / keys exactly.
double cheLruHitRatio(const std::vector<double>& probabilities, double capacity);

} // namespace cachelens::engine::sim
