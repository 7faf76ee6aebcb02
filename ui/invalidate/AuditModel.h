#pragma once
// The audit log as a table (newest first): time, user, host, connection, action, pattern/tag, matched, deleted,
// outcome. Filled in one batch by AuditView when its loader thread answers.
#include "connectors/audit/AuditStore.h"

#include <QAbstractTableModel>

namespace cachelens::ui {

class AuditModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, User, Host, Connection, Action, Target, Matched, Deleted, Outcome, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setEntries(const QVector<cachelens::AuditEntry>& entries);
    const QVector<cachelens::AuditEntry>& entries() const { return m_entries; }

private:
    QVector<AuditEntry> m_entries;
};

} // namespace cachelens::ui
