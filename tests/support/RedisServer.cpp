#include "RedisServer.h"

#include "ChildProcess.h"

#include <algorithm>

#include <QDeadlineTimer>
#include <QFile>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace cachelens::test {

RedisServer::RedisServer() : RedisServer(Options{}) {}

RedisServer::RedisServer(Options options) : m_options(std::move(options)) {}

RedisServer::~RedisServer() { stop(); }

quint16 RedisServer::freePort()
{
    // Bind port 0 and release it: the kernel hands out a free port. A race with another process is possible,
    // so start() retries with a new port when redis-server fails to bind.
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

QString RedisServer::url() const { return QStringLiteral("redis://127.0.0.1:%1").arg(m_port); }

QString RedisServer::tlsUrl() const
{
    return QStringLiteral("rediss://127.0.0.1:%1?ca=%2").arg(m_tlsPort).arg(caFile());
}

QString RedisServer::caFile() const { return m_dir ? m_dir->filePath(QStringLiteral("ca.crt")) : QString(); }
QString RedisServer::clientCertFile() const { return m_dir ? m_dir->filePath(QStringLiteral("client.crt")) : QString(); }
QString RedisServer::clientKeyFile() const { return m_dir ? m_dir->filePath(QStringLiteral("client.key")) : QString(); }

bool RedisServer::makeCertificates()
{
    // A throw-away CA, a server certificate valid for localhost and 127.0.0.1, and a client certificate.
    const QString dir = m_dir->path();
    auto run = [&](const QStringList& args) {
        const ChildProcess::Result r = ChildProcess::run(QStringLiteral("openssl"), args, {}, 30000, dir);
        if (!r.finished || r.exitCode != 0) {
            m_error = QStringLiteral("openssl %1 failed: %2 %3")
                          .arg(args.join(QLatin1Char(' ')), r.error, QString::fromLocal8Bit(r.output));
            return false;
        }
        return true;
    };
    QFile ext(m_dir->filePath(QStringLiteral("server.ext")));
    if (!ext.open(QIODevice::WriteOnly) || ext.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n") < 0)
        return false;
    ext.close();
    const QString days = QStringLiteral("2");
    return run({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                QStringLiteral("-nodes"), QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"),
                QStringLiteral("ca.crt"), QStringLiteral("-days"), days, QStringLiteral("-subj"),
                QStringLiteral("/CN=CacheLens Test CA")})
        && run({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                QStringLiteral("-keyout"), QStringLiteral("server.key"), QStringLiteral("-out"), QStringLiteral("server.csr"),
                QStringLiteral("-subj"), QStringLiteral("/CN=localhost")})
        && run({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), QStringLiteral("server.csr"),
                QStringLiteral("-CA"), QStringLiteral("ca.crt"), QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), QStringLiteral("server.crt"),
                QStringLiteral("-days"), days, QStringLiteral("-extfile"), QStringLiteral("server.ext")})
        && run({QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"), QStringLiteral("-nodes"),
                QStringLiteral("-keyout"), QStringLiteral("client.key"), QStringLiteral("-out"), QStringLiteral("client.csr"),
                QStringLiteral("-subj"), QStringLiteral("/CN=cachelens-client")})
        && run({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), QStringLiteral("client.csr"),
                QStringLiteral("-CA"), QStringLiteral("ca.crt"), QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                QStringLiteral("-CAcreateserial"), QStringLiteral("-out"), QStringLiteral("client.crt"),
                QStringLiteral("-days"), days});
}

QString RedisServer::socketPath() const { return m_dir ? m_dir->filePath(QStringLiteral("redis.sock")) : QString(); }

QString RedisServer::directory() const { return m_dir ? m_dir->path() : QString(); }

bool RedisServer::isRunning() const { return m_process && m_process->isRunning(); }

bool RedisServer::start()
{
    if (!m_dir) {
        m_dir = std::make_unique<QTemporaryDir>();
        if (!m_dir->isValid()) {
            m_error = QStringLiteral("cannot create a temporary directory for redis-server");
            return false;
        }
        if (m_options.tls && !makeCertificates())
            return false;
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freePort();
        if (m_options.tls)
            m_tlsPort = freePort();
        if (m_port != 0 && launch())
            return true;
        stop();
    }
    return false;
}

bool RedisServer::restart()
{
    stop();
    return launch();
}

