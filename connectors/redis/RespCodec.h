#pragma once
// RESP encoding and decoding, delegated to hiredis 0.14: its reply reader (redisReader) for the incoming byte
// stream and redisFormatCommandArgv for binary-safe commands. Only these two parts of hiredis are used; the
// transport is Qt's. hiredis types stay inside RespCodec.cpp.
#include "connectors/redis/RedisReply.h"

#include <QByteArray>
#include <QList>

#include <memory>
#include <optional>

namespace cachelens::redis {

// "*3\r\n$3\r\nSET\r\n…": one command, each argument sent as exact bytes (NUL, newlines, invalid UTF-8 survive).
QByteArray formatCommand(const QList<QByteArray>& args);

class RespDecoder
{
public:
    RespDecoder();
    ~RespDecoder();
    RespDecoder(const RespDecoder&) = delete;
    RespDecoder& operator=(const RespDecoder&) = delete;

    void feed(const char* data, qsizetype size);
    // The next complete reply, or nullopt when more bytes are needed. After a protocol error hasError() is true
    // and the stream cannot be resynchronised: the caller must drop the connection.
    std::optional<RedisReply> next();
    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    void reset();   // fresh reader, for a new connection

private:
    struct Reader;
    std::unique_ptr<Reader> m_reader;
    QString m_error;
};

} // namespace cachelens::redis
