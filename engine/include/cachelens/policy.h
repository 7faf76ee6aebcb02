#pragma once
// Eviction policies by name: what CacheOptions::policy (CACHE_POLICY) chooses and the knobs the simulator turns.
// The policies themselves are private to the engine.
#include <string_view>

namespace cachelens::engine {

enum class PolicyKind { Lru, WTinyLfu, S3Fifo, Sieve };

const char* policyName(PolicyKind kind) noexcept;
// "lru", "wtinylfu" (also "w-tinylfu", "tinylfu"), "s3fifo" (also "s3-fifo"), "sieve"; false when unknown.
bool parsePolicy(std::string_view name, PolicyKind& out) noexcept;

// Knobs for the simulator and for experiments; the defaults are what production caches should use.
struct PolicyTuning {
    double windowFraction = 0.01; // W-TinyLFU: initial admission window, as a fraction of capacity
    bool adaptiveWindow = true;   // W-TinyLFU: size the window by hill climbing on the hit rate
};

} // namespace cachelens::engine
