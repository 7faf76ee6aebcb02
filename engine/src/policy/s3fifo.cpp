#include "policy/s3fifo.h"

#include "hash.h"

namespace cachelens::engine {

namespace {
constexpr std::uint8_t kSmall = 0, kMain = 1;
}

void S3FifoPolicy::onInsert(Entry* e, std::uint64_t hash)
{
    e->hot.store(0, std::memory_order_relaxed);
    auto it = ghost_.find(hash);
    if (it != ghost_.end()) {
        ghost_.erase(it); // its FIFO record ages out harmlessly (erase of a missing hash is a no-op below)
        link(e, kMain);
    } else {
        link(e, kSmall);
    }
}

void S3FifoPolicy::rememberGhost(std::uint64_t hash)
{
    const std::size_t limit = std::max<std::size_t>(lists_[kMain].size(), capacity_ ? capacity_ * 9 / 10 : 16);
    ghost_.insert(hash);
    ghostFifo_.push_back(hash);
    while (ghostFifo_.size() > limit) {
        auto it = ghost_.find(ghostFifo_.front());
        if (it != ghost_.end()) ghost_.erase(it);
        ghostFifo_.pop_front();
    }
}

Entry* S3FifoPolicy::victim() noexcept
{
    for (;;) {
        const std::size_t total = lists_[kSmall].size() + lists_[kMain].size();
        if (total == 0) return nullptr;
        const bool fromSmall = !lists_[kSmall].empty() && (lists_[kSmall].size() * 10 >= total || lists_[kMain].empty());
        if (fromSmall) {
            Entry* t = lists_[kSmall].back();
            if (t->hot.load(std::memory_order_relaxed) > 1) {
                t->hot.store(0, std::memory_order_relaxed);
                move(t, kMain);
                continue;
            }
            try {
                rememberGhost(hashBytes(t->key()));
            } catch (...) {
                // Out of memory for the ghost set: the policy only loses a little history.
            }
            return t;
        }
        Entry* t = lists_[kMain].back();
        const std::uint8_t f = t->hot.load(std::memory_order_relaxed);
        if (f > 0) {
            t->hot.store(static_cast<std::uint8_t>(f - 1), std::memory_order_relaxed);
            lists_[kMain].moveToFront(t);
            continue;
        }
        return t;
    }
}

} // namespace cachelens::engine
