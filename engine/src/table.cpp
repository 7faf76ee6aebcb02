#include "table.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>

#include "hash.h"

namespace cachelens::engine {

ShardTable::ShardTable() : array_(makeArray(16)) {}

ShardTable::~ShardTable() { delete array_.load(std::memory_order_relaxed); }

ShardTable::Array* ShardTable::makeArray(std::size_t capacity)
{
    auto* a = new Array{capacity, std::make_unique<std::atomic<std::uint64_t>[]>(capacity)};
    return a;
}

std::uint64_t ShardTable::pack(const Entry* e, std::uint64_t hash)
{
    const auto p = reinterpret_cast<std::uint64_t>(e);
    // x86-64 and arm64 user-space pointers fit in 48 bits; anything else would corrupt the fingerprint.
    if ((p & ~kPtrMask) != 0) throw std::bad_alloc();
    return (hash & ~kPtrMask) | p;
}

Entry* ShardTable::insertOrReplace(Entry* e, std::uint64_t hash, RetireList& retired)
{
    Array* a = array_.load(std::memory_order_relaxed);
    const std::string_view key = e->key();
    const std::uint64_t packed = pack(e, hash);
    const std::uint64_t fp = hash & ~kPtrMask;
    const std::size_t cap = a->capacity;
    std::size_t i = home(hash, cap);
    std::size_t firstFree = SIZE_MAX;
    for (;;) {
        const std::uint64_t s = a->slots[i].load(std::memory_order_relaxed);
        if (s == kEmpty) break;
        if (s == kTombstone) {
            if (firstFree == SIZE_MAX) firstFree = i;
        } else if ((s & ~kPtrMask) == fp) {
            Entry* old = entryOf(s);
            if (old->keyLen == key.size() && sameBytes(old->data(), key.data(), key.size())) {
                a->slots[i].store(packed, std::memory_order_seq_cst);
                return old;
            }
        }
        if (++i == cap) i = 0;
    }
    // A free slot (empty or deleted) unlinks nothing, so publishing the entry needs only release: a reader that
    // loads the slot (seq_cst, so acquire) then sees the entry's bytes. A seq_cst store here is a full fence (xchg
    // on x86) that stalled every insert, about a tenth of the simulator's time. Replacing an entry, above, unlinks
    // the old one and stays seq_cst: ordered before the epoch stamp the old entry is retired with (see epoch.h).
    if (firstFree != SIZE_MAX) {
        a->slots[firstFree].store(packed, std::memory_order_release);
    } else {
        a->slots[i].store(packed, std::memory_order_release);
        ++used_;
    }
    ++size_;
    // Keep live + deleted slots at most 80% of the array so probes stay short and always end at an empty slot;
    // a rehash sizes the array for 60% (growing by a third, or shrinking away tombstones). A table that mass
    // deletions left under 25% full is shrunk the same way at its next insert (erase() leaves most freed slots
    // empty rather than deleted, so tombstones alone would seldom bring that rehash about).
    if (used_ * 5 > cap * 4 || (size_ * 4 < cap && cap > 64)) rehash(std::max<std::size_t>(16, size_ * 5 / 3 + 1), retired);
    return nullptr;
}

bool ShardTable::erase(const Entry* e, std::uint64_t hash) noexcept
{
    Array* a = array_.load(std::memory_order_relaxed);
    const std::size_t cap = a->capacity;
    std::size_t i = home(hash, cap);
    const auto p = reinterpret_cast<std::uint64_t>(e);
    for (;;) {
        const std::uint64_t s = a->slots[i].load(std::memory_order_relaxed);
        if (s == kEmpty) return false;
        if ((s & kPtrMask) == p && s > kTombstone) {
            const std::size_t next = i + 1 == cap ? 0 : i + 1;
            if (a->slots[next].load(std::memory_order_relaxed) != kEmpty) {
                a->slots[i].store(kTombstone, std::memory_order_seq_cst);
            } else {
                // No probe goes past an empty slot, so none needs this one or the tombstones right before it: they
                // become empty again instead of waiting for a rehash. (A concurrent reader stopping here finds what
                // it would have found: no key lies beyond.)
                a->slots[i].store(kEmpty, std::memory_order_seq_cst);
                --used_;
                for (std::size_t j = i == 0 ? cap - 1 : i - 1;
                     a->slots[j].load(std::memory_order_relaxed) == kTombstone; j = j == 0 ? cap - 1 : j - 1) {
                    a->slots[j].store(kEmpty, std::memory_order_seq_cst);
                    --used_;
                }
            }
            --size_;
            return true;
        }
        if (++i == cap) i = 0;
    }
}

void ShardTable::rehash(std::size_t capacity, RetireList& retired)
{
    Array* old = array_.load(std::memory_order_relaxed);
    Array* fresh = makeArray(capacity);
    for (std::size_t j = 0; j < old->capacity; ++j) {
        const std::uint64_t s = old->slots[j].load(std::memory_order_relaxed);
        if (s <= kTombstone) continue;
        const std::uint64_t h = hashBytes(entryOf(s)->key());
        std::size_t i = home(h, capacity);
        while (fresh->slots[i].load(std::memory_order_relaxed) != kEmpty)
            if (++i == capacity) i = 0;
        fresh->slots[i].store(s, std::memory_order_relaxed);
    }
    array_.store(fresh, std::memory_order_seq_cst);
    used_ = size_;
    retired.retire(old, &ShardTable::deleteArray, old->capacity * sizeof(std::uint64_t));
}

std::size_t ShardTable::longestProbe() const
{
    const Array* a = array_.load(std::memory_order_relaxed);
    std::size_t longest = 0;
    for (std::size_t i = 0; i < a->capacity; ++i) {
        const std::uint64_t s = a->slots[i].load(std::memory_order_relaxed);
        if (s <= kTombstone) continue;
        const std::size_t h = home(hashBytes(entryOf(s)->key()), a->capacity);
        longest = std::max(longest, (i + a->capacity - h) % a->capacity + 1);
    }
    return longest;
}

} // namespace cachelens::engine
