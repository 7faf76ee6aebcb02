#include "ui/dashboard/ComparisonModel.h"

#include "ui/dashboard/Metric.h"

#include <QLocale>

namespace cachelens::ui {

namespace {

double figure(const PeriodFigures& f, int row)
{
    switch (row) {
    case ComparisonModel::HitRate: return f.hitRatePct;
    case ComparisonModel::Ops: return f.opsPerSec;
    case ComparisonModel::Misses: return f.missesPerSec;
    case ComparisonModel::Memory: return f.memoryBytes;
    default: return kNaN;
    }
}

Unit unitOf(int row)
{
    switch (row) {
    case ComparisonModel::HitRate: return Unit::Percent;
    case ComparisonModel::Memory: return Unit::Bytes;
    default: return Unit::PerSecond;
    }
}

} // namespace

void ComparisonModel::setComparison(const MarkerComparison& comparison, const QString& beforeTitle,
                                    const QString& afterTitle)
{
    m_comparison = comparison;
    m_has = true;
    if (beforeTitle != m_beforeTitle || afterTitle != m_afterTitle) {
        m_beforeTitle = beforeTitle;
        m_afterTitle = afterTitle;
        Q_EMIT headerDataChanged(Qt::Horizontal, Before, After);
    }
    Q_EMIT dataChanged(index(0, 0), index(RowCount - 1, ColumnCount - 1));
}

void ComparisonModel::clear()
{
    m_comparison = {};
    m_has = false;
    Q_EMIT dataChanged(index(0, 0), index(RowCount - 1, ColumnCount - 1));
}

int ComparisonModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : RowCount;
}

int ComparisonModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ComparisonModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    if (role == Qt::TextAlignmentRole)
        return index.column() == Figure ? int(Qt::AlignLeft | Qt::AlignVCenter) : int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::UserRole && index.column() != Figure) {   // the number behind the text, for sorting and tests
        const double b = figure(m_comparison.before, row), a = figure(m_comparison.after, row);
        return index.column() == Before ? b : index.column() == After ? a : a - b;
    }
    if (role != Qt::DisplayRole)
        return {};
    const QLocale locale;
    switch (index.column()) {
    case Figure:
        switch (row) {
        case HitRate: return tr("Hit rate");
        case Ops: return tr("Operations");
        case Misses: return tr("Misses");
        case Memory: return tr("Memory (mean)");
        }
        return {};
    case Before:
        return m_has ? formatValue(figure(m_comparison.before, row), unitOf(row), locale) : QString();
    case After:
        return m_has ? formatValue(figure(m_comparison.after, row), unitOf(row), locale) : QString();
    case Difference:
        return m_has ? formatChange(figure(m_comparison.after, row), figure(m_comparison.before, row), unitOf(row), locale)
                     : QString();
    }
    return {};
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Figure: return tr("Figure");
    case Before: return m_beforeTitle.isEmpty() ? tr("Before") : m_beforeTitle;
    case After: return m_afterTitle.isEmpty() ? tr("After") : m_afterTitle;
    case Difference: return tr("Difference");
    }
    return {};
}

} // namespace cachelens::ui
