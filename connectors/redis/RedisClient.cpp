#include "connectors/redis/RedisClient.h"

#include "connectors/redis/RespCodec.h"

#include <QCoreApplication>
#include <QRandomGenerator>

#include <algorithm>

namespace cachelens::redis {
struct RedisClient::Pending {
    Callback callback;
    QPointer<QObject> context;
    bool hasContext = false;
    bool done = false;          // the callback has run (reply, timeout or failure): a late reply is swallowed
    qint64 sentNs = -1;
    int timeoutMs = 0;
    QByteArray wire;            // formatted command, kept only while waiting for the first Ready
    LookupRule lookup = LookupRule::None;
    qsizetype keys = 0;         // key arguments, for EXISTS
};

ClientLoad& ClientLoad::operator+=(const ClientLoad& other)
{
    commands += other.commands;
    errors += other.errors;
    bytesOut += other.bytesOut;
    bytesIn += other.bytesIn;
    latencyP50Ms = std::max(latencyP50Ms, other.latencyP50Ms);
    latencyP99Ms = std::max(latencyP99Ms, other.latencyP99Ms);
    lookups += other.lookups;
    return *this;
}

RedisClient::RedisClient(const ConnectionUrl& url, QObject* parent) : RedisClient(url, Options{}, parent) {}

RedisClient::RedisClient(const ConnectionUrl& url, const Options& options, QObject* parent)
    : RedisClient(Endpoint::fromUrl(url), url, options, parent)
{
}

RedisClient::RedisClient(const Endpoint& endpoint, const ConnectionUrl& url, const Options& options, QObject* parent)
    : QObject(parent), m_url(url), m_endpoint(endpoint), m_options(options), m_decoder(std::make_unique<RespDecoder>())
{
    if (url.timeoutMs > 0)
        m_options.commandTimeoutMs = url.timeoutMs;
    m_clock.start();
    m_timeoutTimer.setSingleShot(true);
    m_connectTimer.setSingleShot(true);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_timeoutTimer, &QTimer::timeout, this, &RedisClient::onTimeoutTimer);
    connect(&m_connectTimer, &QTimer::timeout, this, &RedisClient::onConnectTimeout);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisClient::startConnect);
}

RedisClient::~RedisClient()
{
    ++m_generation;
    m_inflight.clear();
    m_waiting.clear();
}

void RedisClient::open()
{
    if (m_wantOpen)
        return;
    m_wantOpen = true;
    m_attempt = 0;
    setState(ConnectionState::Connecting, tr("connecting to %1").arg(m_endpoint.label()));
    startConnect();
}

void RedisClient::close()
{
    m_wantOpen = false;
    m_reconnectTimer.stop();
    m_connectTimer.stop();
    if (m_transport) {
        m_transport->disconnect(this);
        m_transport->abort();
        m_transport->deleteLater();
        m_transport = nullptr;
    }
    ++m_generation;
    m_handshakeLeft = 0;
    setState(ConnectionState::Disconnected, QString());
    failAll(RedisError::client(RedisError::Kind::Cancelled, tr("the connection to %1 was closed").arg(m_endpoint.label())));
}

void RedisClient::setState(ConnectionState state, const QString& detail)
{
    if (state == m_state && detail == m_stateDetail)
        return;
    m_state = state;
    m_stateDetail = detail;
    Q_EMIT stateChanged(state, detail);
}

void RedisClient::startConnect()
{
    if (!m_wantOpen)
        return;
    ++m_generation;
    m_decoder->reset();
    m_handshakeLeft = 0;
    m_connectTimer.start(m_options.connectTimeoutMs);   // covers resolving, connecting and the handshake
    if (m_resolver) {
        const quint64 generation = m_generation;
        m_resolver(this, [this, generation](const Endpoint& endpoint, const RedisError& error) {
            if (generation != m_generation || !m_wantOpen)
                return;   // closed, or timed out, while resolving
            if (error.isError()) {
                // Refused credentials (sentinels that want another password) are final, as a bad AUTH is.
                const bool auth = error.kind == RedisError::Kind::NoAuth || error.kind == RedisError::Kind::WrongPass;
                handshakeFailed(error, !auth);
                return;
            }
            m_endpoint = endpoint;
            openTransport();
        });
        return;
    }
    openTransport();
}

void RedisClient::openTransport()
{
    m_transport = new Transport(this);
    connect(m_transport, &Transport::connected, this, &RedisClient::onConnected);
    connect(m_transport, &Transport::readyRead, this, &RedisClient::onReadyRead);
    connect(m_transport, &Transport::closed, this, &RedisClient::onClosed);
    m_transport->open(m_endpoint);
}