bool RedisServer::launch()
{
    QStringList args;
    if (!m_options.sentinelConfig.isEmpty()) {
        // Sentinel rewrites its config file (it records the replicas and sentinels it discovers), so the file lives in
        // the temporary directory and comes first on the command line. Written once: a restart keeps what it learnt.
        const QString path = m_dir->filePath(QStringLiteral("sentinel.conf"));
        if (!QFile::exists(path)) {
            QFile conf(path);
            if (!conf.open(QIODevice::WriteOnly) || conf.write(m_options.sentinelConfig.join(QLatin1Char('\n')).toUtf8() + '\n') < 0) {
                m_error = QStringLiteral("cannot write %1").arg(path);
                return false;
            }
        }
        args << path << QStringLiteral("--sentinel");
    }
    args << QStringList{QStringLiteral("--port"), QString::number(m_port),
                     QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                     QStringLiteral("--dir"), m_dir->path(),
                     QStringLiteral("--save"), QString(),
                     QStringLiteral("--appendonly"), QStringLiteral("no"),
                     QStringLiteral("--daemonize"), QStringLiteral("no"),
                     QStringLiteral("--logfile"), m_dir->filePath(QStringLiteral("redis.log")),
                     // Redis 7 refuses DEBUG unless enabled; tests use DEBUG SLEEP (timeouts) and DEBUG POPULATE.
                     QStringLiteral("--enable-debug-command"), QStringLiteral("local")};
    if (m_options.unixSocket)
        args << QStringLiteral("--unixsocket") << socketPath() << QStringLiteral("--unixsocketperm") << QStringLiteral("700");
    if (m_options.tls) {
        args << QStringLiteral("--tls-port") << QString::number(m_tlsPort)
             << QStringLiteral("--tls-cert-file") << m_dir->filePath(QStringLiteral("server.crt"))
             << QStringLiteral("--tls-key-file") << m_dir->filePath(QStringLiteral("server.key"))
             << QStringLiteral("--tls-ca-cert-file") << caFile()
             << QStringLiteral("--tls-auth-clients") << QStringLiteral("optional");
    }
    args << m_options.extraArgs;

    m_process = std::make_unique<ChildProcess>();
    if (!m_process->start(m_options.binary, args)) {
        m_error = QStringLiteral("%1 (is the redis-server package installed?)").arg(m_process->errorString());
        return false;
    }
    if (!waitUntilReady(15000)) {
        QFile log(m_dir->filePath(QStringLiteral("redis.log")));
        log.open(QIODevice::ReadOnly);
        m_error = QStringLiteral("redis-server on port %1 did not become ready: %2")
                      .arg(m_port)
                      .arg(QString::fromLocal8Bit(log.readAll().right(600)));
        return false;
    }
    return true;
}

bool RedisServer::waitUntilReady(int timeoutMs)
{
    // Polling here is the fixture's own start-up handshake, not a test synchronisation.
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (!m_process->isRunning())
            return false;
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (socket.waitForConnected(200)) {
            socket.write("PING\r\n");
            if (socket.waitForReadyRead(1000)) {
                const QByteArray reply = socket.readAll();
                // "-NOAUTH" or "-LOADING" still proves the server listens; a password is the test's business.
                if (reply.startsWith("+PONG") || reply.startsWith("-NOAUTH") || reply.startsWith("-ERR AUTH"))
                    return true;
            }
        }
        QThread::msleep(20);
    }
    return false;
}

void RedisServer::stop()
{
    if (!m_process)
        return;
    if (m_process->isRunning()) {
        m_process->terminate();
        if (!m_process->waitForFinished(5000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_process.reset();
}

void RedisServer::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(5000);
    m_process.reset();
}

QByteArray RedisServer::cli(const QStringList& args, int timeoutMs) const
{
    QStringList full{QStringLiteral("-h"), host(), QStringLiteral("-p"), QString::number(m_port)};
    full << args;
    const ChildProcess::Result r = ChildProcess::run(QStringLiteral("redis-cli"), full, {}, timeoutMs);
    return r.finished ? r.output.trimmed() : QByteArray();
}

QByteArray RedisServer::fingerprint() const
{
    QList<QByteArray> keys = cli({QStringLiteral("--scan")}).split('\n');
    keys.removeAll(QByteArray());
    std::sort(keys.begin(), keys.end());
    QByteArray out;
    for (const QByteArray& k : keys) {
        const QString key = QString::fromUtf8(k);
        const QByteArray pttl = cli({QStringLiteral("PTTL"), key});
        out += k + ' ' + cli({QStringLiteral("DUMP"), key}).toHex() + ' '
             + (pttl == "-1" ? QByteArray("persistent") : QByteArray("expires")) + '\n';
    }
    return out;
}

} // namespace cachelens::test
