// Pattern purge on a real 3-master Redis Cluster: every master is scanned and purged (in parallel), keys of
// different slots are never sent in one UNLINK (CROSSSLOT), and the counts are exact against the summed DBSIZE.
#include "connectors/RedisSource.h"
#include "connectors/audit/AuditStore.h"
#include "connectors/redis/ClusterClient.h"

#include "RedisCluster.h"
#include "SourceOnWorker.h"

#include <QTemporaryDir>
#include <QTest>

using namespace cachelens;
using cachelens::test::RedisCluster;
using cachelens::test::SourceOnWorker;

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

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<InvalidationReport>();
        m_cluster = std::make_unique<RedisCluster>(3);
        QVERIFY2(m_cluster->start(), qPrintable(m_cluster->errorString()));
    }
    void cleanupTestCase() { m_cluster.reset(); }

    void clusterPurgeDeletesMatchesOnEveryMaster()
    {
        fill(6000, 1500);
        for (int i = 0; i < m_cluster->size(); ++i)
            QVERIFY2(nodeSize(i) > 1000, "every master holds keys");
        RedisSource::Options options;
        auto s = std::make_unique<SourceOnWorker>(new RedisSource(QStringLiteral("c"), QStringLiteral("cluster"),
                                                                  *ConnectionUrl::parse(m_cluster->seedUrl()).url, options));
        s->call([](Source* source) { source->open(); });
        QTRY_COMPARE_WITH_TIMEOUT(s->lastState(), ConnectionState::Ready, 15000);

        InvalidateOptions dry;
        dry.dryRun = true;
        dry.auditPath = m_dir.filePath(QStringLiteral("audit.db"));
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
        QVERIFY(store.open(real.auditPath));
        QCOMPARE(store.entries().first().outcome, QStringLiteral("completed"));
    }
};

QTEST_GUILESS_MAIN(TestPurgeCluster)
#include "tst_purge_cluster.moc"