void RedisClient::onConnected()
{
    // The handshake is pipelined; Ready comes with its last reply. CLIENT SETNAME is always sent, so even a
    // password-less db-0 connection proves the peer speaks RESP before it is called Ready (a plain client on a
    // TLS port only learns it here).
    QList<QList<QByteArray>> steps;
    if (m_url.hasPassword()) {
        QList<QByteArray> auth{QByteArrayLiteral("AUTH")};
        if (!m_url.user.isEmpty())
            auth << m_url.user.toUtf8();   // ACL user (Redis 6+); without it, legacy requirepass AUTH
        auth << m_url.password.toUtf8();
        steps << auth;
    }
    if (m_url.db != 0)
        steps << QList<QByteArray>{QByteArrayLiteral("SELECT"), QByteArray::number(m_url.db)};
    steps << QList<QByteArray>{QByteArrayLiteral("CLIENT"), QByteArrayLiteral("SETNAME"), m_options.clientName};
    if (m_options.requireMaster)
        steps << QList<QByteArray>{QByteArrayLiteral("ROLE")};

    m_handshakeLeft = int(steps.size());
    for (const QList<QByteArray>& step : steps) {
        auto pending = std::make_shared<Pending>();
        pending->hasContext = true;
        pending->context = this;
        const QByteArray what = step.first();
        const quint64 generation = m_generation;
        pending->callback = [this, what, generation](const RedisReply& reply) {
            // After a failed step the connection is dropped and the remaining steps fail with it: ignore those.
            if (generation == m_generation)
                onHandshakeReply(reply, what);
        };
        pending->wire = formatCommand(step);
        send(pending);
    }
}

void RedisClient::onHandshakeReply(const RedisReply& reply, const QByteArray& what)
{
    if (reply.isError()) {
        const RedisError& e = reply.error();
        const QString where = m_endpoint.label();
        if (e.kind == RedisError::Kind::Loading) {
            handshakeFailed(RedisError::client(e.kind, tr("%1 is loading its dataset: %2").arg(where, e.message)), true);
            return;
        }
        if (e.kind == RedisError::Kind::NoAuth) {
            handshakeFailed(RedisError::client(e.kind, tr("%1 requires a password (%2); put it in the URL: "
                                                          "redis://:PASSWORD@host or redis://USER:PASSWORD@host")
                                                           .arg(where, e.message)),
                            false);
            return;
        }
        if (what == "AUTH") {
            handshakeFailed(RedisError::client(RedisError::Kind::WrongPass,
                                               tr("authentication to %1 failed: %2").arg(where, e.message)),
                            false);
            return;
        }
        if (what == "SELECT") {
            handshakeFailed(RedisError::client(e.kind, tr("cannot select database %1 on %2: %3").arg(m_url.db).arg(where, e.message)),
                            false);
            return;
        }
        // CLIENT SETNAME refused (some proxies do not implement CLIENT): the name is a courtesy, go on.
        // ROLE unknown (Redis < 2.8.12): assume the master we were sent to is one.
    } else if (what == "ROLE" && reply.elements().value(0).bytes() != "master") {
        // A sentinel's answer can lag a failover by a moment: a demoted master is retried, not failed.
        handshakeFailed(RedisError::client(RedisError::Kind::ReadOnly,
                                           tr("%1 is a %2, not the master; asking again")
                                               .arg(m_endpoint.label(), QString::fromUtf8(reply.elements().value(0).bytes()))),
                        true);
        return;
    }
    if (--m_handshakeLeft > 0)
        return;
    m_connectTimer.stop();
    m_attempt = 0;
    m_lastError = {};
    QString detail = tr("connected to %1").arg(m_endpoint.label());
    if (m_endpoint.kind == Endpoint::Kind::Tls && !m_endpoint.verifyPeer)
        detail += tr(" (TLS certificate verification is off)");
    setState(ConnectionState::Ready, detail);
    std::deque<std::shared_ptr<Pending>> waiting;
    waiting.swap(m_waiting);
    for (const auto& pending : waiting) {
        if (!pending->done)
            send(pending);
    }
}

void RedisClient::handshakeFailed(const RedisError& error, bool retry)
{
    if (!retry)
        m_wantOpen = false;
    connectionLost(error);
}

