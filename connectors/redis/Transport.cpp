#include "connectors/redis/Transport.h"

#include "connectors/ConnectionUrl.h"

#include <QCoreApplication>
#include <QFile>
#include <QLocalSocket>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>

namespace cachelens::redis {
Endpoint Endpoint::fromUrl(const ConnectionUrl& url)
{
    Endpoint e;
    switch (url.scheme) {
    case ConnectionUrl::Scheme::Unix:
        e.kind = Kind::Unix;
        e.socketPath = url.socketPath;
        break;
    case ConnectionUrl::Scheme::RedisTls:
        e.kind = Kind::Tls;
        e.caFile = url.caFile;
        e.certFile = url.certFile;
        e.keyFile = url.keyFile;
        e.sni = url.sni;
        e.verifyPeer = url.verifyPeer;
        [[fallthrough]];
    case ConnectionUrl::Scheme::Redis:
    case ConnectionUrl::Scheme::Sentinel:
        if (e.kind != Kind::Tls)
            e.kind = Kind::Tcp;
        e.host = url.host;
        e.port = url.port;
        break;
    }
    return e;
}

QString Endpoint::label() const
{
    if (kind == Kind::Unix)
        return socketPath;
    return host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                           : QStringLiteral("%1:%2").arg(host).arg(port);
}

Transport::Transport(QObject* parent) : QObject(parent) {}

Transport::~Transport() { abort(); }

void Transport::open(const Endpoint& endpoint)
{
    m_endpoint = endpoint;
    if (endpoint.kind == Endpoint::Kind::Unix) {
        auto* socket = new QLocalSocket(this);
        m_device = socket;
        connect(socket, &QLocalSocket::connected, this, &Transport::onConnected);
        connect(socket, &QLocalSocket::readyRead, this, &Transport::readyRead);
        connect(socket, &QLocalSocket::errorOccurred, this, &Transport::onLocalError);
        connect(socket, &QLocalSocket::disconnected, this, [this] {
            finish(RedisError::client(RedisError::Kind::Connection, tr("the server closed the connection")));
        });
        socket->connectToServer(endpoint.socketPath);
        return;
    }

    QTcpSocket* socket = nullptr;
    if (endpoint.kind == Endpoint::Kind::Tls) {
        if (!QSslSocket::supportsSsl()) {
            QMetaObject::invokeMethod(this, [this] {
                finish(RedisError::client(RedisError::Kind::Tls, tr("TLS is not available: Qt found no TLS backend (install OpenSSL 3)")));
            }, Qt::QueuedConnection);
            return;
        }
        auto* ssl = new QSslSocket(this);
        socket = ssl;
        m_device = socket;
        if (!setUpTls(ssl))
            return;
        connect(ssl, &QSslSocket::encrypted, this, &Transport::onConnected);
        connect(ssl, &QSslSocket::connected, this, [this] { m_tcpUp = true; });
        connect(ssl, &QSslSocket::sslErrors, this, [this](const QList<QSslError>& errors) {
            QStringList texts;
            for (const QSslError& e : errors)
                texts << e.errorString();
            m_sslErrors = texts.join(QStringLiteral("; "));
        });
    } else {
        socket = new QTcpSocket(this);
        m_device = socket;
        connect(socket, &QTcpSocket::connected, this, &Transport::onConnected);
    }
    connect(socket, &QTcpSocket::readyRead, this, &Transport::readyRead);
    connect(socket, &QTcpSocket::errorOccurred, this, &Transport::onTcpError);
    connect(socket, &QTcpSocket::disconnected, this, [this] {
        finish(RedisError::client(RedisError::Kind::Connection, tr("the server closed the connection")));
    });
    if (auto* ssl = qobject_cast<QSslSocket*>(socket))
        ssl->connectToHostEncrypted(endpoint.host, endpoint.port, endpoint.sni.isEmpty() ? endpoint.host : endpoint.sni);
    else
        socket->connectToHost(endpoint.host, endpoint.port);
}

bool Transport::setUpTls(QSslSocket* socket)
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    // Reported from the event loop, like every other failure, so open() never emits closed() synchronously.
    auto fail = [this](const QString& message) {
        QMetaObject::invokeMethod(this, [this, message] { finish(RedisError::client(RedisError::Kind::Tls, message)); },
                                  Qt::QueuedConnection);
        return false;
    };
    if (!m_endpoint.caFile.isEmpty()) {
        const QList<QSslCertificate> cas = QSslCertificate::fromPath(m_endpoint.caFile, QSsl::Pem);
        if (cas.isEmpty()) {
            return fail(tr("cannot read a PEM certificate from the CA file %1").arg(m_endpoint.caFile));
        }
        config.addCaCertificates(cas);
    }
    if (!m_endpoint.certFile.isEmpty()) {
        const QList<QSslCertificate> chain = QSslCertificate::fromPath(m_endpoint.certFile, QSsl::Pem);
        if (chain.isEmpty()) {
            return fail(tr("cannot read a PEM certificate from the client certificate file %1").arg(m_endpoint.certFile));
        }
        QFile keyFile(m_endpoint.keyFile);
        if (!keyFile.open(QIODevice::ReadOnly)) {
            return fail(tr("cannot open the client key file %1: %2").arg(m_endpoint.keyFile, keyFile.errorString()));
        }
        const QByteArray pem = keyFile.readAll();
        QSslKey key(pem, QSsl::Rsa);
        if (key.isNull())
            key = QSslKey(pem, QSsl::Ec);
        if (key.isNull()) {
            return fail(tr("the client key file %1 holds no unencrypted RSA or EC key in PEM form").arg(m_endpoint.keyFile));
        }
        config.setLocalCertificateChain(chain);
        config.setPrivateKey(key);
    }
    // verify=no is the user's explicit choice; RedisClient reports it in its state detail so the UI can warn.
    config.setPeerVerifyMode(m_endpoint.verifyPeer ? QSslSocket::VerifyPeer : QSslSocket::VerifyNone);
    socket->setSslConfiguration(config);
    return true;
}

