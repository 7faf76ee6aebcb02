// RedisSource on its own worker thread, driven the way the UI drives it: queued requests in, signals out
// (recorded by SourceOnWorker so ThreadSanitizer can follow the hand-offs).
#include "IsolatedEnvironment.h"

#include "connectors/RedisSource.h"

#include "RedisServer.h"
#include "SourceOnWorker.h"

#include <QSet>
#include <QTest>

#include <memory>

using namespace cachelens;
using cachelens::test::RedisServer;
using cachelens::test::SourceOnWorker;

namespace {

std::unique_ptr<SourceOnWorker> startSource(const QString& url, RedisSource::Options options = {})
{
    options.client.reconnectInitialMs = 50;
    options.client.reconnectMaxMs = 200;
    return std::make_unique<SourceOnWorker>(
        new RedisSource(QStringLiteral("test"), QStringLiteral("test source"), *ConnectionUrl::parse(url).url, options));
}

bool openSource(SourceOnWorker& s)
{
    s.call([](Source* source) { source->open(); });
    return QTest::qWaitFor([&] { return s.lastState() == ConnectionState::Ready; }, 10000);
}

void populate(RedisServer& server, int keys)
{
    server.cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QString::number(keys), QStringLiteral("key")});
}

} // namespace

class TestRedisSource : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        populate(*m_server, 50000);
    }
    void cleanupTestCase() { m_server.reset(); }

    void openReportsStatesAndSampleCarriesServerAndOwnFigures()
    {
        auto s = startSource(m_server->url());
        QVERIFY(openSource(*s));
        QCOMPARE(s->record().states.first().first, ConnectionState::Connecting);

        s->call([](Source* source) { source->sample(); });
        QTRY_COMPARE(s->record().samples.size(), 1);
        const StatsSample sample = s->record().samples.first();
        QCOMPARE(sample.sourceId, QStringLiteral("test"));
        QCOMPARE(sample.keys, 50000);
        QCOMPARE(sample.runId.size(), 40);
        QVERIFY(sample.memoryBytes > 0);
        QVERIFY(sample.clients >= 1);
        QVERIFY(sample.hits >= 0 && sample.misses >= 0 && sample.commands > 0);
        QVERIFY(sample.ownCommands >= 2);   // handshake + INFO
        QVERIFY(sample.ownBytesOut > 0 && sample.ownBytesIn > 0);
        QVERIFY(sample.time.isValid());
    }

    void scanStreamsBatchesAndReportsTheExactCount_data()
    {
        QTest::addColumn<QByteArray>("glob");
        QTest::addColumn<int>("expected");
        QTest::addRow("all") << QByteArray("*") << 50000;
        QTest::addRow("glob") << QByteArray("key:1*") << 11111;
        QTest::addRow("nothing matches") << QByteArray("nope:*") << 0;
    }
    void scanStreamsBatchesAndReportsTheExactCount()
    {
        QFETCH(QByteArray, glob);
        QFETCH(int, expected);
        auto s = startSource(m_server->url());
        QVERIFY(openSource(*s));
        QElapsedTimer clock;
        clock.start();
        s->call([glob](Source* source) { source->scan(7, glob, 1000); });
        QTRY_COMPARE_WITH_TIMEOUT(s->record().summaries.size(), 1, 30000);
        const qint64 ms = clock.elapsed();
        const auto record = s->record();
        const ScanSummary summary = record.summaries.first();
        QCOMPARE(summary.requestId, quint64(7));
        QCOMPARE(summary.total, quint64(expected));
        QVERIFY(!summary.cancelled);
        QVERIFY(!summary.error.isError());
        QSet<QByteArray> keys;
        quint64 last = 0;
        for (const KeyBatch& batch : record.batches) {
            QCOMPARE(batch.requestId, quint64(7));
            QVERIFY(!batch.keys.isEmpty());
            for (const KeyEntry& e : batch.keys)
                keys.insert(e.key);
            QVERIFY(batch.scannedSoFar > last);
            last = batch.scannedSoFar;
            QCOMPARE(batch.estimatedTotal, quint64(50000));
        }
        QCOMPARE(keys.size(), expected);
        QVERIFY2(record.batches.size() <= ms / 100 + 2,
                 qPrintable(QStringLiteral("%1 batches in %2 ms").arg(record.batches.size()).arg(ms)));
    }

    void cancelStopsTheScan()
    {
        auto s = startSource(m_server->url());
        QVERIFY(openSource(*s));
        s->call([](Source* source) {
            source->scan(3, "*", 10);
            source->cancel(3);
        });
        QTRY_COMPARE(s->record().summaries.size(), 1);
        const ScanSummary summary = s->record().summaries.first();
        QVERIFY(summary.cancelled);
        QVERIFY(summary.total < 50000);
    }

    void serverKilledMidScanGivesErrorAndPartialCount()
    {
        RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        populate(server, 100000);
        RedisSource::Options options;
        options.batchIntervalMs = 0;
        auto s = startSource(server.url(), options);
        QVERIFY(openSource(*s));
        s->call([](Source* source) { source->scan(9, "*", 50); });
        QTRY_VERIFY(!s->record().batches.isEmpty());
        server.kill();
        QTRY_COMPARE_WITH_TIMEOUT(s->record().summaries.size(), 1, 10000);
        const auto record = s->record();
        const ScanSummary summary = record.summaries.first();
        QCOMPARE(summary.error.kind, SourceError::Kind::Connection);
        QVERIFY2(summary.error.message.contains(QLatin1String("lost")), qPrintable(summary.error.message));
        quint64 delivered = 0;
        for (const KeyBatch& batch : record.batches)
            delivered += quint64(batch.keys.size());
        QCOMPARE(summary.total, delivered);
        QVERIFY(summary.total > 0 && summary.total < 100000);
        QVERIFY(record.states.size() >= 3);   // connecting, ready, reconnecting …
        QCOMPARE(record.states.at(2).first, ConnectionState::Reconnecting);
    }

    void keyOperationsRoundTrip()
    {
        auto s = startSource(m_server->url());
        QVERIFY(openSource(*s));
        m_server->cli({QStringLiteral("RPUSH"), QStringLiteral("src:list"), QStringLiteral("a"), QStringLiteral("b")});
        m_server->cli({QStringLiteral("SET"), QStringLiteral("src:s"), QStringLiteral("v")});

        s->call([](Source* source) { source->keyDetails(1, {"src:list", "src:s"}); });
        QTRY_COMPARE(s->record().details.size(), 1);
        const KeyBatch batch = s->record().details.first();
        QCOMPARE(batch.keys.size(), 2);
        QCOMPARE(batch.keys[0].type, KeyType::List);
        QCOMPARE(batch.keys[1].type, KeyType::String);
        QVERIFY(batch.keys[1].memoryBytes > 0);

        s->call([](Source* source) { source->fetchValue(2, "src:list", {}, 10); });
        QTRY_COMPARE(s->record().values.size(), 1);
        const ValuePage page = s->record().values.first();
        QCOMPARE(page.requestId, quint64(2));
        QCOMPARE(page.type, KeyType::List);
        QCOMPARE(page.items.size(), 2);
        QCOMPARE(page.items[1].value, QByteArray("b"));

        s->call([](Source* source) { source->setTtl(3, {"src:list", "src:s", "src:missing"}, 60000); });
        QTRY_COMPARE(s->record().keyOps.size(), 1);
        KeyOpResult result = s->record().keyOps.first();
        QCOMPARE(result.requestId, quint64(3));
        QCOMPARE(result.requested, quint64(3));
        QCOMPARE(result.affected, quint64(2));

        s->call([](Source* source) { source->remove(4, {"src:list", "src:s", "src:missing"}); });
        QTRY_COMPARE(s->record().keyOps.size(), 2);
        result = s->record().keyOps.last();
        QCOMPARE(result.requestId, quint64(4));
        QCOMPARE(result.affected, quint64(2));
        QCOMPARE(m_server->cli({QStringLiteral("EXISTS"), QStringLiteral("src:s")}), QByteArray("0"));
    }

    void requestsBeforeOpenAreErrors()
    {
        auto s = startSource(m_server->url());
        s->call([](Source* source) { source->sample(); });
        QTRY_COMPARE(s->record().errors.size(), 1);
        QCOMPARE(s->record().errors.first().second.kind, SourceError::Kind::Connection);
    }
};

QTEST_GUILESS_MAIN(TestRedisSource)
#include "tst_redissource.moc"
