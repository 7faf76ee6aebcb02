#include "engine/epoch.h"

namespace cachelens::engine {
namespace {

constexpr std::uint64_t kInactive = ~std::uint64_t{0};

struct alignas(64) Slot {
    std::atomic<std::uint64_t> epoch{kInactive};
    std::atomic<bool> taken{false};
};

Slot g_slots[epoch::kMaxThreads];
std::atomic<unsigned> g_slotHighWater{0};   // slots [0, g_slotHighWater) have ever been taken
std::atomic<std::uint64_t> g_epoch{2};
std::atomic<unsigned> g_overflowPinned{0};  // pinned threads that found no free slot

struct ThreadRecord {
    Slot* slot = nullptr;
    unsigned index = epoch::kMaxThreads;
    unsigned depth = 0;
    bool registered = false;

    void ensureRegistered() noexcept
    {
        if (registered) return;
        registered = true;
        for (unsigned i = 0; i < epoch::kMaxThreads; ++i) {
            bool expected = false;
            if (!g_slots[i].taken.load(std::memory_order_relaxed)
                && g_slots[i].taken.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) {
                slot = &g_slots[i];
                index = i;
                unsigned hw = g_slotHighWater.load(std::memory_order_relaxed);
                while (hw < i + 1
                       && !g_slotHighWater.compare_exchange_weak(hw, i + 1, std::memory_order_acq_rel)) {
                }
                return;
            }
        }
    }
    ~ThreadRecord()
    {
        if (slot) {
            slot->epoch.store(kInactive, std::memory_order_release);
            slot->taken.store(false, std::memory_order_release);
        }
    }
};

thread_local ThreadRecord t_record;

} // namespace

namespace epoch {

void enter() noexcept
{
    ThreadRecord& r = t_record;
    if (r.depth++ != 0) return;
    r.ensureRegistered();
    if (r.slot) {
        // seq_cst exchange: the announcement must be globally ordered before this thread's table loads.
        r.slot->epoch.exchange(g_epoch.load(std::memory_order_seq_cst), std::memory_order_seq_cst);
    } else {
        g_overflowPinned.fetch_add(1, std::memory_order_seq_cst);
    }
}

void exit() noexcept
{
    ThreadRecord& r = t_record;
    if (--r.depth != 0) return;
    if (r.slot) r.slot->epoch.store(kInactive, std::memory_order_release);
    else g_overflowPinned.fetch_sub(1, std::memory_order_release);
}

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

unsigned threadIndex() noexcept
{
    ThreadRecord& r = t_record;
    r.ensureRegistered();
    return r.index;
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
