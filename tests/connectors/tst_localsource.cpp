#include "IsolatedEnvironment.h"

#include "connectors/DemoWorkload.h"
#include "connectors/LocalSource.h"

#include <cachelens/cache.h>

#include <QSignalSpy>
#include <QTest>

using namespace cachelens;

namespace {
std::shared_ptr<engine::Cache> makeCache()
{
    engine::CacheOptions o;
    o.maxEntries = 100000;
    return std::make_shared<engine::Cache>(o);
}
QList<QByteArray> keysOf(const QSignalSpy& spy)
{
    QList<QByteArray> out;
    for (const auto& args : spy)
        for (const KeyEntry& e : args.first().value<KeyBatch>().keys)
            out << e.key;
    return out;
}
} // namespace

class LocalSourceTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void isReadyAtOnceAndSamplesTheEngineCounters()
    {
        auto cache = makeCache();
        LocalSource source(cache);
        QSignalSpy states(&source, &Source::stateChanged);
        source.open();
        QCOMPARE(states.count(), 1);
        QCOMPARE(states.first().first().value<ConnectionState>(), ConnectionState::Ready);
        cache->set("a", "1");
        cache->set("b", "22");
        (void)cache->get("a");
        (void)cache->get("a");
        (void)cache->get("missing");
        QVERIFY(cache->del("b"));
        QSignalSpy samples(&source, &Source::statsSample);
        source.sample();
        QCOMPARE(samples.count(), 1);
        const auto s = samples.first().first().value<StatsSample>();
        QCOMPARE(s.hits, 2);
        QCOMPARE(s.misses, 1);
        QCOMPARE(s.sets, 2);
        QCOMPARE(s.deletes, 1);
        QCOMPARE(s.keys, 1);
        QVERIFY(s.memoryBytes > 0);
        QCOMPARE(s.sourceId, QStringLiteral("local"));
        QCOMPARE(s.runId.size(), 32);   // identifies this engine instance: a new one is a restart
        QVERIFY(s.uptimeSeconds >= 0);
        QVERIFY(LocalSource(cache).runId() != source.runId());
        QVERIFY(s.time.isValid());
    }

    void scanDeliversEveryMatchingKeyExactlyInBatches_data()
    {
        QTest::addColumn<QByteArray>("glob");
        QTest::addColumn<int>("expected");
        QTest::addRow("all") << QByteArray("*") << 25000;
        QTest::addRow("one namespace") << QByteArray("user:*") << 20000;
        QTest::addRow("nothing") << QByteArray("nope:*") << 0;
        QTest::addRow("binary key") << QByteArray("bin:\\x00*") << 0;
    }

    void scanDeliversEveryMatchingKeyExactlyInBatches()
    {
        QFETCH(QByteArray, glob);
        QFETCH(int, expected);
        auto cache = makeCache();
        for (int i = 0; i < 20000; ++i)
            cache->set("user:" + std::to_string(i), "v");
        for (int i = 0; i < 5000; ++i)
            cache->set("order:" + std::to_string(i), "v");
        LocalSource source(cache);
        QSignalSpy batches(&source, &Source::keysFound);
        QSignalSpy finished(&source, &Source::scanFinished);
        source.scan(7, glob, 500);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 20000);
        const auto summary = finished.first().first().value<ScanSummary>();
        QCOMPARE(summary.requestId, quint64(7));
        QCOMPARE(int(summary.total), expected);
        QVERIFY(!summary.cancelled);
        const auto keys = keysOf(batches);
        QCOMPARE(int(keys.size()), expected);
        QCOMPARE(int(QSet<QByteArray>(keys.begin(), keys.end()).size()), expected);
        for (const auto& args : batches)
            QCOMPARE(args.first().value<KeyBatch>().requestId, quint64(7));
    }

    void binaryKeysSurviveTheScan()
    {
        auto cache = makeCache();
        const std::string key("bin:\0\xff\n", 7);
        cache->set(key, "x");
        LocalSource source(cache);
        QSignalSpy batches(&source, &Source::keysFound);
        QSignalSpy finished(&source, &Source::scanFinished);
        source.scan(1, "bin:*", 100);
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(keysOf(batches), QList<QByteArray>{QByteArray(key.data(), qsizetype(key.size()))});
    }

    void cancelStopsTheScanAndSaysHowFarItGot()
    {
        auto cache = makeCache();
        for (int i = 0; i < 100000; ++i)
            cache->set("k:" + std::to_string(i), "v");
        LocalSource source(cache);
        QSignalSpy batches(&source, &Source::keysFound);
        QSignalSpy finished(&source, &Source::scanFinished);
        source.scan(3, "*", 10);
        source.cancel(3);
        QCOMPARE(finished.count(), 1);
        const auto summary = finished.first().first().value<ScanSummary>();
        QVERIFY(summary.cancelled);
        QCOMPARE(int(summary.total), int(keysOf(batches).size()));
        QVERIFY(summary.total < 100000);
        QTest::qWait(50);   // no slice may run after a cancel: nothing more arrives
        QCOMPARE(finished.count(), 1);
    }

    void lookingAtKeysCountsNoLookup()
    {
        // The Keys panel's reads (details, values, element counts) are peeks: the engine's hit rate is its users'.
        auto cache = makeCache();
        cache->set("a", std::string(100, 'x'));
        LocalSource source(cache);
        source.open();
        QSignalSpy pages(&source, &Source::valueReady);
        source.keyDetails(1, {"a", "ghost"});
        source.fetchValue(2, "a", {}, 10);
        source.fetchValue(3, "ghost", {}, 10);
        source.keyStats(4, {"a", "ghost"}, true, true);
        QCOMPARE(pages.size(), 2);
        QCOMPARE(pages.first().first().value<ValuePage>().bytes, QByteArray(10, 'x'));
        QSignalSpy samples(&source, &Source::statsSample);
        source.sample();
        const auto s = samples.first().first().value<StatsSample>();
        QCOMPARE(s.hits, 0);
        QCOMPARE(s.misses, 0);
        QCOMPARE(s.ownHits, 0);   // and it says so: nothing of CacheLens's is in the figures
        QCOMPARE(s.ownMisses, 0);
    }

    void ttlEditsAndRemovalReportWhatChanged()
    {
        auto cache = makeCache();
        cache->set("a", "1");
        cache->set("b", "2");
        LocalSource source(cache);
        QSignalSpy changed(&source, &Source::keysChanged);
        source.setTtl(1, {"a", "b", "ghost"}, 60000);
        QCOMPARE(changed.last().first().value<KeyOpResult>().affected, quint64(2));
        QVERIFY(cache->pttl("a") > 50000);
        QSignalSpy details(&source, &Source::keyDetailsReady);
        source.keyDetails(2, {"a", "ghost"});
        const auto batch = details.first().first().value<KeyBatch>();
        QVERIFY(batch.keys.at(0).ttlMs > 50000);
        QCOMPARE(batch.keys.at(0).type, KeyType::String);
        QCOMPARE(batch.keys.at(1).type, KeyType::None);
        source.setTtl(3, {"a"}, -1);
        QCOMPARE(cache->pttl("a"), -1);
        source.remove(4, {"a", "b", "ghost"});
        const auto removed = changed.last().first().value<KeyOpResult>();
        QCOMPARE(removed.requested, quint64(3));
        QCOMPARE(removed.affected, quint64(2));
        QVERIFY(!cache->exists("a"));
    }

    void valuesArePagedByteExactly()
    {
        auto cache = makeCache();
        std::string big(300000, 'x');
        big[0] = '\0';
        big[299999] = '\xff';
        cache->set("big", big);
        LocalSource source(cache);
        QSignalSpy pages(&source, &Source::valueReady);
        QByteArray all;
        QByteArray cursor;
        do {
            source.fetchValue(5, "big", cursor, 65536);
            const auto page = pages.last().first().value<ValuePage>();
            QVERIFY(!page.error.isError());
            QCOMPARE(page.total, std::int64_t(big.size()));
            QCOMPARE(page.offset, std::int64_t(all.size()));
            all += page.bytes;
            cursor = page.nextCursor;
        } while (!cursor.isEmpty());
        QCOMPARE(all, QByteArray(big.data(), qsizetype(big.size())));
        source.fetchValue(6, "gone", {}, 10);
        QVERIFY(pages.last().first().value<ValuePage>().error.isError());
    }

    void demoWorkloadMakesTrafficInEveryNamespace()
    {
        auto cache = makeCache();
        QVERIFY(DemoWorkload::populate(*cache) > 100);
        DemoWorkload demo(cache, DemoWorkload::Options{20000, 2, 7});
        demo.start();
        QTRY_VERIFY_WITH_TIMEOUT(demo.operations() > 2000, 20000);
        demo.stop();
        QVERIFY(!demo.running());
        const auto stats = cache->stats();
        QVERIFY(stats.at(engine::Counter::Hits) > 0);
        QVERIFY(stats.at(engine::Counter::Misses) > 0);
        for (const char* ns : {"character:published:*", "room_messages:*", "discord:guildMember:*", "discord:guild:*"}) {
            const auto page = cache->scan(0, ns, 100000);
            QVERIFY2(!page.keys.empty() || page.cursor != 0, ns);
        }
    }
};

QTEST_GUILESS_MAIN(LocalSourceTest)
#include "tst_localsource.moc"
