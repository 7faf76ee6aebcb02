#pragma once
// A real redis-server for tests: started on a free loopback port in a temporary directory, stopped (and its files
// removed) by the destructor, even when the test failed. A missing redis-server binary is a test failure, not a skip.
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace cachelens::test {

class ChildProcess;

class RedisServer
{
public:
    struct Options {
        QStringList extraArgs;        // e.g. {"--requirepass", "s3cret"} or {"--cluster-enabled", "yes"}
        bool unixSocket = false;      // also listen on <dir>/redis.sock
        bool tls = false;             // also listen for TLS on tlsPort(), with a CA and certificate made by openssl
                                      // in the temporary directory (server certificate for localhost/127.0.0.1)
        QString binary = QStringLiteral("redis-server");
        QStringList sentinelConfig;   // non-empty: run as a sentinel with these lines in <dir>/sentinel.conf
                                      // (e.g. "sentinel monitor mymaster 127.0.0.1 6379 2")

        // A server that answers only after AUTH with this (legacy) password.
        static Options requiringPassword(const QString& password)
        {
            Options o;
            o.extraArgs = {QStringLiteral("--requirepass"), password};
            return o;
        }
    };

    RedisServer();
    explicit RedisServer(Options options);
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    // Starts the server and waits until it answers PING (tries several free ports on a clash).
    // Returns false and fills errorString() on failure.
    bool start();
    void stop();                      // SIGTERM, then SIGKILL after 5 s
    void kill();                      // SIGKILL at once: "the server died"
    bool restart();                   // same port, same directory

    bool isRunning() const;
    quint16 port() const { return m_port; }
    QString host() const { return QStringLiteral("127.0.0.1"); }
    QString url() const;              // redis://127.0.0.1:PORT
    quint16 tlsPort() const { return m_tlsPort; }
    QString tlsUrl() const;           // rediss://127.0.0.1:TLSPORT?ca=<dir>/ca.crt
    QString caFile() const;           // PEM CA that signed the server certificate (Options::tls)
    QString clientCertFile() const;   // a client certificate signed by the same CA, and its key
    QString clientKeyFile() const;
    QString socketPath() const;       // valid when Options::unixSocket
    QString directory() const;
    QString errorString() const { return m_error; }

    // Runs redis-cli against this server and returns its stdout (trimmed); for fixtures and assertions.
    QByteArray cli(const QStringList& args, int timeoutMs = 30000) const;
    // Every key of db 0 (sorted) with its DUMP payload and whether it expires: what any change to data alters, for
    // "nothing changed" assertions. For small keyspaces (a few redis-cli calls per key).
    QByteArray fingerprint() const;

    static quint16 freePort();

private:
    bool launch();
    bool makeCertificates();
    bool waitUntilReady(int timeoutMs);

    Options m_options;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ChildProcess> m_process;   // posix_spawn, not QProcess: see ChildProcess.h
    quint16 m_port = 0;
    quint16 m_tlsPort = 0;
    QString m_error;
};

} // namespace cachelens::test
