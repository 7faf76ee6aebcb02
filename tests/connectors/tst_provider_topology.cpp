// The engine over Redis on the topologies beyond one plain server (the shared behaviour suite runs on a cluster in
// tst_provider too): a real 3-master Redis Cluster (keys and per-slot tag sets on every master, MOVED and ASK
// followed while a slot migrates, the bus across nodes, pattern invalidation on every master, the rate limiter),
// TLS (CA file, client certificate, verify toggle, an untrusted server refused with the reason) and Sentinel (the
// master resolved, and found again after a real failover).
#include "RedisCluster.h"
#include "RedisSentinel.h"
#include "RedisServer.h"
#include "connectors/provider/RedisRateLimiter.h"
#include "connectors/provider/TagKeys.h"
#include "tst_provider_helpers.h"

#include <QtTest/QtTest>

using namespace cachelens;
using namespace cachelens::engine;
using namespace cachelens::provider;
using namespace cachelens::test;
using namespace std::chrono_literals;
using namespace std::string_literals;

namespace {

// Keys (not the provider's bookkeeping) on one node.
int dataKeys(test::RedisServer& node, const QString& pattern = QStringLiteral("app:*"))
{
    const QByteArray out = node.cli({QStringLiteral("--scan"), QStringLiteral("--pattern"), pattern});
    int n = 0;
    for (const QByteArray& k : out.split('\n'))
        if (!k.isEmpty() && !k.startsWith("app:tag") && !k.startsWith("app:lock:")) ++n;
    return n;
}

} // namespace

class TestProviderTopology : public QObject {
    Q_OBJECT

    test::RedisCluster cluster_;

    std::string seed(int node = 0) { return cluster_.node(node).url().toStdString(); }
    // The node that owns `slot` now, by CLUSTER SLOTS of node 0.
    int ownerOf(int slot)
    {
        const QByteArray out = cluster_.node(0).cli({QStringLiteral("CLUSTER"), QStringLiteral("NODES")});
        for (const QByteArray& line : out.split('\n')) {
            const QList<QByteArray> f = line.split(' ');
            if (f.size() < 9 || !f[2].contains("master")) continue;
            for (int i = 8; i < f.size(); ++i) {
                const QList<QByteArray> range = f[i].split('-');
                const int from = range[0].toInt();
                const int to = range.size() > 1 ? range[1].toInt() : from;
                if (f[i].startsWith('[') || slot < from || slot > to) continue;
                const int port = f[1].split(':')[1].split('@')[0].toInt();
                for (int n = 0; n < cluster_.size(); ++n)
                    if (cluster_.node(n).port() == port) return n;
            }
        }
        return -1;
    }
    QByteArray idOf(int node) { return cluster_.node(node).cli({QStringLiteral("CLUSTER"), QStringLiteral("MYID")}); }

private slots:
    void initTestCase() { QVERIFY2(cluster_.start(), qPrintable(cluster_.errorString())); }
    void init()
    {
        for (int i = 0; i < cluster_.size(); ++i) cluster_.node(i).cli({QStringLiteral("FLUSHALL")});
    }

    void keysAndTheirTagSetsLandOnEveryMasterAndOneInvalidationRemovesThemAll()
    {
        auto c = makeCache(seed(), {});
        SetOptions tagged;
        tagged.tags = {"users", "hot"};
        for (int i = 0; i < 300; ++i) QVERIFY(c->set("user:" + std::to_string(i), "v", tagged).ok());
        for (int n = 0; n < cluster_.size(); ++n) QVERIFY2(dataKeys(cluster_.node(n)) > 0, "a master got no keys");
        // The member's bookkeeping sits in the member's own slot (TagKeys.h), on the member's node.
        const int slot = keySlot("app:user:7");
        const QString set = QString::fromStdString(clusterTagSetKey("app:", "users", slot));
        test::RedisServer& owner = cluster_.node(ownerOf(slot));
        QCOMPARE(owner.cli({QStringLiteral("SISMEMBER"), set, QStringLiteral("app:user:7")}), QByteArray("1"));
        QCOMPARE(c->invalidateTag("users"), std::size_t(300));
        for (int n = 0; n < cluster_.size(); ++n) QCOMPARE(dataKeys(cluster_.node(n)), 0);
        QCOMPARE(c->invalidateTag("hot"), std::size_t(0)); // the other tag's members went with them
        QCOMPARE(owner.cli({QStringLiteral("EXISTS"), set}), QByteArray("0"));
    }

