#pragma once
// W-TinyLFU (Einziger, Friedman, Manes): a small admission window in front of a segmented main space
// (probation + protected, 20/80), and a frequency sketch that decides whether the window's oldest entry may enter
// main in place of main's victim. The window starts at 1% of capacity and is then sized by hill climbing (between 1 entry and the whole capacity) on the
// observed hit rate (the "adaptive W-TinyLFU" of Einziger et al., 2018), which is what keeps it within a point of
// LRU on recency-heavy traces while keeping TinyLFU's resistance to scans.
//
// Differences from Caffeine, on purpose: segments are ordered CLOCK-style (a hit sets Entry::hot; promotion from
// probation to protected and second chances happen when victim() walks the tails) so that a hit takes no lock.
// Lists: 0 = window, 1 = probation, 2 = protected.
#include <atomic>
#include <cstdint>

#include "policy/frequency_sketch.h"
#include "policy/policy.h"

namespace cachelens::engine {

class WTinyLfuPolicy final : public ListPolicy {
public:
    WTinyLfuPolicy(std::size_t capacityHint, const PolicyTuning& tuning = {});
    PolicyKind kind() const noexcept override { return PolicyKind::WTinyLfu; }
    void onInsert(Entry* e, std::uint64_t hash) override;
    void onHit(Entry* e, std::uint64_t hash) noexcept override;
    void onMiss(std::uint64_t hash) noexcept override;
    Entry* victim() noexcept override;
    void setCapacity(std::size_t entries) noexcept override;
    void setStats(const StatsCounters* stats) noexcept override { stats_ = stats; }
    int frequency(std::uint64_t hash) const noexcept override { return sketch_.frequency(hash); }
    const FrequencySketch* sketch() const noexcept override { return &sketch_; }

    // The window's current size bound in entries (what hill climbing adjusts).
    std::size_t windowTarget() const noexcept { return windowMax_; }
    // Whether a candidate leaving the window may take the place of main's victim: when the sketch finds it more
    // frequent, and, 1 time in 128, when it is warm (frequency >= kAdmitWarm) but not more frequent.
    bool admits(std::uint64_t candidateHash, std::uint64_t victimHash) noexcept;
    static constexpr int kAdmitWarm = 6;

private:
    std::size_t capacity() const noexcept;
    Entry* mainVictim() noexcept;
    void adapt() noexcept;
    void balanceProtected() noexcept;

    FrequencySketch sketch_;
    PolicyTuning tuning_;
    std::uint64_t random_; // admits()' generator, shard mutex
    std::size_t capacity_ = 0;   // entries; 0 = unknown (bytes-bounded), estimated from the size at first eviction
    std::size_t windowMax_ = 1;
    bool windowPinned_ = false;  // a capacity of 0 or 1 leaves nothing to adapt
    // Hill climbing on the cache's own hit and miss counters (exact, and deterministic in single-threaded use).
    const StatsCounters* stats_ = nullptr;
    std::uint64_t lastHits_ = 0, lastMisses_ = 0;
    double previousHitRate_ = 0;
    double step_ = 0;              // signed, in entries; 0 until the capacity is known
    int climbState_ = 0;           // 0 not full yet, 1 first sample running, 2 first move due, 3 climbing
    // Hill-climbing constants (see adapt()). Caffeine: samples of 10 × capacity, restart at a 5-point change with
    // a 6.25% step, decay 0.98, no growth. Chosen by hand on bench_engine's five traces, which are generated and
    // were not changed to suit the policy.
    static constexpr std::uint64_t kSamplePerEntry = 5;
    static constexpr double kRestartThreshold = 0.05;
    static constexpr double kRestartStep = 0.10;
    static constexpr double kStepGrowth = 1.5;
    static constexpr double kMaxStep = 0.25;
    static constexpr double kStepDecay = 0.98;
};

} // namespace cachelens::engine
