#include "ui/invalidate/SnapshotListModel.h"

#include "connectors/support/Units.h"

#include <QDir>
#include <QLocale>

namespace cachelens::ui {

void SnapshotListModel::setSnapshots(const QVector<SnapshotInfo>& snapshots)
{
    beginResetModel();
    m_snapshots = snapshots;
    endResetModel();
}

int SnapshotListModel::rowOf(const QString& path) const
{
    for (int i = 0; i < m_snapshots.size(); ++i) {
        if (m_snapshots.at(i).path == path)
            return i;
    }
    return -1;
}

int SnapshotListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_snapshots.size()); }

int SnapshotListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant SnapshotListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const SnapshotInfo& s = m_snapshots.at(index.row());
    const QLocale locale;
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Time: return locale.toString(s.created.toLocalTime(), QLocale::ShortFormat);
        case Connection: return s.connection;
        case Target: return s.target;
        case Keys: return s.error.isEmpty() ? locale.toString(s.keys) : QString();
        case Size: return formatBytes(s.error.isEmpty() ? s.bytes : s.fileBytes, 1, locale);
        case State:
            if (!s.error.isEmpty())
                return tr("cannot be read");
            return s.restored > 0 ? tr("%1, %2 restored").arg(s.stateText(), locale.toString(s.restored)) : s.stateText();
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole)
        return s.error.isEmpty() ? QDir::toNativeSeparators(s.path) : s.error;
    if (role == Qt::TextAlignmentRole && (index.column() == Keys || index.column() == Size))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant SnapshotListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return tr("Taken");
    case Connection: return tr("Connection");
    case Target: return tr("Purge of");
    case Keys: return tr("Keys");
    case Size: return tr("Size");
    case State: return tr("State");
    default: return {};
    }
}

} // namespace cachelens::ui
