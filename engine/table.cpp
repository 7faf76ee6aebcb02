#include "engine/table.h"

#include <bit>
#include <cstring>
#include <new>

#include "engine/hash.h"

namespace cachelens::engine {

ShardTable::ShardTable() : array_(makeArray(16)) {}

ShardTable::~ShardTable() { delete array_.load(std::memory_order_relaxed); }

ShardTable::Array* ShardTable::makeArray(std::size_t capacity)
{
    auto* a = new Array{capacity - 1, std::make_unique<std::atomic<std::uint64_t>[]>(capacity)};
    return a;
}

std::uint64_t ShardTable::pack(const Entry* e, std::uint64_t hash)
{
    const auto p = reinterpret_cast<std::uint64_t>(e);
    // x86-64 and arm64 user-space pointers fit in 48 bits; anything else would corrupt the fingerprint.
    if ((p & ~kPtrMask) != 0) throw std::bad_alloc();
    return (hash & ~kPtrMask) | p;
}

Entry* ShardTable::find(std::string_view key, std::uint64_t hash) const noexcept
{
    const Array* a = array_.load(std::memory_order_seq_cst);
    const std::uint64_t fp = hash & ~kPtrMask;
    std::size_t i = hash & a->mask;
    for (;;) {
        const std::uint64_t s = a->slots[i].load(std::memory_order_seq_cst);
        if (s == kEmpty) return nullptr;
        if ((s & ~kPtrMask) == fp && s > kTombstone) {
            Entry* e = entryOf(s);
            if (e->keyLen == key.size() && (key.empty() || std::memcmp(e->data(), key.data(), key.size()) == 0))
                return e;
        }
        i = (i + 1) & a->mask;
    }
}

Entry* ShardTable::insertOrReplace(Entry* e, std::uint64_t hash, RetireList& retired)
{
    Array* a = array_.load(std::memory_order_relaxed);
    const std::string_view key = e->key();
    const std::uint64_t packed = pack(e, hash);
    const std::uint64_t fp = hash & ~kPtrMask;
    std::size_t i = hash & a->mask;
    std::size_t firstFree = SIZE_MAX;
    for (;;) {
        const std::uint64_t s = a->slots[i].load(std::memory_order_relaxed);
        if (s == kEmpty) break;
        if (s == kTombstone) {
            if (firstFree == SIZE_MAX) firstFree = i;
        } else if ((s & ~kPtrMask) == fp) {
            Entry* old = entryOf(s);
            if (old->key() == key) {
                a->slots[i].store(packed, std::memory_order_seq_cst);
                return old;
            }
        }
        i = (i + 1) & a->mask;
    }
    if (firstFree != SIZE_MAX) {
        a->slots[firstFree].store(packed, std::memory_order_seq_cst);
    } else {
        a->slots[i].store(packed, std::memory_order_seq_cst);
        ++used_;
    }
    ++size_;
    // Keep live + deleted slots at most 3/4 of the array so probes stay short and always end at an empty slot.
    if (used_ * 4 > (a->mask + 1) * 3) {
        std::size_t cap = 16;
        while (cap < size_ * 2) cap <<= 1;
        rehash(cap, retired);
    }
    return nullptr;
}

bool ShardTable::erase(const Entry* e, std::uint64_t hash) noexcept
{
    Array* a = array_.load(std::memory_order_relaxed);
    std::size_t i = hash & a->mask;
    const auto p = reinterpret_cast<std::uint64_t>(e);
    for (;;) {
        const std::uint64_t s = a->slots[i].load(std::memory_order_relaxed);
        if (s == kEmpty) return false;
        if ((s & kPtrMask) == p && s > kTombstone) {
            a->slots[i].store(kTombstone, std::memory_order_seq_cst);
            --size_;
            return true;
        }
        i = (i + 1) & a->mask;
    }
}

void ShardTable::rehash(std::size_t capacity, RetireList& retired)
{
    Array* old = array_.load(std::memory_order_relaxed);
    Array* fresh = makeArray(capacity);
    for (std::size_t j = 0; j <= old->mask; ++j) {
        const std::uint64_t s = old->slots[j].load(std::memory_order_relaxed);
        if (s <= kTombstone) continue;
        const std::uint64_t h = hashBytes(entryOf(s)->key());
        std::size_t i = h & fresh->mask;
        while (fresh->slots[i].load(std::memory_order_relaxed) != kEmpty) i = (i + 1) & fresh->mask;
        fresh->slots[i].store(s, std::memory_order_relaxed);
    }
    array_.store(fresh, std::memory_order_seq_cst);
    used_ = size_;
    retired.retire(old, &ShardTable::deleteArray, (old->mask + 1) * sizeof(std::uint64_t));
}

} // namespace cachelens::engine