void RedisClient::onClosed(const RedisError& why)
{
    RedisError error = why;
    if (m_state != ConnectionState::Ready && m_transport && m_handshakeLeft > 0 && why.kind == RedisError::Kind::Connection) {
        error.message = tr("%1 closed the connection during the handshake; if the server expects TLS, use rediss://")
                            .arg(m_endpoint.label());
    } else if (m_state == ConnectionState::Ready) {
        error.message = tr("connection to %1 lost: %2").arg(m_endpoint.label(), why.message);
    }
    connectionLost(error);
}

void RedisClient::onConnectTimeout()
{
    if (m_transport && m_transport->inTlsHandshake()) {
        connectionLost(RedisError::client(RedisError::Kind::Tls,
                                          tr("TLS handshake with %1 got no answer within %2 ms; is the server listening "
                                             "for TLS on that port? Use redis:// for a plain port")
                                              .arg(m_endpoint.label())
                                              .arg(m_options.connectTimeoutMs)));
        return;
    }
    connectionLost(RedisError::client(RedisError::Kind::Timeout,
                                      tr("no answer from %1 within %2 ms (connect and handshake)")
                                          .arg(m_endpoint.label())
                                          .arg(m_options.connectTimeoutMs)));
}

void RedisClient::connectionLost(const RedisError& why)
{
    if (m_transport) {
        m_transport->disconnect(this);
        m_transport->abort();
        m_transport->deleteLater();
        m_transport = nullptr;
    }
    ++m_generation;
    m_handshakeLeft = 0;
    m_connectTimer.stop();
    m_lastError = why;
    const bool retry = m_wantOpen && (m_options.maxReconnectAttempts < 0 || m_attempt < m_options.maxReconnectAttempts);
    if (retry) {
        scheduleReconnect(why);
    } else {
        m_wantOpen = false;
        setState(ConnectionState::Failed, why.message);
    }
    // After the state change: callbacks that issue new commands see Reconnecting/Failed and fail fast.
    failAll(why);
}

void RedisClient::scheduleReconnect(const RedisError& why)
{
    const qint64 base = std::min<qint64>(m_options.reconnectMaxMs,
                                         qint64(m_options.reconnectInitialMs) << std::min(m_attempt, 20));
    // "Equal jitter": 50–100 % of the exponential delay, so a fleet of clients does not reconnect in lockstep
    // after a server restart, while the delay still grows.
    const qint64 delay = base / 2 + qint64(QRandomGenerator::global()->bounded(quint32(base / 2 + 1)));
    ++m_attempt;
    m_reconnectTimer.start(int(delay));
    setState(ConnectionState::Reconnecting,
             tr("%1; retrying in %2 ms (attempt %3)").arg(why.message).arg(delay).arg(m_attempt));
}

void RedisClient::command(const QList<QByteArray>& args, QObject* context, Callback callback, int timeoutMs)
{
    Q_ASSERT(!context || context->thread() == thread());
    auto pending = std::make_shared<Pending>();
    pending->callback = std::move(callback);
    pending->context = context;
    pending->hasContext = context != nullptr;
    if (args.isEmpty()) {
        failLater(pending, RedisError::client(RedisError::Kind::Err, tr("empty command")));
        return;
    }
    switch (m_state) {
    case ConnectionState::Ready:
    case ConnectionState::Connecting:
        break;
    case ConnectionState::Reconnecting:
    case ConnectionState::Failed:
    case ConnectionState::Disconnected: {
        QString message = tr("not connected to %1 (%2)").arg(m_endpoint.label(), connectionStateName(m_state));
        if (m_lastError.isError())
            message += QStringLiteral(": ") + m_lastError.message;
        failLater(pending, RedisError::client(RedisError::Kind::Connection, message));
        return;
    }
    }
    const int timeout = timeoutMs > 0 ? timeoutMs : m_options.commandTimeoutMs;
    pending->timeoutMs = timeout;
    const qint64 at = m_clock.elapsed() + timeout;
    const bool earlier = m_deadlines.empty() || at < m_deadlines.top().atMs;
    m_deadlines.push(Deadline{at, pending});
    if (earlier || !m_timeoutTimer.isActive())
        armTimeoutTimer();
    pending->wire = formatCommand(args);
    pending->lookup = lookupRule(args);
    pending->keys = args.size() - 1;
    if (m_state == ConnectionState::Ready)
        send(pending);
    else
        m_waiting.push_back(std::move(pending));
}

