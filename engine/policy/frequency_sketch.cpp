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
    // One 64-bit word (16 counters) per expected entry, grouped in 8-word blocks.
    const std::size_t words = std::bit_ceil(cap);
    const std::size_t blocks = std::max<std::size_t>(1, words / 8);
    blockMask_ = blocks - 1;
    table_ = std::make_unique<std::atomic<std::uint64_t>[]>(blocks * 8);
    const std::size_t doorBits = std::bit_ceil(cap * 4);
    doorMask_ = doorBits - 1;
    door_ = std::make_unique<std::atomic<std::uint64_t>[]>(doorBits / 64 + 1);
    sampleSize_ = static_cast<std::uint32_t>(std::min<std::size_t>(cap * 10, 0x7fffffff));
}

void FrequencySketch::increment(std::uint64_t hash) noexcept
{
    // Doorkeeper first: a key's first sighting since the last reset only sets its bits.
    const std::uint64_t h2 = rehash(hash);
    const std::size_t b1 = hash & doorMask_, b2 = h2 & doorMask_;
    auto& w1 = door_[b1 >> 6];
    auto& w2 = door_[b2 >> 6];
    const std::uint64_t m1 = std::uint64_t{1} << (b1 & 63), m2 = std::uint64_t{1} << (b2 & 63);
    const bool seen = (w1.load(std::memory_order_relaxed) & m1) && (w2.load(std::memory_order_relaxed) & m2);
    bool added = false;
    if (!seen) {
        w1.fetch_or(m1, std::memory_order_relaxed);
        w2.fetch_or(m2, std::memory_order_relaxed);
        added = true;
    } else {
        std::atomic<std::uint64_t>* block = &table_[(h2 >> 8 & blockMask_) * 8];
        for (int i = 0; i < 4; ++i) {
            auto& word = block[(hash >> (8 * i)) & 7];
            const int shift = static_cast<int>((hash >> (32 + 4 * i)) & 15) * 4;
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
    const std::size_t b1 = hash & doorMask_, b2 = h2 & doorMask_;
    const bool seen = (door_[b1 >> 6].load(std::memory_order_relaxed) & (std::uint64_t{1} << (b1 & 63)))
        && (door_[b2 >> 6].load(std::memory_order_relaxed) & (std::uint64_t{1} << (b2 & 63)));
    const std::atomic<std::uint64_t>* block = &table_[(h2 >> 8 & blockMask_) * 8];
    int f = 15;
    for (int i = 0; i < 4; ++i) {
        const std::uint64_t word = block[(hash >> (8 * i)) & 7].load(std::memory_order_relaxed);
        const int shift = static_cast<int>((hash >> (32 + 4 * i)) & 15) * 4;
        f = std::min(f, static_cast<int>((word >> shift) & 15));
    }
    return seen ? f + 1 : 0;
}

void FrequencySketch::reset() noexcept
{
    // Only one thread halves; others keep counting meanwhile (their increments may be halved or not: harmless).
    std::uint32_t s = samples_.load(std::memory_order_relaxed);
    if (s < sampleSize_ || !samples_.compare_exchange_strong(s, s / 2, std::memory_order_relaxed)) return;
    const std::size_t n = (blockMask_ + 1) * 8;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t v = table_[i].load(std::memory_order_relaxed);
        table_[i].store((v >> 1) & 0x7777777777777777ull, std::memory_order_relaxed);
    }
    const std::size_t dn = doorMask_ / 64 + 1;
    for (std::size_t i = 0; i < dn; ++i) door_[i].store(0, std::memory_order_relaxed);
    resets_.fetch_add(1, std::memory_order_relaxed);
}

} // namespace cachelens::engine
