#pragma once
// Least recently used. Exact when hits can take the shard lock (the store try-locks on a hit, always succeeding in
// single-threaded use such as the simulator); a hit that finds the lock busy only marks the entry, and victim()
// gives marked entries a second chance, so contention degrades LRU to CLOCK rather than making readers wait.
#include "policy/policy.h"

namespace cachelens::engine {

class LruPolicy final : public ListPolicy {
public:
    PolicyKind kind() const noexcept override { return PolicyKind::Lru; }
    void onInsert(Entry* e, std::uint64_t) override { link(e, 0); }
    void onHit(Entry* e, std::uint64_t) noexcept override { markHot(e); }
    bool wantsExactHits() const noexcept override { return true; }
    void onHitLocked(Entry* e, std::uint64_t) noexcept override
    {
        e->hot.store(0, std::memory_order_relaxed);
        lists_[0].moveToFront(e);
    }
    Entry* victim() noexcept override
    {
        while (Entry* t = lists_[0].back()) {
            if (!takeHot(t)) return t;
            lists_[0].moveToFront(t);
        }
        return nullptr;
    }
    void setCapacity(std::size_t) noexcept override {}
};

} // namespace cachelens::engine
