#pragma once
// Requests the Invalidate panel's pages (pattern, tag, snapshots) send to their Source: always queued onto the
// Source's own thread, never called from the GUI thread directly.
#include "connectors/Source.h"

#include <QMetaObject>

namespace cachelens::ui {

// Asks `source` to stop request `id` between batches; its report still arrives and says exactly what was done.
inline void cancelOnSource(Source* source, quint64 id)
{
    if (source && id)
        QMetaObject::invokeMethod(source, [source, id] { source->cancel(id); }, Qt::QueuedConnection);
}

} // namespace cachelens::ui