    void tagSetsStayConsistentAfterOverwriteAndExpiryOnACluster()
    {
        auto c = makeCache(seed(), {});
        SetOptions tagged;
        tagged.tags = {"t"};
        SetOptions brief = tagged;
        brief.ttl = 100ms;
        for (int i = 0; i < 50; ++i) {
            QVERIFY(c->set("over:" + std::to_string(i), "v", tagged).ok());
            QVERIFY(c->set("over:" + std::to_string(i), "untagged now").ok());
            QVERIFY(c->set("gone:" + std::to_string(i), "v", brief).ok());
        }
        QTRY_VERIFY_WITH_TIMEOUT(!c->exists("gone:0") && !c->exists("gone:49"), 5000);
        (void)redisOf(*c).sweepTags();
        int members = 0;
        for (int n = 0; n < cluster_.size(); ++n) {
            const QByteArray sets = cluster_.node(n).cli({QStringLiteral("--scan"), QStringLiteral("--pattern"),
                                                          QStringLiteral("app:tag:*")});
            for (const QByteArray& s : sets.split('\n'))
                if (!s.isEmpty()) members += cluster_.node(n).cli({QStringLiteral("SCARD"), QString::fromUtf8(s)}).toInt();
        }
        QCOMPARE(members, 0);
        QCOMPARE(c->invalidateTag("t"), std::size_t(0));
        QVERIFY(c->exists("over:3"));
    }

    void patternInvalidationVisitsEveryMaster()
    {
        auto c = makeCache(seed(1), {});
        for (int i = 0; i < 200; ++i) QVERIFY(c->set("p:" + std::to_string(i), "v").ok());
        QVERIFY(c->set("q:1", "v").ok());
        QCOMPARE(c->invalidatePattern("p:*"), std::size_t(200));
        QVERIFY(c->exists("q:1"));
        std::size_t seen = 0;
        std::uint64_t cursor = 0;
        do {
            auto page = c->scan(cursor, "*", 100);
            seen += page.keys.size();
            cursor = page.cursor;
        } while (cursor != 0);
        QCOMPARE(seen, std::size_t(1));
    }

