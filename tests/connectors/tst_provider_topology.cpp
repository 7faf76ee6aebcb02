// The engine over Redis on the topologies beyond one plain server (the shared behaviour suite runs on a cluster in
// tst_provider too): a real 3-master Redis Cluster (keys and per-slot tag sets on every master, MOVED and ASK
// followed while a slot migrates, the bus across nodes, pattern invalidation on every master, the rate limiter),
// a master that fails over to its replica (found without a MOVED), TLS (CA file, client certificate, verify toggle,
// an untrusted server refused with the reason) and Sentinel (the master resolved, found again after a real
// failover, and sentinels and masters with passwords).
#include "RedisCluster.h"
#include "RedisSentinel.h"
#include "RedisServer.h"
#include "connectors/provider/RedisRateLimiter.h"
#include "connectors/provider/RedisRouter.h"
#include "connectors/provider/Scripts.h"
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

// The cluster bus port of a node, from its own line in CLUSTER NODES ("<id> <ip>:<port>@<bus port> myself,…").
int busPortOf(test::RedisServer& node)
{
    for (const QByteArray& line : node.cli({QStringLiteral("CLUSTER"), QStringLiteral("NODES")}).split('\n')) {
        if (!line.contains("myself")) continue;
        const QByteArray address = line.split(' ').value(1);
        return address.mid(address.indexOf('@') + 1).split(',').value(0).toInt();
    }
    return 0;
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
        SetOptions tagged;
        tagged.tags = {"p"};
        for (int i = 0; i < 200; ++i) QVERIFY(c->set("p:" + std::to_string(i), "v", tagged).ok());
        QVERIFY(c->set("q:1", "v").ok());
        for (int n = 0; n < cluster_.size(); ++n)
            QVERIFY2(dataKeys(cluster_.node(n), QStringLiteral("app:p:*")) > 0, "a master got no p: keys");
        QCOMPARE(c->invalidatePattern("p:*"), std::size_t(200));
        for (int n = 0; n < cluster_.size(); ++n) QCOMPARE(dataKeys(cluster_.node(n), QStringLiteral("app:p:*")), 0);
        QCOMPARE(c->invalidateTag("p"), std::size_t(0)); // their tag memberships went with them
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
        auto a = makeL1Cache(seed(0), withL1("A"));
        auto b = makeL1Cache(seed(2), withL1("B"));
        QVERIFY(a && b);
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

    // A master dies and its replica takes over: the old master cannot answer MOVED, so the provider asks the other
    // nodes who serves the slot now, within the same call.
    void aFailedOverMasterIsFoundWithoutWaitingForAMoved()
    {
        test::RedisCluster cluster; // its own: one of its masters dies
        QVERIFY2(cluster.start(), qPrintable(cluster.errorString()));
        test::RedisServer& master = cluster.node(1);
        const QString masterId = QString::fromUtf8(master.cli({QStringLiteral("CLUSTER"), QStringLiteral("MYID")}));
        // The fixture makes masters only: a replica of node 1 joins by hand.
        test::RedisServer::Options ro;
        ro.extraArgs = {QStringLiteral("--cluster-enabled"), QStringLiteral("yes"), QStringLiteral("--cluster-config-file"),
                        QStringLiteral("nodes.conf"), QStringLiteral("--cluster-node-timeout"), QStringLiteral("2000"),
                        QStringLiteral("--cluster-require-full-coverage"), QStringLiteral("no"),
                        QStringLiteral("--cluster-port"), QString::number(test::RedisServer::freePort())};
        test::RedisServer replica(ro);
        QVERIFY2(replica.start(), qPrintable(replica.errorString()));
        QCOMPARE(replica.cli({QStringLiteral("CLUSTER"), QStringLiteral("MEET"), QStringLiteral("127.0.0.1"),
                              QString::number(master.port()), QString::number(busPortOf(master))}),
                 QByteArray("OK"));
        QTRY_VERIFY_WITH_TIMEOUT(replica.cli({QStringLiteral("CLUSTER"), QStringLiteral("NODES")}).contains(masterId.toUtf8()),
                                 10000);
        QCOMPARE(replica.cli({QStringLiteral("CLUSTER"), QStringLiteral("REPLICATE"), masterId}), QByteArray("OK"));
        QTRY_VERIFY_WITH_TIMEOUT(replica.cli({QStringLiteral("INFO"), QStringLiteral("replication")})
                                     .contains("master_link_status:up"),
                                 20000);

        auto c = makeCache(cluster.node(0).url().toStdString(), {});
        std::vector<std::string> onMaster;
        for (int i = 0; i < 60; ++i) {
            const std::string k = "f:" + std::to_string(i);
            QVERIFY(c->set(k, "v" + std::to_string(i)).ok());
            if (master.cli({QStringLiteral("EXISTS"), QString::fromStdString("app:" + k)}) == "1") onMaster.push_back(k);
        }
        QVERIFY(!onMaster.empty());
        std::string counter; // a counter on the master that dies
        for (int i = 0; counter.empty(); ++i) {
            const std::string k = "n:" + std::to_string(i);
            QVERIFY(c->incrBy(k, 5).ok());
            if (master.cli({QStringLiteral("EXISTS"), QString::fromStdString("app:" + k)}) == "1") counter = k;
        }
        QCOMPARE(master.cli({QStringLiteral("WAIT"), QStringLiteral("1"), QStringLiteral("5000")}), QByteArray("1"));

        master.kill();
        QCOMPARE(replica.cli({QStringLiteral("CLUSTER"), QStringLiteral("FAILOVER"), QStringLiteral("TAKEOVER")}),
                 QByteArray("OK"));
        // The surviving masters learn the new owner by gossip; no client is told.
        const QByteArray replicaAddress = "127.0.0.1:" + QByteArray::number(replica.port()) + "@";
        auto promotedIn = [&](test::RedisServer& node) {
            for (const QByteArray& line : node.cli({QStringLiteral("CLUSTER"), QStringLiteral("NODES")}).split('\n'))
                if (line.contains(replicaAddress)) return line.split(' ').value(2).contains("master");
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(promotedIn(cluster.node(0)) && promotedIn(cluster.node(2)), 20000);

        // The first call after the failover goes to a node that is gone. It is a counter, which must not run twice:
        // the pooled connections to the dead master are seen closed before use, so nothing was sent to it and the
        // increment goes to the new master once.
        const auto n = c->incrBy(counter, 1);
        QVERIFY2(n.ok(), n.ok() ? "" : n.error().message.c_str());
        QCOMPARE(n.value(), std::int64_t(6));
        const std::string& k = onMaster.front();
        const auto v = c->get(k);
        QVERIFY(v);
        QCOMPARE(str(v), "v" + k.substr(2));
        QVERIFY(c->set(k, "after").ok());
        QCOMPARE(replica.cli({QStringLiteral("EXISTS"), QString::fromStdString("app:" + k)}), QByteArray("1"));
        QCOMPARE(redisOf(*c).providerStats().redisErrors, std::uint64_t(0));
    }

    // After a lost connection the router sends a batch to the slot's new owner only when running it twice is harmless.
    void onlyCommandsThatMayRunTwiceAreSentAgain_data()
    {
        using provider::Args;
        namespace s = provider::scripts;
        QTest::addColumn<std::vector<Args>>("commands");
        QTest::addColumn<bool>("mayRunTwice");
        QTest::newRow("get script") << std::vector<Args>{{"EVALSHA", s::get(s::Get).sha, "1", "k"}} << true;
        QTest::newRow("set script") << std::vector<Args>{{"EVALSHA", s::get(s::Set).sha, "1", "k", "v", "0", "t:"}} << true;
        QTest::newRow("del script") << std::vector<Args>{{"EVALSHA", s::get(s::Del).sha, "1", "k", "t:"}} << true;
        QTest::newRow("unlock script") << std::vector<Args>{{"EVALSHA", s::get(s::Unlock).sha, "1", "l", "tok"}} << true;
        QTest::newRow("incr script") << std::vector<Args>{{"EVALSHA", s::get(s::Incr).sha, "1", "k", "1", "0", "h", "t:"}} << false;
        QTest::newRow("incr script as EVAL") << std::vector<Args>{{"EVAL", s::get(s::Incr).text, "1", "k", "1", "0", "h", "t:"}} << false;
        QTest::newRow("rate limit script") << std::vector<Args>{{"EVALSHA", s::get(s::RateLimit).sha, "1", "r", "1000", "fixed"}} << false;
        QTest::newRow("an unknown script") << std::vector<Args>{{"EVALSHA", "0123456789abcdef0123456789abcdef01234567", "1", "k"}} << false;
        QTest::newRow("lock: SET NX") << std::vector<Args>{{"SET", "l", "tok", "NX", "PX", "5000"}} << false;
        QTest::newRow("plain SET") << std::vector<Args>{{"SET", "k", "v", "PX", "5000"}} << true;
        QTest::newRow("INCR") << std::vector<Args>{{"INCR", "k"}} << false;
        QTest::newRow("one counter spoils the batch") << std::vector<Args>{{"GET", "a"}, {"INCRBY", "b", "2"}} << false;
        QTest::newRow("reads and deletes") << std::vector<Args>{{"GET", "a"}, {"EXISTS", "b"}, {"UNLINK", "c"}} << true;
    }

    void onlyCommandsThatMayRunTwiceAreSentAgain()
    {
        QFETCH(std::vector<provider::Args>, commands);
        QFETCH(bool, mayRunTwice);
        QCOMPARE(provider::mayRunTwice(commands), mayRunTwice);
    }

    void sentinelsWithPasswords_data()
    {
        QTest::addColumn<QString>("masterPassword");
        QTest::addColumn<QString>("sentinelPassword");
        QTest::addColumn<QString>("urlPassword");
        QTest::addColumn<QString>("optionPassword"); // RedisProviderOptions::sentinelPassword
        QTest::addColumn<QString>("query");          // appended to the URL
        QTest::addColumn<QString>("failure");        // empty: works
        const auto row = [](const char* name, const char* master, const char* sentinel, const char* url,
                            const char* option, const char* failure, const char* query = "") {
            QTest::newRow(name) << QString::fromLatin1(master) << QString::fromLatin1(sentinel)
                                << QString::fromLatin1(url) << QString::fromLatin1(option) << QString::fromLatin1(query)
                                << QString::fromLatin1(failure);
        };
        row("master only", "m1", "", "m1", "", "");
        row("sentinels share the master's password", "m1", "m1", "m1", "", "");
        row("sentinels have their own", "m1", "s1", "m1", "s1", "");
        row("sentinel password in the URL", "m1", "s1", "m1", "", "", "?sentinel_password=s1");
        row("the option wins over the URL", "m1", "s1", "m1", "s1", "", "?sentinel_password=nope");
        row("sentinel password missing", "m1", "s1", "m1", "", "requires a password");
        row("wrong sentinel password", "m1", "s1", "m1", "nope", "refused the sentinel password");
        row("wrong master password", "m1", "", "bad", "", "WRONGPASS");
    }
    void sentinelsWithPasswords()
    {
        QFETCH(QString, masterPassword);
        QFETCH(QString, sentinelPassword);
        QFETCH(QString, urlPassword);
        QFETCH(QString, optionPassword);
        QFETCH(QString, query);
        QFETCH(QString, failure);
        test::RedisServer master(test::RedisServer::Options::requiringPassword(masterPassword));
        QVERIFY2(master.start(), qPrintable(master.errorString()));
        // One sentinel is enough to name the master (no failover here: tst_provider_topology has a real one above).
        test::RedisServer::Options so;
        so.sentinelConfig = {QStringLiteral("sentinel monitor mymaster 127.0.0.1 %1 1").arg(master.port()),
                             QStringLiteral("sentinel auth-pass mymaster ") + masterPassword};
        if (!sentinelPassword.isEmpty()) so.sentinelConfig << QStringLiteral("requirepass ") + sentinelPassword;
        test::RedisServer sentinel(so);
        QVERIFY2(sentinel.start(), qPrintable(sentinel.errorString()));
        RedisProviderOptions o;
        o.timeout = 2000ms;
        o.sentinelPassword = optionPassword.toStdString();
        const QString url = QStringLiteral("redis-sentinel://:%1@127.0.0.1:%2/mymaster").arg(urlPassword).arg(sentinel.port()) + query;
        auto c = makeCache(url.toStdString(), o);
        const Status st = c->set("k", "behind sentinel");
        QCOMPARE(st.ok(), failure.isEmpty());
        const QStringList auth{QStringLiteral("-a"), masterPassword, QStringLiteral("--no-auth-warning")};
        if (failure.isEmpty()) {
            QCOMPARE(str(c->get("k")), "behind sentinel"s);
            QCOMPARE(master.cli(auth + QStringList{QStringLiteral("EXISTS"), QStringLiteral("app:k")}), QByteArray("1"));
        } else {
            QVERIFY2(QString::fromStdString(st.error().message).contains(failure), st.error().message.c_str());
            QCOMPARE(master.cli(auth + QStringList{QStringLiteral("DBSIZE")}), QByteArray("0"));
        }
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
