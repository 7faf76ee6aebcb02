#include "ui/ConnectionListModel.h"

#include "ui/Icons.h"

#include <QColor>
#include <QIcon>

namespace cachelens::ui {

ConnectionListModel::ConnectionListModel(QObject* parent) : QAbstractListModel(parent)
{
    ConnectionEntry local;
    local.id = QStringLiteral("local");
    local.name = tr("Local engine");
    local.local = true;
    local.state = ConnectionState::Ready;
    local.stateDetail = tr("in-process, no server needed");
    m_entries.append(local);
}

int ConnectionListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QString ConnectionListModel::stateText(const ConnectionEntry& entry)
{
    const QString state = connectionStateName(entry.state);
    return entry.stateDetail.isEmpty() ? state : tr("%1 — %2").arg(state, entry.stateDetail);
}

QVariant ConnectionListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ConnectionEntry& e = m_entries.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return e.name;
    case Qt::ToolTipRole:
        return e.local ? tr("%1\n%2").arg(e.name, stateText(e))
                       : tr("%1\n%2\n%3%4").arg(e.name, e.url.toString(), stateText(e),
                                                e.production ? tr("\nProduction: destructive actions need typed confirmation")
                                                             : QString());
    case Qt::DecorationRole:
        if (e.production)
            return themedIcon(nullptr, "production");
        return e.local ? themedIcon(nullptr, "local-engine") : themedIcon(nullptr, "redis");
    case IdRole: return e.id;
    case IsLocalRole: return e.local;
    case IsProductionRole: return e.production;
    case IsReadOnlyRole: return e.readOnly;
    case StateRole: return int(e.state);
    case StateTextRole: return stateText(e);
    case UrlRole: return e.local ? QString() : e.url.toString();
    default: return {};
    }
}

QHash<int, QByteArray> ConnectionListModel::roleNames() const
{
    auto names = QAbstractListModel::roleNames();
    names.insert(IdRole, "connectionId");
    names.insert(IsLocalRole, "isLocal");
    names.insert(IsProductionRole, "isProduction");
    names.insert(IsReadOnlyRole, "isReadOnly");
    names.insert(StateRole, "state");
    names.insert(StateTextRole, "stateText");
    names.insert(UrlRole, "url");
    return names;
}

int ConnectionListModel::rowOf(const QString& id) const
{
    for (int i = 0; i < m_entries.size(); ++i)
        if (m_entries.at(i).id == id)
            return i;
    return -1;
}

int ConnectionListModel::addRedis(const ConnectionUrl& url, const QString& name)
{
    // The id is the canonical URL without the secret: the same server opened twice is one row.
    const QString id = url.toString();
    if (const int existing = rowOf(id); existing >= 0)
        return existing;
    ConnectionEntry e;
    e.id = id;
    e.name = name.isEmpty() ? url.endpointLabel() : name;
    e.url = url;
    e.state = ConnectionState::Disconnected;
    const int row = int(m_entries.size());
    beginInsertRows({}, row, row);
    m_entries.append(e);
    endInsertRows();
    return row;
}

int ConnectionListModel::upsert(const ConnectionEntry& entry)
{
    if (entry.local || entry.id.isEmpty())
        return -1;
    if (const int row = rowOf(entry.id); row >= 0) {
        ConnectionEntry& existing = m_entries[row];
        const ConnectionState state = existing.state;
        const QString detail = existing.stateDetail;
        existing = entry;
        existing.state = state;
        existing.stateDetail = detail;
        const QModelIndex idx = index(row);
        Q_EMIT dataChanged(idx, idx);
        return row;
    }
    const int row = int(m_entries.size());
    beginInsertRows({}, row, row);
    m_entries.append(entry);
    endInsertRows();
    return row;
}

bool ConnectionListModel::removeRow(int row)
{
    if (row <= 0 || row >= m_entries.size())
        return false;
    beginRemoveRows({}, row, row);
    m_entries.remove(row);
    endRemoveRows();
    return true;
}

void ConnectionListModel::setState(const QString& id, ConnectionState state, const QString& detail)
{
    const int row = rowOf(id);
    if (row < 0)
        return;
    m_entries[row].state = state;
    m_entries[row].stateDetail = detail;
    const QModelIndex idx = index(row);
    Q_EMIT dataChanged(idx, idx, {StateRole, StateTextRole, Qt::ToolTipRole});
}

void ConnectionListModel::setProduction(int row, bool production)
{
    if (row <= 0 || row >= m_entries.size())
        return;
    m_entries[row].production = production;
    const QModelIndex idx = index(row);
    Q_EMIT dataChanged(idx, idx, {IsProductionRole, Qt::DecorationRole, Qt::ToolTipRole});
}

} // namespace cachelens::ui
