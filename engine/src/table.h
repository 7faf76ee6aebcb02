#pragma once
// The hash table of one store shard: open addressing with linear probing over 8-byte slots, each holding an Entry
// pointer (low 48 bits) and a 16-bit fingerprint of the key's hash (high 16 bits). A lookup reads one cache line
// of slots, compares fingerprints, and touches an Entry only when the fingerprint matches: usually one entry per
// lookup, the one it was looking for.
//
// Capacity is any number of slots, not a power of two: a key's home slot is the low 32 bits of its hash scaled to
// the capacity (Lemire's multiply-shift), so the table grows by a third at 80% load and stays between 60% and 80%
// full (10–13 bytes of table per entry). A power-of-two table at 1M entries sits at 48% load (17 bytes per entry).
// Home slots are monotonic in the hash, which is what makes the scan cursor (a 32-bit hash position) survive
// rehashes: see Store::scanStepLocked.
//
// Concurrency: find() is lock-free and may run concurrently with the writer; the caller must hold an EpochGuard.
// Every other member function needs the shard mutex. Writers publish slots and arrays with seq_cst stores; an
// array replaced by a rehash is handed to the shard's RetireList, so a reader still probing it stays safe.
// The table never owns entries: the shard does (it retires or frees them).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include <cachelens/entry.h>

#include "epoch.h"

namespace cachelens::engine {

class ShardTable {
public:
    ShardTable();
    ~ShardTable();
    ShardTable(const ShardTable&) = delete;
    ShardTable& operator=(const ShardTable&) = delete;

    // Inline: it is most of a cache hit. Keys up to 32 bytes are compared with a few word loads, not a memcmp call.
    Entry* find(std::string_view key, std::uint64_t hash) const noexcept
    {
        const Array* a = array_.load(std::memory_order_seq_cst);
        const std::uint64_t fp = hash & ~kPtrMask;
        const std::size_t cap = a->capacity;
        std::size_t i = home(hash, cap);
        for (;;) {
            const std::uint64_t s = a->slots[i].load(std::memory_order_seq_cst);
            if (s == kEmpty) return nullptr;
            if ((s & ~kPtrMask) == fp && s > kTombstone) {
                Entry* e = entryOf(s);
                if (e->keyLen == key.size() && sameBytes(e->data(), key.data(), key.size())) return e;
            }
            if (++i == cap) i = 0;
        }
    }

    // Inserts `e`, or replaces the entry with the same key and returns it (the caller retires it).
    // May rehash; the old slot array then goes to `retired`.
    Entry* insertOrReplace(Entry* e, std::uint64_t hash, RetireList& retired);
    // Removes exactly `e` (located through its hash). Never rehashes, so cursors stay valid.
    bool erase(const Entry* e, std::uint64_t hash) noexcept;
    // Drops every entry, calling `dispose` on each (the caller retires them).
    template <class F>
    void clear(F&& dispose)
    {
        Array* a = array_.load(std::memory_order_relaxed);
        for (std::size_t i = 0; i < a->capacity; ++i) {
            const std::uint64_t s = a->slots[i].load(std::memory_order_relaxed);
            if (s > kTombstone) {
                a->slots[i].store(kTombstone, std::memory_order_seq_cst);
                dispose(entryOf(s));
            }
        }
        size_ = 0;
    }

    std::size_t size() const noexcept { return size_; }
    std::size_t capacity() const noexcept { return array_.load(std::memory_order_relaxed)->capacity; }
    // The entry in slot i (nullptr for empty or deleted slots).
    Entry* slot(std::size_t i) const noexcept
    {
        const std::uint64_t s = array_.load(std::memory_order_relaxed)->slots[i].load(std::memory_order_relaxed);
        return s > kTombstone ? entryOf(s) : nullptr;
    }
    // The home slot of a hash in a table of `capacity` slots.
    static std::size_t home(std::uint64_t hash, std::size_t capacity) noexcept
    {
        return static_cast<std::size_t>(((hash & 0xFFFFFFFFu) * capacity) >> 32);
    }
    bool slotEmpty(std::size_t i) const noexcept
    {
        return array_.load(std::memory_order_relaxed)->slots[i].load(std::memory_order_relaxed) == kEmpty;
    }
    std::size_t memoryBytes() const noexcept { return capacity() * sizeof(std::uint64_t); }
    // The most slots any lookup of a present key reads (1 = at its home slot). For audits: it hashes every key.
    std::size_t longestProbe() const;

private:
    static constexpr std::uint64_t kEmpty = 0, kTombstone = 1;
    static constexpr std::uint64_t kPtrMask = (std::uint64_t{1} << 48) - 1;
    struct Array {
        std::size_t capacity;
        std::unique_ptr<std::atomic<std::uint64_t>[]> slots;
    };
    static Entry* entryOf(std::uint64_t s) noexcept { return reinterpret_cast<Entry*>(s & kPtrMask); }
    static bool sameBytes(const char* a, const char* b, std::size_t n) noexcept
    {
        const auto w8 = [](const char* p) {
            std::uint64_t v;
            std::memcpy(&v, p, 8);
            return v;
        };
        if (n > 32) return std::memcmp(a, b, n) == 0;
        if (n >= 8) { // words from the front, the last one overlapping the end
            for (std::size_t i = 0; i + 8 < n; i += 8)
                if (w8(a + i) != w8(b + i)) return false;
            return w8(a + n - 8) == w8(b + n - 8);
        }
        if (n >= 4) {
            std::uint32_t x, y, u, v;
            std::memcpy(&x, a, 4), std::memcpy(&y, b, 4), std::memcpy(&u, a + n - 4, 4), std::memcpy(&v, b + n - 4, 4);
            return x == y && u == v;
        }
        for (std::size_t i = 0; i < n; ++i)
            if (a[i] != b[i]) return false;
        return true;
    }
    static std::uint64_t pack(const Entry* e, std::uint64_t hash);
    static Array* makeArray(std::size_t capacity);
    static void deleteArray(void* a) noexcept { delete static_cast<Array*>(a); }
    void rehash(std::size_t capacity, RetireList& retired);

    std::atomic<Array*> array_;
    std::size_t size_ = 0; // live entries
    std::size_t used_ = 0; // live + tombstones: what decides the next rehash
};

} // namespace cachelens::engine
