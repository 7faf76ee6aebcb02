#pragma once
// ClusterClient: a Redis Cluster behind one CommandSink. It asks a seed node for CLUSTER SLOTS, keeps one
// RedisClient per node, routes every keyed command to the master owning the key's slot, follows MOVED (and updates
// its map, then refreshes it) and ASK (ASKING + the command on the importing node), and splits multi-key
// DEL/UNLINK/EXISTS/TOUCH per key, summing the replies, because a cluster refuses keys of different slots in one
// command (CROSSSLOT). Keyless work (INFO, SCAN, DBSIZE) is done per master through masters().
//
// State: Ready when every master is Ready; Reconnecting while one is down (its slots fail fast, the others keep
// working); Failed when the seed cannot be reached or refuses us.
#include "connectors/ConnectionUrl.h"
#include "connectors/SourceTypes.h"
#include "connectors/redis/CommandSink.h"
#include "connectors/redis/RedisClient.h"

#include <QHash>
#include <QObject>
#include <QTimer>
#include <QVector>

namespace cachelens::redis {

class ClusterClient : public QObject, public CommandSink
{
    Q_OBJECT
public:
    ClusterClient(const ConnectionUrl& seed, const RedisClient::Options& options, QObject* parent = nullptr);
    ~ClusterClient() override;

    void open();
    void close();
    ConnectionState state() const { return m_state; }
    QString stateDetail() const { return m_stateDetail; }

    void command(const QList<QByteArray>& args, QObject* context, Callback callback, int timeoutMs = 0) override;

    QList<RedisClient*> masters() const;          // distinct slot owners, in slot order
    RedisClient* nodeForSlot(int slot) const;
    ClientLoad load() const;                       // summed over every node
    void refreshSlots();

Q_SIGNALS:
    void stateChanged(cachelens::ConnectionState state, const QString& detail);
    void topologyChanged();

private:
    struct Request {
        QList<QByteArray> args;
        QObject* context = nullptr;
        Callback callback;
        int timeoutMs = 0;
    };
    RedisClient* node(const QString& host, quint16 port);
    void route(const std::shared_ptr<Request>& request, int redirects, RedisClient* target, bool asking);
    void onSlots(const RedisReply& reply);
    void updateState();
    void setState(ConnectionState state, const QString& detail);

    ConnectionUrl m_seedUrl;
    RedisClient::Options m_options;
    RedisClient* m_seed = nullptr;
    QHash<QString, RedisClient*> m_nodes;          // "host:port" → client (children of this)
    QVector<RedisClient*> m_slots;                 // slot → owner; empty until the first CLUSTER SLOTS
    bool m_slotsKnown = false;
    bool m_refreshing = false;
    QTimer m_refreshTimer;                         // coalesces refreshes after MOVED or a lost master
    ConnectionState m_state = ConnectionState::Disconnected;
    QString m_stateDetail;
};

} // namespace cachelens::redis
