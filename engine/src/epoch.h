#pragma once
// Epoch-based reclamation: how lock-free readers of the store's tables never touch freed memory.
//
// A reader pins the current epoch for the duration of a lookup (EpochGuard: one uncontended atomic exchange on the
// thread's own cache line, one release store to leave). A writer that unlinks an object (an entry, an old table)
// hands it to a RetireList, stamped with the global epoch at that moment. The global epoch only advances when every
// pinned thread has seen the current one, so once it has advanced twice past an object's stamp no reader can still
// hold a pointer to it and it is freed.
//
// Threads: pinning is per thread (thread_local slot, reentrant). Up to kMaxThreads threads get their own slot;
// further threads share an overflow counter, which is correct but stops reclamation while any of them is pinned.
// RetireList is not thread-safe: its owner's lock guards it (the store uses the shard mutex).
#include <atomic>
#include <cstdint>
#include <vector>

namespace cachelens::engine {

namespace epoch {
inline constexpr unsigned kMaxThreads = 256;

namespace detail {
inline constexpr std::uint64_t kInactive = ~std::uint64_t{0};
// The calling thread's pinning state. Trivial, so reaching it is one thread-pointer-relative access (the slot's
// release at thread exit is arranged by registerThread()).
struct Pin {
    std::atomic<std::uint64_t>* slot = nullptr; // this thread's announcement; nullptr: not registered, or overflow
    unsigned depth = 0;
    unsigned index = kMaxThreads;
    bool registered = false;
};
constinit inline thread_local Pin t_pin;
extern std::atomic<std::uint64_t> g_epoch;
void registerThread() noexcept;
void enterOverflow() noexcept;
void exitOverflow() noexcept;
} // namespace detail

inline void enter() noexcept
{
    detail::Pin& p = detail::t_pin;
    if (p.depth++ != 0) return;
    if (!p.registered) [[unlikely]]
        detail::registerThread();
    // seq_cst exchange: the announcement must be globally ordered before this thread's table loads.
    if (p.slot) [[likely]]
        p.slot->exchange(detail::g_epoch.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
    else
        detail::enterOverflow();
}
inline void exit() noexcept
{
    detail::Pin& p = detail::t_pin;
    if (--p.depth != 0) return;
    if (p.slot) [[likely]]
        p.slot->store(detail::kInactive, std::memory_order_release);
    else
        detail::exitOverflow();
}
std::uint64_t current() noexcept;
// Advances the global epoch if every pinned thread has seen it. Cheap when few threads ever pinned.
bool tryAdvance() noexcept;
// A small dense id for the calling thread (0 … kMaxThreads-1, or kMaxThreads for overflow threads and for a thread
// whose slot was already released at its exit), used to pick counter stripes without hashing thread ids. Two live
// threads never share an index below kMaxThreads.
// One past the highest threadIndex() ever handed out (indices are reused lowest first, so this stays small).
unsigned indexHighWater() noexcept;
inline unsigned threadIndex() noexcept
{
    detail::Pin& p = detail::t_pin;
    if (!p.registered) [[unlikely]]
        detail::registerThread();
    return p.index;
}
} // namespace epoch

class EpochGuard {
public:
    EpochGuard() noexcept { epoch::enter(); }
    ~EpochGuard() { epoch::exit(); }
    EpochGuard(const EpochGuard&) = delete;
    EpochGuard& operator=(const EpochGuard&) = delete;
};

class RetireList {
public:
    using Deleter = void (*)(void*) noexcept;
    RetireList() = default;
    ~RetireList(); // frees everything: the owner guarantees no reader is left (its store is being destroyed)
    RetireList(const RetireList&) = delete;
    RetireList& operator=(const RetireList&) = delete;

    // `bytes` is what freeing the object gives back; a large pending total makes the owner collect sooner.
    void retire(void* object, Deleter deleter, std::size_t bytes = 0);
    std::size_t pendingBytes() const noexcept { return pendingBytes_; }
    // Frees what no reader can reach any more. Returns the number of objects freed.
    std::size_t collect() noexcept;
    std::size_t size() const noexcept { return items_.size() - head_; }

private:
    struct Item {
        std::uint64_t epoch;
        void* object;
        Deleter deleter;
        std::size_t bytes;
    };
    std::size_t pendingBytes_ = 0;
    std::vector<Item> items_;
    std::size_t head_ = 0; // items_[0, head_) were already freed; compacted lazily
};

} // namespace cachelens::engine
