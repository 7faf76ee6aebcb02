#include "ui/keys/ValuePageModel.h"

#include <cachelens/key_escape.h>

#include <QLocale>
#include <QStringDecoder>

namespace cachelens::ui {

ValuePageModel::ValuePageModel(QObject* parent) : QAbstractTableModel(parent) {}

void ValuePageModel::reset(KeyType type)
{
    beginResetModel();
    m_type = type;
    m_items.clear();
    m_next.clear();
    m_total = -1;
    m_complete = false;
    m_waiting = true;   // the viewer asks for the first page itself
    endResetModel();
}

void ValuePageModel::appendPage(const ValuePage& page)
{
    m_waiting = false;
    if (page.type != m_type && m_items.isEmpty()) {
        beginResetModel();
        m_type = page.type;
        endResetModel();
    }
    m_total = page.total;
    m_next = page.nextCursor;
    m_complete = page.nextCursor.isEmpty();
    if (!page.items.isEmpty()) {
        beginInsertRows({}, int(m_items.size()), int(m_items.size() + page.items.size()) - 1);
        m_items.append(page.items);
        endInsertRows();
    }
    if (!m_complete && page.items.isEmpty())
        fetchMore({});   // an empty SCAN page with a cursor: ask on, the view will not
}

int ValuePageModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_items.size());
}

int ValuePageModel::columnCount(const QModelIndex& parent) const
{
    if (parent.isValid())
        return 0;
    switch (m_type) {
    case KeyType::Set: return 1;
    default: return 2;
    }
}

QString ValuePageModel::displayBytes(const QByteArray& bytes, int maxChars)
{
    const QByteArray shown = bytes.left(maxChars * 4);
    QStringDecoder decode(QStringDecoder::Utf8);
    QString text = decode(shown);
    if (decode.hasError() || text.contains(QChar(0)))
        text = QString::fromStdString(engine::escapeKey(std::string_view(shown.constData(), std::size_t(shown.size()))));
    if (text.size() > maxChars || shown.size() < bytes.size())
        text = text.left(maxChars) + QStringLiteral("…");
    return text;
}

QVariant ValuePageModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_items.size())
        return {};
    const ValueItem& item = m_items.at(index.row());
    if (role == ExactNameRole)
        return item.name;
    if (role == ExactValueRole)
        return item.value;
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole)
        return {};
    const int limit = role == Qt::ToolTipRole ? 4000 : 300;
    if (index.column() == 0)
        return displayBytes(item.name, limit);
    switch (m_type) {
    case KeyType::ZSet: return QLocale().toString(item.score, 'g', 17);
    case KeyType::Stream: {
        QStringList parts;
        for (qsizetype i = 0; i + 1 < item.fields.size(); i += 2)
            parts << displayBytes(item.fields.at(i), 100) + QStringLiteral(" = ") + displayBytes(item.fields.at(i + 1), limit);
        return parts.join(QStringLiteral(", "));
    }
    default: return displayBytes(item.value, limit);
    }
}

QVariant ValuePageModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (role != Qt::DisplayRole)
        return {};
    if (orientation == Qt::Vertical)
        return section + 1;
    switch (m_type) {
    case KeyType::List: return section == 0 ? tr("Index") : tr("Element");
    case KeyType::Hash: return section == 0 ? tr("Field") : tr("Value");
    case KeyType::Set: return tr("Member");
    case KeyType::ZSet: return section == 0 ? tr("Member") : tr("Score");
    case KeyType::Stream: return section == 0 ? tr("Entry ID") : tr("Fields");
    default: return section == 0 ? tr("Name") : tr("Value");
    }
}

bool ValuePageModel::canFetchMore(const QModelIndex& parent) const
{
    return !parent.isValid() && !m_complete && !m_waiting;
}

void ValuePageModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    m_waiting = true;
    Q_EMIT pageWanted(m_next);
}

} // namespace cachelens::ui
