#pragma once
// Eviction policies: one interface, one instance per store shard.
//
// Locking contract (the store upholds it):
//   onInsert/onRemove/onReplace/victim/size  — called with the shard mutex held;
//   onHit/onMiss — called by readers with NO lock, concurrently with everything else: they may only touch atomics
//                  (Entry::hot, the frequency sketch) with relaxed operations. This is what keeps a cache hit free
//                  of locks: the ordering work a hit implies is done lazily, when victim() walks the queues
//                  (second chance / CLOCK-style promotion), as SIEVE, S3-FIFO and CLOCK do by design.
//   wantsExactHits()/onHitLocked — a policy that prefers to reorder on the hit itself (exact LRU) says so; the
//                  store then try-locks the shard on a hit and calls onHitLocked, or falls back to onHit when the
//                  lock is busy, so contention degrades LRU to second-chance instead of making readers wait.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include <cachelens/entry.h>
#include <cachelens/policy.h>

#include "stats_counters.h"

namespace cachelens::engine {

class FrequencySketch;

class EvictionPolicy {
public:
    virtual ~EvictionPolicy() = default;
    virtual PolicyKind kind() const noexcept = 0;

    virtual void onInsert(Entry* e, std::uint64_t hash) = 0;
    virtual void onRemove(Entry* e) noexcept = 0;
    // `fresh` takes over `old`'s place and history (an overwrite is an access, not a new arrival).
    virtual void onReplace(Entry* old, Entry* fresh, std::uint64_t hash) noexcept = 0;
    // The next entry to evict (still linked; the store removes it through onRemove), or nullptr when empty.
    virtual Entry* victim() noexcept = 0;

    virtual void onHit(Entry* e, std::uint64_t hash) noexcept = 0;
    virtual void onMiss(std::uint64_t /*hash*/) noexcept {}
    virtual bool wantsExactHits() const noexcept { return false; }
    // How often the policy believes this hash was accessed lately, without counting an access; -1 when the policy
    // keeps no frequency (only W-TinyLFU has a sketch). Lock-free, like onHit.
    virtual int frequency(std::uint64_t /*hash*/) const noexcept { return -1; }
    // The policy's frequency sketch, if it keeps one, so that a lookup can prefetch the line its hit will touch.
    virtual const FrequencySketch* sketch() const noexcept { return nullptr; }
    virtual void onHitLocked(Entry* e, std::uint64_t hash) noexcept { onHit(e, hash); }

    // The store's entry bound for this shard (0 = bounded by bytes only); policies size their segments from it.
    virtual void setCapacity(std::size_t entries) noexcept = 0;
    // The cache's counters (hits, misses), for policies that adapt to the hit rate.
    virtual void setStats(const StatsCounters* /*stats*/) noexcept {}
};

// capacityHint: the shard's entry bound, or an estimate when only bytes are bounded.
std::unique_ptr<EvictionPolicy> makePolicy(PolicyKind kind, std::size_t capacityHint, const PolicyTuning& tuning = {});

// Doubly-linked intrusive list over Entry::prev/next, front = most recently inserted.
class EntryList {
public:
    bool empty() const noexcept { return head_ == nullptr; }
    std::size_t size() const noexcept { return size_; }
    Entry* front() const noexcept { return head_; }
    Entry* back() const noexcept { return tail_; }

    void pushFront(Entry* e) noexcept
    {
        e->setPrev(nullptr);
        e->setNext(head_);
        if (head_) head_->setPrev(e);
        else tail_ = e;
        head_ = e;
        ++size_;
    }
    void remove(Entry* e) noexcept
    {
        Entry* const p = e->prev();
        Entry* const n = e->next();
        if (p) p->setNext(n);
        else head_ = n;
        if (n) n->setPrev(p);
        else tail_ = p;
        e->setPrev(nullptr);
        e->setNext(nullptr);
        --size_;
    }
    void replace(Entry* old, Entry* fresh) noexcept
    {
        Entry* const p = old->prev();
        Entry* const n = old->next();
        fresh->setPrev(p);
        fresh->setNext(n);
        if (p) p->setNext(fresh);
        else head_ = fresh;
        if (n) n->setPrev(fresh);
        else tail_ = fresh;
        old->setPrev(nullptr);
        old->setNext(nullptr);
    }
    void moveToFront(Entry* e) noexcept
    {
        if (head_ == e) return;
        remove(e);
        pushFront(e);
    }

private:
    Entry* head_ = nullptr;
    Entry* tail_ = nullptr;
    std::size_t size_ = 0;
};

// Base for policies made of a few EntryLists: Entry::queue() says which list an entry is on.
class ListPolicy : public EvictionPolicy {
public:
    void onRemove(Entry* e) noexcept override
    {
        beforeRemove(e);
        lists_[e->queue()].remove(e);
        e->setQueue(Entry::kDetached);
    }
    void onReplace(Entry* old, Entry* fresh, std::uint64_t hash) noexcept override
    {
        beforeRemove(old);
        fresh->setQueue(old->queue());
        lists_[old->queue()].replace(old, fresh);
        old->setQueue(Entry::kDetached);
        fresh->hot.store(old->hot.load(std::memory_order_relaxed), std::memory_order_relaxed);
        onHit(fresh, hash);
    }

protected:
    // Hook for policies holding a cursor into a list (SIEVE's hand).
    virtual void beforeRemove(Entry*) noexcept {}
    void link(Entry* e, std::uint8_t queue) noexcept
    {
        e->setQueue(queue);
        lists_[queue].pushFront(e);
    }
    void move(Entry* e, std::uint8_t queue) noexcept
    {
        lists_[e->queue()].remove(e);
        link(e, queue);
    }
    static bool takeHot(Entry* e) noexcept
    {
        if (e->hot.load(std::memory_order_relaxed) == 0) return false;
        e->hot.store(0, std::memory_order_relaxed);
        return true;
    }
    static void markHot(Entry* e) noexcept
    {
        if (e->hot.load(std::memory_order_relaxed) == 0) e->hot.store(1, std::memory_order_relaxed);
    }
    EntryList lists_[4];
};

} // namespace cachelens::engine
