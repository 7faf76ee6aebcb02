#pragma once
// The "Test" button of the connection dialog: connects once (no reconnect loop) on a worker thread, measures a PING
// round trip, reads the server's version and mode, and reports one sentence: "PONG in 0.21 ms — Redis 7.0.15,
// standalone" or what went wrong ("wrong password", "connection refused", "TLS handshake failed: …").
#include "connectors/ConnectionUrl.h"
#include "connectors/support/Worker.h"

#include <QMetaType>
#include <QObject>

namespace cachelens {

class ConnectionTester : public QObject
{
    Q_OBJECT
public:
    struct Result {
        quint64 requestId = 0;
        bool ok = false;
        double latencyMs = 0;     // PING round trip once connected
        QString version;          // redis_version
        QString mode;             // standalone / cluster / sentinel
        QString message;          // the sentence to show
    };

    explicit ConnectionTester(QObject* parent = nullptr);
    ~ConnectionTester() override;

    // Starts a test; a newer test makes older results stale (they are dropped). Returns the request id.
    quint64 test(const ConnectionUrl& url, int timeoutMs = 5000);

Q_SIGNALS:
    void finished(const cachelens::ConnectionTester::Result& result);

private:
    void deliver(const Result& result);

    quint64 m_lastRequest = 0;
    class TestWorker* m_tester;   // adopted by m_worker: lives on its thread
    Worker m_worker;              // last: joined before the members above go
    friend class TestWorker;
};

} // namespace cachelens

Q_DECLARE_METATYPE(cachelens::ConnectionTester::Result)
