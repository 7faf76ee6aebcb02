#include "RedisServer.h"

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

QString RedisServer::socketPath() const { return m_dir ? m_dir->filePath(QStringLiteral("redis.sock")) : QString(); }

QString RedisServer::directory() const { return m_dir ? m_dir->path() : QString(); }

bool RedisServer::isRunning() const { return m_process && m_process->state() == QProcess::Running; }

bool RedisServer::start()
{
    if (!m_dir) {
        m_dir = std::make_unique<QTemporaryDir>();
        if (!m_dir->isValid()) {
            m_error = QStringLiteral("cannot create a temporary directory for redis-server");
            return false;
        }
    }
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freePort();
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
    QStringList args{QStringLiteral("--port"), QString::number(m_port),
                     QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                     QStringLiteral("--dir"), m_dir->path(),
                     QStringLiteral("--save"), QString(),
                     QStringLiteral("--appendonly"), QStringLiteral("no"),
                     QStringLiteral("--daemonize"), QStringLiteral("no"),
                     QStringLiteral("--logfile"), m_dir->filePath(QStringLiteral("redis.log"))};
    if (m_options.unixSocket)
        args << QStringLiteral("--unixsocket") << socketPath() << QStringLiteral("--unixsocketperm") << QStringLiteral("700");
    args << m_options.extraArgs;

    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    m_process->start(m_options.binary, args);
    if (!m_process->waitForStarted(10000)) {
        m_error = QStringLiteral("cannot start %1: %2 (is the redis-server package installed?)")
                      .arg(m_options.binary, m_process->errorString());
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
        if (m_process->state() != QProcess::Running)
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
    if (m_process->state() != QProcess::NotRunning) {
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
    QProcess p;
    QStringList full{QStringLiteral("-h"), host(), QStringLiteral("-p"), QString::number(m_port)};
    full << args;
    p.start(QStringLiteral("redis-cli"), full);
    if (!p.waitForFinished(timeoutMs))
        return {};
    return p.readAllStandardOutput().trimmed();
}

} // namespace cachelens::test
