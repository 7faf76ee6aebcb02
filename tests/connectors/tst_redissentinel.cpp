// redis-sentinel:// URLs against a real master, replica and three sentinels: resolution, clear failures, and a
// real failover (the master is killed; Sentinel promotes the replica; the client reconnects there).
#include "connectors/ctl/Command.h"
#include "connectors/redis/SentinelResolver.h"

#include "RedisSentinel.h"

#include <QBuffer>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace cachelens;
using namespace cachelens::redis;
using cachelens::test::RedisSentinel;
using cachelens::test::RedisServer;

namespace {

ConnectionUrl parseUrl(const QString& text) { return *ConnectionUrl::parse(text).url; }

RedisReply call(RedisClient& client, const QList<QByteArray>& args)
{
    QObject context;
    std::optional<RedisReply> reply;
    client.command(args, &context, [&](const RedisReply& r) { reply = r; });
    (void)QTest::qWaitFor([&] { return reply.has_value(); }, 10000);
    return reply.value_or(RedisReply::error(RedisError::client(RedisError::Kind::Timeout, QStringLiteral("test wait"))));
}

std::unique_ptr<RedisClient> openClient(const QString& url, RedisClient::Options options = {})
{
    std::unique_ptr<RedisClient> client(SentinelResolver::createClient(parseUrl(url), options));
    client->open();
    (void)QTest::qWaitFor([&] { return client->state() == ConnectionState::Ready || client->state() == ConnectionState::Failed; }, 10000);
    return client;
}

} // namespace

