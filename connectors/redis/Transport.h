#pragma once
// Transport: the byte pipe under RedisClient — QTcpSocket, QSslSocket (rediss://) or QLocalSocket (unix://) behind
// one small interface, so the client never branches on the socket kind. One Transport is one connection attempt:
// it reports connected() once (after the TLS handshake for rediss://) and closed() exactly once.
#include "connectors/redis/RedisReply.h"

#include <QObject>
#include <QPointer>
#include <QString>

class QIODevice;
class QSslSocket;

namespace cachelens {
struct ConnectionUrl;
}

namespace cachelens::redis {

struct Endpoint {
    enum class Kind { Tcp, Tls, Unix };
    Kind kind = Kind::Tcp;
    QString host;
    quint16 port = 0;
    QString socketPath;
    // TLS
    QString caFile, certFile, keyFile, sni;
    bool verifyPeer = true;

    static Endpoint fromUrl(const ConnectionUrl& url);   // not for redis-sentinel:// (resolve the master first)
    QString label() const;                               // "127.0.0.1:6379", "/run/redis.sock"
};

class Transport : public QObject
{
    Q_OBJECT
public:
    explicit Transport(QObject* parent = nullptr);
    ~Transport() override;

    void open(const Endpoint& endpoint);
    void abort();                         // drop the connection at once; closed() is not emitted afterwards
    void write(const QByteArray& bytes);
    QByteArray readAll();
    bool isConnected() const { return m_connected; }
    // TCP is up but the TLS handshake has not finished: a plain Redis port answers a ClientHello with silence
    // (it waits for the end of an "inline command"), so a connect timeout here means "not a TLS port".
    bool inTlsHandshake() const { return m_tcpUp && !m_connected; }

Q_SIGNALS:
    void connected();
    void readyRead();
    void closed(const cachelens::redis::RedisError& why);   // kind Connection or Tls

private:
    void onConnected();
    void onTcpError();
    void onLocalError();
    void finish(RedisError why);
    bool setUpTls(QSslSocket* socket);

    Endpoint m_endpoint;
    QPointer<QIODevice> m_device;
    QString m_sslErrors;
    bool m_connected = false;
    bool m_tcpUp = false;
    bool m_reported = false;   // closed() emitted, or abort() called
};

} // namespace cachelens::redis
