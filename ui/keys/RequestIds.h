#pragma once
// Request ids for the Keys panel's calls to a Source. Every listener of a Source sees every reply (and every error),
// so the ids of the tree, the value viewer and the dialogs must never collide: one counter for all of them, in a
// range of its own (other panels count from 1). callSource() is how a Keys panel widget makes such a request.
#include "connectors/Source.h"

#include <QMetaObject>
#include <QPointer>
#include <QtGlobal>

#include <atomic>
#include <utility>

namespace cachelens::ui {

inline quint64 nextKeysRequestId()
{
    static std::atomic<quint64> next{quint64(1) << 40};
    return next.fetch_add(1, std::memory_order_relaxed);
}

// Runs f(source) on the source's thread (queued); nothing when the source is gone by then.
template <typename F>
void callSource(Source* source, F&& f)
{
    QPointer<Source> guard = source;
    QMetaObject::invokeMethod(source, [guard, f = std::forward<F>(f)] {
        if (guard)
            f(guard.data());
    }, Qt::QueuedConnection);
}

} // namespace cachelens::ui
