// RedisSource on its own worker thread, driven the way the UI drives it: queued calls in, queued signals out.
#include "connectors/RedisSource.h"

#include "RedisServer.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <memory>

using namespace cachelens;
using cachelens::test::RedisServer;

namespace {

// A RedisSource moved to its own thread, deleted on that thread when the thread finishes.
struct SourceOnThread {
    QThread thread;
    RedisSource* source = nullptr;

    explicit SourceOnThread(const QString& url, RedisSource::Options options = {})
    {
        options.client.reconnectInitialMs = 50;
        options.client.reconnectMaxMs = 200;
        source = new RedisSource(QStringLiteral("test"), QStringLiteral("test source"), *ConnectionUrl::parse(url).url, options);
        source->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, source, &QObject::deleteLater);
        thread.start();
    }
    ~SourceOnThread()
    {
        thread.quit();
        thread.wait();
    }
    template <typename F>
    void call(F f)
    {
        QMetaObject::invokeMethod(source, std::move(f), Qt::QueuedConnection);
    }
    bool open()
    {
        QSignalSpy states(source, &Source::stateChanged);
        call([s = source] { s->open(); });
        return QTest::qWaitFor([&] {
            return !states.isEmpty() && states.last().at(0).value<ConnectionState>() == ConnectionState::Ready;
        }, 10000);
    }
};

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
        qRegisterMetaType<ConnectionState>();
        qRegisterMetaType<KeyBatch>();
        qRegisterMetaType<ScanSummary>();
        qRegisterMetaType<StatsSample>();
        qRegisterMetaType<SourceError>();
        qRegisterMetaType<ValuePage>();
        qRegisterMetaType<KeyOpResult>();
        m_server = std::make_unique<RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        populate(*m_server, 50000);
    }
    void cleanupTestCase() { m_server.reset(); }

    void openReportsStatesAndSampleCarriesServerAndOwnFigures()
    {
        SourceOnThread s(m_server->url());
        QSignalSpy states(s.source, &Source::stateChanged);
        QVERIFY(s.open());
        QCOMPARE(states.first().at(0).value<ConnectionState>(), ConnectionState::Connecting);
        QCOMPARE(s.source->kind(), Source::Kind::Redis);

        QSignalSpy samples(s.source, &Source::statsSample);
        s.call([src = s.source] { src->sample(); });
        QTRY_COMPARE(samples.size(), 1);
        const auto sample = samples.first().at(0).value<StatsSample>();
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
        SourceOnThread s(m_server->url());
        QVERIFY(s.open());
        QSignalSpy batches(s.source, &Source::keysFound);
        QSignalSpy finished(s.source, &Source::scanFinished);
        QElapsedTimer clock;
        clock.start();
        s.call([src = s.source, glob] { src->scan(7, glob, 1000); });
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        const qint64 ms = clock.elapsed();
        const auto summary = finished.first().at(0).value<ScanSummary>();
        QCOMPARE(summary.requestId, quint64(7));
        QCOMPARE(summary.total, quint64(expected));
        QVERIFY(!summary.cancelled);
        QVERIFY(!summary.error.isError());
        QSet<QByteArray> keys;
        quint64 last = 0;
        for (const auto& args : batches) {
            const auto batch = args.at(0).value<KeyBatch>();
            QCOMPARE(batch.requestId, quint64(7));
            QVERIFY(!batch.keys.isEmpty());
            for (const KeyEntry& e : batch.keys)
                keys.insert(e.key);
            QVERIFY(batch.scannedSoFar > last);
            last = batch.scannedSoFar;
            QCOMPARE(batch.estimatedTotal, quint64(50000));
        }
        QCOMPARE(keys.size(), expected);
        QVERIFY2(batches.size() <= ms / 100 + 2, qPrintable(QStringLiteral("%1 batches in %2 ms").arg(batches.size()).arg(ms)));
    }

    void cancelStopsTheScan()
    {
        SourceOnThread s(m_server->url());
        QVERIFY(s.open());
        QSignalSpy finished(s.source, &Source::scanFinished);
        s.call([src = s.source] {
            src->scan(3, "*", 10);
            src->cancel(3);
        });
        QTRY_COMPARE(finished.size(), 1);
        const auto summary = finished.first().at(0).value<ScanSummary>();
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
        SourceOnThread s(server.url(), options);
        QVERIFY(s.open());
        QSignalSpy states(s.source, &Source::stateChanged);
        QSignalSpy finished(s.source, &Source::scanFinished);
        QSignalSpy batches(s.source, &Source::keysFound);
        s.call([src = s.source] { src->scan(9, "*", 50); });
        QTRY_VERIFY(!batches.isEmpty());
        server.kill();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        const auto summary = finished.first().at(0).value<ScanSummary>();
        QCOMPARE(summary.error.kind, SourceError::Kind::Connection);
        QVERIFY2(summary.error.message.contains(QLatin1String("lost")), qPrintable(summary.error.message));
        quint64 delivered = 0;
        for (const auto& args : batches)
            delivered += quint64(args.at(0).value<KeyBatch>().keys.size());
        QCOMPARE(summary.total, delivered);
        QVERIFY(summary.total > 0 && summary.total < 100000);
        QTRY_VERIFY(!states.isEmpty());
        QCOMPARE(states.first().at(0).value<ConnectionState>(), ConnectionState::Reconnecting);
    }

    void keyOperationsRoundTrip()
    {
        SourceOnThread s(m_server->url());
        QVERIFY(s.open());
        m_server->cli({QStringLiteral("RPUSH"), QStringLiteral("src:list"), QStringLiteral("a"), QStringLiteral("b")});
        m_server->cli({QStringLiteral("SET"), QStringLiteral("src:s"), QStringLiteral("v")});

        QSignalSpy details(s.source, &Source::keyDetailsReady);
        s.call([src = s.source] { src->keyDetails(1, {"src:list", "src:s"}); });
        QTRY_COMPARE(details.size(), 1);
        const auto batch = details.first().at(0).value<KeyBatch>();
        QCOMPARE(batch.keys.size(), 2);
        QCOMPARE(batch.keys[0].type, KeyType::List);
        QCOMPARE(batch.keys[1].type, KeyType::String);
        QVERIFY(batch.keys[1].memoryBytes > 0);

        QSignalSpy values(s.source, &Source::valueReady);
        s.call([src = s.source] { src->fetchValue(2, "src:list", {}, 10); });
        QTRY_COMPARE(values.size(), 1);
        const auto page = values.first().at(0).value<ValuePage>();
        QCOMPARE(page.requestId, quint64(2));
        QCOMPARE(page.type, KeyType::List);
        QCOMPARE(page.items.size(), 2);
        QCOMPARE(page.items[1].value, QByteArray("b"));

        QSignalSpy changed(s.source, &Source::keysChanged);
        s.call([src = s.source] { src->setTtl(3, {"src:list", "src:s", "src:missing"}, 60000); });
        QTRY_COMPARE(changed.size(), 1);
        auto result = changed.first().at(0).value<KeyOpResult>();
        QCOMPARE(result.requestId, quint64(3));
        QCOMPARE(result.requested, quint64(3));
        QCOMPARE(result.affected, quint64(2));

        s.call([src = s.source] { src->remove(4, {"src:list", "src:s", "src:missing"}); });
        QTRY_COMPARE(changed.size(), 2);
        result = changed.last().at(0).value<KeyOpResult>();
        QCOMPARE(result.requestId, quint64(4));
        QCOMPARE(result.affected, quint64(2));
        QCOMPARE(m_server->cli({QStringLiteral("EXISTS"), QStringLiteral("src:s")}), QByteArray("0"));
    }

    void requestsBeforeOpenAreErrors()
    {
        SourceOnThread s(m_server->url());
        QSignalSpy errors(s.source, &Source::error);
        s.call([src = s.source] { src->sample(); });
        QTRY_COMPARE(errors.size(), 1);
        QCOMPARE(errors.first().at(1).value<SourceError>().kind, SourceError::Kind::Connection);
    }
};

QTEST_GUILESS_MAIN(TestRedisSource)
#include "tst_redissource.moc"
