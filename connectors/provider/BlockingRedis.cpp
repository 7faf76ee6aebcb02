#include "connectors/provider/BlockingRedis.h"

#include "connectors/ConnectionUrl.h"

#include <hiredis/hiredis.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace cachelens::provider {

using engine::Errc;
using engine::Error;
using Clock = std::chrono::steady_clock;

engine::Result<RedisEndpoint> parseRedisUrl(std::string_view text)
{
    const auto parsed = ConnectionUrl::parse(QString::fromUtf8(text.data(), qsizetype(text.size())));
    if (!parsed.ok()) return Error{Errc::InvalidArgument, "REDIS_URL: " + parsed.error.toStdString()};
    const ConnectionUrl& u = *parsed.url;
    if (u.scheme == ConnectionUrl::Scheme::RedisTls)
        return Error{Errc::Unsupported, "the redis cache provider does not speak TLS (rediss://); use redis:// or unix://"};
    if (u.scheme == ConnectionUrl::Scheme::Sentinel)
        return Error{Errc::Unsupported, "the redis cache provider does not resolve sentinels; give the master's redis:// URL"};
    RedisEndpoint ep;
    ep.host = u.host.toStdString();
    ep.port = u.port;
    if (u.scheme == ConnectionUrl::Scheme::Unix) ep.unixPath = u.socketPath.toStdString();
    ep.user = u.user.toStdString();
    ep.password = u.password.toStdString();
    ep.db = u.db;
    if (u.timeoutMs > 0) ep.timeout = milliseconds(u.timeoutMs);
    return ep;
}

namespace {

Reply convert(const redisReply* r)
{
    Reply out;
    switch (r->type) {
    case REDIS_REPLY_STRING: out.type = Reply::Type::String; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: out.type = Reply::Type::Status; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_ERROR: out.type = Reply::Type::Error; out.str.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: out.type = Reply::Type::Integer; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
        out.type = Reply::Type::Array;
        out.elements.reserve(r->elements);
        for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
        break;
    default: out.type = Reply::Type::Nil; break;
    }
    return out;
}

int msLeft(Clock::time_point deadline)
{
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
}

std::string format(const Args& args)
{
    std::vector<const char*> argv;
    std::vector<size_t> argvlen;
    argv.reserve(args.size());
    argvlen.reserve(args.size());
    for (const auto& a : args) {
        argv.push_back(a.data());
        argvlen.push_back(a.size());
    }
    char* target = nullptr;
    const int len = redisFormatCommandArgv(&target, static_cast<int>(args.size()), argv.data(), argvlen.data());
    std::string out;
    if (len > 0) out.assign(target, static_cast<size_t>(len));
    redisFreeCommand(target);
    return out;
}

} // namespace

BlockingConnection::BlockingConnection(RedisEndpoint endpoint) : ep_(std::move(endpoint)) {}

BlockingConnection::~BlockingConnection() { close(); }

void BlockingConnection::close()
{
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (reader_) redisReaderFree(static_cast<redisReader*>(reader_));
    reader_ = nullptr;
}

bool BlockingConnection::connect(std::string& error)
{
    close();
    const auto deadline = Clock::now() + ep_.timeout;
    sockaddr_storage addr{};
    socklen_t addrLen = 0;
    int family = AF_INET;
    if (!ep_.unixPath.empty()) {
        auto* un = reinterpret_cast<sockaddr_un*>(&addr);
        un->sun_family = AF_UNIX;
        if (ep_.unixPath.size() >= sizeof(un->sun_path)) {
            error = "unix socket path too long: " + ep_.unixPath;
            return false;
        }
        std::memcpy(un->sun_path, ep_.unixPath.c_str(), ep_.unixPath.size() + 1);
        addrLen = sizeof(sockaddr_un);
        family = AF_UNIX;
    } else {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* res = nullptr;
        const std::string port = std::to_string(ep_.port);
        if (int rc = getaddrinfo(ep_.host.c_str(), port.c_str(), &hints, &res); rc != 0 || !res) {
            error = "cannot resolve " + ep_.host + ": " + gai_strerror(rc);
            return false;
        }
        std::memcpy(&addr, res->ai_addr, res->ai_addrlen);
        addrLen = res->ai_addrlen;
        family = res->ai_family;
        freeaddrinfo(res);
    }
    fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) {
        error = std::string("socket: ") + std::strerror(errno);
        return false;
    }
    const std::string where = ep_.unixPath.empty() ? ep_.host + ":" + std::to_string(ep_.port) : ep_.unixPath;
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), addrLen) != 0) {
        if (errno != EINPROGRESS && errno != EAGAIN) {
            error = "cannot connect to " + where + ": " + std::strerror(errno);
            close();
            return false;
        }
        pollfd p{fd_, POLLOUT, 0};
        const int rc = ::poll(&p, 1, msLeft(deadline));
        int soErr = 0;
        socklen_t len = sizeof(soErr);
        if (rc <= 0 || getsockopt(fd_, SOL_SOCKET, SO_ERROR, &soErr, &len) != 0 || soErr != 0) {
            error = "cannot connect to " + where + ": "
                + (rc == 0 ? std::string("timed out after ") + std::to_string(ep_.timeout.count()) + " ms"
                           : std::string(std::strerror(soErr ? soErr : errno)));
            close();
            return false;
        }
    }
    if (family != AF_UNIX) {
        int one = 1;
        setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    reader_ = redisReaderCreate();
    std::vector<Args> hello;
    const std::string db = std::to_string(ep_.db);
    if (!ep_.password.empty()) {
        if (ep_.user.empty()) hello.push_back({"AUTH", ep_.password});
        else hello.push_back({"AUTH", ep_.user, ep_.password});
    }
    if (ep_.db != 0) hello.push_back({"SELECT", db});
    if (hello.empty()) return true;
    std::vector<Reply> replies;
    if (!pipeline(hello, replies, error)) return false;
    for (const auto& r : replies) {
        if (r.isError()) {
            error = "redis refused the connection setup: " + r.str;
            close();
            return false;
        }
    }
    return true;
}

