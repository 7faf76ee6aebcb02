#include "connectors/redis/RedisReply.h"

#include <QStringList>

namespace cachelens::redis {

RedisError RedisError::fromServerText(const QByteArray& text)
{
    const int space = text.indexOf(' ');
    const QByteArray code = space < 0 ? text : text.left(space);
    RedisError e;
    e.message = QString::fromUtf8(text);
    if (code == "WRONGTYPE")
        e.kind = Kind::WrongType;
    else if (code == "NOAUTH")
        e.kind = Kind::NoAuth;
    else if (code == "WRONGPASS")
        e.kind = Kind::WrongPass;
    // Redis ≤ 5 answers a bad legacy password with a plain ERR; Redis 6+ says WRONGPASS.
    else if (code == "ERR" && text.contains("invalid password"))
        e.kind = Kind::WrongPass;
    else if (code == "NOPERM")
        e.kind = Kind::NoPerm;
    else if (code == "READONLY")
        e.kind = Kind::ReadOnly;
    else if (code == "LOADING")
        e.kind = Kind::Loading;
    else if (code == "BUSY")
        e.kind = Kind::Busy;
    else if (code == "MOVED")
        e.kind = Kind::Moved;
    else if (code == "ASK")
        e.kind = Kind::Ask;
    else if (code == "TRYAGAIN")
        e.kind = Kind::TryAgain;
    else if (code == "CLUSTERDOWN")
        e.kind = Kind::ClusterDown;
    else
        e.kind = Kind::Err;
    return e;
}

bool RedisError::redirect(int* slot, QString* host, quint16* port) const
{
    if (kind != Kind::Moved && kind != Kind::Ask)
        return false;
    const QStringList parts = message.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (parts.size() != 3)
        return false;
    bool ok = false;
    const int s = parts.at(1).toInt(&ok);
    if (!ok)
        return false;
    const QString& endpoint = parts.at(2);
    const int colon = int(endpoint.lastIndexOf(QLatin1Char(':')));
    if (colon < 0)
        return false;
    const uint p = endpoint.mid(colon + 1).toUInt(&ok);
    if (!ok || p == 0 || p > 65535)
        return false;
    if (slot)
        *slot = s;
    if (host) {
        *host = endpoint.left(colon);
        if (host->startsWith(QLatin1Char('[')) && host->endsWith(QLatin1Char(']')))
            *host = host->mid(1, host->size() - 2);
    }
    if (port)
        *port = quint16(p);
    return true;
}

QString redisErrorKindName(RedisError::Kind kind)
{
    using K = RedisError::Kind;
    switch (kind) {
    case K::None: return QStringLiteral("none");
    case K::Err: return QStringLiteral("ERR");
    case K::WrongType: return QStringLiteral("WRONGTYPE");
    case K::NoAuth: return QStringLiteral("NOAUTH");
    case K::WrongPass: return QStringLiteral("WRONGPASS");
    case K::NoPerm: return QStringLiteral("NOPERM");
    case K::ReadOnly: return QStringLiteral("READONLY");
    case K::Loading: return QStringLiteral("LOADING");
    case K::Busy: return QStringLiteral("BUSY");
    case K::Moved: return QStringLiteral("MOVED");
    case K::Ask: return QStringLiteral("ASK");
    case K::TryAgain: return QStringLiteral("TRYAGAIN");
    case K::ClusterDown: return QStringLiteral("CLUSTERDOWN");
    case K::Connection: return QStringLiteral("connection");
    case K::Timeout: return QStringLiteral("timeout");
    case K::Tls: return QStringLiteral("tls");
    case K::Protocol: return QStringLiteral("protocol");
    case K::Cancelled: return QStringLiteral("cancelled");
    }
    return QStringLiteral("?");
}

RedisReply RedisReply::integer(long long value)
{
    RedisReply r;
    r.m_type = Type::Integer;
    r.m_integer = value;
    return r;
}

RedisReply RedisReply::string(QByteArray bytes)
{
    RedisReply r;
    r.m_type = Type::String;
    r.m_bytes = std::move(bytes);
    return r;
}

RedisReply RedisReply::status(QByteArray text)
{
    RedisReply r;
    r.m_type = Type::Status;
    r.m_bytes = std::move(text);
    return r;
}

RedisReply RedisReply::array(QVector<RedisReply> elements)
{
    RedisReply r;
    r.m_type = Type::Array;
    r.m_elements = std::move(elements);
    return r;
}

RedisReply RedisReply::error(RedisError error)
{
    RedisReply r;
    r.m_type = Type::Error;
    r.m_bytes = error.message.toUtf8();
    r.m_error = std::move(error);
    return r;
}

long long RedisReply::toIntegerLenient(long long fallback) const
{
    if (m_type == Type::Integer)
        return m_integer;
    if (m_type == Type::String || m_type == Type::Status) {
        bool ok = false;
        const long long v = m_bytes.toLongLong(&ok);
        return ok ? v : fallback;
    }
    return fallback;
}

QString RedisReply::toDisplayString() const
{
    switch (m_type) {
    case Type::Nil: return QStringLiteral("(nil)");
    case Type::Integer: return QStringLiteral("(integer) %1").arg(m_integer);
    case Type::String: return QLatin1Char('"') + QString::fromUtf8(m_bytes) + QLatin1Char('"');
    case Type::Status: return QString::fromUtf8(m_bytes);
    case Type::Error: return QStringLiteral("(error) ") + m_error.message;
    case Type::Array: {
        if (m_elements.isEmpty())
            return QStringLiteral("(empty array)");
        QStringList lines;
        for (int i = 0; i < m_elements.size(); ++i)
            lines << QStringLiteral("%1) %2").arg(i + 1).arg(m_elements.at(i).toDisplayString());
        return lines.join(QLatin1Char('\n'));
    }
    }
    return {};
}

} // namespace cachelens::redis