class TestRedisSentinel : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisSentinel> m_set;

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<ConnectionState>();
        m_set = std::make_unique<RedisSentinel>();
        QVERIFY2(m_set->start(), qPrintable(m_set->errorString()));
    }
    void cleanupTestCase() { m_set.reset(); }

    void theMasterIsFoundThroughTheSentinels()
    {
        auto client = openClient(m_set->url());
        QCOMPARE(client->state(), ConnectionState::Ready);
        QCOMPARE(client->endpoint().port, m_set->master().port());
        const RedisReply role = call(*client, {"ROLE"});
        QCOMPARE(role.elements().value(0).bytes(), QByteArray("master"));
    }

    void resolutionFailuresSayWhy_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("message");
        QTest::addRow("unknown master name") << QStringLiteral("SENTINELS/nosuch") << QStringLiteral("does not monitor a master named 'nosuch'");
        QTest::addRow("no sentinel reachable") << QStringLiteral("redis-sentinel://127.0.0.1:%1/mymaster").arg(RedisServer::freePort())
                                               << QStringLiteral("no sentinel could name the master");
    }
    void resolutionFailuresSayWhy()
    {
        QFETCH(QString, url);
        QFETCH(QString, message);
        url.replace(QLatin1String("SENTINELS/"), m_set->url().section(QLatin1Char('/'), 0, 2) + QLatin1Char('/'));
        RedisClient::Options options;
        options.maxReconnectAttempts = 0;
        auto client = openClient(url, options);
        QCOMPARE(client->state(), ConnectionState::Failed);
        QVERIFY2(client->stateDetail().contains(message), qPrintable(client->stateDetail()));
    }

    void cliPingsTheMasterThroughSentinels()
    {
        QString out, err;
        QTextStream o(&out), e(&err);
        QBuffer in;
        in.open(QIODevice::ReadOnly);
        QCOMPARE(ctl::run({QStringLiteral("ping"), m_set->url()}, o, e, in), 0);
        QVERIFY2(out.startsWith(QStringLiteral("PONG from 127.0.0.1:%1").arg(m_set->master().port())), qPrintable(out + err));
    }

    // Sentinels with their own password: one master and one sentinel per row (quick; no failover needed to name the
    // master). PORT in `failure` is the sentinel's port.
    void sentinelsWithPasswords_data()
    {
        QTest::addColumn<QString>("masterPassword");    // requirepass of the master (and the sentinel's auth-pass)
        QTest::addColumn<QStringList>("sentinelAuth");  // sentinel.conf lines: requirepass, ACL users
        QTest::addColumn<QString>("urlPassword");       // the URL's userinfo password (the master's)
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("failure");           // empty: works
        const QString masterPw = QStringLiteral("master-pw");
        const QStringList needs{QStringLiteral("requirepass sentinel-pw")};
        QTest::addRow("no sentinel password") << masterPw << QStringList() << masterPw << QString() << QString();
        QTest::addRow("sentinel password in the URL") << masterPw << needs << masterPw
                                                      << QStringLiteral("?sentinel_password=sentinel-pw") << QString();
        QTest::addRow("percent-encoded sentinel password")
            << masterPw << QStringList{QStringLiteral("requirepass s&p=w@rd")} << masterPw
            << QStringLiteral("?sentinel_password=s%26p%3Dw%40rd") << QString();
        QTest::addRow("sentinel ACL user") << masterPw << QStringList{QStringLiteral("user mon on >mon-pw allcommands"),
                                                                      QStringLiteral("user default off")}
                                           << masterPw << QStringLiteral("?sentinel_user=mon&sentinel_password=mon-pw")
                                           << QString();
        QTest::addRow("sentinel shares the master's password, only the master's given")
            << masterPw << QStringList{QStringLiteral("requirepass master-pw")} << masterPw << QString() << QString();
        QTest::addRow("sentinel needs a password, URL has none")
            << QString() << needs << QString() << QString()
            << QStringLiteral("sentinel 127.0.0.1:PORT requires a password: add sentinel_password=… to the URL");
        QTest::addRow("sentinel needs a password, the master's is not it")
            << masterPw << needs << masterPw << QString()
            << QStringLiteral("sentinel 127.0.0.1:PORT requires a password and refused the master's (WRONGPASS");
        QTest::addRow("wrong sentinel password") << masterPw << needs << masterPw << QStringLiteral("?sentinel_password=nope")
                                                 << QStringLiteral("sentinel 127.0.0.1:PORT refused the sentinel password (WRONGPASS");
    }
    void sentinelsWithPasswords()
    {
        QFETCH(QString, masterPassword);
        QFETCH(QStringList, sentinelAuth);
        QFETCH(QString, urlPassword);
        QFETCH(QString, query);
        QFETCH(QString, failure);
        RedisServer master(masterPassword.isEmpty() ? RedisServer::Options{} : RedisServer::Options::requiringPassword(masterPassword));
        QVERIFY2(master.start(), qPrintable(master.errorString()));
        RedisServer::Options so;
        so.sentinelConfig = QStringList{QStringLiteral("sentinel monitor mymaster 127.0.0.1 %1 1").arg(master.port())} + sentinelAuth;
        if (!masterPassword.isEmpty())
            so.sentinelConfig << QStringLiteral("sentinel auth-pass mymaster ") + masterPassword;
        RedisServer sentinel(so);
        QVERIFY2(sentinel.start(), qPrintable(sentinel.errorString()));
        failure.replace(QLatin1String("PORT"), QString::number(sentinel.port()));
        const QString userinfo = urlPassword.isEmpty() ? QString() : QStringLiteral(":%1@").arg(urlPassword);
        const QString url = QStringLiteral("redis-sentinel://") + userinfo
                            + QStringLiteral("127.0.0.1:%1/mymaster").arg(sentinel.port()) + query;
        QVERIFY2(ConnectionUrl::parse(url).ok(), qPrintable(url));

        // Default options (reconnect forever): a refused password must still end in Failed, not a retry loop.
        auto client = openClient(url);
        const QStringList masterAuth = masterPassword.isEmpty() ? QStringList()
                                                                : QStringList{QStringLiteral("-a"), masterPassword, QStringLiteral("--no-auth-warning")};
        if (failure.isEmpty()) {
            QVERIFY2(client->state() == ConnectionState::Ready, qPrintable(client->stateDetail()));
            QCOMPARE(client->endpoint().port, master.port());
            QCOMPARE(call(*client, {"SET", "k", "via an authenticated sentinel"}).bytes(), QByteArray("OK"));
            QCOMPARE(master.cli(masterAuth + QStringList{QStringLiteral("GET"), QStringLiteral("k")}), QByteArray("via an authenticated sentinel"));
        } else {
            QCOMPARE(client->state(), ConnectionState::Failed);
            QVERIFY2(client->stateDetail().contains(failure), qPrintable(client->stateDetail()));
            QCOMPARE(master.cli(masterAuth + QStringList{QStringLiteral("DBSIZE")}), QByteArray("0"));
        }

        // The CLI takes the same path and never prints a password back.
        QString out, err;
        QTextStream o(&out), e(&err);
        QBuffer in;
        in.open(QIODevice::ReadOnly);
        const int code = ctl::run({QStringLiteral("ping"), url}, o, e, in);
        o.flush();
        e.flush();
        QCOMPARE(code == 0, failure.isEmpty());
        QVERIFY2((failure.isEmpty() ? out : err).contains(failure.isEmpty() ? QStringLiteral("PONG") : failure), qPrintable(out + err));
        for (const char* secret : {"master-pw", "sentinel-pw", "mon-pw", "s&p=w@rd"})
            QVERIFY2(!(out + err).contains(QLatin1String(secret)), qPrintable(out + err));
    }

    // Last: it kills the master.
    void failoverIsFollowed()
    {
        RedisClient::Options options;
        options.reconnectInitialMs = 100;
        options.reconnectMaxMs = 500;
        auto client = openClient(m_set->url(), options);
        QCOMPARE(client->state(), ConnectionState::Ready);
        QCOMPARE(call(*client, {"SET", "before-failover", "kept"}).bytes(), QByteArray("OK"));
        QCOMPARE(call(*client, {"WAIT", "1", "2000"}).toInteger(), 1);   // replicated before the master dies
        QSignalSpy states(client.get(), &RedisClient::stateChanged);
        m_set->master().kill();
        QTRY_VERIFY(!states.isEmpty());
        QCOMPARE(states.first().at(0).value<ConnectionState>(), ConnectionState::Reconnecting);
        QTRY_COMPARE_WITH_TIMEOUT(client->state(), ConnectionState::Ready, 30000);
        QCOMPARE(client->endpoint().port, m_set->replica().port());
        QCOMPARE(call(*client, {"ROLE"}).elements().value(0).bytes(), QByteArray("master"));
        QCOMPARE(call(*client, {"GET", "before-failover"}).bytes(), QByteArray("kept"));
    }
};

QTEST_GUILESS_MAIN(TestRedisSentinel)
#include "tst_redissentinel.moc"
