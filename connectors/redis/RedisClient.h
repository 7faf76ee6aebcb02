#pragma once
// RedisClient: an asynchronous RESP2 client for one Redis server, on the thread that owns it (no threads of its
// own; RedisSource moves it to a worker). Commands are pipelined: each is written at once and its reply is handed,
// in order, to its callback on the client's thread. Callbacks are tied to a context QObject (living on the same
// thread): when the context is destroyed first, the reply is dropped.
//
// Connection life: open() → Connecting → (AUTH, SELECT, CLIENT SETNAME) → Ready. When the connection drops, every
// command in flight fails with a Connection error, the state goes to Reconnecting and the client reconnects with
// exponential backoff and jitter, replaying AUTH/SELECT/SETNAME. Commands issued while Reconnecting, Failed or
// Disconnected fail fast (their callback runs from the event loop, never inside command()). Commands issued during
// the first Connecting wait for Ready. A bad password or database index is Failed at once: retrying cannot help.
#include "connectors/ConnectionUrl.h"
#include "connectors/SourceTypes.h"
#include "connectors/redis/CommandSink.h"
#include "connectors/redis/KeyspaceLookups.h"
#include "connectors/redis/LatencyWindow.h"
#include "connectors/redis/RedisReply.h"
#include "connectors/redis/Transport.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <vector>

namespace cachelens::redis {

class RespDecoder;

// What CacheLens itself costs the server: shown in the status bar ("CacheLens: 120 cmd/s, 0.4 ms p99").
struct ClientLoad {
    quint64 commands = 0;      // commands written (handshake included)
    quint64 errors = 0;        // error replies and failed commands
    quint64 bytesOut = 0;
    quint64 bytesIn = 0;
    double latencyP50Ms = 0;   // round trip from write to reply, over the last LatencyWindow::kCapacity replies
    double latencyP99Ms = 0;
    LookupCounts lookups;      // keyspace hits and misses the server counted for our replies (KeyspaceLookups.h)
    ClientLoad& operator+=(const ClientLoad& other);   // for a cluster: counters add, latencies take the worst
};

class RedisClient : public QObject, public CommandSink
{
    Q_OBJECT
public:
    struct Options {
        int connectTimeoutMs = 5000;      // TCP/TLS connect plus handshake
        int commandTimeoutMs = 15000;     // default per command; ConnectionUrl::timeoutMs overrides it
        int reconnectInitialMs = 100;     // first retry delay, doubled each attempt …
        int reconnectMaxMs = 10000;       // … up to this; each delay is jittered to 50–100 %
        int maxReconnectAttempts = -1;    // -1 forever; 0 = fail at the first lost or refused connection
        QByteArray clientName = QByteArrayLiteral("cachelens");
        bool requireMaster = false;       // handshake checks ROLE and retries on a replica (Sentinel)
    };
    using Callback = CommandSink::Callback;

    explicit RedisClient(const ConnectionUrl& url, QObject* parent = nullptr);
    RedisClient(const ConnectionUrl& url, const Options& options, QObject* parent = nullptr);
    // Same as above with an explicit endpoint (cluster nodes, a master found through Sentinel); AUTH/db from url.
    RedisClient(const Endpoint& endpoint, const ConnectionUrl& url, const Options& options, QObject* parent = nullptr);
    ~RedisClient() override;   // pending callbacks are dropped without being called

    void open();
    void close();              // pending commands fail with Cancelled; state → Disconnected

    ConnectionState state() const { return m_state; }
    QString stateDetail() const { return m_stateDetail; }
    RedisError lastError() const { return m_lastError; }
    const Endpoint& endpoint() const { return m_endpoint; }
    const ConnectionUrl& url() const { return m_url; }
    int pendingCount() const { return int(m_inflight.size() + m_waiting.size()); }

    // Sends one command (exact bytes per argument). `timeoutMs` 0 = the default. `context` may be null only for
    // fire-and-forget commands without a callback.
    void command(const QList<QByteArray>& args, QObject* context, Callback callback, int timeoutMs = 0) override;

    ClientLoad load() const;
    // The keyspace lookups counted so far, from every reply read (a reply that came after its timeout included: the
    // server counted it). Read in the callback of a command, it covers exactly the commands this connection sent
    // before that one, which is what makes the Dashboard's correction exact per INFO.
    const LookupCounts& lookups() const { return m_load.lookups; }

    // Called before every connection attempt to find where to connect (Sentinel: the current master). It must call
    // `done` exactly once, from the event loop, with an endpoint or an error (which counts as a failed attempt; a
    // NoAuth/WrongPass error is final, like a refused AUTH).
    using EndpointResolver = std::function<void(QObject* context, std::function<void(const Endpoint&, const RedisError&)> done)>;
    void setEndpointResolver(EndpointResolver resolver) { m_resolver = std::move(resolver); }

Q_SIGNALS:
    void stateChanged(cachelens::ConnectionState state, const QString& detail);

private:
    struct Pending;
    void startConnect();
    void openTransport();
    void onConnected();
    void onReadyRead();
    void onClosed(const RedisError& why);
    void onConnectTimeout();
    void onHandshakeReply(const RedisReply& reply, const QByteArray& what);
    void handshakeFailed(const RedisError& error, bool retry);
    void connectionLost(const RedisError& why);
    void scheduleReconnect(const RedisError& why);
    void setState(ConnectionState state, const QString& detail);
    void send(const std::shared_ptr<Pending>& pending);
    void failAll(const RedisError& error);
    void failLater(const std::shared_ptr<Pending>& pending, const RedisError& error);
    void deliver(Pending& pending, const RedisReply& reply);
    void armTimeoutTimer();
    void onTimeoutTimer();

    ConnectionUrl m_url;
    Endpoint m_endpoint;
    Options m_options;
    ConnectionState m_state = ConnectionState::Disconnected;
    QString m_stateDetail;
    RedisError m_lastError;
    bool m_wantOpen = false;
    int m_attempt = 0;
    int m_handshakeLeft = 0;
    quint64 m_generation = 0;            // bumped per connection; stale replies and callbacks check it

    EndpointResolver m_resolver;
    Transport* m_transport = nullptr;
    std::unique_ptr<RespDecoder> m_decoder;
    std::deque<std::shared_ptr<Pending>> m_inflight;   // written, reply not yet read (in write order)
    std::deque<std::shared_ptr<Pending>> m_waiting;    // issued during the first Connecting

    struct Deadline {
        qint64 atMs;
        std::weak_ptr<Pending> pending;
        bool operator>(const Deadline& o) const { return atMs > o.atMs; }
    };
    std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> m_deadlines;
    QTimer m_timeoutTimer;
    QTimer m_connectTimer;
    QTimer m_reconnectTimer;
    QElapsedTimer m_clock;

    ClientLoad m_load;
    LatencyWindow m_latency;
};

} // namespace cachelens::redis
