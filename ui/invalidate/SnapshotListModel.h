#pragma once
// The purge snapshots on disk (SnapshotFile::list), newest first: when, taken on which connection, of what, how many
// keys and bytes, and in what state (complete, stopped at its size limit, …, or why the file cannot be read). Filled
// in one batch by SnapshotsDialog when its loader thread answers.
#include "connectors/invalidate/SnapshotFile.h"

#include <QAbstractTableModel>

namespace cachelens::ui {

class SnapshotListModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Time, Connection, Target, Keys, Size, State, ColumnCount };
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    void setSnapshots(const QVector<cachelens::SnapshotInfo>& snapshots);
    const QVector<cachelens::SnapshotInfo>& snapshots() const { return m_snapshots; }
    SnapshotInfo snapshot(int row) const { return m_snapshots.value(row); }
    int rowOf(const QString& path) const;   // -1 when not listed

private:
    QVector<SnapshotInfo> m_snapshots;
};

} // namespace cachelens::ui
