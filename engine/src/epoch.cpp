#include "epoch.h"

namespace cachelens::engine {
namespace {

using epoch::detail::kInactive;

struct alignas(64) Slot {
    std::atomic<std::uint64_t> epoch{kInactive};
    std::atomic<bool> taken{false};
};

Slot g_slots[epoch::kMaxThreads];
std::atomic<unsigned> g_slotHighWater{0};   // slots [0, g_slotHighWater) have ever been taken
std::atomic<unsigned> g_overflowPinned{0};  // pinned threads that found no free slot

// Gives the thread's slot back when the thread ends. Its index may then go to a new thread: a thread that still
// uses the engine from a later thread-exit destructor is treated as an overflow thread.
struct SlotRelease {
    ~SlotRelease()
    {
        epoch::detail::Pin& p = epoch::detail::t_pin;
        if (!p.slot) return;
        Slot& s = g_slots[p.index];
        p.slot = nullptr;
        p.index = epoch::kMaxThreads;
        s.epoch.store(kInactive, std::memory_order_release);
        s.taken.store(false, std::memory_order_release);
    }
};

} // namespace

namespace epoch {

namespace detail {

std::atomic<std::uint64_t> g_epoch{2};

void registerThread() noexcept
{
    Pin& p = t_pin;
    if (p.registered) return;
    p.registered = true;
    for (unsigned i = 0; i < kMaxThreads; ++i) {
        bool expected = false;
        if (!g_slots[i].taken.load(std::memory_order_relaxed)
            && g_slots[i].taken.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
            static thread_local SlotRelease release; // constructed here: its destructor runs at thread exit
            (void)release;
            p.slot = &g_slots[i].epoch;
            p.index = i;
            unsigned hw = g_slotHighWater.load(std::memory_order_relaxed);
            while (hw < i + 1 && !g_slotHighWater.compare_exchange_weak(hw, i + 1, std::memory_order_acq_rel)) {
            }
            return;
        }
    }
}

void enterOverflow() noexcept { g_overflowPinned.fetch_add(1, std::memory_order_seq_cst); }
void exitOverflow() noexcept { g_overflowPinned.fetch_sub(1, std::memory_order_release); }

} // namespace detail

using detail::g_epoch;

unsigned indexHighWater() noexcept { return g_slotHighWater.load(std::memory_order_acquire); }

std::uint64_t current() noexcept { return g_epoch.load(std::memory_order_seq_cst); }

bool tryAdvance() noexcept
{
    std::uint64_t e = g_epoch.load(std::memory_order_seq_cst);
    if (g_overflowPinned.load(std::memory_order_seq_cst) != 0) return false;
    const unsigned n = g_slotHighWater.load(std::memory_order_acquire);
    for (unsigned i = 0; i < n; ++i) {
        const std::uint64_t v = g_slots[i].epoch.load(std::memory_order_seq_cst);
        if (v != kInactive && v != e) return false;
    }
    // Losing the race means another thread advanced it: just as good.
    g_epoch.compare_exchange_strong(e, e + 1, std::memory_order_seq_cst);
    return true;
}

} // namespace epoch

RetireList::~RetireList()
{
    for (std::size_t i = head_; i < items_.size(); ++i) items_[i].deleter(items_[i].object);
}

void RetireList::retire(void* object, Deleter deleter, std::size_t bytes)
{
    items_.push_back({epoch::current(), object, deleter, bytes});
    pendingBytes_ += bytes;
}

std::size_t RetireList::collect() noexcept
{
    if (size() == 0) return 0;
    epoch::tryAdvance();
    const std::uint64_t now = epoch::current();
    std::size_t freed = 0;
    // Stamps are non-decreasing along the list, so the freeable items form a prefix.
    while (head_ < items_.size() && items_[head_].epoch + 2 <= now) {
        items_[head_].deleter(items_[head_].object);
        pendingBytes_ -= items_[head_].bytes;
        ++head_;
        ++freed;
    }
    if (head_ > 64 && head_ * 2 > items_.size()) {
        items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
    return freed;
}

} // namespace cachelens::engine
