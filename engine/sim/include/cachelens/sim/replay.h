#pragma once
// Trace replay: each Get reads the key and, on a miss, sets it (as a cache-aside reader would); Set writes it, Del
// deletes it. No TTL and one eviction domain, so the policy's own behaviour is what is measured.
//
// replayTrace is a lean single-threaded loop around the engine's real policy objects (makePolicy): its own table of
// key id → Entry, and the policy called exactly as the engine's Store calls it with one shard — a hit: onHitLocked
// when the policy wants exact hits, else onHit; a miss: onMiss; a new key: onInsert, then victim()/onRemove until the
// capacity holds; an overwrite: onReplace — with the same hash (hashBytes of the 8-byte little-endian id) and the
// same hit and miss counters (W-TinyLFU's hill climbing reads them). So its decisions, and its hit ratios, are the
// Store's (tests/engine/tst_sim.cpp compares every policy); what it leaves out is what only concurrent use needs:
// shard locks, epochs, retire lists, gauges, expiry sweeps.
// replayTraceThroughStore replays through the engine's Cache (one shard): the reference, and the bench's baseline.
#include <atomic>
#include <cstdint>

#include <cachelens/policy.h>
#include <cachelens/sim/trace_file.h>

namespace cachelens::engine::sim {

struct ReplayResult {
    PolicyKind policy = PolicyKind::Lru;
    std::uint64_t capacity = 0;
    std::uint64_t gets = 0, hits = 0, requests = 0;
    double hitRatio = 0;     // hits / gets
    double seconds = 0;      // wall time of the replay
    bool cancelled = false;
};

ReplayResult replayTrace(const Trace& trace, PolicyKind policy, std::uint64_t capacity,
                         const std::atomic<bool>* cancel = nullptr);
ReplayResult replayTraceThroughStore(const Trace& trace, PolicyKind policy, std::uint64_t capacity,
                                     const std::atomic<bool>* cancel = nullptr);

} // namespace cachelens::engine::sim
