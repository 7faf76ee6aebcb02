#include "connectors/redis/RespCodec.h"

#include <hiredis/hiredis.h>

#include <vector>

namespace cachelens::redis {
namespace {

RedisReply convert(const redisReply* r)
{
    switch (r->type) {
    case REDIS_REPLY_STRING:
        return RedisReply::string(QByteArray(r->str, qsizetype(r->len)));
    case REDIS_REPLY_STATUS:
        return RedisReply::status(QByteArray(r->str, qsizetype(r->len)));
    case REDIS_REPLY_ERROR:
        return RedisReply::error(RedisError::fromServerText(QByteArray(r->str, qsizetype(r->len))));
    case REDIS_REPLY_INTEGER:
        return RedisReply::integer(r->integer);
    case REDIS_REPLY_ARRAY: {
        QVector<RedisReply> elements;
        elements.reserve(qsizetype(r->elements));
        for (size_t i = 0; i < r->elements; ++i)
            elements.append(convert(r->element[i]));
        return RedisReply::array(std::move(elements));
    }
    case REDIS_REPLY_NIL:
    default:
        return RedisReply::nil();
    }
}

} // namespace

struct RespDecoder::Reader {
    redisReader* reader = redisReaderCreate();
    ~Reader() { redisReaderFree(reader); }
};

QByteArray formatCommand(const QList<QByteArray>& args)
{
    std::vector<const char*> argv;
    std::vector<size_t> argvlen;
    argv.reserve(size_t(args.size()));
    argvlen.reserve(size_t(args.size()));
    for (const QByteArray& a : args) {
        argv.push_back(a.constData());
        argvlen.push_back(size_t(a.size()));
    }
    char* target = nullptr;
    const int len = redisFormatCommandArgv(&target, int(args.size()), argv.data(), argvlen.data());
    if (len < 0 || !target)
        return {};
    QByteArray out(target, len);
    redisFreeCommand(target);
    return out;
}

RespDecoder::RespDecoder() : m_reader(std::make_unique<Reader>()) {}

RespDecoder::~RespDecoder() = default;

void RespDecoder::reset()
{
    m_reader = std::make_unique<Reader>();
    m_error.clear();
}

void RespDecoder::feed(const char* data, qsizetype size)
{
    if (!hasError() && redisReaderFeed(m_reader->reader, data, size_t(size)) != REDIS_OK)
        m_error = QString::fromUtf8(m_reader->reader->errstr);
}

std::optional<RedisReply> RespDecoder::next()
{
    if (hasError())
        return std::nullopt;
    void* raw = nullptr;
    if (redisReaderGetReply(m_reader->reader, &raw) != REDIS_OK) {
        m_error = QString::fromUtf8(m_reader->reader->errstr);
        return std::nullopt;
    }
    if (!raw)
        return std::nullopt;
    auto* reply = static_cast<redisReply*>(raw);
    RedisReply out = convert(reply);
    freeReplyObject(reply);
    return out;
}

} // namespace cachelens::redis
