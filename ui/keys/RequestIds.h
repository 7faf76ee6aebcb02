#pragma once
// Request ids for the Keys panel's calls to a Source. Every listener of a Source sees every reply (and every error),
// so the ids of the tree, the value viewer and the dialogs must never collide: one counter for all of them, in a
// range of its own (other panels count from 1).
#include <QtGlobal>

#include <atomic>

namespace cachelens::ui {

inline quint64 nextKeysRequestId()
{
    static std::atomic<quint64> next{quint64(1) << 40};
    return next.fetch_add(1, std::memory_order_relaxed);
}

} // namespace cachelens::ui
