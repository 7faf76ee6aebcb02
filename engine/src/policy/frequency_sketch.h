#pragma once
// The popularity estimate behind W-TinyLFU: a count-min sketch of 4-bit counters in front of a doorkeeper that
// absorbs one-hit wonders. A key's four counters and its two doorkeeper bits all live in one 64-byte block (seven
// words of counters, one word of doorkeeper bits), so recording an access touches exactly one cache line.
// Aging: after `sampleSize` (5 × capacity) recorded increments every counter is halved and the doorkeeper is
// cleared, so the sketch follows a changing popularity.
//
// Thread-safety: increment() and frequency() are lock-free and may run on reader threads. They use relaxed loads and
// stores, no read-modify-write (a hit must not pay for a locked instruction): two threads incrementing counters of
// the same word at once may lose one increment, which only makes an estimate slightly low under contention, never
// wrong in kind; single-threaded use (the simulator, the hit-ratio tables) is exact and deterministic. Samples are
// counted per thread, so threads do not fight over one counter line. reset() (the aging step) is called by whoever crosses the sample
// threshold, only one thread at a time halves (a compare-exchange elects it), and it races benignly with increments.
#include <atomic>
#include <cstdint>
#include <memory>

namespace cachelens::engine {

class FrequencySketch {
public:
    explicit FrequencySketch(std::size_t capacity);
    void increment(std::uint64_t hash) noexcept;
    // increment() only if the key has not been seen since the last reset (frequency() == 0), in one look.
    void recordFirstSighting(std::uint64_t hash) noexcept;
    int frequency(std::uint64_t hash) const noexcept; // 0 … 16
    // Starts loading the one line that increment(hash) and frequency(hash) touch. A lookup calls it before probing
    // its table, so this miss overlaps the table's and the entry's instead of following them.
    void prefetch(std::uint64_t hash) const noexcept { __builtin_prefetch(&table_[blockOf(hash)]); }
    std::uint64_t resets() const noexcept { return resets_.load(std::memory_order_relaxed); }

private:
    static std::uint64_t rehash(std::uint64_t x) noexcept
    {
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdull;
        x ^= x >> 33;
        return x;
    }
    // Index of the first word of the hash's block.
    std::size_t blockOf(std::uint64_t hash) const noexcept { return ((rehash(hash) >> 16) & blockMask_) * 8; }
    void countSample() noexcept;
    void reset() noexcept;
    std::size_t blockMask_; // table_ holds (blockMask_ + 1) blocks of 8 words
    std::unique_ptr<std::atomic<std::uint64_t>[]> table_;
    std::uint32_t sampleSize_;
    std::uint32_t sampleTotal() const noexcept;
    // Samples (counted increments) since the last aging, one stripe per thread (by epoch::threadIndex(), modulo),
    // each on its own line, away from what increments only read.
    static constexpr unsigned kSampleStripes = 4;
    static constexpr std::uint32_t kSampleCheck = 32;
    struct alignas(64) SampleStripe {
        std::atomic<std::uint32_t> n{0};
        std::atomic<std::uint32_t> othersSeen{0}; // the other stripes' sum at this stripe's last look
    };
    SampleStripe samples_[kSampleStripes];
    std::atomic<bool> resetting_{false};
    std::atomic<std::uint64_t> resets_{0};
};

} // namespace cachelens::engine
