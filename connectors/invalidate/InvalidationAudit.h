#pragma once
// The audit half of an invalidation, shared by every Source: begin() writes the "started" row and must succeed
// before any key is touched; finish() completes it from the report (completed, cancelled, interrupted, failed).
// Runs on the Source's worker thread (or the CLI's), never the GUI thread.
#include "connectors/SourceTypes.h"

namespace cachelens {

class InvalidationAudit
{
public:
    // False: `error` says why the audit log could not be written, and the caller must not run the action.
    bool begin(const InvalidateOptions& options, const QString& connection, const QString& action,
               const QString& target, QString* error);
    void finish(const InvalidationReport& report);
    qint64 rowId() const { return m_row; }

    static QString outcomeOf(const InvalidationReport& report);

private:
    QString m_path;
    qint64 m_row = 0;
};

} // namespace cachelens
