#pragma once
// Trace replay against the engine: each Get reads the key and, on a miss, sets it (as a cache-aside reader would);
// Set writes it, Del deletes it. One shard and no TTL, so the policy's own behaviour is what is measured.
#include <atomic>
#include <cstdint>

#include "engine/policy/policy.h"
#include "engine/sim/trace_file.h"

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

} // namespace cachelens::engine::sim