void RedisClient::send(const std::shared_ptr<Pending>& pending)
{
    m_transport->write(pending->wire);
    m_load.bytesOut += quint64(pending->wire.size());
    ++m_load.commands;
    pending->wire = QByteArray();
    pending->sentNs = m_clock.nsecsElapsed();
    m_inflight.push_back(pending);
}

void RedisClient::onReadyRead()
{
    if (!m_transport)
        return;
    const QByteArray data = m_transport->readAll();
    m_load.bytesIn += quint64(data.size());
    m_decoder->feed(data.constData(), data.size());
    const quint64 generation = m_generation;
    const QPointer<RedisClient> self(this);
    while (auto reply = m_decoder->next()) {
        if (m_inflight.empty()) {
            connectionLost(RedisError::client(RedisError::Kind::Protocol,
                                              tr("%1 sent a reply nobody asked for").arg(m_endpoint.label())));
            return;
        }
        const std::shared_ptr<Pending> pending = std::move(m_inflight.front());
        m_inflight.pop_front();
        m_load.lookups += countLookups(pending->lookup, pending->keys, *reply);   // before deliver: even when late
        deliver(*pending, *reply);
        if (!self || generation != m_generation)
            return;   // the callback closed or destroyed the client, or the connection was dropped
    }
    // Completed commands at the top of the deadline heap need no timer any more (default timeouts are issued in
    // order, so this keeps the heap about as small as the pipeline).
    while (!m_deadlines.empty()) {
        const auto top = m_deadlines.top().pending.lock();
        if (top && !top->done)
            break;
        m_deadlines.pop();
    }
    if (m_decoder->hasError()) {
        const bool handshake = m_state != ConnectionState::Ready;
        connectionLost(RedisError::client(
            RedisError::Kind::Protocol,
            handshake ? tr("%1 does not speak RESP (%2); if the server expects TLS, use rediss://")
                            .arg(m_endpoint.label(), m_decoder->errorString())
                      : tr("protocol error from %1: %2").arg(m_endpoint.label(), m_decoder->errorString())));
    }
}

void RedisClient::deliver(Pending& pending, const RedisReply& reply)
{
    if (pending.done)
        return;
    pending.done = true;
    if (pending.sentNs >= 0)
        m_latency.record((m_clock.nsecsElapsed() - pending.sentNs) / 1000);
    if (reply.isError())
        ++m_load.errors;
    if (!pending.callback || (pending.hasContext && !pending.context))
        return;
    const Callback callback = std::move(pending.callback);
    pending.callback = nullptr;
    callback(reply);
}

void RedisClient::failAll(const RedisError& error)
{
    std::deque<std::shared_ptr<Pending>> all;
    all.swap(m_inflight);
    for (auto& p : m_waiting)
        all.push_back(std::move(p));
    m_waiting.clear();
    m_deadlines = {};
    m_timeoutTimer.stop();
    const RedisReply reply = RedisReply::error(error);
    const QPointer<RedisClient> self(this);
    for (const auto& pending : all) {
        deliver(*pending, reply);
        if (!self)
            return;
    }
}

void RedisClient::failLater(const std::shared_ptr<Pending>& pending, const RedisError& error)
{
    QMetaObject::invokeMethod(this, [this, pending, error] { deliver(*pending, RedisReply::error(error)); },
                              Qt::QueuedConnection);
}

void RedisClient::armTimeoutTimer()
{
    if (m_deadlines.empty()) {
        m_timeoutTimer.stop();
        return;
    }
    m_timeoutTimer.start(int(std::max<qint64>(0, m_deadlines.top().atMs - m_clock.elapsed())));
}

void RedisClient::onTimeoutTimer()
{
    const qint64 now = m_clock.elapsed();
    const QPointer<RedisClient> self(this);
    while (!m_deadlines.empty() && m_deadlines.top().atMs <= now) {
        const auto pending = m_deadlines.top().pending.lock();
        m_deadlines.pop();
        if (!pending || pending->done)
            continue;
        // The command stays in the pipeline so its late reply is matched and dropped; the caller hears now.
        deliver(*pending, RedisReply::error(RedisError::client(
                              RedisError::Kind::Timeout,
                              tr("no reply from %1 within %2 ms").arg(m_endpoint.label()).arg(pending->timeoutMs))));
        if (!self)
            return;
    }
    armTimeoutTimer();
}

ClientLoad RedisClient::load() const
{
    ClientLoad load = m_load;
    load.latencyP50Ms = m_latency.percentileMs(0.50);
    load.latencyP99Ms = m_latency.percentileMs(0.99);
    return load;
}

} // namespace cachelens::redis
