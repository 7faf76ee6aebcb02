#pragma once
// One cached item: a single allocation holding this 24-byte header, then (only for entries that can expire) an
// 8-byte deadline and a 4-byte grace period, then the key bytes, then the value bytes.
//
// Key, value, flags and grace are immutable after creation: an overwrite creates a new Entry and swaps it in, so
// a reader that found an Entry can use its bytes without a lock for as long as it keeps it alive (an EpochGuard
// during a lookup, or a reference held by a ValueRef). An entry created without a deadline slot (kTimed) never
// gets one: giving such a key a TTL swaps in a timed copy (Store::expireAt).
//
// Mutable fields and who guards them:
//   deadline  (kTimed entries) written under the shard mutex (expire/persist), read lock-free (relaxed) by readers
//   refs      atomic reference count: 1 while the table owns the entry, +1 per ValueRef
//   links_    the eviction policy's list links and queue number, shard mutex only (queue == kDetached once removed)
//   hot       the policy's access bits, set lock-free by readers (relaxed), read and cleared under the shard mutex
// (links_ and flags are separate objects, not bit-fields of one word: flags is read without the lock while the
// links are written under it.)
//
// Why 24 bytes: the budget is 64 bytes per entry over key + value, all costs included. glibc malloc adds
// 8 bytes and rounds to 16; the table slot costs 8 / load factor; the frequency sketch 4. The list links are
// therefore stored as two 45-bit pointers (entries are 8-byte aligned and user-space pointers fit in 48 bits) and
// a 6-bit queue number in 12 bytes, and the deadline is paid for only by entries that have one.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string_view>

#include <cachelens/clock.h>

namespace cachelens::engine {

struct Entry {
    enum Flag : std::uint8_t {
        kHasTags = 1,    // the shard's TagIndex has a record for this entry
        kNotFound = 2,   // a cached "not found" (negative caching): a hit that carries no value
        kCompressed = 4, // value bytes are zstd-compressed; rawSize() is the original size
        kTimed = 8,      // the allocation has a deadline slot and a grace period (the entry can expire)
    };

    std::atomic<std::uint32_t> refs{1};
    std::uint32_t valueLen = 0;
    std::uint32_t links_[3] = {0, 0, 0}; // prev, next (45 bits each), queue (6 bits): see prev() … queue()
    std::uint16_t keyLen = 0;
    std::atomic<std::uint8_t> hot{0};
    std::uint8_t flags = 0;

    static constexpr std::uint8_t kDetached = 0x3F;
    static constexpr std::uint32_t kMaxGraceSec = 0xFFFF;
    static constexpr std::size_t kMaxKey = 0xFFFF;
    static constexpr std::size_t kTimedBytes = 12; // deadline (8) + grace seconds (4)

