#pragma once
// A workload for the simulator: which keys are read and written, how often, with what TTL, against which cache
// configuration and backing store. Plain values; connectors/sim/WorkloadJson reads and writes the issue #10 JSON
// shape ({"keys": 100000, "distribution": {"type": "zipf", "s": 0.9}, …}).
#include <cstdint>
#include <string>
#include <vector>

#include <cachelens/policy.h>

namespace cachelens::engine::sim {

enum class DistributionKind { Uniform, Zipf, Hotspot, Scan, Mixed, Trace };

const char* distributionName(DistributionKind kind) noexcept;
bool parseDistribution(std::string_view name, DistributionKind& out) noexcept;

struct DistributionSpec {
    DistributionKind kind = DistributionKind::Zipf;
    double s = 0.9;                 // zipf exponent
    double hotKeys = 0.2;           // hotspot: this fraction of the keys…
    double hotTraffic = 0.8;        // …receives this fraction of the requests (uniformly within each part)
    std::uint64_t scanLength = 0;   // scan: loop over keys 0…scanLength-1 in order (0 = all keys)
    double weight = 1;              // as a part of a mix
    std::uint64_t keys = 0;         // as a part of a mix: its own range of this many keys (all parts or none)
    double ttlSeconds = -1;         // as a part of a mix with its own keys: its TTL (-1 = the workload's)
    std::vector<DistributionSpec> parts; // mixed: each request picks a part with probability weight / total
    std::string tracePath;          // trace: replay this file's keys in order (looping); a text trace with get/set/del
                                    // replays those too (sets and dels are writes, readRatio is then ignored)
    std::string traceFormat;        // "text" or "u64le" ("" = by extension: .bin/.u64 → u64le)
};

// What a write to the source of truth does to the cache (the design documents' mutation flow).
enum class WriteMode {
    Invalidate, // update the database, then invalidate the key (the next read loads the new value)
    Update,     // update the database, then store the new value in the cache (write-through)
    TtlOnly     // update the database only: the cache serves the old value until its TTL runs out
};
const char* writeModeName(WriteMode mode) noexcept;
bool parseWriteMode(std::string_view name, WriteMode& out) noexcept;

struct WorkloadSpec {
    std::string name;                 // shown in comparisons
    std::uint64_t keys = 100000;      // key ids 0…keys-1; the backing database has one row per key
    DistributionSpec distribution;
    std::uint64_t requests = 2000000;
    double readRatio = 0.95;          // the rest are writes
    double rate = 5000;               // requests per simulated second (Poisson); 0 = closed loop on real time
    std::uint32_t valueMin = 100, valueMax = 1000; // value sizes in bytes, uniform per key and version
    double ttlSeconds = 30;           // 0 = no expiry
    WriteMode writeMode = WriteMode::Invalidate;
    bool singleFlight = true;         // false: reads do get → load → set by hand, as naive cache-aside code does
    unsigned threads = 1;             // >1: requests are split over threads (results then depend on scheduling)
    // cache
    std::string target = "local";     // "local": the engine in-process; else a Redis URL or saved connection name
    // A Redis target, resolved by the caller (connectors/sim): the URL the engine's "redis" provider connects to
    // (password included) and the prefix every simulated key is written under ("cachelens:sim:<run>:"); the
    // simulator deletes the keys under that prefix when it ends. On Redis the run is a closed loop on real time
    // (Redis expires keys on its own clock, which a virtual clock cannot move), and maxEntries/maxBytes/policy do
    // not apply (the server's maxmemory and eviction policy do).
    std::string targetUrl;
    std::string keyPrefix;
    PolicyKind policy = PolicyKind::WTinyLfu;
    std::uint64_t maxEntries = 10000; // 0 = unbounded
    std::uint64_t maxBytes = 0;       // 0 = unbounded
    // backing store
    std::string backingType = "sqlite"; // "sqlite" (connectors/sim) or "memory"
    double latencyMs = 2;             // added to every backing query (simulated on the virtual clock, slept on real time)
    std::uint64_t seed = 42;
};

} // namespace cachelens::engine::sim
