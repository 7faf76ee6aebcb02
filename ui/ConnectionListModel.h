#pragma once
// The sidebar's list of connections: "Local engine" is always row 0 and cannot be removed; Redis connections follow
// in the order they were added. Each row carries the connection's live state for the sidebar and the status bar.
#include "connectors/ConnectionUrl.h"
#include "connectors/SourceTypes.h"

#include <QAbstractListModel>
#include <QVector>

namespace cachelens::ui {

struct ConnectionEntry {
    QString id;                 // "local" or a profile/URL id
    QString name;               // shown in the sidebar
    bool local = false;
    ConnectionUrl url;          // Redis connections
    bool production = false;    // red band; destructive actions need typed confirmation
    bool readOnly = false;
    bool saved = false;         // a saved profile (else opened ad hoc, e.g. with --connect)
    QString separator = QStringLiteral(":");
    ConnectionState state = ConnectionState::Disconnected;
    QString stateDetail;        // "in-process", "connection refused", …
};

class ConnectionListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        IsLocalRole,
        IsProductionRole,
        IsReadOnlyRole,
        StateRole,              // ConnectionState as int
        StateTextRole,          // "ready — in-process"
        UrlRole,                // canonical URL, password masked
    };

    explicit ConnectionListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    const ConnectionEntry& entry(int row) const { return m_entries.at(row); }
    int rowOf(const QString& id) const;          // -1 if absent

    // Adds a Redis connection (or returns the row of an existing one with the same canonical URL).
    int addRedis(const ConnectionUrl& url, const QString& name = {});
    // Adds or replaces (same id) an entry after the local engine; keeps its live state when replacing.
    int upsert(const ConnectionEntry& entry);
    bool removeRow(int row);                      // refuses row 0 (the local engine)
    void setState(const QString& id, ConnectionState state, const QString& detail);
    void setProduction(int row, bool production);

    static QString stateText(const ConnectionEntry& entry);

private:
    QVector<ConnectionEntry> m_entries;
};

} // namespace cachelens::ui
