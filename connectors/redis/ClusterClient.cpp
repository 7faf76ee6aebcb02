#include "connectors/redis/ClusterClient.h"

#include "connectors/redis/ClusterSlots.h"

#include <QSet>

#include <algorithm>
#include <memory>

namespace cachelens::redis {
namespace {
constexpr int kMaxRedirects = 5;
}

ClusterClient::ClusterClient(const ConnectionUrl& seed, const RedisClient::Options& options, QObject* parent)
    : QObject(parent), m_seedUrl(seed), m_options(options)
{
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(100);
    connect(&m_refreshTimer, &QTimer::timeout, this, &ClusterClient::refreshSlots);
}

ClusterClient::~ClusterClient() = default;

RedisClient* ClusterClient::node(const QString& host, quint16 port)
{
    const QString id = QStringLiteral("%1:%2").arg(host).arg(port);
    if (RedisClient* existing = m_nodes.value(id))
        return existing;
    Endpoint endpoint = Endpoint::fromUrl(m_seedUrl);
    endpoint.host = host;
    endpoint.port = port;
    auto* client = new RedisClient(endpoint, m_seedUrl, m_options, this);
    m_nodes.insert(id, client);
    connect(client, &RedisClient::stateChanged, this, [this, client](ConnectionState s) {
        if (client == m_seed && !m_slotsKnown && s == ConnectionState::Ready)
            refreshSlots();
        if (s == ConnectionState::Reconnecting && m_slots.contains(client))
            m_refreshTimer.start();   // a master is gone: a replica may have been promoted
        updateState();
    });
    if (m_state != ConnectionState::Disconnected)
        client->open();
    return client;
}

void ClusterClient::open()
{
    if (m_state != ConnectionState::Disconnected && m_state != ConnectionState::Failed)
        return;
    setState(ConnectionState::Connecting, tr("connecting to cluster seed %1").arg(m_seedUrl.endpointLabel()));
    m_seed = node(m_seedUrl.host, m_seedUrl.port);
    for (RedisClient* client : std::as_const(m_nodes))
        client->open();
}

void ClusterClient::close()
{
    m_refreshTimer.stop();
    setState(ConnectionState::Disconnected, QString());
    for (RedisClient* client : std::as_const(m_nodes))
        client->close();
}

void ClusterClient::refreshSlots()
{
    if (m_refreshing)
        return;
    // Ask a node that is up: the seed first, else any master.
    RedisClient* asked = m_seed && m_seed->state() == ConnectionState::Ready ? m_seed : nullptr;
    for (RedisClient* client : std::as_const(m_nodes)) {
        if (!asked && client->state() == ConnectionState::Ready)
            asked = client;
    }
    if (!asked)
        return;
    m_refreshing = true;
    asked->command({QByteArrayLiteral("CLUSTER"), QByteArrayLiteral("SLOTS")}, this, [this, asked](const RedisReply& reply) {
        m_refreshing = false;
        if (reply.isError()) {
            if (!m_slotsKnown)
                setState(ConnectionState::Failed,
                         tr("%1 is not a cluster node: %2").arg(asked->endpoint().label(), reply.error().message));
            return;
        }
        onSlots(reply);
    });
}

void ClusterClient::onSlots(const RedisReply& reply)
{
    // CLUSTER SLOTS: [[start, end, [host, port, id, …], replica…], …]. An empty host means "the address you reached
    // me at" (Redis 7 with cluster-preferred-endpoint-type ip and no announced ip).
    QVector<RedisClient*> owners(kClusterSlots, nullptr);
    for (const RedisReply& range : reply.elements()) {
        const QVector<RedisReply>& r = range.elements();
        if (r.size() < 3 || r.at(2).elements().size() < 2)
            continue;
        QString host = QString::fromUtf8(r.at(2).elements().at(0).bytes());
        if (host.isEmpty() || host == QLatin1String("?"))
            host = m_seedUrl.host;
        RedisClient* owner = node(host, quint16(r.at(2).elements().at(1).toInteger()));
        const int from = int(std::clamp<long long>(r.at(0).toInteger(), 0, kClusterSlots - 1));
        const int to = int(std::clamp<long long>(r.at(1).toInteger(), 0, kClusterSlots - 1));
        for (int slot = from; slot <= to; ++slot)
            owners[slot] = owner;
    }
    m_slots = owners;
    m_slotsKnown = true;
    for (RedisClient* client : masters()) {
        if (client->state() == ConnectionState::Disconnected)
            client->open();
    }
    Q_EMIT topologyChanged();
    updateState();
}

QList<RedisClient*> ClusterClient::masters() const
{
    QList<RedisClient*> out;
    QSet<RedisClient*> seen;
    for (RedisClient* client : m_slots) {
        if (client && !seen.contains(client)) {
            seen.insert(client);
            out.append(client);
        }
    }
    return out;
}

RedisClient* ClusterClient::nodeForSlot(int slot) const
{
    return m_slotsKnown && slot >= 0 && slot < kClusterSlots ? m_slots.at(slot) : nullptr;
}

void ClusterClient::updateState()
{
    if (m_state == ConnectionState::Disconnected)
        return;
    if (!m_slotsKnown) {
        if (m_seed && m_seed->state() == ConnectionState::Failed)
            setState(ConnectionState::Failed, m_seed->stateDetail());
        return;
    }
    QStringList down;
    bool allFailed = true;
    for (RedisClient* client : masters()) {
        if (client->state() != ConnectionState::Ready)
            down << client->endpoint().label() + QStringLiteral(" (") + connectionStateName(client->state()) + QLatin1Char(')');
        if (client->state() != ConnectionState::Failed)
            allFailed = false;
    }
    const int total = int(masters().size());
    if (down.isEmpty())
        setState(ConnectionState::Ready, tr("connected to a cluster of %n master(s)", nullptr, total));
    else if (allFailed)
        setState(ConnectionState::Failed, tr("every cluster master failed: %1").arg(down.join(QStringLiteral(", "))));
    else if (m_state == ConnectionState::Connecting)
        setState(ConnectionState::Connecting, tr("waiting for %1").arg(down.join(QStringLiteral(", "))));
    else
        setState(ConnectionState::Reconnecting, tr("cluster degraded, %1 of %2 master(s) down: %3")
                                                    .arg(down.size())
                                                    .arg(total)
                                                    .arg(down.join(QStringLiteral(", "))));
}

void ClusterClient::setState(ConnectionState state, const QString& detail)
{
    if (state == m_state && detail == m_stateDetail)
        return;
    m_state = state;
    m_stateDetail = detail;
    Q_EMIT stateChanged(state, detail);
}

void ClusterClient::command(const QList<QByteArray>& args, QObject* context, Callback callback, int timeoutMs)
{
    const QByteArray name = args.value(0).toUpper();
    if (args.size() > 2 && (name == "DEL" || name == "UNLINK" || name == "EXISTS" || name == "TOUCH")) {
        struct Sum {
            long long total = 0;
            qsizetype left = 0;
            std::optional<RedisReply> error;
            Callback callback;
        };
        auto sum = std::make_shared<Sum>();
        sum->left = args.size() - 1;
        sum->callback = std::move(callback);
        for (qsizetype i = 1; i < args.size(); ++i) {
            command({args.first(), args.at(i)}, context, [sum](const RedisReply& r) {
                if (r.isError() && !sum->error)
                    sum->error = r;
                else if (r.isInteger())
                    sum->total += r.toInteger();
                if (--sum->left == 0 && sum->callback)
                    sum->callback(sum->error ? *sum->error : RedisReply::integer(sum->total));
            }, timeoutMs);
        }
        return;
    }
    auto request = std::make_shared<Request>(Request{args, context, std::move(callback), timeoutMs});
    route(request, 0, nullptr, false);
}

void ClusterClient::route(const std::shared_ptr<Request>& request, int redirects, RedisClient* target, bool asking)
{
    if (!target) {
        QByteArray key;
        if (commandKey(request->args, &key))
            target = nodeForSlot(keySlot(key));
        if (!target) {
            const QList<RedisClient*> all = masters();
            target = all.isEmpty() ? m_seed : all.first();
        }
    }
    if (!target) {
        target = m_seed = node(m_seedUrl.host, m_seedUrl.port);
    }
    if (asking)
        target->command({QByteArrayLiteral("ASKING")}, nullptr, {});   // pipelined just before the command
    target->command(request->args, request->context, [this, request, redirects](const RedisReply& reply) {
        int slot = -1;
        QString host;
        quint16 port = 0;
        if (reply.isError() && redirects < kMaxRedirects && reply.error().redirect(&slot, &host, &port)) {
            if (host.isEmpty())
                host = m_seedUrl.host;
            RedisClient* next = node(host, port);
            const bool moved = reply.error().kind == RedisError::Kind::Moved;
            if (moved && m_slotsKnown) {
                m_slots[slot] = next;   // fix this slot now, fetch the whole new map soon
                m_refreshTimer.start();
            }
            route(request, redirects + 1, next, !moved);
            return;
        }
        if (request->callback)
            request->callback(reply);
    }, request->timeoutMs);
}

ClientLoad ClusterClient::load() const
{
    ClientLoad total;
    for (RedisClient* client : std::as_const(m_nodes))
        total += client->load();
    return total;
}

} // namespace cachelens::redis
