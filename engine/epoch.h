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

void enter() noexcept;
void exit() noexcept;
std::uint64_t current() noexcept;
// Advances the global epoch if every pinned thread has seen it. Cheap when few threads ever pinned.
bool tryAdvance() noexcept;
// A small dense id for the calling thread (0 … kMaxThreads-1, or kMaxThreads for overflow threads), used to pick
// counter stripes without hashing thread ids on every operation.
unsigned threadIndex() noexcept;
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
