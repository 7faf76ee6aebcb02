#include "connectors/redis/KeyScanner.h"

#include "connectors/redis/RedisClient.h"

namespace cachelens::redis {

KeyScanner::KeyScanner(RedisClient* client, const Options& options, QObject* parent)
    : QObject(parent), m_client(client), m_options(options)
{
}

void KeyScanner::start()
{
    if (m_running)
        return;
    m_running = true;
    m_cancelRequested = false;
    m_cursor = QByteArrayLiteral("0");
    m_delivered = 0;
    next();
}

void KeyScanner::cancel()
{
    if (m_running)
        m_cancelRequested = true;
}

void KeyScanner::next()
{
    if (!m_client) {
        finish(false, RedisError::client(RedisError::Kind::Cancelled, tr("the connection is gone")));
        return;
    }
    QList<QByteArray> args{QByteArrayLiteral("SCAN"), m_cursor};
    if (!m_options.match.isEmpty())
        args << QByteArrayLiteral("MATCH") << m_options.match;
    args << QByteArrayLiteral("COUNT") << QByteArray::number(qMax(1, m_options.count));
    if (!m_options.type.isEmpty())
        args << QByteArrayLiteral("TYPE") << m_options.type;
    m_client->command(args, this, [this](const RedisReply& reply) { onReply(reply); });
}

void KeyScanner::onReply(const RedisReply& reply)
{
    if (!m_running)
        return;
    if (reply.isError()) {
        finish(false, reply.error());
        return;
    }
    if (!reply.isArray() || reply.elements().size() != 2 || !reply.elements().at(1).isArray()) {
        finish(false, RedisError::client(RedisError::Kind::Protocol, tr("unexpected SCAN reply: %1").arg(reply.toDisplayString().left(200))));
        return;
    }
    m_cursor = reply.elements().at(0).bytes();
    const QVector<RedisReply>& items = reply.elements().at(1).elements();
    if (!items.isEmpty()) {
        QList<QByteArray> keys;
        keys.reserve(items.size());
        for (const RedisReply& item : items)
            keys.append(item.bytes());
        m_delivered += quint64(keys.size());
        const QPointer<KeyScanner> self(this);
        Q_EMIT keysFound(keys);
        if (!self)
            return;
    }
    if (m_cursor == "0") {
        finish(false, {});
        return;
    }
    if (m_cancelRequested) {
        finish(true, {});
        return;
    }
    next();
}

void KeyScanner::finish(bool cancelled, const RedisError& error)
{
    m_running = false;
    m_cancelRequested = false;
    Q_EMIT finished(m_delivered, cancelled, error);
}

} // namespace cachelens::redis
