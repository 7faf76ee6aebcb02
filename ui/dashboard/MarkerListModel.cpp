#include "ui/dashboard/MarkerListModel.h"

#include <QLocale>

#include <algorithm>

namespace cachelens::ui {

void MarkerListModel::add(const HistoryMarker& marker)
{
    const auto at = std::upper_bound(m_markers.begin(), m_markers.end(), marker,
                                     [](const HistoryMarker& a, const HistoryMarker& b) { return a.time > b.time; });
    const int row = int(at - m_markers.begin());
    beginInsertRows({}, row, row);
    m_markers.insert(row, marker);
    endInsertRows();
}

void MarkerListModel::clear()
{
    beginResetModel();
    m_markers.clear();
    endResetModel();
}

int MarkerListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_markers.size());
}

QVariant MarkerListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const HistoryMarker& m = m_markers.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return tr("%1  %2").arg(QLocale().toString(m.time.toLocalTime(), QLocale::ShortFormat), m.label);
    case Qt::ToolTipRole:
        return QLocale().toString(m.time.toLocalTime(), QLocale::LongFormat);
    case MarkerRole:
        return QVariant::fromValue(m);
    default:
        return {};
    }
}

} // namespace cachelens::ui
