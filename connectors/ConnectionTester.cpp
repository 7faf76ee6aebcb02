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
    explicit TestWorker(ConnectionTester* owner) : m_owner(owner) {}
    ~TestWorker() override
    {
        // The owner reads this object (its meta-object) when it wakes it by name; it releases the mailbox mutex
        // before it stops this thread, so taking the mutex here orders those reads before this deletion in
        // ThreadSanitizer's eyes (Qt's own event-queue and thread-join synchronisation is uninstrumented).
        std::lock_guard lock(m_owner->m_mailboxMutex);
    }

public Q_SLOTS:
    void takeRequest()
    {
        std::optional<ConnectionTester::Request> request;
        {
            std::lock_guard lock(m_owner->m_mailboxMutex);
            request.swap(m_owner->m_request);
        }
        if (request)
            run(request->id, request->url, request->timeoutMs);
    }

private:
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
        // Woken by name, not through a connection: no slot object is shared between the threads (its last
        // reference would otherwise be dropped inside Qt, out of ThreadSanitizer's sight). The wake-up is posted
        // under the mutex, which the owner's destructor takes, so the owner cannot be destroyed while it runs.
        std::lock_guard lock(m_owner->m_mailboxMutex);
        m_owner->m_results.push_back(result);
        QMetaObject::invokeMethod(m_owner, "deliver", Qt::QueuedConnection);
    }

    ConnectionTester* m_owner;   // outlives the worker: its destructor stops this thread first
    QPointer<redis::RedisClient> m_client;
};

ConnectionTester::ConnectionTester(QObject* parent) : QObject(parent), m_worker(new TestWorker(this))
{
    qRegisterMetaType<ConnectionTester::Result>();
    m_thread.setObjectName(QStringLiteral("cachelens-connection-test"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread.start();
}

void ConnectionTester::deliver()
{
    std::vector<Result> results;
    {
        std::lock_guard lock(m_mailboxMutex);
        results.swap(m_results);
    }
    for (const Result& r : results)
        if (r.requestId == m_lastRequest)   // a newer test supersedes this one
            Q_EMIT finished(r);
}

ConnectionTester::~ConnectionTester()
{
    {
        // Publishes this thread's reads of the worker (waking it by name reads its meta-object) to the worker's
        // destructor, which takes the same mutex once the thread below has been asked to quit.
        std::lock_guard lock(m_mailboxMutex);
    }
    m_thread.quit();
    m_thread.wait();
    std::lock_guard lock(m_mailboxMutex);   // orders the worker's last post before this object's destruction
}

quint64 ConnectionTester::test(const ConnectionUrl& url, int timeoutMs)
{
    const quint64 id = ++m_lastRequest;
    {
        std::lock_guard lock(m_mailboxMutex);
        m_request = Request{id, url, timeoutMs};   // replaces a request the worker has not taken yet
    }
    QMetaObject::invokeMethod(m_worker, "takeRequest", Qt::QueuedConnection);
    return id;
}

} // namespace cachelens

#include "ConnectionTester.moc"
