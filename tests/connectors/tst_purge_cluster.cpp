// Invalidation on a real 3-master Redis Cluster (one cluster for the whole file: starting one takes seconds):
//  - pattern purge: every master is scanned and purged (in parallel), keys of different slots are never sent in one
//    UNLINK (CROSSSLOT), and the counts are exact against the summed DBSIZE;
//  - purge with a snapshot: every master's keys go into the one file and Restore routes each back to its slot's
//    master;
//  - tags written by the CacheLens engine over the cluster (per-slot tag sets, TagKeys.h): listed with their sizes
//    summed over the slots, previewed, counted by a dry run and invalidated on every master, with the bus message
//    reaching a running application's L1.
#include "IsolatedEnvironment.h"   // the audit log and snapshots go to a temporary home

#include "connectors/RedisSource.h"
#include "connectors/audit/AuditStore.h"
#include "connectors/provider/RedisProvider.h"
#include "connectors/provider/TagKeys.h"
#include "connectors/invalidate/SnapshotFile.h"
#include "connectors/redis/ClusterClient.h"

#include <cachelens/cache.h>

#include "RedisCluster.h"
#include "SourceOnWorker.h"
#include "tst_provider_helpers.h"

#include <QTemporaryDir>
#include <QTest>

using namespace cachelens;
using cachelens::test::RedisCluster;
using cachelens::test::SourceOnWorker;
using namespace std::chrono_literals;

