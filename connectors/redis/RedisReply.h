#pragma once
// RedisReply: one RESP2 reply as a plain value (no hiredis pointers survive parsing), and RedisError, the typed form
// of an error reply or of a client-side failure (connection lost, timeout, TLS). Replies travel by value between
// threads, so no QObject and no shared state.
#include <QByteArray>
#include <QMetaType>
#include <QString>
#include <QVector>

#include <cstdint>

namespace cachelens::redis {

struct RedisError {
    enum class Kind {
        None,
        // Server error replies, by their first word.
        Err,          // "-ERR …" and any prefix we do not classify
        WrongType,    // WRONGTYPE
        NoAuth,       // NOAUTH: the server wants AUTH
        WrongPass,    // WRONGPASS (Redis 6+) or "ERR invalid password" (Redis ≤5)
        NoPerm,       // NOPERM (ACL denies the command or key)
        ReadOnly,     // READONLY: a replica
        Loading,      // LOADING: the dataset is still being loaded
        Busy,         // BUSY: a script is running
        Moved,        // MOVED slot host:port (cluster)
        Ask,          // ASK slot host:port (cluster, during resharding)
        TryAgain,     // TRYAGAIN (cluster, multi-key during resharding)
        ClusterDown,  // CLUSTERDOWN
        // Client-side failures.
        Connection,   // not connected, connection lost, refused, closed during the handshake
        Timeout,      // no reply within the command's timeout
        Tls,          // TLS handshake or certificate failure
        Protocol,     // the byte stream is not RESP (e.g. plain text spoken to a TLS port)
        Cancelled,    // the client was closed or destroyed before the reply came
    };
    Kind kind = Kind::None;
    QString message;        // the server's text ("WRONGTYPE Operation against a key holding the wrong kind of value")
                            // or a sentence saying what went wrong on our side

    bool isError() const { return kind != Kind::None; }
    bool isServerError() const { return kind != Kind::None && kind < Kind::Connection; }

    // For MOVED/ASK: "MOVED 3999 127.0.0.1:6381" → slot 3999, host "127.0.0.1", port 6381. False otherwise.
    bool redirect(int* slot, QString* host, quint16* port) const;

    static RedisError fromServerText(const QByteArray& text);
    static RedisError client(Kind kind, const QString& message) { return RedisError{kind, message}; }
};

QString redisErrorKindName(RedisError::Kind kind);   // "WRONGTYPE", "connection", … for logs and tests

class RedisReply
{
public:
    enum class Type : std::uint8_t { Nil, Integer, String, Status, Error, Array };

    RedisReply() = default;
    static RedisReply nil() { return RedisReply(); }
    static RedisReply integer(long long value);
    static RedisReply string(QByteArray bytes);
    static RedisReply status(QByteArray text);
    static RedisReply array(QVector<RedisReply> elements);
    static RedisReply error(RedisError error);           // server or client error

    Type type() const { return m_type; }
    bool isNil() const { return m_type == Type::Nil; }
    bool isError() const { return m_type == Type::Error; }
    bool isArray() const { return m_type == Type::Array; }
    bool isString() const { return m_type == Type::String; }
    bool isInteger() const { return m_type == Type::Integer; }
    bool isStatus() const { return m_type == Type::Status; }

    long long toInteger() const { return m_integer; }      // Integer replies
    const QByteArray& bytes() const { return m_bytes; }    // String, Status (and Error: server text)
    const QVector<RedisReply>& elements() const { return m_elements; }
    const RedisError& error() const { return m_error; }    // kind None unless isError()

    // Strings that hold numbers (INFO fields, MEMORY USAGE on old servers, ZSCORE): integer value or `fallback`.
    long long toIntegerLenient(long long fallback = -1) const;
    // Debug form in redis-cli's style: (integer) 1, "bytes", (nil), (error) ERR …, 1) …
    QString toDisplayString() const;

private:
    Type m_type = Type::Nil;
    long long m_integer = 0;
    QByteArray m_bytes;
    QVector<RedisReply> m_elements;
    RedisError m_error;
};

} // namespace cachelens::redis

Q_DECLARE_METATYPE(cachelens::redis::RedisReply)
Q_DECLARE_METATYPE(cachelens::redis::RedisError)
