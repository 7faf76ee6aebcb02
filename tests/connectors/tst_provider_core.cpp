// The redis provider runs without Qt, so it computes cluster slots and names its scripts on its own
// (connectors/provider: TagKeys.cpp, Scripts.cpp), and reads URLs with the Qt-free core that ConnectionUrl adapts
// (connectors/provider/core/Url.h). These tests hold it to what the rest of CacheLens does with Qt: the same URLs
// read the same way and refused with the same sentence (never quoting a secret), the same slots as the GUI's cluster
// client, and scripts named by the SHA-1 of their text.
#include "UrlsWithSecrets.h"
#include "connectors/ConnectionUrl.h"
#include "connectors/provider/BlockingRedis.h"
#include "connectors/provider/Scripts.h"
#include "connectors/provider/TagKeys.h"
#include "connectors/redis/ClusterSlots.h"

#include <QCryptographicHash>
#include <QTest>

using namespace cachelens;

class TestProviderCore : public QObject {
    Q_OBJECT
private slots:
    void urlsReadAsConnectionUrlReadsThem_data();
    void urlsReadAsConnectionUrlReadsThem();
    void urlsRefusedAsConnectionUrlRefusesThem_data();
    void urlsRefusedAsConnectionUrlRefusesThem();
    void keySlotsAreTheClusterClients();
    void scriptsAreNamedByTheSha1OfTheirText();
};

void TestProviderCore::urlsReadAsConnectionUrlReadsThem_data()
{
    QTest::addColumn<QString>("url");
    QTest::addRow("host only") << "redis://localhost";
    QTest::addRow("port and db") << "redis://10.1.2.3:7000/5";
    QTest::addRow("legacy password") << "redis://:s3cret@h";
    QTest::addRow("lone userinfo is the password") << "redis://s3cret@h";
    QTest::addRow("ACL user, encoded password") << "redis://app:p%40ss%3Aw@h:1/2";
    QTest::addRow("unencoded '/' in the password") << "redis://u:a/b@h:1";
    QTest::addRow("IPv6") << "redis://[::1]:6380";
    QTest::addRow("IPv6 without port") << "redis://[fe80::1]";
    QTest::addRow("TLS with options") << "rediss://cache.example:6380?ca=/etc/ca.pem&sni=cache&verify=no";
    QTest::addRow("TLS client certificate") << "rediss://h?cert=/c.pem&key=/k.pem&verify=YES";
    QTest::addRow("unix socket with db") << "unix:///run/redis/redis.sock?db=3";
    QTest::addRow("unix socket with '@' and a password") << "unix://:pw@/run/redis@6379.sock";
    QTest::addRow("ACL user without password") << "redis://app:@h:1";
    QTest::addRow("scheme is case-insensitive") << "REDIS://h:1";
    QTest::addRow("surrounding blanks") << "  redis://h  ";
    QTest::addRow("timeout and db options") << "redis://h?timeout=1500&db=4";
    QTest::addRow("sentinels") << "redis-sentinel://u:pw@s1:26380,s2,[::1]:26381/mymaster/2";
    QTest::addRow("sentinel credentials") << "redis-sentinel://s1/m%20x?sentinel_password=sp%26&sentinel_user=su";
    QTest::addRow("sentinel_username") << "redis-sentinel://s1/m?sentinel_username=su";
    QTest::addRow("UTF-8 password") << "redis://u:%C3%A9t%C3%A9@h";
    QTest::addRow("no-break and ideographic spaces around the URL") << QString::fromUtf8("\u00a0redis://h:1\u3000");
    QTest::addRow("non-ASCII user and socket path") << QString::fromUtf8("unix://\u00fc:pw@/run/r\u00e9dis.sock");
}

