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
    // A change to explicit keys (Keys panel or CLI: delete, TTL change, value edit), audited like a purge: the row is
    // written before any key is touched (false: nothing may run), the target names the first keys (escaped, so
    // binary keys stay readable) and how many there are; finish() records how many were changed.
    bool beginKeys(const QString& connection, const QString& action, const QList<QByteArray>& keys, QString* error,
                   const QString& auditPath = {});
    void finish(const KeyOpResult& result);
    // A snapshot restore: matched = the rows it tried, deleted = 0 (it deletes nothing), detail = its summary.
    void finish(const RestoreReport& report);
    qint64 rowId() const { return m_row; }
    static QString describeKeys(const QList<QByteArray>& keys);   // "user:1, user:2, user:3 and 97 more"

    static QString outcomeOf(const InvalidationReport& report);

private:
    void finish(qint64 matched, qint64 changed, const QString& outcome, const QString& detail);

    QString m_path;
    qint64 m_row = 0;
};

} // namespace cachelens
