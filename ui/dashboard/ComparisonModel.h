#pragma once
// Table of a marker's before/after comparison: one row per figure (hit rate, ops/s, misses/s, memory), columns
// before, after and the difference. Two recordings compare the same way, with their names as column titles.
#include "ui/dashboard/MarkerComparison.h"

#include <QAbstractTableModel>

namespace cachelens::ui {

class ComparisonModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Figure, Before, After, Difference, ColumnCount };
    enum Row { HitRate, Ops, Misses, Memory, RowCount };

    using QAbstractTableModel::QAbstractTableModel;

    // Empty titles: "Before" and "After".
    void setComparison(const MarkerComparison& comparison, const QString& beforeTitle = {},
                       const QString& afterTitle = {});
    void clear();
    bool hasComparison() const { return m_has; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    MarkerComparison m_comparison;
    QString m_beforeTitle, m_afterTitle;
    bool m_has = false;
};

} // namespace cachelens::ui
