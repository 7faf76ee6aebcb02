// Redis Cluster support against a real 3-master cluster made by the fixture with `redis-cli --cluster create`:
// slot hashing, routing, MOVED and ASK, multi-key splitting, RedisSource over every master, a node going down.
#include "connectors/RedisSource.h"
#include "connectors/redis/ClusterClient.h"
#include "connectors/redis/ClusterSlots.h"

#include "RedisCluster.h"
#include "SourceOnWorker.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace cachelens;
using namespace cachelens::redis;
using cachelens::test::RedisCluster;
using cachelens::test::SourceOnWorker;

namespace {

ConnectionUrl parseUrl(const QString& text) { return *ConnectionUrl::parse(text).url; }

RedisReply call(CommandSink& sink, const QList<QByteArray>& args)
{
    QObject context;
    std::optional<RedisReply> reply;
    sink.command(args, &context, [&](const RedisReply& r) { reply = r; });
    (void)QTest::qWaitFor([&] { return reply.has_value(); }, 10000);
    return reply.value_or(RedisReply::error(RedisError::client(RedisError::Kind::Timeout, QStringLiteral("test wait"))));
}

} // namespace

class TestRedisCluster : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisCluster> m_cluster;

    std::unique_ptr<ClusterClient> openCluster()
    {
        RedisClient::Options options;
        options.reconnectInitialMs = 50;
        options.reconnectMaxMs = 200;
        auto client = std::make_unique<ClusterClient>(parseUrl(m_cluster->seedUrl()), options);
        client->open();
        if (!QTest::qWaitFor([&] { return client->state() == ConnectionState::Ready; }, 10000))
            qWarning("cluster client: %s", qPrintable(client->stateDetail()));
        return client;
    }
    int nodeIndexOf(RedisClient* client)
    {
        for (int i = 0; i < m_cluster->size(); ++i)
            if (client->endpoint().port == m_cluster->node(i).port())
                return i;
        return -1;
    }
    QByteArray nodeId(int i) { return m_cluster->node(i).cli({QStringLiteral("CLUSTER"), QStringLiteral("MYID")}); }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<ConnectionState>();
        qRegisterMetaType<KeyBatch>();
        qRegisterMetaType<ScanSummary>();
        qRegisterMetaType<StatsSample>();
        qRegisterMetaType<KeyOpResult>();
        m_cluster = std::make_unique<RedisCluster>(3);
        QVERIFY2(m_cluster->start(), qPrintable(m_cluster->errorString()));
    }
    void cleanupTestCase() { m_cluster.reset(); }

    void keySlotIsCrc16OfTheKeyOrItsHashTag_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("sameSlotAs");
        QTest::addRow("plain") << QByteArray("foo") << QByteArray("foo");
        QTest::addRow("hash tag") << QByteArray("{user1000}.following") << QByteArray("user1000");
        QTest::addRow("empty tag hashes the whole key") << QByteArray("foo{}{bar}") << QByteArray("foo{}{bar}");
        QTest::addRow("first tag only") << QByteArray("foo{{bar}}zap") << QByteArray("{bar");
        QTest::addRow("NUL and invalid UTF-8") << QByteArray("a\0\xff", 3) << QByteArray("a\0\xff", 3);
    }
    void keySlotIsCrc16OfTheKeyOrItsHashTag()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, sameSlotAs);
        QCOMPARE(keySlot(key), keySlot(sameSlotAs));
        // The server is the reference (CLUSTER KEYSLOT); asked through our client so binary keys survive.
        auto client = openCluster();
        QCOMPARE(call(*client, {"CLUSTER", "KEYSLOT", key}).toInteger(), keySlot(key));
        QCOMPARE(crc16("123456789", 9), quint16(0x31C3));   // CRC16/XMODEM check value
        QCOMPARE(keySlot("foo"), 12182);
    }

    void keysAreRoutedToTheirMasters()
    {
        auto client = openCluster();
        QCOMPARE(client->state(), ConnectionState::Ready);
        QCOMPARE(client->masters().size(), 3);
        QObject context;
        int done = 0;
        for (int i = 0; i < 300; ++i)
            client->command({"SET", "route:" + QByteArray::number(i), QByteArray::number(i)}, &context, [&](const RedisReply& r) {
                QVERIFY2(!r.isError(), qPrintable(r.error().message));
                ++done;
            });
        QTRY_COMPARE(done, 300);
        QCOMPARE(call(*client, {"GET", "route:123"}).bytes(), QByteArray("123"));
        qint64 total = 0;
        for (int i = 0; i < 3; ++i) {
            const qint64 n = m_cluster->node(i).cli({QStringLiteral("DBSIZE")}).toLongLong();
            QVERIFY2(n > 50, "every master holds a share");
            total += n;
        }
        QCOMPARE(total, 300);
        // Multi-key commands are split per key: one UNLINK over three masters would be refused with CROSSSLOT.
        QList<QByteArray> unlink{"UNLINK"};
        for (int i = 0; i < 100; ++i)
            unlink << "route:" + QByteArray::number(i);
        unlink << "route:missing";
        QCOMPARE(call(*client, unlink).toInteger(), 100);
        QCOMPARE(call(*client, {"EXISTS", "route:150", "route:5", "route:299"}).toInteger(), 2);
    }

    void movedIsFollowedAndTheSlotMapUpdated()
    {
        auto client = openCluster();
        const QByteArray key = "{moved}k";
        const int slot = keySlot(key);
        const int from = nodeIndexOf(client->nodeForSlot(slot));
        const int to = (from + 1) % 3;
        QVERIFY(from >= 0);
        QCOMPARE(m_cluster->node(from).cli({QStringLiteral("CLUSTER"), QStringLiteral("COUNTKEYSINSLOT"), QString::number(slot)}),
                 QByteArray("0"));
        // Hand the (empty) slot to another master behind the client's back: its map is now stale.
        const QByteArray target = nodeId(to);
        for (int i = 0; i < 3; ++i)
            m_cluster->node(i).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), QString::number(slot),
                                    QStringLiteral("NODE"), QString::fromLatin1(target)});
        const RedisReply reply = call(*client, {"SET", key, "v"});
        QVERIFY2(!reply.isError(), qPrintable(reply.error().message));
        QCOMPARE(m_cluster->node(to).cli({QStringLiteral("CLUSTER"), QStringLiteral("COUNTKEYSINSLOT"), QString::number(slot)}),
                 QByteArray("1"));
        QTRY_COMPARE(nodeIndexOf(client->nodeForSlot(slot)), to);
    }

    void askIsFollowedWithAsking()
    {
        auto client = openCluster();
        const QByteArray key = "{asked}k";
        const int slot = keySlot(key);
        const int from = nodeIndexOf(client->nodeForSlot(slot));
        const int to = (from + 1) % 3;
        // Slot being migrated from `from` to `to`: a key missing on `from` is answered with ASK.
        m_cluster->node(to).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), QString::number(slot),
                                 QStringLiteral("IMPORTING"), QString::fromLatin1(nodeId(from))});
        m_cluster->node(from).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), QString::number(slot),
                                   QStringLiteral("MIGRATING"), QString::fromLatin1(nodeId(to))});
        const RedisReply reply = call(*client, {"SET", key, "asked"});
        QVERIFY2(!reply.isError(), qPrintable(reply.error().message));
        QCOMPARE(m_cluster->node(to).cli({QStringLiteral("CLUSTER"), QStringLiteral("COUNTKEYSINSLOT"), QString::number(slot)}),
                 QByteArray("1"));
        QCOMPARE(nodeIndexOf(client->nodeForSlot(slot)), from);   // ASK does not change the map
        for (int i = 0; i < 3; ++i)
            m_cluster->node(i).cli({QStringLiteral("CLUSTER"), QStringLiteral("SETSLOT"), QString::number(slot),
                                    QStringLiteral("NODE"), QString::fromLatin1(nodeId(to))});
    }

    void sourceScansEveryMasterAndSumsInfo()
    {
        auto client = openCluster();
        call(*client, {"FLUSHALL"});
        for (int i = 0; i < 3; ++i)
            m_cluster->node(i).cli({QStringLiteral("FLUSHALL")});
        QObject context;
        int done = 0;
        for (int i = 0; i < 3000; ++i)
            client->command({"SET", "src:" + QByteArray::number(i), "v"}, &context, [&](const RedisReply&) { ++done; });
        QTRY_COMPARE(done, 3000);

        SourceOnWorker s(new RedisSource(QStringLiteral("cluster"), QStringLiteral("cluster"), parseUrl(m_cluster->seedUrl())));
        s.call([](Source* source) { source->open(); });
        QTRY_COMPARE(s.lastState(), ConnectionState::Ready);
        const QString detail = s.record().states.last().second;
        QVERIFY2(detail.contains(QLatin1String("cluster of 3")), qPrintable(detail));

        s.call([](Source* source) { source->sample(); });
        QTRY_COMPARE(s.record().samples.size(), 1);
        QCOMPARE(s.record().samples.first().keys, 3000);
        // Per node and in total: three masters, each holding its share, adding up to the total.
        const auto nodes = s.record().samples.first().nodes;
        QCOMPARE(nodes.size(), 3);
        std::int64_t sum = 0;
        QSet<QString> names;
        for (const NodeStats& n : nodes) {
            QVERIFY2(n.keys > 0, qPrintable(n.node));
            sum += n.keys;
            names.insert(n.node);
        }
        QCOMPARE(sum, 3000);
        QCOMPARE(names.size(), 3);

        s.call([](Source* source) { source->scan(5, "src:*", 200); });
        QTRY_COMPARE_WITH_TIMEOUT(s.record().summaries.size(), 1, 20000);
        const auto record = s.record();
        const ScanSummary summary = record.summaries.first();
        QVERIFY2(!summary.error.isError(), qPrintable(summary.error.message));
        QCOMPARE(summary.total, quint64(3000));
        QSet<QByteArray> keys;
        for (const KeyBatch& batch : record.batches)
            for (const KeyEntry& e : batch.keys)
                keys.insert(e.key);
        QCOMPARE(keys.size(), 3000);
        QCOMPARE(record.batches.first().estimatedTotal, quint64(3000));   // every master's DBSIZE, from the first batch on
        QCOMPARE(record.batches.last().estimatedTotal, quint64(3000));

        QList<QByteArray> toRemove;
        for (int i = 0; i < 1000; ++i)
            toRemove << "src:" + QByteArray::number(i);
        s.call([toRemove](Source* source) { source->remove(6, toRemove); });
        QTRY_COMPARE(s.record().keyOps.size(), 1);
        const KeyOpResult result = s.record().keyOps.first();
        QVERIFY2(!result.error.isError(), qPrintable(result.error.message));
        QCOMPARE(result.affected, quint64(1000));
    }

    // Last: it kills a node.
    void aNodeGoingDownFailsOnlyItsSlotsFast()
    {
        auto client = openCluster();
        const int slotA = keySlot("down:a");
        RedisClient* owner = client->nodeForSlot(slotA);
        const int dead = nodeIndexOf(owner);
        QByteArray otherKey;
        for (int i = 0; otherKey.isEmpty(); ++i) {
            const QByteArray k = "down:" + QByteArray::number(i);
            if (client->nodeForSlot(keySlot(k)) != owner)
                otherKey = k;
        }
        SourceOnWorker source(new RedisSource(QStringLiteral("cluster"), QStringLiteral("cluster"), parseUrl(m_cluster->seedUrl())));
        source.call([](Source* s) { s->open(); });
        QTRY_COMPARE(source.lastState(), ConnectionState::Ready);
        QSignalSpy states(client.get(), &ClusterClient::stateChanged);
        m_cluster->node(dead).kill();
        QTRY_VERIFY(!states.isEmpty() && states.last().at(0).value<ConnectionState>() == ConnectionState::Reconnecting);
        QVERIFY2(client->stateDetail().contains(QLatin1String("1 of 3")), qPrintable(client->stateDetail()));
        // A key on the dead master fails at once with "not connected", not queued until its timeout.
        const RedisReply lost = call(*client, {"SET", "down:a", "1"});
        QCOMPARE(lost.error().kind, RedisError::Kind::Connection);
        QVERIFY2(lost.error().message.contains(QLatin1String("not connected")), qPrintable(lost.error().message));
        const RedisReply alive = call(*client, {"SET", otherKey, "1"});
        QVERIFY2(!alive.isError(), qPrintable(alive.error().message));

        // The dashboard keeps getting samples from the masters still up, and an error naming the missing one.
        QTRY_COMPARE(source.lastState(), ConnectionState::Reconnecting);
        source.call([](Source* s) { s->sample(); });
        QTRY_COMPARE(source.record().samples.size(), 1);
        const auto errors = source.record().errors;
        QCOMPARE(errors.size(), 1);
        QVERIFY2(errors.first().second.message.contains(QString::number(m_cluster->node(dead).port())),
                 qPrintable(errors.first().second.message));
        QVERIFY(source.record().samples.first().keys >= 1);
    }
};

QTEST_GUILESS_MAIN(TestRedisCluster)
#include "tst_rediscluster.moc"
