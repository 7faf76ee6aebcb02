#pragma once
// Miss-ratio curves: LRU's hit ratio at every cache size from one pass over a trace.
//
// exactLruMrc: Mattson's stack distances, computed with a Fenwick tree over access times (a 1 marks each key's
// latest access; a key's distance is the number of marks after its previous access), O(N log N). A request hits an
// LRU cache of C entries iff its distance is < C.
//
// shardsMrc: SHARDS (Waldspurger et al., FAST '15) with a fixed rate R: only keys whose hash falls under R are
// tracked, their distances are scaled by 1/R, and the count of the smallest distance is adjusted by the difference
// between the expected (N·R) and actual number of sampled requests ("SHARDS-adj"). Memory and time shrink by R.
// Its error: each point carries the binomial standard error sqrt(h(1-h)/n) of the n sampled requests, which
// understates key-sampling variance; the measured mean absolute error against exact curves is in engine/README.md.
#include <cstdint>
#include <span>
#include <vector>

namespace cachelens::engine::sim {

struct MrcPoint {
    std::uint64_t size = 0;    // cache entries
    double hitRatio = 0;
    double stdError = 0;       // 0 for exact curves
};

struct Mrc {
    std::vector<MrcPoint> points;
    std::uint64_t requests = 0;        // in the trace
    std::uint64_t sampledRequests = 0; // = requests for exact curves
    std::uint64_t distinctKeys = 0;    // tracked keys (sampled keys for SHARDS)
    double samplingRate = 1;
};

// keys: any uint64 ids. sizes: the cache sizes to report (any order; reported ascending).
Mrc exactLruMrc(std::span<const std::uint64_t> keys, std::vector<std::uint64_t> sizes);
Mrc shardsMrc(std::span<const std::uint64_t> keys, std::vector<std::uint64_t> sizes, double rate);

} // namespace cachelens::engine::sim
