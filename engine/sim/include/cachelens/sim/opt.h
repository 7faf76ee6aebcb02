#pragma once
// Belady's clairvoyant optimum (OPT, "MIN") for a trace: the most hits any cache of C entries could get on it, the
// bound every real policy's hit ratio is measured against. Exact with bypass, under the replay model of replay.h
// (a Get hits if the key is held, and on a miss the key may be stored; a Set may store the key; a Del drops it):
// at every miss the cache holds the C keys whose next Get comes soonest, so a newcomer whose next Get is farther
// than every resident's is not stored at all.
//
// How: one backward pass gives each request the position of its key's next request, kept only when that request is
// a Get (after a Set the key can be stored again for free, after a Del it is gone: holding it until then gains
// nothing, so its next use is "never"). Replaying a capacity is then a max-heap of the held keys' next-use
// positions: a position identifies its key, so the heap holds bare uint32 positions and a bit per request says
// whether the key is held when its next use comes (a hit). A key whose next use is "never" is dropped at once.
// Heap entries whose position has passed are stale and are swept out when they outnumber the live ones.
//
// Cost: O(n log C) time per capacity after an O(n) pass; memory 4 bytes per request for the next uses plus a bit
// per request and 4 bytes per held key while a capacity replays, plus, during the first pass, 4 bytes per key id
// (dense ids, as text traces have) or an IdMap over the distinct keys (sparse u64le ids). optMemoryBytes says how
// much at most, so a caller can refuse what the machine cannot hold.
#include <atomic>
#include <cstdint>
#include <vector>

#include <cachelens/sim/trace_file.h>

namespace cachelens::engine::sim {

struct OptResult {
    std::uint64_t capacity = 0;
    std::uint64_t gets = 0, hits = 0, requests = 0;
    double hitRatio = 0;  // hits / gets
    double seconds = 0;   // wall time of this capacity's replay (the shared first pass not included)
    bool cancelled = false;
};

// Traces longer than this do not fit the uint32 positions (about 4.3 billion requests).
inline constexpr std::uint64_t kOptMaxRequests = 0xfffffffeu;

// The most bytes BeladyOptimum and run(capacity) allocate for `trace`, for capacities up to `capacity` (an upper
// bound: a trace with sparse ids is charged as if every request were a new key).
std::uint64_t optMemoryBytes(const Trace& trace, std::uint64_t capacity) noexcept;

class BeladyOptimum {
public:
    // The backward pass. Throws std::length_error when the trace has more than kOptMaxRequests requests.
    explicit BeladyOptimum(const Trace& trace, const std::atomic<bool>* cancel = nullptr);

    // OPT's hits at `capacity` entries (0: nothing is stored). Each call is independent, so capacities may be run in
    // any order or on several threads at once.
    OptResult run(std::uint64_t capacity, const std::atomic<bool>* cancel = nullptr) const;

    std::uint64_t requests() const noexcept { return nextUse_.size(); }
    std::uint64_t gets() const noexcept { return gets_; }
    double firstPassSeconds() const noexcept { return firstPassSeconds_; }

private:
    std::vector<std::uint32_t> nextUse_; // position of the key's next request if it is a Get, else kNever
    std::uint64_t gets_ = 0;
    double firstPassSeconds_ = 0;
    bool cancelled_ = false;
};

// One capacity in one call (the first pass included in `seconds`).
OptResult optimalReplay(const Trace& trace, std::uint64_t capacity, const std::atomic<bool>* cancel = nullptr);

} // namespace cachelens::engine::sim
