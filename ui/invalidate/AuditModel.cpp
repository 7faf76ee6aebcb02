#include "ui/invalidate/AuditModel.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

namespace cachelens::ui {

int AuditModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_entries.size()); }
int AuditModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant AuditModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_entries.size())
        return {};
    const AuditEntry& e = m_entries.at(index.row());
    const QLocale locale;
    auto count = [&](qint64 n) { return n < 0 ? QStringLiteral("—") : locale.toString(n); };
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Time: return locale.toString(e.time.toLocalTime(), QLocale::ShortFormat);
        case User: return e.user;
        case Host: return e.host;
        case Connection: return e.connection;
        case Action: return e.action;
        case Target: return e.target;
        case Matched: return count(e.matched);
        case Deleted: return count(e.deleted);
        case Outcome: return e.outcome;
        default: return {};
        }
    }
    if (role == Qt::ToolTipRole)
        return e.detail.isEmpty() ? QVariant() : QVariant(e.detail);
    if (role == Qt::TextAlignmentRole && (index.column() == Matched || index.column() == Deleted))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ForegroundRole && index.column() == Outcome && e.outcome != QLatin1String("completed"))
        return QBrush(QColor(0xc0, 0x39, 0x2b));
    return {};
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case Time: return tr("Time");
    case User: return tr("User");
    case Host: return tr("Host");
    case Connection: return tr("Connection");
    case Action: return tr("Action");
    case Target: return tr("Pattern / tag");
    case Matched: return tr("Matched");
    case Deleted: return tr("Deleted");
    case Outcome: return tr("Outcome");
    default: return {};
    }
}

void AuditModel::setEntries(const QVector<AuditEntry>& entries)
{
    beginResetModel();
    m_entries = entries;
    endResetModel();
}

} // namespace cachelens::ui