void TestProviderCore::urlsReadAsConnectionUrlReadsThem()
{
    QFETCH(QString, url);
    const auto expected = ConnectionUrl::parse(url);
    QVERIFY2(expected.ok(), qPrintable(expected.error));
    const ConnectionUrl& u = *expected.url;
    const auto got = provider::parseRedisUrl(url.toStdString());
    QVERIFY2(got.ok(), got.ok() ? "" : got.error().message.c_str());
    const provider::RedisEndpoint& ep = got.value();
    const bool sentinel = u.scheme == ConnectionUrl::Scheme::Sentinel;
    QCOMPARE(QString::fromStdString(ep.host), sentinel ? QString() : u.host);
    QCOMPARE(ep.port, sentinel ? 0 : int(u.port));
    QCOMPARE(QString::fromStdString(ep.unixPath), u.socketPath);
    QCOMPARE(QString::fromStdString(ep.user), u.user);
    QCOMPARE(QString::fromStdString(ep.password), u.password);
    QCOMPARE(ep.db, u.db);
    QCOMPARE(ep.timeout.count(), u.timeoutMs > 0 ? qint64(u.timeoutMs) : qint64(250));
    QCOMPARE(ep.tls, u.isTls());
    QCOMPARE(QString::fromStdString(ep.caFile), u.caFile);
    QCOMPARE(QString::fromStdString(ep.certFile), u.certFile);
    QCOMPARE(QString::fromStdString(ep.keyFile), u.keyFile);
    QCOMPARE(QString::fromStdString(ep.sni), u.sni);
    QCOMPARE(ep.verifyPeer, u.verifyPeer);
    QCOMPARE(QString::fromStdString(ep.masterName), u.masterName);
    QCOMPARE(QString::fromStdString(ep.sentinelUser), u.sentinelUser);
    QCOMPARE(QString::fromStdString(ep.sentinelPassword), u.sentinelPassword);
    QCOMPARE(qsizetype(ep.sentinels.size()), u.sentinels.size());
    for (qsizetype i = 0; i < u.sentinels.size(); ++i) {
        QCOMPARE(QString::fromStdString(ep.sentinels[std::size_t(i)].first), u.sentinels[i].host);
        QCOMPARE(ep.sentinels[std::size_t(i)].second, int(u.sentinels[i].port));
    }
}

void TestProviderCore::urlsRefusedAsConnectionUrlRefusesThem_data()
{
    QTest::addColumn<QString>("url");
    QTest::addRow("empty") << "";
    for (const auto& u : test::urlsWithSecrets()) QTest::addRow("%s", u.name) << u.url;
}

void TestProviderCore::urlsRefusedAsConnectionUrlRefusesThem()
{
    QFETCH(QString, url);
    QVERIFY(!ConnectionUrl::parse(url).ok());
    const auto got = provider::parseRedisUrl(url.toStdString());
    QVERIFY2(!got.ok(), "the provider accepted a URL that CacheLens refuses");
    const QString message = QString::fromStdString(got.error().message);
    QVERIFY2(message.startsWith(QLatin1String("REDIS_URL: ")), qPrintable(message));
    QVERIFY2(!message.contains(test::kUrlSecret) && !message.contains(test::kUrlSentinelSecret), qPrintable(message));
    QCOMPARE(message, QLatin1String("REDIS_URL: ") + ConnectionUrl::parse(url).error); // one sentence for both
}

void TestProviderCore::keySlotsAreTheClusterClients()
{
    QCOMPARE(provider::keySlot("foo"), 12182); // the cluster specification's example
    QCOMPARE(provider::keySlot("{user1000}.following"), provider::keySlot("{user1000}.followers"));
    for (const char* key : {"", "a", "user:1", "{}x", "{a}{b}", "x{y", "x}{y}", "app:tag:{3k}name", "\xff\xfe{\x01}"}) {
        const std::string k(key);
        QCOMPARE(provider::keySlot(k), redis::keySlot(QByteArray::fromStdString(k)));
    }
    for (int i = 0; i < 2000; ++i) {
        const std::string k = "key:" + std::to_string(i * 7919);
        QCOMPARE(provider::keySlot(k), redis::keySlot(QByteArray::fromStdString(k)));
    }
    for (int slot : {0, 1, 5000, 16383}) QCOMPARE(provider::keySlot("{" + provider::slotHashTag(slot) + "}"), slot);
}

void TestProviderCore::scriptsAreNamedByTheSha1OfTheirText()
{
    for (int id = 0; id < provider::scripts::Count_; ++id) {
        const auto& s = provider::scripts::get(provider::scripts::Id(id));
        const QByteArray sha = QCryptographicHash::hash(QByteArray::fromStdString(s.text), QCryptographicHash::Sha1).toHex();
        QCOMPARE(QByteArray::fromStdString(s.sha), sha);
        QCOMPARE(provider::scripts::bySha(s.sha), &s);
    }
}

QTEST_APPLESS_MAIN(TestProviderCore)
#include "tst_provider_core.moc"
