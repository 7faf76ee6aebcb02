#pragma once
// SIEVE (Zhang et al., NSDI '24): one FIFO queue and a hand that walks from the oldest entry towards the newest,
// clearing "visited" bits and evicting the first unvisited entry. Survivors are not moved, so a hit is one relaxed
// store of a bit that is usually already set.
#include "policy/policy.h"

namespace cachelens::engine {

class SievePolicy final : public ListPolicy {
public:
    PolicyKind kind() const noexcept override { return PolicyKind::Sieve; }
    void onInsert(Entry* e, std::uint64_t) override { link(e, 0); }
    void onHit(Entry* e, std::uint64_t) noexcept override { markHot(e); }
    Entry* victim() noexcept override
    {
        if (lists_[0].empty()) return nullptr;
        Entry* h = hand_ ? hand_ : lists_[0].back();
        for (;;) {
            if (!takeHot(h)) {
                hand_ = h->prev(); // where the next search resumes (towards newer entries)
                return h;
            }
            h = h->prev() ? h->prev() : lists_[0].back();
        }
    }
    void setCapacity(std::size_t) noexcept override {}

protected:
    void beforeRemove(Entry* e) noexcept override
    {
        if (hand_ == e) hand_ = e->prev();
    }

private:
    Entry* hand_ = nullptr;
};

} // namespace cachelens::engine
