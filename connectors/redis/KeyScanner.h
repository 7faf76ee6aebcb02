#pragma once
// KeyScanner: walks one server's keyspace with SCAN (MATCH, COUNT, TYPE), one SCAN in flight at a time, and hands
// each page of keys on as it arrives. Cancellable between pages. Lives on the client's thread.
//
// SCAN's guarantee (all versions): every key present for the whole scan is returned at least once; a key may come
// twice when the server resizes its table during the scan. `total` counts keys delivered, duplicates included.
#include "connectors/redis/RedisReply.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>

namespace cachelens::redis {

class RedisClient;

class KeyScanner : public QObject
{
    Q_OBJECT
public:
    struct Options {
        QByteArray match;        // Redis glob; empty = all keys
        int count = 1000;        // SCAN COUNT hint: keys examined per call (1000 is ~1 ms of server time)
        QByteArray type;         // SCAN … TYPE t (Redis 6.0+); empty = any type
    };

    KeyScanner(RedisClient* client, const Options& options, QObject* parent = nullptr);

    void start();
    void cancel();               // finished(…, cancelled = true) follows once the SCAN in flight has answered
    bool isRunning() const { return m_running; }
    quint64 delivered() const { return m_delivered; }

Q_SIGNALS:
    void keysFound(const QList<QByteArray>& keys);   // one page; never empty
    // error.isError(): the scan stopped there (connection lost, ERR …); `total` is what was delivered until then.
    void finished(quint64 total, bool cancelled, const cachelens::redis::RedisError& error);

private:
    void next();
    void onReply(const RedisReply& reply);
    void finish(bool cancelled, const RedisError& error);

    QPointer<RedisClient> m_client;
    Options m_options;
    QByteArray m_cursor = QByteArrayLiteral("0");
    quint64 m_delivered = 0;
    bool m_running = false;
    bool m_cancelRequested = false;
};

} // namespace cachelens::redis