    static Entry* create(std::string_view key, std::string_view value, std::uint8_t flags = 0, Nanos deadline = 0,
                         std::uint32_t graceSec = 0)
    {
        if (deadline != 0 || graceSec != 0) flags |= kTimed;
        const std::size_t extra = (flags & kTimed) ? kTimedBytes : 0;
        void* mem = ::operator new(sizeof(Entry) + extra + key.size() + value.size());
        if ((reinterpret_cast<std::uintptr_t>(mem) & 7) != 0 || (reinterpret_cast<std::uintptr_t>(mem) >> 48) != 0) {
            ::operator delete(mem); // the packed links need 8-byte aligned, 48-bit pointers
            throw std::bad_alloc();
        }
        Entry* e = new (mem) Entry;
        e->keyLen = static_cast<std::uint16_t>(key.size());
        e->valueLen = static_cast<std::uint32_t>(value.size());
        e->flags = flags;
        if (flags & kTimed) {
            new (e->deadlineSlot()) std::atomic<Nanos>(deadline);
            std::memcpy(reinterpret_cast<char*>(e + 1) + 8, &graceSec, 4);
        }
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
    // The retire list's deleter. By then no reader can find the entry any more (two epochs have passed), so its
    // count can only fall: at 1 the table's reference is the last one and the entry is freed without a locked
    // decrement.
    static void unrefErased(void* p) noexcept
    {
        Entry* e = static_cast<Entry*>(p);
        if (e->refs.load(std::memory_order_acquire) == 1) destroy(e);
        else e->unref();
    }

    // Key bytes followed by value bytes.
    char* data() noexcept { return reinterpret_cast<char*>(this + 1) + ((flags & kTimed) ? kTimedBytes : 0); }
    const char* data() const noexcept
    {
        return reinterpret_cast<const char*>(this + 1) + ((flags & kTimed) ? kTimedBytes : 0);
    }
    std::string_view key() const noexcept { return {data(), keyLen}; }
    std::string_view value() const noexcept { return {data() + keyLen, valueLen}; }
    bool has(Flag f) const noexcept { return (flags & f) != 0; }
    bool timed() const noexcept { return (flags & kTimed) != 0; }

    // ---- expiry ----
    // When the entry stops being fresh; 0 = never.
    Nanos deadline() const noexcept { return timed() ? deadlineSlot()->load(std::memory_order_relaxed) : 0; }
    // Only for timed() entries, under the shard mutex.
    void setDeadline(Nanos d) noexcept { deadlineSlot()->store(d, std::memory_order_relaxed); }
    // How long past the deadline wrap() may still serve the value (whole seconds).
    std::uint32_t graceSec() const noexcept
    {
        if (!timed()) return 0;
        std::uint32_t g;
        std::memcpy(&g, reinterpret_cast<const char*>(this + 1) + 8, 4);
        return g;
    }
    bool expiredAt(Nanos now) const noexcept
    {
        const Nanos e = deadline();
        return e != 0 && now >= e;
    }
    // Past the grace period too: the entry is dead for every caller and may be reclaimed.
    bool deadAt(Nanos now) const noexcept
    {
        const Nanos e = deadline();
        return e != 0 && now >= e + static_cast<Nanos>(graceSec()) * 1'000'000'000;
    }

    // ---- the policy's links (shard mutex only) ----
    Entry* prev() const noexcept { return unpack(links_[0], links_[2] & kHighMask); }
    Entry* next() const noexcept { return unpack(links_[1], (links_[2] >> 13) & kHighMask); }
    void setPrev(Entry* p) noexcept
    {
        const std::uint64_t v = reinterpret_cast<std::uint64_t>(p) >> 3;
        links_[0] = static_cast<std::uint32_t>(v);
        links_[2] = (links_[2] & ~kHighMask) | static_cast<std::uint32_t>(v >> 32);
    }
    void setNext(Entry* n) noexcept
    {
        const std::uint64_t v = reinterpret_cast<std::uint64_t>(n) >> 3;
        links_[1] = static_cast<std::uint32_t>(v);
        links_[2] = (links_[2] & ~(kHighMask << 13)) | (static_cast<std::uint32_t>(v >> 32) << 13);
    }
    std::uint8_t queue() const noexcept { return static_cast<std::uint8_t>(links_[2] >> 26); }
    void setQueue(std::uint8_t q) noexcept { links_[2] = (links_[2] & 0x03FFFFFFu) | (std::uint32_t{q} << 26); }

    // What the entry costs against the byte bound: header + key + value (the allocator's own rounding is not
    // counted; the table slot is).
    std::size_t charge() const noexcept { return chargeFor(keyLen, valueLen, timed()); }
    static std::size_t chargeFor(std::size_t keyLen, std::size_t valueLen, bool timed) noexcept
    {
        return sizeof(Entry) + (timed ? kTimedBytes : 0) + 8 + keyLen + valueLen;
    }

private:
    static constexpr std::uint32_t kHighMask = 0x1FFF; // bits 32..44 of a pointer >> 3
    static Entry* unpack(std::uint32_t low, std::uint32_t high) noexcept
    {
        return reinterpret_cast<Entry*>(((std::uint64_t{high} << 32) | low) << 3);
    }
    std::atomic<Nanos>* deadlineSlot() const noexcept
    {
        return reinterpret_cast<std::atomic<Nanos>*>(const_cast<Entry*>(this) + 1);
    }
};

static_assert(sizeof(Entry) == 24, "keep the per-entry overhead small (see the header comment)");
static_assert(alignof(Entry) <= 8 && sizeof(Entry) % 8 == 0, "the deadline slot after the header must be aligned");
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
