#include "policy/frequency_sketch.h"

#include <algorithm>
#include <bit>

#include "epoch.h"

namespace cachelens::engine {

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

namespace {
// Row `row`'s counter for `hash` in `block`: loads its word, adds one unless the counter is saturated (15), and says
// whether it did. A relaxed load and store, no read-modify-write: a race with another thread's increment of the
// same word can lose one of the two, which only makes an estimate slightly low (see the header). Each row reloads
// its word, so two rows that share a word both count, as they would one after the other.
inline bool bump(std::atomic<std::uint64_t>* block, std::uint64_t hash, int row) noexcept
{
    auto& word = block[counterWord(hash, row)];
    const int shift = counterShift(hash, row);
    const std::uint64_t v = word.load(std::memory_order_relaxed);
    if (((v >> shift) & 15) == 15) return false;
    word.store(v + (std::uint64_t{1} << shift), std::memory_order_relaxed);
    return true;
}
inline int counter(const std::atomic<std::uint64_t>* block, std::uint64_t hash, int row) noexcept
{
    return static_cast<int>((block[counterWord(hash, row)].load(std::memory_order_relaxed) >> counterShift(hash, row)) & 15);
}
} // namespace

void FrequencySketch::increment(std::uint64_t hash) noexcept
{
    const std::uint64_t h2 = rehash(hash);
    std::atomic<std::uint64_t>* block = &table_[((h2 >> 16) & blockMask_) * 8];
    // Doorkeeper first: a key's first sighting since the last reset only sets its bits.
    const std::uint64_t door = doorBits(h2);
    const std::uint64_t seen = block[kDoorWord].load(std::memory_order_relaxed);
    bool added;
    if ((seen & door) != door) {
        block[kDoorWord].store(seen | door, std::memory_order_relaxed);
        added = true;
    } else {
        // `|`, not `||`: every row counts. Saturated counters of hot keys write nothing at all, so the hottest keys
        // cost readers no shared writes.
        added = bump(block, hash, 0) | bump(block, hash, 1) | bump(block, hash, 2) | bump(block, hash, 3);
    }
    if (added) countSample();
}

void FrequencySketch::recordFirstSighting(std::uint64_t hash) noexcept
{
    const std::uint64_t h2 = rehash(hash);
    std::atomic<std::uint64_t>* block = &table_[((h2 >> 16) & blockMask_) * 8];
    const std::uint64_t door = doorBits(h2);
    const std::uint64_t seen = block[kDoorWord].load(std::memory_order_relaxed);
    if ((seen & door) == door) return;
    block[kDoorWord].store(seen | door, std::memory_order_relaxed);
    countSample();
}

void FrequencySketch::countSample() noexcept
{
    // Each thread counts in its own stripe (two reader threads would otherwise take turns owning one line on
    // almost every hit of a key that is not yet saturated). The other stripes are read only when this one plus what
    // they held at the last look reaches the sample size, or every kSampleCheck samples: alone, a thread ages the
    // sketch at exactly sampleSize samples, as before the stripes; with others, at most kSampleCheck samples late.
    SampleStripe& mine = samples_[epoch::threadIndex() % kSampleStripes];
    const std::uint32_t n = mine.n.load(std::memory_order_relaxed) + 1;
    mine.n.store(n, std::memory_order_relaxed);
    if (n + mine.othersSeen.load(std::memory_order_relaxed) < sampleSize_ && n % kSampleCheck != 0) return;
    const std::uint32_t total = sampleTotal();
    const std::uint32_t others = total > n ? total - n : 0; // (another thread may have just halved them all)
    mine.othersSeen.store(others, std::memory_order_relaxed);
    if (n + others >= sampleSize_) reset();
}

std::uint32_t FrequencySketch::sampleTotal() const noexcept
{
    std::uint32_t total = 0;
    for (const auto& stripe : samples_) total += stripe.n.load(std::memory_order_relaxed);
    return total;
}

int FrequencySketch::frequency(std::uint64_t hash) const noexcept
{
    const std::uint64_t h2 = rehash(hash);
    const std::atomic<std::uint64_t>* block = &table_[((h2 >> 16) & blockMask_) * 8];
    const std::uint64_t door = doorBits(h2);
    if ((block[kDoorWord].load(std::memory_order_relaxed) & door) != door) return 0;
    return std::min(std::min(counter(block, hash, 0), counter(block, hash, 1)),
                    std::min(counter(block, hash, 2), counter(block, hash, 3)))
        + 1;
}

void FrequencySketch::reset() noexcept
{
    // Only one thread halves; others keep counting meanwhile (their increments may be halved or not: harmless).
    bool idle = false;
    if (!resetting_.compare_exchange_strong(idle, true, std::memory_order_acquire)) return;
    if (sampleTotal() < sampleSize_) { // another thread has just halved
        resetting_.store(false, std::memory_order_release);
        return;
    }
    for (auto& stripe : samples_) stripe.n.store(stripe.n.load(std::memory_order_relaxed) / 2, std::memory_order_relaxed);
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
    resetting_.store(false, std::memory_order_release);
}

} // namespace cachelens::engine
