#include "engine/policy/frequency_sketch.h"

#include <algorithm>
#include <bit>

namespace cachelens::engine {

namespace {
inline std::uint64_t rehash(std::uint64_t x) noexcept
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}
} // namespace

FrequencySketch::FrequencySketch(std::size_t capacity)
{
    const std::size_t cap = std::clamp<std::size_t>(capacity, 16, std::size_t{1} << 26);
    // Half a 64-bit word (8 counters) per expected entry, grouped in 8-word blocks: 4 bytes per entry, a quarter
    // of the per-entry budget, and still about two counters per key and row.
    const std::size_t blocks = std::max<std::size_t>(1, std::bit_floor(cap) / 16);
    blockMask_ = blocks - 1;
    table_ = std::make_unique<std::atomic<std::uint64_t>[]>(blocks * 8);
    // Aging every 5 × capacity increments (Caffeine: 10 ×) forgets stale popularity twice as fast, which is what
    // lets newly popular keys in on recency-heavy traces; see bench_engine's table.
    sampleSize_ = static_cast<std::uint32_t>(std::min<std::size_t>(cap * 5, 0x7fffffff));
}

namespace {
constexpr unsigned kDoorWord = 7; // word 7 of each block holds the doorkeeper bits; words 0-6 hold counters
inline std::uint64_t doorBits(std::uint64_t h2) noexcept
{
    return (std::uint64_t{1} << (h2 & 63)) | (std::uint64_t{1} << ((h2 >> 6) & 63));
}
inline unsigned counterWord(std::uint64_t hash, int row) noexcept
{
    return static_cast<unsigned>(((hash >> (8 * row)) & 0xFF) % 7);
}
inline int counterShift(std::uint64_t hash, int row) noexcept
{
    return static_cast<int>((hash >> (32 + 4 * row)) & 15) * 4;
}
} // namespace

void FrequencySketch::increment(std::uint64_t hash) noexcept
{
    const std::uint64_t h2 = rehash(hash);
    std::atomic<std::uint64_t>* block = &table_[((h2 >> 16) & blockMask_) * 8];
    bool added = false;
    // Doorkeeper first: a key's first sighting since the last reset only sets its bits.
    const std::uint64_t door = doorBits(h2);
    if ((block[kDoorWord].load(std::memory_order_relaxed) & door) != door) {
        block[kDoorWord].fetch_or(door, std::memory_order_relaxed);
        added = true;
    } else {
        for (int i = 0; i < 4; ++i) {
            auto& word = block[counterWord(hash, i)];
            const int shift = counterShift(hash, i);
            std::uint64_t v = word.load(std::memory_order_relaxed);
            while (((v >> shift) & 15) != 15) {
                if (word.compare_exchange_weak(v, v + (std::uint64_t{1} << shift), std::memory_order_relaxed)) {
                    added = true;
                    break;
                }
            }
        }
    }
    // Saturated counters of hot keys write nothing at all, so the hottest keys cost readers no shared writes.
    if (added && samples_.fetch_add(1, std::memory_order_relaxed) + 1 >= sampleSize_) reset();
}

int FrequencySketch::frequency(std::uint64_t hash) const noexcept
{
    const std::uint64_t h2 = rehash(hash);
    const std::atomic<std::uint64_t>* block = &table_[((h2 >> 16) & blockMask_) * 8];
    const std::uint64_t door = doorBits(h2);
    if ((block[kDoorWord].load(std::memory_order_relaxed) & door) != door) return 0;
    int f = 15;
    for (int i = 0; i < 4; ++i) {
        const std::uint64_t word = block[counterWord(hash, i)].load(std::memory_order_relaxed);
        f = std::min(f, static_cast<int>((word >> counterShift(hash, i)) & 15));
    }
    return f + 1;
}

void FrequencySketch::reset() noexcept
{
    // Only one thread halves; others keep counting meanwhile (their increments may be halved or not: harmless).
    std::uint32_t s = samples_.load(std::memory_order_relaxed);
    if (s < sampleSize_ || !samples_.compare_exchange_strong(s, s / 2, std::memory_order_relaxed)) return;
    const std::size_t n = (blockMask_ + 1) * 8;
    for (std::size_t i = 0; i < n; ++i) {
        if (i % 8 == kDoorWord) {
            table_[i].store(0, std::memory_order_relaxed);
            continue;
        }
        const std::uint64_t v = table_[i].load(std::memory_order_relaxed);
        table_[i].store((v >> 1) & 0x7777777777777777ull, std::memory_order_relaxed);
    }
    resets_.fetch_add(1, std::memory_order_relaxed);
}

} // namespace cachelens::engine