    void aMigratingSlotIsFollowedThroughAskAndMoved()
    {
        auto c = makeCache(seed(), {});
        // Two keys of one slot (hash tag {m}); the slot moves from its owner to another master.
        QVERIFY(c->set("{m}a", "first").ok());
        QVERIFY(c->set("{m}b", "second").ok());
        const int slot = keySlot("app:{m}a");
        const int from = ownerOf(slot);
        const int to = (from + 1) % cluster_.size();
        const QString s = QString::number(slot);
        const QString fromId = QString::fromUtf8(idOf(from)), toId = QString::fromUtf8(idOf(to));
        QCOMPARE(cluster_.node(to).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), s, QStringLiteral("IMPORTING"), fromId}), QByteArray("OK"));
        QCOMPARE(cluster_.node(from).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), s, QStringLiteral("MIGRATING"), toId}), QByteArray("OK"));
        QCOMPARE(cluster_.node(from).cli({QStringLiteral("MIGRATE"), QStringLiteral("127.0.0.1"),
                                          QString::number(cluster_.node(to).port()), QString(), QStringLiteral("0"),
                                          QStringLiteral("5000"), QStringLiteral("KEYS"), QStringLiteral("app:{m}a")}),
                 QByteArray("OK"));
        // Mid-migration: the old owner answers ASK for the key it no longer has.
        QCOMPARE(str(c->get("{m}a")), "first"s);
        QCOMPARE(str(c->get("{m}b")), "second"s);
        QCOMPARE(cluster_.node(from).cli({QStringLiteral("MIGRATE"), QStringLiteral("127.0.0.1"),
                                          QString::number(cluster_.node(to).port()), QString(), QStringLiteral("0"),
                                          QStringLiteral("5000"), QStringLiteral("KEYS"), QStringLiteral("app:{m}b")}),
                 QByteArray("OK"));
        for (int n = 0; n < cluster_.size(); ++n)
            QCOMPARE(cluster_.node(n).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), s, QStringLiteral("NODE"), toId}), QByteArray("OK"));
        // Done: the old owner answers MOVED; the provider follows and learns the new map.
        QCOMPARE(str(c->get("{m}b")), "second"s);
        QVERIFY(c->set("{m}a", "third").ok());
        QCOMPARE(str(c->get("{m}a")), "third"s);
        QCOMPARE(cluster_.node(to).cli({QStringLiteral("EXISTS"), QStringLiteral("app:{m}a")}), QByteArray("1"));
        QCOMPARE(redisOf(*c).providerStats().redisErrors, std::uint64_t(0));
    }

    void theBusCrossesTheCluster()
    {
        auto a = makeCache(seed(0), withL1("A"));
        auto b = makeCache(seed(2), withL1("B"));
        QVERIFY(redisOf(*a).waitForBus(5s));
        QVERIFY(redisOf(*b).waitForBus(5s));
        Store* l1b = redisOf(*b).l1();
        for (const char* k : {"x", "y", "z"}) {
            QVERIFY(a->set(k, "v1").ok());
            const std::string full = "app:"s + k;
            QTRY_VERIFY_WITH_TIMEOUT(str(b->get(k)) == "v1" && l1b->exists(full), 5000);
            QVERIFY(a->del(k));                       // set in A, read in B, invalidate in A: B misses
            QTRY_VERIFY_WITH_TIMEOUT(!l1b->exists(full), 5000);
            QVERIFY(!b->get(k));
        }
        QVERIFY(redisOf(*b).providerStats().busReceived >= 3);
    }

    void rateLimitsAreSharedOnACluster()
    {
        auto ep = parseRedisUrl(seed());
        QVERIFY(ep.ok());
        RedisRateLimiter one(ep.value(), RedisRateLimiter::Kind::FixedWindow, 2, std::chrono::hours(1), "app:");
        auto other = parseRedisUrl(seed(2));
        RedisRateLimiter two(other.value(), RedisRateLimiter::Kind::FixedWindow, 2, std::chrono::hours(1), "app:");
        for (const char* who : {"alice", "bob", "carol", "dave"}) {
            QVERIFY(one.hit(who).allowed);
            QVERIFY(two.hit(who).allowed);
            const auto third = one.hit(who);
            QVERIFY(!third.unavailable);
            QVERIFY(!third.allowed);
        }
    }

    void tlsWithTheCaFileAClientCertificateOrNoVerification_data()
    {
        QTest::addColumn<bool>("requireClientCert");
        QTest::addColumn<QString>("query");
        QTest::addColumn<bool>("works");
        QTest::addColumn<QString>("message");
        QTest::newRow("CA file") << false << QStringLiteral("ca=CA") << true << QString();
        QTest::newRow("no CA: the system store does not know the test CA") << false << QString() << false
                                                                         << QStringLiteral("certificate not trusted");
        QTest::newRow("verify=no") << false << QStringLiteral("verify=no") << true << QString();
        QTest::newRow("client certificate required and given") << true << QStringLiteral("ca=CA&cert=CERT&key=KEY")
                                                               << true << QString();
        QTest::newRow("client certificate required, none given") << true << QStringLiteral("ca=CA") << false
                                                                 << QStringLiteral("redis");
    }
    void tlsWithTheCaFileAClientCertificateOrNoVerification()
    {
        QFETCH(bool, requireClientCert);
        QFETCH(QString, query);
        QFETCH(bool, works);
        QFETCH(QString, message);
        test::RedisServer::Options o;
        o.tls = true;
        if (requireClientCert) o.extraArgs = {QStringLiteral("--tls-auth-clients"), QStringLiteral("yes")};
        test::RedisServer server(o);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        query.replace(QLatin1String("CA"), server.caFile())
            .replace(QLatin1String("CERT"), server.clientCertFile())
            .replace(QLatin1String("KEY"), server.clientKeyFile());
        const QString url = QStringLiteral("rediss://127.0.0.1:%1").arg(server.tlsPort())
            + (query.isEmpty() ? QString() : QLatin1Char('?') + query);
        RedisProviderOptions po;
        po.timeout = 2000ms;
        auto c = makeCache(url.toStdString(), po);
        const auto set = c->set("k", "over tls");
        QCOMPARE(set.ok(), works);
        if (works) {
            QCOMPARE(str(c->get("k")), "over tls"s);
            QCOMPARE(server.cli({QStringLiteral("EXISTS"), QStringLiteral("app:k")}), QByteArray("1"));
        } else {
            QVERIFY2(QString::fromStdString(set.error().message).contains(message), set.error().message.c_str());
            QCOMPARE(server.cli({QStringLiteral("DBSIZE")}), QByteArray("0"));
        }
    }

    void sentinelFindsTheMasterAndFindsItAgainAfterAFailover()
    {
        test::RedisSentinel set;
        QVERIFY2(set.start(), qPrintable(set.errorString()));
        RedisProviderOptions o;
        o.timeout = 1000ms;
        o.retryAfter = 100ms;
        auto c = makeCache(set.url().toStdString(), o);
        QVERIFY(c->set("before", "kept").ok());
        QCOMPARE(set.master().cli({QStringLiteral("GET"), QStringLiteral("app:before")}).size() > 0, true);
        QTRY_COMPARE_WITH_TIMEOUT(set.replica().cli({QStringLiteral("EXISTS"), QStringLiteral("app:before")}),
                                  QByteArray("1"), 10000);
        set.master().kill();
        // Calls fail while the sentinels agree; then a new connection asks them and lands on the promoted replica.
        QTRY_VERIFY_WITH_TIMEOUT(c->set("after", "written to the new master").ok(), 60000);
        QCOMPARE(set.reportedMasterPort(), set.replica().port());
        QCOMPARE(str(c->get("before")), "kept"s);
        QCOMPARE(set.replica().cli({QStringLiteral("EXISTS"), QStringLiteral("app:after")}), QByteArray("1"));
    }

    void badUrlsAreRefusedWithTheReason_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("message");
        QTest::newRow("sentinel without a master name") << QStringLiteral("redis-sentinel://127.0.0.1:26379")
                                                        << QStringLiteral("master name");
        QTest::newRow("tls client cert without key") << QStringLiteral("rediss://127.0.0.1:6380?cert=/tmp/c.pem")
                                                     << QStringLiteral("key");
    }
    void badUrlsAreRefusedWithTheReason()
    {
        QFETCH(QString, url);
        QFETCH(QString, message);
        auto ep = parseRedisUrl(url.toStdString());
        QVERIFY(!ep.ok());
        QVERIFY2(QString::fromStdString(ep.error().message).contains(message), ep.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestProviderTopology)
#include "tst_provider_topology.moc"