class TestPurgeCluster : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisCluster> m_cluster;
    QTemporaryDir m_dir;

    qint64 nodeSize(int i) { return m_cluster->node(i).cli({QStringLiteral("DBSIZE")}).toLongLong(); }
    qint64 totalSize()
    {
        qint64 total = 0;
        for (int i = 0; i < m_cluster->size(); ++i)
            total += nodeSize(i);
        return total;
    }
    void fill(int users, int others)
    {
        redis::ClusterClient client(*ConnectionUrl::parse(m_cluster->seedUrl()).url, {});
        client.open();
        QVERIFY(QTest::qWaitFor([&] { return client.state() == ConnectionState::Ready; }, 10000));
        QObject context;
        int left = users + others;
        for (int i = 0; i < users + others; ++i) {
            const QByteArray key = (i < users ? QByteArray("user:") : QByteArray("other:")) + QByteArray::number(i);
            client.command({"SET", key, "v"}, &context, [&left](const redis::RedisReply&) { --left; });
        }
        QVERIFY(QTest::qWaitFor([&] { return left == 0; }, 30000));
    }

    QString auditPath() const { return m_dir.filePath(QStringLiteral("audit.db")); }
    std::unique_ptr<SourceOnWorker> source()
    {
        return test::openRedisSource(m_cluster->seedUrl(), QStringLiteral("cluster"),
                                     GuardPolicy{QStringLiteral("cluster"), false, false, auditPath()});
    }
    InvalidationReport invalidation(SourceOnWorker& s, quint64 id) { return s.waitForInvalidation(id, 30000); }
    // The CacheLens engine over the cluster, as a running application would use it (L1 and the bus on).
    std::unique_ptr<engine::Cache> clusterCache(const std::string& instance)
    {
        provider::RedisProviderOptions o;
        o.l1 = true;
        o.instanceId = instance;
        return test::makeCache(m_cluster->seedUrl().toStdString(), o, "shop:");
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<InvalidationReport>();
        qRegisterMetaType<RestoreReport>();
        qRegisterMetaType<TagList>();
        m_cluster = std::make_unique<RedisCluster>(3);
        QVERIFY2(m_cluster->start(), qPrintable(m_cluster->errorString()));
    }
    void init()
    {
        for (int i = 0; i < m_cluster->size(); ++i)
            m_cluster->node(i).cli({QStringLiteral("FLUSHALL")});
    }
    void cleanupTestCase() { m_cluster.reset(); }

    void clusterPurgeDeletesMatchesOnEveryMaster()
    {
        fill(6000, 1500);
        for (int i = 0; i < m_cluster->size(); ++i)
            QVERIFY2(nodeSize(i) > 1000, "every master holds keys");
        auto s = source();
        QCOMPARE(s->lastState(), ConnectionState::Ready);

        InvalidateOptions dry;
        dry.dryRun = true;
        s->call([dry](Source* source) { source->invalidatePattern(1, "user:*", dry); });
        QTRY_COMPARE_WITH_TIMEOUT(s->record().invalidations.size(), 1, 30000);
        InvalidationReport r = s->record().invalidations.constFirst();
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.matched, 6000u);
        QCOMPARE(r.keyspace, 7500u);

        InvalidateOptions real = dry;
        real.dryRun = false;
        s->call([real](Source* source) { source->invalidatePattern(2, "user:*", real); });
        QTRY_COMPARE_WITH_TIMEOUT(s->record().invalidations.size(), 2, 30000);
        r = s->record().invalidations.constLast();
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.matched, 6000u);
        QCOMPARE(r.deleted, 6000u);
        QCOMPARE(totalSize(), 1500);
        for (int i = 0; i < m_cluster->size(); ++i)
            QVERIFY(nodeSize(i) > 0);   // the others stay, on every node
        AuditStore store;
        QVERIFY(store.open(auditPath()));
        QCOMPARE(store.entries().first().outcome, QStringLiteral("completed"));
    }

    void clusterPurgeWithSnapshotRestoresEveryMastersKeys()
    {
        fill(3000, 500);
        auto s = source();
        InvalidateOptions o;
        o.snapshot = true;
        o.snapshotDirectory = m_dir.filePath(QStringLiteral("snapshots"));
        s->call([o](Source* source) { source->invalidatePattern(1, "user:*", o); });
        const InvalidationReport r = invalidation(*s, 1);
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.deleted, 3000u);
        QCOMPARE(r.snapshotKeys, 3000u);
        QCOMPARE(totalSize(), 500);
        SnapshotInfo info;
        {
            SnapshotFile f;
            QVERIFY2(f.open(r.snapshotPath, true), qPrintable(f.errorString()));
            info = f.info();
        }
        QVERIFY2(info.server.startsWith(QStringLiteral("cluster: ")), qPrintable(info.server));
        QCOMPARE(info.server.count(QLatin1Char(',')), 2);   // three masters

        m_cluster->cli({QStringLiteral("SET"), QStringLiteral("user:7"), QStringLiteral("fresh")});
        RestoreOptions ro;
        s->call([path = r.snapshotPath, ro](Source* source) { source->restoreSnapshot(2, path, ro); });
        const RestoreReport back = s->waitForRestore(2, 30000);
        QVERIFY2(!back.error.isError(), qPrintable(back.error.message));
        QCOMPARE(back.restored, 2999u);
        QCOMPARE(back.skippedExisting, 1u);
        QCOMPARE(totalSize(), 3500);
        for (int i = 0; i < m_cluster->size(); ++i)
            QVERIFY(nodeSize(i) > 500);   // each key went back to its own slot's master
        QCOMPARE(m_cluster->cli({QStringLiteral("GET"), QStringLiteral("user:7")}), QByteArray("fresh"));
        QCOMPARE(m_cluster->cli({QStringLiteral("GET"), QStringLiteral("user:8")}), QByteArray("v"));
    }

    void clusterTagsAreListedPreviewedAndInvalidatedOnEveryMaster()
    {
        auto app = clusterCache("shop-1");
        auto& provider = dynamic_cast<provider::RedisProvider&>(engine::CacheInternals::provider(*app));
        QVERIFY(provider.waitForBus(5s));
        engine::SetOptions red, blue, both;
        red.tags = {"red"};
        blue.tags = {"blue"};
        both.tags = {"red", "blue"};
        for (int i = 0; i < 300; ++i)
            QVERIFY(app->set("red:" + std::to_string(i), "v", red).ok());
        for (int i = 0; i < 200; ++i)
            QVERIFY(app->set("blue:" + std::to_string(i), "v", blue).ok());
        for (int i = 0; i < 50; ++i)
            QVERIFY(app->set("both:" + std::to_string(i), "v", both).ok());
        for (int i = 0; i < 40; ++i)
            QVERIFY(app->set("plain:" + std::to_string(i), "v").ok());
        // The application reads some keys, so they sit in its L1 too.
        engine::Store* l1 = provider.l1();
        QTRY_VERIFY_WITH_TIMEOUT(app->get("red:1") && l1->exists("shop:red:1") && app->get("both:2")
                                     && l1->exists("shop:both:2") && app->get("plain:3"), 5000);
        // The tag sets really are per slot, on every master.
        for (int i = 0; i < m_cluster->size(); ++i)
            QVERIFY(!m_cluster->node(i).cli({QStringLiteral("--scan"), QStringLiteral("--pattern"),
                                             QStringLiteral("shop:tag:{*}red")}).isEmpty());

        auto s = source();
        s->call([](Source* source) { source->listTags(1, "shop:"); });
        QTRY_VERIFY_WITH_TIMEOUT(!s->record().tagLists.isEmpty(), 30000);
        const TagList list = s->record().tagLists.first();
        QVERIFY2(!list.error.isError(), qPrintable(list.error.message));
        QCOMPARE(list.tags.size(), 2);   // one row per tag, its slots' sets summed
        QCOMPARE(list.tags.at(0).name, QByteArray("blue"));
        QCOMPARE(list.tags.at(0).members, 250);
        QCOMPARE(list.tags.at(1).name, QByteArray("red"));
        QCOMPARE(list.tags.at(1).members, 350);

        s->call([](Source* source) { source->tagMembers(2, "shop:", "red", 400); });
        QTRY_VERIFY_WITH_TIMEOUT(!s->record().tagMembers.isEmpty(), 30000);
        const TagMembers members = s->record().tagMembers.first();
        QVERIFY2(!members.error.isError(), qPrintable(members.error.message));
        QCOMPARE(members.total, 350);
        QCOMPARE(members.members.size(), 350);
        QVERIFY(members.members.contains("shop:red:299") && members.members.contains("shop:both:49"));

        InvalidateOptions o;
        o.dryRun = true;
        s->call([o](Source* source) { source->invalidateTags(3, "shop:", {"red", "blue"}, o); });
        const InvalidationReport dry = invalidation(*s, 3);
        QVERIFY2(!dry.error.isError(), qPrintable(dry.error.message));
        QCOMPARE(dry.matched, 550u);   // what the invalidation deletes: each key once, the 50 carrying both included
        QCOMPARE(dry.sample.size(), 20);
        const qint64 before = totalSize();
        QCOMPARE(qint64(dry.keyspace), before);

        const auto received = provider.providerStats().busReceived;
        o.dryRun = false;
        s->call([o](Source* source) { source->invalidateTags(4, "shop:", {"red", "blue"}, o); });
        const InvalidationReport r = invalidation(*s, 4);
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.matched, 600u);
        QCOMPARE(r.deleted, 550u);   // each key once; the 50 carrying both tags included
        QVERIFY(!app->get("red:5"));
        QVERIFY(app->get("plain:3"));
        QCOMPARE(m_cluster->cli({QStringLiteral("EXISTS"), QStringLiteral("shop:red:1")}), QByteArray("0"));
        // The 550 values and every non-empty per-slot set are gone; the plain keys and the slot indexes stay.
        QVERIFY(totalSize() <= before - 550);
        for (int i = 0; i < m_cluster->size(); ++i)
            QVERIFY(m_cluster->node(i).cli({QStringLiteral("--scan"), QStringLiteral("--pattern"),
                                            QStringLiteral("shop:tag:*")}).isEmpty());
        // The running application's L1 dropped them when the bus message came.
        QTRY_VERIFY_WITH_TIMEOUT(!l1->exists("shop:red:1") && !l1->exists("shop:both:2"), 5000);
        // One message per tag: the first one ("red") already drops both keys, so the second may still be on its way.
        QTRY_VERIFY_WITH_TIMEOUT(provider.providerStats().busReceived >= received + 2, 5000);
        AuditStore store;
        QVERIFY(store.open(auditPath()));
        QCOMPARE(store.entries().first().deleted, 550);
        QCOMPARE(store.entries().first().outcome, QStringLiteral("completed"));
    }

    void clusterRefusesTagsUnderAPrefixWithAnUnmatchedBrace()
    {
        auto s = source();
        s->call([](Source* source) { source->listTags(1, "app{:"); });
        QTRY_VERIFY_WITH_TIMEOUT(!s->record().tagLists.isEmpty(), 10000);
        QVERIFY(s->record().tagLists.first().error.message.contains(QStringLiteral("unmatched '{'")));
        InvalidateOptions o;
        s->call([o](Source* source) { source->invalidateTags(2, "app{:", {"red"}, o); });
        QCOMPARE(invalidation(*s, 2).error.kind, SourceError::Kind::InvalidArgument);
    }
};

QTEST_GUILESS_MAIN(TestPurgeCluster)
#include "tst_purge_cluster.moc"
