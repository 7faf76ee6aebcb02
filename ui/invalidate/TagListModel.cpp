#include "ui/invalidate/TagListModel.h"

#include <cachelens/key_escape.h>

#include <QLocale>

namespace cachelens::ui {

void TagListModel::setTags(const QVector<TagInfo>& tags)
{
    beginResetModel();
    m_tags = tags;
    QSet<QByteArray> still;
    for (const TagInfo& t : m_tags) {
        if (m_checked.contains(t.name))
            still.insert(t.name);
    }
    m_checked = still;
    endResetModel();
    Q_EMIT checkedChanged();
}

QList<QByteArray> TagListModel::checkedTags() const
{
    QList<QByteArray> out;
    for (const TagInfo& t : m_tags) {
        if (m_checked.contains(t.name))
            out << t.name;
    }
    return out;
}

qint64 TagListModel::checkedMembers() const
{
    qint64 sum = 0;
    for (const TagInfo& t : m_tags) {
        if (m_checked.contains(t.name) && t.members > 0)
            sum += t.members;
    }
    return sum;
}

void TagListModel::setChecked(int row, bool checked)
{
    setData(index(row, Name), checked ? Qt::Checked : Qt::Unchecked, Qt::CheckStateRole);
}

int TagListModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_tags.size()); }

int TagListModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant TagListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const TagInfo& t = m_tags.at(index.row());
    if (role == Qt::DisplayRole) {
        if (index.column() == Name)
            return QString::fromStdString(engine::escapeKey(std::string_view(t.name.constData(), size_t(t.name.size()))));
        return t.members < 0 ? tr("?") : QLocale().toString(t.members);
    }
    if (role == Qt::CheckStateRole && index.column() == Name)
        return m_checked.contains(t.name) ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::TextAlignmentRole && index.column() == Members)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::UserRole)
        return t.name;
    return {};
}

QVariant TagListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    return section == Name ? tr("Tag") : section == Members ? tr("Keys") : QVariant();
}

Qt::ItemFlags TagListModel::flags(const QModelIndex& index) const
{
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() == Name)
        f |= Qt::ItemIsUserCheckable;
    return f;
}

bool TagListModel::setData(const QModelIndex& index, const QVariant& value, int role)
{
    if (role != Qt::CheckStateRole || !index.isValid() || index.column() != Name)
        return false;
    const QByteArray& name = m_tags.at(index.row()).name;
    if (value.toInt() == Qt::Checked)
        m_checked.insert(name);
    else
        m_checked.remove(name);
    Q_EMIT dataChanged(index, index, {Qt::CheckStateRole});
    Q_EMIT checkedChanged();
    return true;
}

} // namespace cachelens::ui
