#include "connectors/ConnectionTester.h"

#include "connectors/redis/RedisClient.h"
#include "connectors/redis/SentinelResolver.h"
#include "connectors/redis/ServerInfo.h"

#include <QElapsedTimer>
#include <QPointer>

namespace cachelens {

// Lives on the tester's thread; one RedisClient per test, deleted when the test ends.
class TestWorker : public QObject
{
    Q_OBJECT
public:
    TestWorker(ConnectionTester* owner, Worker* worker) : m_owner(owner), m_worker(worker) {}

    void run(quint64 requestId, const ConnectionUrl& url, int timeoutMs)
    {
        if (m_client)
            m_client->deleteLater();
        redis::RedisClient::Options options;
        options.connectTimeoutMs = timeoutMs;
        options.commandTimeoutMs = timeoutMs;
        options.maxReconnectAttempts = 0;   // a test answers once; it does not retry
        // redis-sentinel://: the sentinels name the master (with their own password when the URL has one).
        auto* client = url.scheme == ConnectionUrl::Scheme::Sentinel ? redis::SentinelResolver::createClient(url, options, this)
                                                                     : new redis::RedisClient(url, options, this);
        m_client = client;
        connect(client, &redis::RedisClient::stateChanged, this,
                [this, client, requestId](ConnectionState state, const QString& detail) {
                    if (client != m_client)
                        return;
                    if (state == ConnectionState::Ready)
                        ping(client, requestId);
                    else if (state == ConnectionState::Failed || state == ConnectionState::Reconnecting)
                        finish(client, failure(requestId, detail.isEmpty() ? client->lastError().message : detail));
                });
        client->open();
    }

    static ConnectionTester::Result failure(quint64 requestId, const QString& message)
    {
        ConnectionTester::Result r;
        r.requestId = requestId;
        r.message = message;
        return r;
    }

    void ping(redis::RedisClient* client, quint64 requestId)
    {
        auto clock = std::make_shared<QElapsedTimer>();
        clock->start();
        client->command({QByteArrayLiteral("PING")}, this, [=, this](const redis::RedisReply& pong) {
            if (pong.isError())
                return finish(client, failure(requestId, pong.error().message));
            const double ms = double(clock->nsecsElapsed()) / 1e6;
            client->command({QByteArrayLiteral("INFO"), QByteArrayLiteral("server")}, this,
                            [=, this](const redis::RedisReply& info) {
                                ConnectionTester::Result r;
                                r.requestId = requestId;
                                r.ok = true;
                                r.latencyMs = ms;
                                // Some managed services and ACL users may not run INFO; PONG alone is still a pass.
                                if (!info.isError()) {
                                    const auto server = redis::ServerInfo::parse(info.bytes());
                                    r.version = server.version;
                                    r.mode = server.mode.isEmpty() ? QStringLiteral("standalone") : server.mode;
                                }
                                r.message = r.version.isEmpty()
                                    ? tr("PONG in %1 ms").arg(ms, 0, 'f', 2)
                                    : tr("PONG in %1 ms — Redis %2, %3").arg(ms, 0, 'f', 2).arg(r.version, r.mode);
                                finish(client, r);
                            });
        });
    }

    void finish(redis::RedisClient* client, const ConnectionTester::Result& result)
    {
        if (client != m_client)
            return;
        m_client = nullptr;
        client->disconnect(this);
        client->deleteLater();
        m_worker->reply([owner = m_owner, result] { owner->deliver(result); });
    }

    ConnectionTester* m_owner;   // outlives this object: its worker is joined first
    Worker* m_worker;
    QPointer<redis::RedisClient> m_client;
};

ConnectionTester::ConnectionTester(QObject* parent)
    : QObject(parent), m_tester(new TestWorker(this, &m_worker)), m_worker(QStringLiteral("cachelens-connection-test"))
{
    qRegisterMetaType<ConnectionTester::Result>();
    m_worker.adopt(m_tester);
}

void ConnectionTester::deliver(const Result& result)
{
    if (result.requestId == m_lastRequest)   // a newer test supersedes this one
        Q_EMIT finished(result);
}

ConnectionTester::~ConnectionTester() = default;   // m_worker ends the test running, if any, and deletes m_tester

quint64 ConnectionTester::test(const ConnectionUrl& url, int timeoutMs)
{
    const quint64 id = ++m_lastRequest;
    // Replaces a request the worker has not started yet; one being run is superseded by its id.
    m_worker.postLatest([tester = m_tester, id, url, timeoutMs](const std::atomic<bool>& cancelled) {
        if (!cancelled)
            tester->run(id, url, timeoutMs);
    });
    return id;
}

} // namespace cachelens

#include "ConnectionTester.moc"
