#pragma once
// One cached item: a single allocation holding this header, then the key bytes, then the value bytes.
//
// Key, value, flags and grace are immutable after creation: an overwrite creates a new Entry and swaps it in, so
// a reader that found an Entry can use its bytes without a lock for as long as it keeps it alive (an EpochGuard
// during a lookup, or a reference held by a ValueRef).
//
// Mutable fields and who guards them:
//   expireAt  written under the shard mutex (expire/persist), read lock-free (relaxed) by readers
//   refs      atomic reference count: 1 while the table owns the entry, +1 per ValueRef
//   prev/next/queue   the eviction policy's lists, shard mutex only (queue == kDetached once removed)
//   hot       the policy's access bits, set lock-free by readers (relaxed), read and cleared under the shard mutex
// (queue and flags are separate bytes, not bit-fields: a bit-field pair is one memory location, and flags is read
// without the lock while queue is written under it.)
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>

#include "engine/clock.h"

namespace cachelens::engine {

struct Entry {
    enum Flag : std::uint8_t {
        kHasTags = 1,    // the shard's TagIndex has a record for this entry
        kNotFound = 2,   // a cached "not found" (negative caching): a hit that carries no value
        kCompressed = 4, // value bytes are zstd-compressed; rawSize() is the original size
    };

    std::atomic<Nanos> expireAt{0}; // when the entry stops being fresh; 0 = never
    std::atomic<std::uint32_t> refs{1};
    std::uint32_t valueLen = 0;
    Entry* prev = nullptr;
    Entry* next = nullptr;
    std::uint16_t graceSec = 0;     // how long past expireAt wrap() may still serve the value (whole seconds)
    std::uint16_t keyLen = 0;
    std::atomic<std::uint8_t> hot{0};
    std::uint8_t queue = 0;
    std::uint8_t flags = 0;

    static constexpr std::uint8_t kDetached = 0xFF;
    static constexpr std::uint32_t kMaxGraceSec = 0xFFFF;

    static constexpr std::size_t kMaxKey = 0xFFFF;

    static Entry* create(std::string_view key, std::string_view value, std::uint8_t flags = 0)
    {
        void* mem = ::operator new(sizeof(Entry) + key.size() + value.size());
        Entry* e = new (mem) Entry;
        e->keyLen = static_cast<std::uint16_t>(key.size());
        e->valueLen = static_cast<std::uint32_t>(value.size());
        e->flags = flags;
        char* d = e->data();
        if (!key.empty()) std::memcpy(d, key.data(), key.size());
        if (!value.empty()) std::memcpy(d + key.size(), value.data(), value.size());
        return e;
    }
    static void destroy(Entry* e) noexcept
    {
        e->~Entry();
        ::operator delete(static_cast<void*>(e));
    }
    void ref() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
    void unref() noexcept
    {
        if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy(this);
    }
    static void unrefErased(void* p) noexcept { static_cast<Entry*>(p)->unref(); }

    char* data() noexcept { return reinterpret_cast<char*>(this + 1); }
    const char* data() const noexcept { return reinterpret_cast<const char*>(this + 1); }
    std::string_view key() const noexcept { return {data(), keyLen}; }
    std::string_view value() const noexcept { return {data() + keyLen, valueLen}; }
    bool has(Flag f) const noexcept { return (flags & f) != 0; }

    // What the entry costs against the byte bound: header + key + value (the allocator's own rounding is not
    // counted; the table slot is).
    std::size_t charge() const noexcept { return chargeFor(keyLen, valueLen); }
    static std::size_t chargeFor(std::size_t keyLen, std::size_t valueLen) noexcept
    {
        return sizeof(Entry) + 8 + keyLen + valueLen;
    }

    bool expiredAt(Nanos now) const noexcept
    {
        const Nanos e = expireAt.load(std::memory_order_relaxed);
        return e != 0 && now >= e;
    }
    // Past the grace period too: the entry is dead for every caller and may be reclaimed.
    bool deadAt(Nanos now) const noexcept
    {
        const Nanos e = expireAt.load(std::memory_order_relaxed);
        return e != 0 && now >= e + static_cast<Nanos>(graceSec) * 1'000'000'000;
    }
};

static_assert(sizeof(Entry) == 40, "keep the per-entry overhead small");

// A counted reference to an immutable cached value: copying it never copies the bytes, and the bytes stay valid
// for as long as the ValueRef lives, even if the key is overwritten, deleted or evicted meanwhile.
class ValueRef {
public:
    ValueRef() noexcept = default;
    // Adopts one reference already taken on `e`.
    static ValueRef adopt(Entry* e) noexcept
    {
        ValueRef r;
        r.e_ = e;
        return r;
    }
    ValueRef(const ValueRef& o) noexcept : e_(o.e_)
    {
        if (e_) e_->ref();
    }
    ValueRef(ValueRef&& o) noexcept : e_(o.e_) { o.e_ = nullptr; }
    ValueRef& operator=(ValueRef o) noexcept
    {
        std::swap(e_, o.e_);
        return *this;
    }
    ~ValueRef()
    {
        if (e_) e_->unref();
    }

    explicit operator bool() const noexcept { return e_ != nullptr; }
    // The value bytes; empty for a cached "not found".
    std::string_view value() const noexcept { return e_ ? e_->value() : std::string_view{}; }
    std::string_view key() const noexcept { return e_ ? e_->key() : std::string_view{}; }
    bool isNotFound() const noexcept { return e_ && e_->has(Entry::kNotFound); }
    bool isCompressed() const noexcept { return e_ && e_->has(Entry::kCompressed); }

private:
    Entry* e_ = nullptr;
};

} // namespace cachelens::engine