void Transport::abort()
{
    m_reported = true;
    if (m_device) {
        QIODevice* device = m_device;
        m_device = nullptr;
        device->disconnect(this);
        if (auto* tcp = qobject_cast<QAbstractSocket*>(device))
            tcp->abort();
        else if (auto* local = qobject_cast<QLocalSocket*>(device))
            local->abort();
        device->deleteLater();
    }
    m_connected = false;
}

void Transport::write(const QByteArray& bytes)
{
    if (m_device && m_connected)
        m_device->write(bytes);
}

QByteArray Transport::readAll() { return m_device ? m_device->readAll() : QByteArray(); }

void Transport::onConnected()
{
    if (auto* tcp = qobject_cast<QAbstractSocket*>(m_device.data())) {
        // Pipelined small commands: do not let Nagle hold them back waiting for an ACK.
        tcp->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        tcp->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
    }
    m_connected = true;
    Q_EMIT connected();
}

void Transport::onTcpError()
{
    auto* socket = qobject_cast<QAbstractSocket*>(m_device.data());
    if (!socket)
        return;
    const QString where = m_endpoint.label();
    const QString text = socket->errorString();
    switch (socket->error()) {
    case QAbstractSocket::ConnectionRefusedError:
        finish(RedisError::client(RedisError::Kind::Connection, tr("connection to %1 refused: is the server running?").arg(where)));
        break;
    case QAbstractSocket::HostNotFoundError:
        finish(RedisError::client(RedisError::Kind::Connection, tr("host %1 not found").arg(m_endpoint.host)));
        break;
    case QAbstractSocket::RemoteHostClosedError:
        finish(RedisError::client(RedisError::Kind::Connection, tr("%1 closed the connection").arg(where)));
        break;
    case QAbstractSocket::SslHandshakeFailedError:
        finish(RedisError::client(
            RedisError::Kind::Tls,
            m_sslErrors.isEmpty()
                ? tr("TLS handshake with %1 failed (%2); is the server listening for TLS on that port? Use redis:// for a plain port")
                      .arg(where, text)
                : tr("TLS certificate of %1 rejected: %2").arg(where, m_sslErrors)));
        break;
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError:
        finish(RedisError::client(RedisError::Kind::Tls, tr("TLS error with %1: %2").arg(where, text)));
        break;
    default:
        finish(RedisError::client(RedisError::Kind::Connection, tr("connection to %1 failed: %2").arg(where, text)));
        break;
    }
}

void Transport::onLocalError()
{
    auto* socket = qobject_cast<QLocalSocket*>(m_device.data());
    if (!socket)
        return;
    const QString where = m_endpoint.socketPath;
    switch (socket->error()) {
    case QLocalSocket::ServerNotFoundError:
        finish(RedisError::client(RedisError::Kind::Connection, tr("no socket at %1: is the server running with unixsocket set?").arg(where)));
        break;
    case QLocalSocket::ConnectionRefusedError:
        finish(RedisError::client(RedisError::Kind::Connection, tr("connection to %1 refused").arg(where)));
        break;
    case QLocalSocket::SocketAccessError:
        finish(RedisError::client(RedisError::Kind::Connection, tr("no permission to open %1 (check unixsocketperm)").arg(where)));
        break;
    case QLocalSocket::PeerClosedError:
        finish(RedisError::client(RedisError::Kind::Connection, tr("the server closed the connection")));
        break;
    default:
        finish(RedisError::client(RedisError::Kind::Connection, tr("connection to %1 failed: %2").arg(where, socket->errorString())));
        break;
    }
}

void Transport::finish(RedisError why)
{
    if (m_reported)
        return;   // a second error, or disconnected() after errorOccurred(): report once
    m_reported = true;
    m_connected = false;
    Q_EMIT closed(why);
}

} // namespace cachelens::redis
