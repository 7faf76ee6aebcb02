#pragma once
// A small blocking Redis client for code that runs on arbitrary threads without a Qt event loop (the engine's
// Provider is synchronous): a POSIX socket with one deadline per call (connect, sentinel lookups, AUTH/SELECT, write
// and read all share it and are polled, so a dead, black-holed or stopped server costs at most the timeout),
// hiredis 0.14's redisReader to parse replies and redisFormatCommandArgv to format binary-safe commands, AUTH and
// SELECT from the URL, pipelining, and a mutex-guarded pool. TCP, TLS (OpenSSL, rediss://) and unix sockets; a
// sentinel endpoint asks its sentinels for the master's address before every connect, so a reconnect after a
// failover lands on the promoted replica.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <cachelens/result.h>

namespace cachelens::provider {

using std::chrono::milliseconds;
using Deadline = std::chrono::steady_clock::time_point;

struct RedisEndpoint {
    std::string host = "127.0.0.1";
    int port = 6379;
    std::string unixPath;   // non-empty: connect to this socket instead
    std::string user, password;
    int db = 0;
    milliseconds timeout{250}; // per call: connect + send + receive
    // redis-sentinel://: `host`/`port` are filled from the first sentinel that knows `masterName`, at every connect.
    std::vector<std::pair<std::string, int>> sentinels;
    std::string masterName;
    // Sentinels with `requirepass`/ACLs: AUTH with these. Empty sentinelPassword: a sentinel that answers NOAUTH is
    // asked again with `user`/`password` (the usual set-up gives sentinels the master's password).
    std::string sentinelUser, sentinelPassword;
    // rediss://
    bool tls = false;
    std::string caFile, certFile, keyFile, sni; // empty caFile: the system's CA store
    bool verifyPeer = true;
};

// redis://[user:pass@]host[:port][/db][?timeout=MS], rediss://…[?ca=FILE&cert=FILE&key=FILE&sni=NAME&verify=no],
// unix://…/path.sock[?db=N] and redis-sentinel://host:port[,host:port…]/master[/db][?sentinel_password=P&sentinel_user=U]
// (core/Url.h, the one grammar the GUI and cachelensctl read too). Errors never quote a secret.
engine::Result<RedisEndpoint> parseRedisUrl(std::string_view url);

struct Reply {
    enum class Type { Nil, Status, Error, Integer, String, Array };
    Type type = Type::Nil;
    std::string str;                 // Status, Error, String
    long long integer = 0;
    std::vector<Reply> elements;
    bool isError() const { return type == Type::Error; }
    bool isNil() const { return type == Type::Nil; }
};

using Args = std::vector<std::string_view>;

class BlockingConnection {
public:
    explicit BlockingConnection(RedisEndpoint endpoint);
    ~BlockingConnection();
    BlockingConnection(const BlockingConnection&) = delete;
    BlockingConnection& operator=(const BlockingConnection&) = delete;

    // Connects, AUTHs and SELECTs by `deadline` (default: now + the endpoint's timeout); false with `error` filled.
    bool connect(std::string& error);
    bool connect(std::string& error, Deadline deadline);
    bool isOpen() const { return fd_ >= 0; }
    void close();
    // Sends every command in one write and reads one reply per command. An I/O error or the deadline closes the
    // connection and returns false; Redis error replies are replies (Reply::Type::Error), not failures.
    bool pipeline(const std::vector<Args>& commands, std::vector<Reply>& replies, std::string& error);
    bool pipeline(const std::vector<Args>& commands, std::vector<Reply>& replies, std::string& error, Deadline deadline);
    // After a failed pipeline: whether any of its bytes were handed to the socket, i.e. whether the server may have
    // run some of the commands (false: it failed before sending, and sending it elsewhere cannot apply it twice).
    bool requestMayHaveReachedServer() const { return reached_; }
    // For an idle connection about to be reused: true when the server has closed it (EOF or reset pending, e.g. it
    // was killed) or sent something nobody asked for. Does not block.
    bool peerHasClosed() const;
    bool command(const Args& args, Reply& reply, std::string& error);
    // For a subscriber: sends without waiting for a reply, and reads one reply waiting at most `wait`.
    bool send(const Args& args, std::string& error);
    enum class ReadResult { Reply, TimedOut, Failed };
    ReadResult read(Reply& reply, milliseconds wait, std::string& error);

private:
    std::string address() const; // host:port or the socket path, for messages
    bool resolveMaster(std::string& error, Deadline deadline);
    bool startTls(Deadline deadline, std::string& error);
    // One send/recv on the socket or the TLS session: > 0 bytes moved, 0 the peer closed, -1 would block (`wait`
    // says for which poll event), -2 failed (`error` filled).
    long io(bool write, char* data, std::size_t size, short& wait, std::string& error);
    bool writeAll(const std::string& bytes, Deadline deadline, std::string& error);
    ReadResult readOne(Reply& reply, Deadline deadline, std::string& error);
    RedisEndpoint ep_;
    int fd_ = -1;
    void* reader_ = nullptr; // redisReader*
    void* ssl_ = nullptr;    // SSL*
    bool reached_ = false;
    void* sslCtx_ = nullptr; // SSL_CTX*
};

// Connections shared by the threads of one provider: a thread takes an idle one (or opens a new one), uses it
// alone and gives it back; broken connections are dropped. At most `maxIdle` are kept.
class ConnectionPool {
public:
    ConnectionPool(RedisEndpoint endpoint, std::size_t maxIdle);
    ~ConnectionPool();
    const RedisEndpoint& endpoint() const { return ep_; }

    class Lease {
    public:
        Lease() = default;
        Lease(ConnectionPool* pool, std::unique_ptr<BlockingConnection> c) : pool_(pool), c_(std::move(c)) {}
        Lease(Lease&&) = default;
        Lease& operator=(Lease&&) = default;
        ~Lease();
        BlockingConnection* operator->() const { return c_.get(); }
        explicit operator bool() const { return c_ != nullptr; }

    private:
        ConnectionPool* pool_ = nullptr;
        std::unique_ptr<BlockingConnection> c_;
    };
    // An open connection (a new one is connected by `deadline`), or an empty lease with `error` filled.
    Lease acquire(std::string& error, Deadline deadline);
    void dropIdle();

private:
    void giveBack(std::unique_ptr<BlockingConnection> c);
    RedisEndpoint ep_;
    std::size_t maxIdle_;
    std::mutex mu_;
    std::vector<std::unique_ptr<BlockingConnection>> idle_;
};

} // namespace cachelens::provider
