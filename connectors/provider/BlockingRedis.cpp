#include "BlockingRedis.h"

#include <hiredis/hiredis.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

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

std::string BlockingConnection::address() const
{
    return ep_.unixPath.empty() ? ep_.host + ":" + std::to_string(ep_.port) : ep_.unixPath;
}

void BlockingConnection::close()
{
    if (ssl_) SSL_free(static_cast<SSL*>(ssl_));
    ssl_ = nullptr;
    if (sslCtx_) SSL_CTX_free(static_cast<SSL_CTX*>(sslCtx_));
    sslCtx_ = nullptr;
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    if (reader_) redisReaderFree(static_cast<redisReader*>(reader_));
    reader_ = nullptr;
}

namespace {

std::string sslError()
{
    const unsigned long e = ERR_get_error();
    if (e == 0) return "TLS handshake failed";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return buf;
}

} // namespace

namespace {

Args authArgs(const std::string& user, const std::string& password)
{
    if (user.empty()) return {"AUTH", password};
    return {"AUTH", user, password};
}

bool isNoAuth(const Reply& r) { return r.isError() && r.str.rfind("NOAUTH", 0) == 0; }

} // namespace

bool BlockingConnection::resolveMaster(std::string& error, Deadline deadline)
{
    std::string failures;
    auto fail = [&](const std::string& where, const std::string& why) {
        failures += (failures.empty() ? "" : "; ") + where + ": " + why;
    };
    const Args ask{"SENTINEL", "get-master-addr-by-name", ep_.masterName};
    const std::size_t n = ep_.sentinels.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto& [host, port] = ep_.sentinels[i];
        // Each sentinel still to ask gets an equal share of the time left: one that never answers cannot use it all.
        const Deadline by = Clock::now() + (deadline - Clock::now()) / static_cast<long>(n - i);
        RedisEndpoint s;
        s.host = host;
        s.port = port;
        s.timeout = ep_.timeout;
        BlockingConnection c(s);
        std::string e;
        std::vector<Reply> r;
        const std::string where = host + ":" + std::to_string(port);
        std::vector<Args> first;
        if (!ep_.sentinelPassword.empty()) first.push_back(authArgs(ep_.sentinelUser, ep_.sentinelPassword));
        first.push_back(ask);
        if (!c.connect(e, by) || !c.pipeline(first, r, e, by)) {
            fail(where, e);
            continue;
        }
        if (r.size() == 2 && r.front().isError()) {
            fail(where, "refused the sentinel password (" + r.front().str + ")");
            continue;
        }
        Reply answer = std::move(r.back());
        if (isNoAuth(answer) && ep_.sentinelPassword.empty() && !ep_.password.empty()) {
            // The usual set-up gives the sentinels the master's password: try that.
            if (!c.pipeline({authArgs(ep_.user, ep_.password), ask}, r, e, by)) {
                fail(where, e);
                continue;
            }
            if (r.front().isError()) {
                fail(where, "requires a password and refused the master's (" + r.front().str
                                + "); give the sentinels' own password as the sentinel password");
                continue;
            }
            answer = std::move(r.back());
        }
        if (isNoAuth(answer)) {
            fail(where, "requires a password; give it as the sentinel password (or as the URL's password when the "
                        "sentinels share the master's)");
            continue;
        }
        if (answer.type == Reply::Type::Array && answer.elements.size() == 2) {
            ep_.host = answer.elements[0].str;
            ep_.port = std::atoi(answer.elements[1].str.c_str());
            return true;
        }
        fail(where, answer.isError() ? answer.str : "does not know master '" + ep_.masterName + "'");
    }
    error = "no sentinel gave the address of master '" + ep_.masterName + "' (" + failures + ")";
    return false;
}

