#pragma once
// The audit log's rows (newest first) for assertions; empty when the file cannot be opened.
#include "connectors/audit/AuditStore.h"

namespace cachelens::test {

inline QVector<AuditEntry> auditRows(const QString& path)
{
    AuditStore store;
    return store.open(path) ? store.entries() : QVector<AuditEntry>{};
}

} // namespace cachelens::test