bool BlockingConnection::writeAll(const std::string& bytes, Clock::time_point deadline, std::string& error)
{
    size_t off = 0;
    while (off < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pollfd p{fd_, POLLOUT, 0};
            const int left = msLeft(deadline);
            if (left == 0 || ::poll(&p, 1, left) <= 0) {
                error = "redis did not accept the request within " + std::to_string(ep_.timeout.count()) + " ms";
                close();
                return false;
            }
            continue;
        }
        error = std::string("connection to redis lost: ") + std::strerror(errno);
        close();
        return false;
    }
    return true;
}

BlockingConnection::ReadResult BlockingConnection::readOne(Reply& reply, Clock::time_point deadline, std::string& error)
{
    auto* reader = static_cast<redisReader*>(reader_);
    for (;;) {
        void* raw = nullptr;
        if (redisReaderGetReply(reader, &raw) != REDIS_OK) {
            error = std::string("redis protocol error: ") + reader->errstr;
            close();
            return ReadResult::Failed;
        }
        if (raw) {
            reply = convert(static_cast<redisReply*>(raw));
            freeReplyObject(raw);
            return ReadResult::Reply;
        }
        char buf[16384];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n > 0) {
            redisReaderFeed(reader, buf, static_cast<size_t>(n));
            continue;
        }
        if (n == 0) {
            error = "redis closed the connection";
            close();
            return ReadResult::Failed;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            pollfd p{fd_, POLLIN, 0};
            const int left = msLeft(deadline);
            const int rc = left == 0 ? 0 : ::poll(&p, 1, left);
            if (rc == 0) return ReadResult::TimedOut;
            if (rc < 0 && errno != EINTR) {
                error = std::string("poll: ") + std::strerror(errno);
                close();
                return ReadResult::Failed;
            }
            continue;
        }
        error = std::string("connection to redis lost: ") + std::strerror(errno);
        close();
        return ReadResult::Failed;
    }
}

bool BlockingConnection::pipeline(const std::vector<Args>& commands, std::vector<Reply>& replies, std::string& error)
{
    replies.clear();
    if (fd_ < 0) {
        error = "not connected to redis";
        return false;
    }
    const auto deadline = Clock::now() + ep_.timeout;
    std::string out;
    for (const auto& c : commands) out += format(c);
    if (!writeAll(out, deadline, error)) return false;
    replies.resize(commands.size());
    for (auto& r : replies) {
        const auto rr = readOne(r, deadline, error);
        if (rr == ReadResult::TimedOut) {
            error = "redis did not answer within " + std::to_string(ep_.timeout.count()) + " ms";
            close(); // replies may still arrive: the stream is out of step
            return false;
        }
        if (rr == ReadResult::Failed) return false;
    }
    return true;
}

bool BlockingConnection::command(const Args& args, Reply& reply, std::string& error)
{
    std::vector<Reply> r;
    if (!pipeline({args}, r, error)) return false;
    reply = std::move(r.front());
    return true;
}

bool BlockingConnection::send(const Args& args, std::string& error)
{
    if (fd_ < 0) {
        error = "not connected to redis";
        return false;
    }
    return writeAll(format(args), Clock::now() + ep_.timeout, error);
}

BlockingConnection::ReadResult BlockingConnection::read(Reply& reply, milliseconds wait, std::string& error)
{
    if (fd_ < 0) {
        error = "not connected to redis";
        return ReadResult::Failed;
    }
    return readOne(reply, Clock::now() + wait, error);
}

ConnectionPool::ConnectionPool(RedisEndpoint endpoint, std::size_t maxIdle) : ep_(std::move(endpoint)), maxIdle_(maxIdle) {}

ConnectionPool::~ConnectionPool() = default;

ConnectionPool::Lease::~Lease()
{
    if (pool_ && c_) pool_->giveBack(std::move(c_));
}

ConnectionPool::Lease ConnectionPool::acquire(std::string& error)
{
    {
        std::lock_guard lock(mu_);
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            return Lease(this, std::move(c));
        }
    }
    auto c = std::make_unique<BlockingConnection>(ep_);
    if (!c->connect(error)) return {};
    return Lease(this, std::move(c));
}

void ConnectionPool::giveBack(std::unique_ptr<BlockingConnection> c)
{
    if (!c->isOpen()) return;
    std::lock_guard lock(mu_);
    if (idle_.size() < maxIdle_) idle_.push_back(std::move(c));
}

void ConnectionPool::dropIdle()
{
    std::lock_guard lock(mu_);
    idle_.clear();
}

} // namespace cachelens::provider
