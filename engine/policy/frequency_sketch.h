#pragma once
// The popularity estimate behind W-TinyLFU: a count-min sketch of 4-bit counters in front of a doorkeeper that
// absorbs one-hit wonders. A key's four counters and its two doorkeeper bits all live in one 64-byte block (seven
// words of counters, one word of doorkeeper bits), so recording an access touches exactly one cache line.
// Aging: after `sampleSize` (5 × capacity) recorded increments every counter is halved and the doorkeeper is
// cleared, so the sketch follows a changing popularity.
//
// Thread-safety: increment() and frequency() are lock-free (relaxed atomics; a lost increment under a race only
// makes the estimate slightly low, never wrong in kind) and may run on reader threads. reset() (the aging step)
// is called by whoever crosses the sample threshold and races benignly with increments.
#include <atomic>
#include <cstdint>
#include <memory>

namespace cachelens::engine {

class FrequencySketch {
public:
    explicit FrequencySketch(std::size_t capacity);
    void increment(std::uint64_t hash) noexcept;
    int frequency(std::uint64_t hash) const noexcept; // 0 … 16
    std::uint64_t resets() const noexcept { return resets_.load(std::memory_order_relaxed); }

private:
    void reset() noexcept;
    std::size_t blockMask_; // table_ holds (blockMask_ + 1) blocks of 8 words
    std::unique_ptr<std::atomic<std::uint64_t>[]> table_;
    std::uint32_t sampleSize_;
    std::atomic<std::uint32_t> samples_{0};
    std::atomic<std::uint64_t> resets_{0};
};

} // namespace cachelens::engine
