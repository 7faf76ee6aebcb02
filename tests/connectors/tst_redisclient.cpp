// RedisClient against real redis-server processes: pipelining, binary safety, typed errors, AUTH/SELECT/SETNAME,
// loss and reconnect, timeouts, unix sockets and TLS.
#include "connectors/redis/RedisClient.h"

#include "RedisServer.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace cachelens;
using namespace cachelens::redis;
using cachelens::test::RedisServer;

namespace {

ConnectionUrl parseUrl(const QString& text)
{
    const auto parsed = ConnectionUrl::parse(text);
    if (!parsed.ok())
        qFatal("bad test URL %s: %s", qPrintable(text), qPrintable(parsed.error));
    return *parsed.url;
}

// Collects replies in arrival order.
struct Replies : QObject {
    QList<RedisReply> list;
    RedisClient::Callback sink()
    {
        return [this](const RedisReply& r) { list.append(r); };
    }
};

RedisClient::Options noRetry()
{
    RedisClient::Options o;
    o.maxReconnectAttempts = 0;
    return o;
}

} // namespace

class TestRedisClient : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;

    std::unique_ptr<RedisClient> connected(const QString& url, RedisClient::Options options = {})
    {
        auto client = std::make_unique<RedisClient>(parseUrl(url), options);
        client->open();
        if (!QTest::qWaitFor([&] { return client->state() == ConnectionState::Ready || client->state() == ConnectionState::Failed; }, 10000))
            qWarning("client did not settle: %s", qPrintable(client->stateDetail()));
        return client;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<ConnectionState>();
        m_server = std::make_unique<RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    }
    void cleanupTestCase() { m_server.reset(); }

    void pingAnswersPong()
    {
        auto client = connected(m_server->url());
        QCOMPARE(client->state(), ConnectionState::Ready);
        Replies r;
        client->command({"PING"}, &r, r.sink());
        QTRY_COMPARE(r.list.size(), 1);
        QVERIFY(r.list.first().isStatus());
        QCOMPARE(r.list.first().bytes(), QByteArray("PONG"));
    }

    void commandsIssuedWhileConnectingWaitForReady()
    {
        RedisClient client(parseUrl(m_server->url()));
        client.open();
        QCOMPARE(client.state(), ConnectionState::Connecting);
        Replies r;
        client.command({"ECHO", "early"}, &r, r.sink());
        QTRY_COMPARE(r.list.size(), 1);
        QCOMPARE(r.list.first().bytes(), QByteArray("early"));
    }

    void pipelinedRepliesArriveInOrder()
    {
        auto client = connected(m_server->url());
        Replies r;
        const int n = 5000;
        client->command({"DEL", "counter"}, &r, {});
        for (int i = 0; i < n; ++i) {
            client->command({"ECHO", QByteArray::number(i)}, &r, r.sink());
            client->command({"INCR", "counter"}, &r, r.sink());
        }
        QTRY_COMPARE_WITH_TIMEOUT(r.list.size(), 2 * n, 20000);
        for (int i = 0; i < n; ++i) {
            QCOMPARE(r.list.at(2 * i).bytes(), QByteArray::number(i));
            QCOMPARE(r.list.at(2 * i + 1).toInteger(), i + 1);
        }
    }

    void binaryKeysAndValuesRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("value");
        QTest::addRow("NUL bytes") << QByteArray("a\0b\0", 4) << QByteArray("\0\0\0", 3);
        QTest::addRow("newlines and CRLF") << QByteArray("line1\nline2\r\n") << QByteArray("\r\n$3\r\nfoo\r\n");
        QTest::addRow("invalid UTF-8") << QByteArray("\xff\xfe\xc3\x28") << QByteArray("\x80\x81");
        QTest::addRow("empty value") << QByteArray("empty") << QByteArray();
        QTest::addRow("1 MiB value") << QByteArray("big") << QByteArray(1 << 20, 'x');
    }
    void binaryKeysAndValuesRoundTrip()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, value);
        auto client = connected(m_server->url());
        Replies r;
        client->command({"SET", key, value}, &r, r.sink());
        client->command({"GET", key}, &r, r.sink());
        client->command({"EXISTS", key}, &r, r.sink());
        QTRY_COMPARE(r.list.size(), 3);
        QCOMPARE(r.list.at(0).bytes(), QByteArray("OK"));
        QVERIFY(r.list.at(1).isString());
        QCOMPARE(r.list.at(1).bytes(), value);
        QCOMPARE(r.list.at(2).toInteger(), 1);
    }

    void wrongTypeIsATypedErrorWithTheServerText()
    {
        auto client = connected(m_server->url());
        Replies r;
        client->command({"DEL", "alist"}, &r, {});
        client->command({"RPUSH", "alist", "x"}, &r, {});
        client->command({"GET", "alist"}, &r, r.sink());
        client->command({"NOSUCHCOMMAND"}, &r, r.sink());
        QTRY_COMPARE(r.list.size(), 2);
        QVERIFY(r.list.at(0).isError());
        QCOMPARE(r.list.at(0).error().kind, RedisError::Kind::WrongType);
        QVERIFY(r.list.at(0).error().message.startsWith(QLatin1String("WRONGTYPE Operation against a key")));
        QCOMPARE(r.list.at(1).error().kind, RedisError::Kind::Err);
        QVERIFY(r.list.at(1).error().message.contains(QLatin1String("unknown command")));
    }

    void errorRepliesAreClassified_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<RedisError::Kind>("kind");
        QTest::addRow("READONLY") << QByteArray("READONLY You can't write against a read only replica.") << RedisError::Kind::ReadOnly;
        QTest::addRow("LOADING") << QByteArray("LOADING Redis is loading the dataset in memory") << RedisError::Kind::Loading;
        QTest::addRow("NOAUTH") << QByteArray("NOAUTH Authentication required.") << RedisError::Kind::NoAuth;
        QTest::addRow("WRONGPASS") << QByteArray("WRONGPASS invalid username-password pair") << RedisError::Kind::WrongPass;
        QTest::addRow("legacy bad password") << QByteArray("ERR invalid password") << RedisError::Kind::WrongPass;
        QTest::addRow("MOVED") << QByteArray("MOVED 3999 127.0.0.1:6381") << RedisError::Kind::Moved;
        QTest::addRow("ASK") << QByteArray("ASK 3999 127.0.0.1:6381") << RedisError::Kind::Ask;
        QTest::addRow("other prefix") << QByteArray("OOM command not allowed") << RedisError::Kind::Err;
    }
    void errorRepliesAreClassified()
    {
        QFETCH(QByteArray, text);
        QFETCH(RedisError::Kind, kind);
        const RedisError e = RedisError::fromServerText(text);
        QCOMPARE(e.kind, kind);
        QCOMPARE(e.message, QString::fromUtf8(text));
    }

    void redirectIsParsed()
    {
        int slot = 0;
        QString host;
        quint16 port = 0;
        QVERIFY(RedisError::fromServerText("MOVED 3999 127.0.0.1:6381").redirect(&slot, &host, &port));
        QCOMPARE(slot, 3999);
        QCOMPARE(host, QStringLiteral("127.0.0.1"));
        QCOMPARE(port, quint16(6381));
        QVERIFY(!RedisError::fromServerText("ERR x").redirect(&slot, &host, &port));
    }

    void handshakeSetsNameAndSelectsDatabase()
    {
        auto client = connected(m_server->url() + QStringLiteral("/3"));
        Replies r;
        client->command({"CLIENT", "GETNAME"}, &r, r.sink());
        client->command({"SET", "in-db-3", "yes"}, &r, r.sink());
        QTRY_COMPARE(r.list.size(), 2);
        QCOMPARE(r.list.at(0).bytes(), QByteArray("cachelens"));
        QCOMPARE(m_server->cli({QStringLiteral("-n"), QStringLiteral("3"), QStringLiteral("GET"), QStringLiteral("in-db-3")}),
                 QByteArray("yes"));
    }

    void badDatabaseFailsClearly()
    {
        auto client = connected(m_server->url() + QStringLiteral("/99"), noRetry());
        QCOMPARE(client->state(), ConnectionState::Failed);
        QVERIFY2(client->stateDetail().contains(QLatin1String("cannot select database 99")), qPrintable(client->stateDetail()));
    }

    void authentication_data()
    {
        QTest::addColumn<QString>("userinfo");
        QTest::addColumn<bool>("ready");
        QTest::addColumn<QString>("detail");
        QTest::addRow("legacy password") << QStringLiteral("s3cret@") << true << QString();
        QTest::addRow("ACL user") << QStringLiteral("alice:wonderland@") << true << QString();
        QTest::addRow("wrong legacy password") << QStringLiteral("nope@") << false << QStringLiteral("WRONGPASS");
        QTest::addRow("wrong ACL password") << QStringLiteral("alice:nope@") << false << QStringLiteral("WRONGPASS");
        QTest::addRow("no password") << QString() << false << QStringLiteral("requires a password");
    }
    void authentication()
    {
        QFETCH(QString, userinfo);
        QFETCH(bool, ready);
        QFETCH(QString, detail);
        static std::unique_ptr<RedisServer> secured;
        if (!secured) {
            RedisServer::Options options;
            options.extraArgs = {QStringLiteral("--requirepass"), QStringLiteral("s3cret"),
                                 QStringLiteral("--user"), QStringLiteral("alice"), QStringLiteral("on"),
                                 QStringLiteral(">wonderland"), QStringLiteral("~*"), QStringLiteral("+@all")};
            secured = std::make_unique<RedisServer>(options);
            QVERIFY2(secured->start(), qPrintable(secured->errorString()));
            connect(this, &QObject::destroyed, [] { secured.reset(); });
        }
        const QString url = QStringLiteral("redis://") + userinfo + QStringLiteral("127.0.0.1:%1").arg(secured->port());
        auto client = connected(url, noRetry());
        QCOMPARE(client->state(), ready ? ConnectionState::Ready : ConnectionState::Failed);
        if (!ready) {
            QVERIFY2(client->stateDetail().contains(detail), qPrintable(client->stateDetail()));
            QVERIFY(!client->stateDetail().contains(QLatin1String("wonderland")));
            return;
        }
        Replies r;
        client->command({"ACL", "WHOAMI"}, &r, r.sink());
        QTRY_COMPARE(r.list.size(), 1);
        QCOMPARE(r.list.first().bytes(), userinfo.startsWith(QLatin1String("alice")) ? QByteArray("alice") : QByteArray("default"));
    }

    void refusedConnectionFailsWithClearError()
    {
        const quint16 port = RedisServer::freePort();
        auto client = connected(QStringLiteral("redis://127.0.0.1:%1").arg(port), noRetry());
        QCOMPARE(client->state(), ConnectionState::Failed);
        QVERIFY2(client->stateDetail().contains(QLatin1String("refused")), qPrintable(client->stateDetail()));
    }

    void commandsFailFastWhenNotConnected()
    {
        RedisClient client(parseUrl(m_server->url()));
        Replies r;
        client.command({"PING"}, &r, r.sink());
        QVERIFY(r.list.isEmpty());   // never inside command()
        QTRY_COMPARE(r.list.size(), 1);
        QCOMPARE(r.list.first().error().kind, RedisError::Kind::Connection);
        QVERIFY(r.list.first().error().message.contains(QLatin1String("not connected")));
    }

    void destroyedContextDropsTheReply()
    {
        auto client = connected(m_server->url());
        Replies r;
        bool called = false;
        auto* context = new QObject;
        client->command({"PING"}, context, [&](const RedisReply&) { called = true; });
        delete context;
        client->command({"PING"}, &r, r.sink());
        QTRY_COMPARE(r.list.size(), 1);
        QVERIFY(!called);
    }

    void slowCommandTimesOutAndLaterRepliesStayInOrder()
    {
        auto client = connected(m_server->url());
        Replies r;
        // The server answers 2 s after the 100 ms timeout, so a test thread kept off the CPU for a while on a
        // loaded machine still sees the timer before the late reply.
        client->command({"DEBUG", "SLEEP", "2"}, &r, r.sink(), 100);
        client->command({"ECHO", "after"}, &r, r.sink());
        QTRY_COMPARE(r.list.size(), 1);
        QCOMPARE(r.list.at(0).error().kind, RedisError::Kind::Timeout);
        QVERIFY(r.list.at(0).error().message.contains(QLatin1String("within 100 ms")));
        QTRY_COMPARE_WITH_TIMEOUT(r.list.size(), 2, 10000);
        QCOMPARE(r.list.at(1).bytes(), QByteArray("after"));   // the late DEBUG reply was swallowed
        QCOMPARE(client->state(), ConnectionState::Ready);
    }

    void serverKilledThenRestarted()
    {
        RedisServer::Options options;
        options.extraArgs = {QStringLiteral("--requirepass"), QStringLiteral("pw")};
        RedisServer server(options);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        RedisClient::Options fast;
        fast.reconnectInitialMs = 50;
        fast.reconnectMaxMs = 200;
        auto client = connected(QStringLiteral("redis://:pw@127.0.0.1:%1/2").arg(server.port()), fast);
        QCOMPARE(client->state(), ConnectionState::Ready);
        QSignalSpy states(client.get(), &RedisClient::stateChanged);

        Replies inflight;
        client->command({"DEBUG", "SLEEP", "2"}, &inflight, inflight.sink());
        QTRY_VERIFY(client->pendingCount() == 1);
        server.kill();
        QTRY_COMPARE(inflight.list.size(), 1);
        QCOMPARE(inflight.list.first().error().kind, RedisError::Kind::Connection);
        QVERIFY2(inflight.list.first().error().message.contains(QLatin1String("lost")), qPrintable(inflight.list.first().error().message));
        QCOMPARE(client->state(), ConnectionState::Reconnecting);
        QCOMPARE(states.first().at(0).value<ConnectionState>(), ConnectionState::Reconnecting);

        // A command while down fails at once with "not connected", not queued until its timeout.
        Replies whileDown;
        client->command({"PING"}, &whileDown, whileDown.sink());
        QTRY_COMPARE(whileDown.list.size(), 1);
        QCOMPARE(whileDown.list.first().error().kind, RedisError::Kind::Connection);
        QVERIFY2(whileDown.list.first().error().message.contains(QLatin1String("not connected")),
                 qPrintable(whileDown.list.first().error().message));

        QVERIFY2(server.restart(), qPrintable(server.errorString()));
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ConnectionState::Ready, 10000);
        Replies after;
        client->command({"CLIENT", "GETNAME"}, &after, after.sink());
        client->command({"SET", "after-restart", "1"}, &after, after.sink());
        QTRY_COMPARE(after.list.size(), 2);
        QCOMPARE(after.list.at(0).bytes(), QByteArray("cachelens"));   // AUTH passed (else NOAUTH) and SETNAME replayed
        QCOMPARE(server.cli({QStringLiteral("-a"), QStringLiteral("pw"), QStringLiteral("--no-auth-warning"),
                             QStringLiteral("-n"), QStringLiteral("2"), QStringLiteral("GET"), QStringLiteral("after-restart")}),
                 QByteArray("1"));
    }

    void unixSocket()
    {
        RedisServer::Options options;
        options.unixSocket = true;
        RedisServer server(options);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        auto client = connected(QStringLiteral("unix://") + server.socketPath() + QStringLiteral("?db=1"));
        QCOMPARE(client->state(), ConnectionState::Ready);
        Replies r;
        client->command({"SET", "via-socket", "1"}, &r, r.sink());
        QTRY_COMPARE(r.list.size(), 1);
        QCOMPARE(server.cli({QStringLiteral("-n"), QStringLiteral("1"), QStringLiteral("GET"), QStringLiteral("via-socket")}),
                 QByteArray("1"));
        auto missing = connected(QStringLiteral("unix://") + server.directory() + QStringLiteral("/nope.sock"), noRetry());
        QCOMPARE(missing->state(), ConnectionState::Failed);
        QVERIFY2(missing->stateDetail().contains(QLatin1String("no socket at")), qPrintable(missing->stateDetail()));
    }

    void loadCountersCountOwnTraffic()
    {
        auto client = connected(m_server->url());
        const ClientLoad before = client->load();
        Replies r;
        for (int i = 0; i < 100; ++i)
            client->command({"PING"}, &r, r.sink());
        QTRY_COMPARE(r.list.size(), 100);
        const ClientLoad after = client->load();
        QCOMPARE(after.commands - before.commands, quint64(100));
        QCOMPARE(after.bytesOut - before.bytesOut, quint64(100 * QByteArray("*1\r\n$4\r\nPING\r\n").size()));
        QCOMPARE(after.bytesIn - before.bytesIn, quint64(100 * QByteArray("+PONG\r\n").size()));
        QVERIFY(after.latencyP99Ms > 0);
        QVERIFY(after.latencyP50Ms <= after.latencyP99Ms);
    }

    void tls_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<bool>("ready");
        QTest::addColumn<QString>("detail");
        QTest::addRow("trusted CA") << QStringLiteral("?ca=CA") << true << QString();
        QTest::addRow("client certificate") << QStringLiteral("?ca=CA&cert=CERT&key=KEY") << true << QString();
        QTest::addRow("SNI localhost") << QStringLiteral("?ca=CA&sni=localhost") << true << QString();
        QTest::addRow("unknown CA") << QString() << false << QStringLiteral("certificate");
        QTest::addRow("wrong host name") << QStringLiteral("?ca=CA&sni=elsewhere.example") << false << QStringLiteral("certificate");
        QTest::addRow("verify off") << QStringLiteral("?verify=no") << true << QStringLiteral("verification is off");
    }
    void tls()
    {
        QFETCH(QString, query);
        QFETCH(bool, ready);
        QFETCH(QString, detail);
        RedisServer& server = tlsServer();
        query.replace(QLatin1String("CA"), server.caFile())
            .replace(QLatin1String("CERT"), server.clientCertFile())
            .replace(QLatin1String("KEY"), server.clientKeyFile());
        auto client = connected(QStringLiteral("rediss://127.0.0.1:%1%2").arg(server.tlsPort()).arg(query), noRetry());
        QCOMPARE(client->state(), ready ? ConnectionState::Ready : ConnectionState::Failed);
        QVERIFY2(client->stateDetail().contains(detail), qPrintable(client->stateDetail()));
        if (ready) {
            Replies r;
            client->command({"ECHO", QByteArray("over\0tls", 8)}, &r, r.sink());
            QTRY_COMPARE(r.list.size(), 1);
            QCOMPARE(r.list.first().bytes(), QByteArray("over\0tls", 8));
        } else {
            QCOMPARE(client->lastError().kind, RedisError::Kind::Tls);
        }
    }

    void tlsToAPlainPortFailsClearly()
    {
        RedisServer& server = tlsServer();
        RedisClient::Options options = noRetry();
        options.connectTimeoutMs = 1000;
        auto client = connected(QStringLiteral("rediss://127.0.0.1:%1?ca=%2").arg(server.port()).arg(server.caFile()), options);
        QCOMPARE(client->state(), ConnectionState::Failed);
        QCOMPARE(client->lastError().kind, RedisError::Kind::Tls);
        QVERIFY2(client->stateDetail().contains(QLatin1String("listening for TLS")), qPrintable(client->stateDetail()));
    }

    void plainToATlsPortFailsClearly()
    {
        RedisServer& server = tlsServer();
        auto client = connected(QStringLiteral("redis://127.0.0.1:%1").arg(server.tlsPort()), noRetry());
        QCOMPARE(client->state(), ConnectionState::Failed);
        QVERIFY2(client->stateDetail().contains(QLatin1String("rediss://")), qPrintable(client->stateDetail()));
    }

private:
    RedisServer& tlsServer()
    {
        static std::unique_ptr<RedisServer> server;
        if (!server) {
            RedisServer::Options options;
            options.tls = true;
            server = std::make_unique<RedisServer>(options);
            if (!server->start())
                qFatal("TLS redis-server: %s", qPrintable(server->errorString()));
            connect(this, &QObject::destroyed, [] { server.reset(); });
        }
        return *server;
    }
};

QTEST_GUILESS_MAIN(TestRedisClient)
#include "tst_redisclient.moc"