bool BlockingConnection::startTls(Deadline deadline, std::string& error)
{
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    sslCtx_ = ctx;
    if (!ctx) {
        error = "TLS: " + sslError();
        return false;
    }
    SSL_CTX_set_verify(ctx, ep_.verifyPeer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
    if (!ep_.caFile.empty() ? SSL_CTX_load_verify_locations(ctx, ep_.caFile.c_str(), nullptr) != 1
                            : SSL_CTX_set_default_verify_paths(ctx) != 1) {
        error = "TLS: cannot read the CA file " + ep_.caFile + ": " + sslError();
        return false;
    }
    if (!ep_.certFile.empty()
        && (SSL_CTX_use_certificate_chain_file(ctx, ep_.certFile.c_str()) != 1
            || SSL_CTX_use_PrivateKey_file(ctx, ep_.keyFile.c_str(), SSL_FILETYPE_PEM) != 1)) {
        error = "TLS: cannot use the client certificate " + ep_.certFile + " / key " + ep_.keyFile + ": " + sslError();
        return false;
    }
    SSL* ssl = SSL_new(ctx);
    ssl_ = ssl;
    SSL_set_fd(ssl, fd_);
    const std::string name = ep_.sni.empty() ? ep_.host : ep_.sni;
    in6_addr ip{};
    const bool isIp = inet_pton(AF_INET, name.c_str(), &ip) == 1 || inet_pton(AF_INET6, name.c_str(), &ip) == 1;
    if (!isIp) SSL_set_tlsext_host_name(ssl, name.c_str());
    if (ep_.verifyPeer) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        if (isIp) X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
        else X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
    }
    for (;;) {
        const int rc = SSL_connect(ssl);
        if (rc == 1) return true;
        const int why = SSL_get_error(ssl, rc);
        if (why == SSL_ERROR_WANT_READ || why == SSL_ERROR_WANT_WRITE) {
            pollfd p{fd_, short(why == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
            const int left = msLeft(deadline);
            if (left > 0 && ::poll(&p, 1, left) > 0) continue;
            error = "TLS handshake with " + ep_.host + ":" + std::to_string(ep_.port) + " timed out after "
                + std::to_string(ep_.timeout.count()) + " ms";
            return false;
        }
        const long verify = SSL_get_verify_result(ssl);
        error = "TLS handshake with " + ep_.host + ":" + std::to_string(ep_.port) + " failed: "
            + (verify != X509_V_OK ? std::string("certificate not trusted (") + X509_verify_cert_error_string(verify) + ")"
                                   : sslError());
        return false;
    }
}

long BlockingConnection::io(bool write, char* data, std::size_t size, short& wait, std::string& error)
{
    if (!ssl_) {
        const ssize_t n = write ? ::send(fd_, data, size, MSG_NOSIGNAL) : ::recv(fd_, data, size, 0);
        if (n >= 0) return n;
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
            wait = write ? POLLOUT : POLLIN;
            return -1;
        }
        error = std::string("connection to redis lost: ") + std::strerror(errno);
        return -2;
    }
    auto* ssl = static_cast<SSL*>(ssl_);
    const int n = write ? SSL_write(ssl, data, int(size)) : SSL_read(ssl, data, int(size));
    if (n > 0) return n;
    const int why = SSL_get_error(ssl, n);
    if (why == SSL_ERROR_WANT_READ || why == SSL_ERROR_WANT_WRITE) {
        wait = why == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
        return -1;
    }
    if (why == SSL_ERROR_ZERO_RETURN) return 0;
    if (why == SSL_ERROR_SYSCALL && errno == 0) return 0;
    error = "TLS connection to redis lost: " + sslError();
    return -2;
}

bool BlockingConnection::connect(std::string& error) { return connect(error, Clock::now() + ep_.timeout); }

bool BlockingConnection::connect(std::string& error, Deadline deadline)
{
    close();
    if (!ep_.sentinels.empty() && !resolveMaster(error, deadline)) return false;
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
    const std::string where = address();
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
    if (ep_.tls && !startTls(deadline, error)) {
        close();
        return false;
    }
    reader_ = redisReaderCreate();
    std::vector<Args> hello;
    const std::string db = std::to_string(ep_.db);
    if (!ep_.password.empty()) hello.push_back(authArgs(ep_.user, ep_.password));
    if (ep_.db != 0) hello.push_back({"SELECT", db});
    // Right after a failover a sentinel may still name the old master; writing to a replica would fail later.
    if (!ep_.sentinels.empty()) hello.push_back({"ROLE"});
    if (hello.empty()) return true;
    std::vector<Reply> replies;
    if (!pipeline(hello, replies, error, deadline)) return false;
    for (const auto& r : replies) {
        if (r.isError()) {
            error = "redis refused the connection setup: " + r.str;
            close();
            return false;
        }
    }
    if (!ep_.sentinels.empty()
        && (replies.back().elements.empty() || replies.back().elements.front().str != "master")) {
        error = "the sentinels name " + ep_.host + ":" + std::to_string(ep_.port) + " as master '" + ep_.masterName
            + "', but it is not a master (a failover is under way)";
        close();
        return false;
    }
    return true;
}

bool BlockingConnection::writeAll(const std::string& bytes, Deadline deadline, std::string& error)
{
    size_t off = 0;
    while (off < bytes.size()) {
        short wait = 0;
        const long n = io(true, const_cast<char*>(bytes.data()) + off, bytes.size() - off, wait, error);
        if (n > 0) {
            off += static_cast<size_t>(n);
            reached_ = true;
            continue;
        }
        if (n == -1) {
            pollfd p{fd_, wait, 0};
            const int left = msLeft(deadline);
            if (left == 0 || ::poll(&p, 1, left) <= 0) {
                error = "redis at " + address() + " did not accept the request within the "
                    + std::to_string(ep_.timeout.count()) + " ms timeout";
                close();
                return false;
            }
            continue;
        }
        if (n == 0) error = "redis closed the connection";
        close();
        return false;
    }
    return true;
}

BlockingConnection::ReadResult BlockingConnection::readOne(Reply& reply, Deadline deadline, std::string& error)
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
        short wait = 0;
        const long n = io(false, buf, sizeof buf, wait, error);
        if (n > 0) {
            redisReaderFeed(reader, buf, static_cast<size_t>(n));
            continue;
        }
        if (n == 0) {
            error = "redis closed the connection";
            close();
            return ReadResult::Failed;
        }
        if (n == -2) {
            close();
            return ReadResult::Failed;
        }
        pollfd p{fd_, wait, 0};
        const int left = msLeft(deadline);
        const int rc = left == 0 ? 0 : ::poll(&p, 1, left);
        if (rc == 0) return ReadResult::TimedOut;
        if (rc < 0 && errno != EINTR) {
            error = std::string("poll: ") + std::strerror(errno);
            close();
            return ReadResult::Failed;
        }
    }
}

