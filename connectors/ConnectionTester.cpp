#include "connectors/ConnectionTester.h"

#include "connectors/redis/RedisClient.h"
#include "connectors/redis/ServerInfo.h"

#include <QElapsedTimer>
#include <QPointer>

namespace cachelens {
namespace {

// Lives on the tester's thread; one RedisClient per test, deleted when the test ends.
class TestWorker : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

Q_SIGNALS:
    void done(const cachelens::ConnectionTester::Result& result);

public Q_SLOTS:
    void run(quint64 requestId, const cachelens::ConnectionUrl& url, int timeoutMs)
    {
        if (m_client)
            m_client->deleteLater();
        redis::RedisClient::Options options;
        options.connectTimeoutMs = timeoutMs;
        options.commandTimeoutMs = timeoutMs;
        options.maxReconnectAttempts = 0;   // a test answers once; it does not retry
        auto* client = new redis::RedisClient(url, options, this);
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

private:
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
        Q_EMIT done(result);
    }

    QPointer<redis::RedisClient> m_client;
};

} // namespace

ConnectionTester::ConnectionTester(QObject* parent) : QObject(parent), m_worker(new TestWorker)
{
    qRegisterMetaType<ConnectionTester::Result>();
    qRegisterMetaType<ConnectionUrl>();
    m_thread.setObjectName(QStringLiteral("cachelens-connection-test"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(static_cast<TestWorker*>(m_worker), &TestWorker::done, this, [this](const Result& r) {
        if (r.requestId == m_lastRequest)   // a newer test supersedes this one
            Q_EMIT finished(r);
    });
    m_thread.start();
}

ConnectionTester::~ConnectionTester()
{
    m_thread.quit();
    m_thread.wait();
}

quint64 ConnectionTester::test(const ConnectionUrl& url, int timeoutMs)
{
    const quint64 id = ++m_lastRequest;
    QMetaObject::invokeMethod(static_cast<TestWorker*>(m_worker), "run", Qt::QueuedConnection, Q_ARG(quint64, id),
                              Q_ARG(cachelens::ConnectionUrl, url), Q_ARG(int, timeoutMs));
    return id;
}

} // namespace cachelens

#include "ConnectionTester.moc"
