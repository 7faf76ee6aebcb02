#pragma once
// S3-FIFO (Yang et al., SOSP '23): a small FIFO (10%) filters one-hit wonders, a main FIFO with 2-bit frequency
// holds the rest, and a ghost FIFO of recently evicted hashes sends returning keys straight to main.
// Entry::hot is the frequency (0…3); hits only bump it (relaxed, lost increments are harmless).
// Lists: 0 = small, 1 = main. Ghost: hashes only, bounded by the main queue's size.
#include <cstdint>
#include <deque>
#include <unordered_set>

#include "policy/policy.h"

namespace cachelens::engine {

class S3FifoPolicy final : public ListPolicy {
public:
    PolicyKind kind() const noexcept override { return PolicyKind::S3Fifo; }
    void onInsert(Entry* e, std::uint64_t hash) override;
    void onHit(Entry* e, std::uint64_t) noexcept override
    {
        const std::uint8_t f = e->hot.load(std::memory_order_relaxed);
        if (f < 3) e->hot.store(static_cast<std::uint8_t>(f + 1), std::memory_order_relaxed);
    }
    Entry* victim() noexcept override;
    void setCapacity(std::size_t entries) noexcept override { capacity_ = entries; }

private:
    void rememberGhost(std::uint64_t hash);
    std::size_t capacity_ = 0;
    std::deque<std::uint64_t> ghostFifo_;
    std::unordered_multiset<std::uint64_t> ghost_;
};

} // namespace cachelens::engine