bool BlockingConnection::pipeline(const std::vector<Args>& commands, std::vector<Reply>& replies, std::string& error)
{
    return pipeline(commands, replies, error, Clock::now() + ep_.timeout);
}

bool BlockingConnection::pipeline(const std::vector<Args>& commands, std::vector<Reply>& replies, std::string& error,
                                  Deadline deadline)
{
    replies.clear();
    reached_ = false;
    if (fd_ < 0) {
        error = "not connected to redis";
        return false;
    }
    std::string out;
    for (const auto& c : commands) out += format(c);
    if (!writeAll(out, deadline, error)) return false;
    replies.resize(commands.size());
    for (auto& r : replies) {
        const auto rr = readOne(r, deadline, error);
        if (rr == ReadResult::TimedOut) {
            error = "redis at " + address() + " did not answer within the " + std::to_string(ep_.timeout.count())
                + " ms timeout";
            close(); // replies may still arrive: the stream is out of step
            return false;
        }
        if (rr == ReadResult::Failed) return false;
    }
    return true;
}

bool BlockingConnection::peerHasClosed() const
{
    if (fd_ < 0) return true;
    char c = 0;
    const ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return true;                                                       // EOF: the server closed it
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;   // reset
    // Bytes on an idle connection: a plain one is out of step (or a server's goodbye); TLS may be a session ticket.
    return ssl_ == nullptr;
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

ConnectionPool::Lease ConnectionPool::acquire(std::string& error, Deadline deadline)
{
    {
        std::lock_guard lock(mu_);
        // An idle connection the server has closed meanwhile (restarted, killed, failed over) is dropped rather
        // than used: a request written into it would fail without telling whether the server ran it.
        while (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            if (!c->peerHasClosed()) return Lease(this, std::move(c));
        }
    }
    auto c = std::make_unique<BlockingConnection>(ep_);
    if (!c->connect(error, deadline)) return {};
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
