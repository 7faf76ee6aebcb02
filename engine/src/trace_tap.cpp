#include <cachelens/trace_tap.h>

#include <bit>

namespace cachelens::engine {

TraceTap::TraceTap(std::size_t capacity)
{
    const std::size_t n = std::bit_ceil(std::max<std::size_t>(capacity, 16));
    slots_ = std::make_unique<Slot[]>(n);
    mask_ = n - 1;
}

void TraceTap::enable(std::uint32_t sampleEvery) noexcept
{
    sampleEvery_.store(sampleEvery, std::memory_order_relaxed);
}

void TraceTap::record(Nanos time, std::uint64_t keyHash, TraceOp op) noexcept
{
    const std::uint32_t every = sampleEvery_.load(std::memory_order_relaxed);
    // Sample on the high bits: the low ones already chose the key's table bucket.
    if (every == 0 || (every > 1 && (keyHash >> 32) % every != 0)) return;
    const std::uint64_t i = next_.fetch_add(1, std::memory_order_relaxed);
    Slot& s = slots_[i & mask_];
    s.seq.store(2 * i + 1, std::memory_order_relaxed);
    s.time.store(time, std::memory_order_relaxed);
    s.hash.store(keyHash, std::memory_order_relaxed);
    s.op.store(static_cast<std::uint8_t>(op), std::memory_order_relaxed);
    s.seq.store(2 * i + 2, std::memory_order_release);
}

std::uint64_t TraceTap::read(std::uint64_t& cursor, std::vector<TraceRecord>& out) const
{
    const std::uint64_t end = next_.load(std::memory_order_acquire);
    std::uint64_t dropped = 0;
    const std::uint64_t capacity = mask_ + 1;
    if (end > cursor + capacity) {
        dropped += end - capacity - cursor;
        cursor = end - capacity;
    }
    while (cursor < end) {
        const Slot& s = slots_[cursor & mask_];
        const std::uint64_t before = s.seq.load(std::memory_order_acquire);
        if (before < 2 * cursor + 2) break;           // still being written: stop, read it next time
        TraceRecord r{s.time.load(std::memory_order_acquire), s.hash.load(std::memory_order_acquire),
                      static_cast<TraceOp>(s.op.load(std::memory_order_acquire))};
        const std::uint64_t after = s.seq.load(std::memory_order_relaxed);
        if (before != 2 * cursor + 2 || after != before) { // overwritten by a later lap
            ++dropped;
        } else {
            out.push_back(r);
        }
        ++cursor;
    }
    return dropped;
}

} // namespace cachelens::engine
