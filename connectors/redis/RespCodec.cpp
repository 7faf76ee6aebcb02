#include "connectors/redis/RespCodec.h"

#include <hiredis/hiredis.h>

#include <memory>
#include <vector>

namespace cachelens::redis {
namespace {

// The reply objects hiredis's reader builds, through its object functions. hiredis's own (redisReply) allocate an
// array's element table for the count its header claims, before one element arrived: "*2147483647\r\n" from a
// server cost 16 GB of address space and seconds of freeing on this thread. These grow with the elements that do
// arrive, so a reply costs what was received. The reader attaches each object to its parent as it is created and
// frees only the root (freeObject), which owns the rest.
struct Node {
    RedisReply value;                             // a scalar reply
    bool array = false;
    std::vector<std::unique_ptr<Node>> children;  // an array's elements so far, in order
};

void* attach(const redisReadTask* task, std::unique_ptr<Node> node)
{
    Node* raw = node.get();
    if (task->parent)
        static_cast<Node*>(task->parent->obj)->children.push_back(std::move(node));
    else
        node.release();   // the root: the reader holds it until redisReaderGetReply hands it over
    return raw;
}

// Called from C: an exception must not cross hiredis, so a failed allocation is hiredis's "out of memory".
template <class Make>
void* create(const redisReadTask* task, Make&& make) noexcept
{
    try {
        auto node = std::make_unique<Node>();
        make(*node);
        return attach(task, std::move(node));
    } catch (...) {
        return nullptr;
    }
}

void* createString(const redisReadTask* task, char* str, size_t len)
{
    return create(task, [&](Node& n) {
        QByteArray bytes(str, qsizetype(len));
        n.value = task->type == REDIS_REPLY_ERROR    ? RedisReply::error(RedisError::fromServerText(bytes))
                  : task->type == REDIS_REPLY_STATUS ? RedisReply::status(std::move(bytes))
                                                     : RedisReply::string(std::move(bytes));
    });
}

void* createArray(const redisReadTask* task, int)
{
    return create(task, [](Node& n) { n.array = true; });
}

void* createInteger(const redisReadTask* task, long long value)
{
    return create(task, [&](Node& n) { n.value = RedisReply::integer(value); });
}

void* createNil(const redisReadTask* task)
{
    return create(task, [](Node&) {});
}

void freeObject(void* node)
{
    delete static_cast<Node*>(node);
}

redisReplyObjectFunctions kFunctions{createString, createArray, createInteger, createNil, freeObject};

RedisReply convert(Node& n)
{
    if (!n.array)
        return std::move(n.value);
    QVector<RedisReply> elements;
    elements.reserve(qsizetype(n.children.size()));
    for (auto& child : n.children)
        elements.append(convert(*child));
    return RedisReply::array(std::move(elements));
}

} // namespace

struct RespDecoder::Reader {
    redisReader* reader = redisReaderCreateWithFunctions(&kFunctions);
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
    const std::unique_ptr<Node> root(static_cast<Node*>(raw));
    return convert(*root);
}

} // namespace cachelens::redis
