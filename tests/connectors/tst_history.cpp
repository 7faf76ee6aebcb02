// HistoryStore and HistoryWriter: round trip, migration from schema 1, damaged/foreign/newer files, retention, and
// batched writes on the writer's own thread.
#include "connectors/history/HistoryStore.h"
#include "connectors/history/HistoryWriter.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <sqlite3.h>

using namespace cachelens;

namespace {

StatsSample sample(const QString& source, const QDateTime& time, qint64 n)
{
    StatsSample s;
    s.sourceId = source;
    s.time = time;
    s.hits = 10 * n;
    s.misses = n;
    s.sets = 2 * n;
    s.deletes = 3;
    s.evictions = 4;
    s.expirations = 5;
    s.commands = 100 * n;
    s.keys = 1000 + n;
    s.memoryBytes = 1 << 20;
    s.clients = 7;
    s.opsPerSecond = 12.5;
    s.runId = QStringLiteral("abc123");
    s.uptimeSeconds = 3600 + n;
    s.ownHits = 4 * n;
    s.ownMisses = n;
    s.ownUncountable = 0;
    return s;
}

// Builds a file the way schema 1 of history.db looked.
void writeVersion1(const QString& path, qint64 tMs)
{
    sqlite3* db = nullptr;
    QCOMPARE(sqlite3_open(QFile::encodeName(path).constData(), &db), SQLITE_OK);
    const QByteArray sql =
        "CREATE TABLE samples(source_id TEXT NOT NULL, t_ms INTEGER NOT NULL, hits INTEGER, misses INTEGER,"
        " sets INTEGER, deletes INTEGER, evictions INTEGER, expirations INTEGER, commands INTEGER, keys INTEGER,"
        " memory INTEGER, run_id TEXT, uptime INTEGER);"
        "CREATE TABLE markers(id INTEGER PRIMARY KEY, t_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
        " label TEXT NOT NULL DEFAULT '');"
        "INSERT INTO samples VALUES('old', " + QByteArray::number(tMs) + ", 90, 10, 1, 2, 3, 4, 500, 42, 2048, 'r1', 60);"
        "INSERT INTO markers(t_ms, kind, label) VALUES(" + QByteArray::number(tMs) + ", 'deploy', 'v1.0');"
        "PRAGMA user_version=1;";
    QCOMPARE(sqlite3_exec(db, sql.constData(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
}

} // namespace

class TestHistory : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<QVector<StatsSample>>();
        qRegisterMetaType<QVector<HistoryMarker>>();
    }

    void samplesAndMarkersRoundTrip()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/history.db"));   // the directory is created
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-100);
        {
            HistoryStore store;
            QVERIFY2(store.open(path), qPrintable(store.errorString()));
            QCOMPARE(store.schemaVersion(), HistoryStore::kSchemaVersion);
            QVector<StatsSample> batch;
            for (int i = 0; i < 50; ++i) {
                batch << sample(QStringLiteral("a"), t0.addSecs(i), i);
                batch << sample(QStringLiteral("b"), t0.addSecs(i), i);
            }
            QVERIFY(store.appendSamples(batch));
            QVERIFY(store.addMarker({0, QString(), t0.addSecs(10), HistoryMarker::Kind::Deploy, QStringLiteral("v2 ✓")}) > 0);
            QVERIFY(store.addMarker({0, QStringLiteral("a"), t0.addSecs(20), HistoryMarker::Kind::Restart, QStringLiteral("r")}) > 0);
        }
        HistoryStore store;
        QVERIFY2(store.open(path), qPrintable(store.errorString()));
        const QVector<StatsSample> a = store.samples(QStringLiteral("a"), t0, t0.addSecs(49));
        QCOMPARE(a.size(), 50);
        const StatsSample want = sample(QStringLiteral("a"), t0.addSecs(7), 7);
        const StatsSample& got = a.at(7);
        QCOMPARE(got.sourceId, want.sourceId);
        QCOMPARE(got.time.toMSecsSinceEpoch(), want.time.toMSecsSinceEpoch());
        QCOMPARE(got.time.timeSpec(), Qt::UTC);
        QCOMPARE(got.hits, want.hits);
        QCOMPARE(got.misses, want.misses);
        QCOMPARE(got.sets, want.sets);
        QCOMPARE(got.deletes, want.deletes);
        QCOMPARE(got.evictions, want.evictions);
        QCOMPARE(got.expirations, want.expirations);
        QCOMPARE(got.commands, want.commands);
        QCOMPARE(got.keys, want.keys);
        QCOMPARE(got.memoryBytes, want.memoryBytes);
        QCOMPARE(got.clients, want.clients);
        QCOMPARE(got.opsPerSecond, want.opsPerSecond);
        QCOMPARE(got.runId, want.runId);
        QCOMPARE(got.uptimeSeconds, want.uptimeSeconds);
        // CacheLens's own lookups are kept, so that the recorded hit rate is corrected as the live one was.
        QCOMPARE(got.ownHits, want.ownHits);
        QCOMPARE(got.ownMisses, want.ownMisses);
        QCOMPARE(got.ownUncountable, want.ownUncountable);
        QCOMPARE(store.samples(QStringLiteral("a"), t0.addSecs(10), t0.addSecs(19)).size(), 10);
        const QVector<HistoryMarker> markers = store.markers(t0, t0.addSecs(100));
        QCOMPARE(markers.size(), 2);
        QCOMPARE(markers.at(0).label, QStringLiteral("v2 ✓"));
        QCOMPARE(markers.at(0).kind, HistoryMarker::Kind::Deploy);
        QVERIFY(markers.at(0).sourceId.isEmpty());
        QCOMPARE(markers.at(1).kind, HistoryMarker::Kind::Restart);
        QCOMPARE(markers.at(1).sourceId, QStringLiteral("a"));
        const auto recordings = store.recordings();
        QCOMPARE(recordings.size(), 2);
        QCOMPARE(recordings.at(0).samples, 50);
    }

    void recordingsAreRunsOfSamplesSplitBySilences()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY2(store.open(dir.filePath(QStringLiteral("history.db"))), qPrintable(store.errorString()));
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-7200);
        QVector<StatsSample> batch;
        for (int i = 0; i < 30; ++i)   // a: 30 s watched, then an hour of silence, then 10 s more
            batch << sample(QStringLiteral("a"), t0.addSecs(i), i);
        for (int i = 0; i < 10; ++i)
            batch << sample(QStringLiteral("a"), t0.addSecs(3600 + i), 100 + i);
        for (int i = 0; i < 20; ++i)   // b: one run of 20 samples, 2 s apart (no silence over the gap)
            batch << sample(QStringLiteral("b"), t0.addSecs(100 + 2 * i), i);
        QVERIFY(store.appendSamples(batch));
        QVERIFY(store.setSourceName(QStringLiteral("a"), QStringLiteral("prod-cache")));
        QVERIFY(store.setSourceName(QStringLiteral("a"), QStringLiteral("prod-cache (eu)")));   // renamed: the last name wins

        const auto recordings = store.recordings();
        QCOMPARE(recordings.size(), 3);
        // Newest first: a's second run, then b, then a's first run.
        QCOMPARE(recordings.at(0).sourceId, QStringLiteral("a"));
        QCOMPARE(recordings.at(0).name, QStringLiteral("prod-cache (eu)"));
        QCOMPARE(recordings.at(0).samples, 10);
        QCOMPARE(recordings.at(0).first, t0.addSecs(3600));
        QCOMPARE(recordings.at(0).last, t0.addSecs(3609));
        QCOMPARE(recordings.at(1).sourceId, QStringLiteral("b"));
        QCOMPARE(recordings.at(1).name, QStringLiteral("b"));   // never named: its id
        QCOMPARE(recordings.at(1).samples, 20);
        QCOMPARE(recordings.at(2).samples, 30);
        QCOMPARE(recordings.at(2).first, t0);
        // A shorter gap splits b's 2-second steps into single samples.
        QCOMPARE(store.recordings(1).size(), 2 + 20);
    }

    void migratesFromSchemaVersion1()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.db"));
        const QDateTime t = QDateTime::currentDateTimeUtc().addSecs(-60);
        writeVersion1(path, t.toMSecsSinceEpoch());
        HistoryStore store;
        QVERIFY2(store.open(path), qPrintable(store.errorString()));
        QCOMPARE(store.schemaVersion(), HistoryStore::kSchemaVersion);
        const QVector<StatsSample> old = store.samples(QStringLiteral("old"), t.addSecs(-1), t.addSecs(1));
        QCOMPARE(old.size(), 1);
        QCOMPARE(old.first().hits, 90);
        QCOMPARE(old.first().keys, 42);
        QCOMPARE(old.first().clients, -1);          // not recorded by schema 1: unknown, not zero
        QCOMPARE(old.first().opsPerSecond, -1.0);
        QCOMPARE(old.first().ownHits, -1);            // own lookups were not counted then: the raw figure
        QCOMPARE(old.first().ownMisses, -1);
        const QVector<HistoryMarker> markers = store.markers(t.addSecs(-1), t.addSecs(1));
        QCOMPARE(markers.size(), 1);
        QCOMPARE(markers.first().label, QStringLiteral("v1.0"));
        QVERIFY(markers.first().sourceId.isEmpty());
        // New rows go in with every column.
        QVERIFY(store.appendSamples({sample(QStringLiteral("old"), t.addMSecs(500), 1)}));
        QCOMPARE(store.samples(QStringLiteral("old"), t.addSecs(-1), t.addSecs(1)).last().clients, 7);
        // The old rows form a recording of their own, named by their id until the source is named.
        QCOMPARE(store.recordings().size(), 1);
        QCOMPARE(store.recordings().first().name, QStringLiteral("old"));
        QVERIFY(store.setSourceName(QStringLiteral("old"), QStringLiteral("staging")));
        QCOMPARE(store.recordings().first().name, QStringLiteral("staging"));
    }

    void unusableFilesGiveAClearErrorAndStayUntouched_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        QTest::addRow("random bytes") << QByteArray(8192, 'x') << QStringLiteral("damaged or is not a CacheLens history");
        QByteArray truncated("SQLite format 3");
        truncated.append('\0');
        truncated.append(QByteArray(84, '\xff'));
        QTest::addRow("broken SQLite header") << truncated << QStringLiteral("damaged or is not a CacheLens history");
        QTest::addRow("newer schema") << QByteArray() << QStringLiteral("newer CacheLens");
    }
    void unusableFilesGiveAClearErrorAndStayUntouched()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.db"));
        if (content.isEmpty()) {
            sqlite3* db = nullptr;
            QCOMPARE(sqlite3_open(QFile::encodeName(path).constData(), &db), SQLITE_OK);
            QCOMPARE(sqlite3_exec(db, "CREATE TABLE future(x); PRAGMA user_version=99;", nullptr, nullptr, nullptr), SQLITE_OK);
            sqlite3_close(db);
        } else {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        QFile before(path);
        QVERIFY(before.open(QIODevice::ReadOnly));
        const QByteArray bytes = before.readAll();
        before.close();

        HistoryStore store;
        QVERIFY(!store.open(path));
        QVERIFY(!store.isOpen());
        QVERIFY2(store.errorString().contains(expected), qPrintable(store.errorString()));
        QVERIFY2(store.errorString().contains(path), qPrintable(store.errorString()));
        QVERIFY(!store.appendSamples({sample(QStringLiteral("a"), QDateTime::currentDateTimeUtc(), 1)}));
        QFile after(path);
        QVERIFY(after.open(QIODevice::ReadOnly));
        QCOMPARE(after.readAll(), bytes);
    }

    void unwritableLocationIsReported()
    {
        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("file")));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        HistoryStore store;
        QVERIFY(!store.open(dir.filePath(QStringLiteral("file/history.db"))));   // a directory that is a file
        QVERIFY2(store.errorString().contains(QStringLiteral("cannot be written")), qPrintable(store.errorString()));
    }

    void retentionRemovesOnlyOldRows()
    {
        QTemporaryDir dir;
        HistoryStore store;
        QVERIFY(store.open(dir.filePath(QStringLiteral("history.db"))));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(store.appendSamples({sample(QStringLiteral("a"), now.addDays(-8), 1),
                                     sample(QStringLiteral("a"), now.addDays(-6), 2), sample(QStringLiteral("a"), now, 3)}));
        QVERIFY(store.addMarker({0, QString(), now.addDays(-8), HistoryMarker::Kind::Deploy, QStringLiteral("old")}));
        QCOMPARE(store.removeBefore(now.addDays(-7)), 2);
        QCOMPARE(store.samples(QStringLiteral("a"), now.addDays(-30), now).size(), 2);
        QVERIFY(store.markers(now.addDays(-30), now).isEmpty());
    }

    void writerBatchesOnItsOwnThread()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.db"));
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-30);
        {
            HistoryService service(path);
            QVERIFY(service.writer()->thread() != QThread::currentThread());
            QSignalSpy opened(&service, &HistoryService::opened);
            QSignalSpy flushed(&service, &HistoryService::flushed);
            QTRY_COMPARE(opened.size(), 1);
            QVERIFY(opened.first().at(0).toBool());
            for (int i = 0; i < 25; ++i)
                service.addSample(sample(QStringLiteral("w"), t0.addSecs(i), i));
            // One transaction for all of them, after the flush interval.
            QTRY_VERIFY_WITH_TIMEOUT(!flushed.isEmpty(), HistoryWriter::kFlushMs + 5000);
            QCOMPARE(flushed.first().at(0).toInt(), 25);

            QSignalSpy loaded(&service, &HistoryService::loaded);
            QSignalSpy stored(&service, &HistoryService::markerStored);
            service.addMarker(7, {0, QString(), t0.addSecs(5), HistoryMarker::Kind::Deploy, QStringLiteral("v3")});
            service.load(42, QStringLiteral("w"), t0, t0.addSecs(60));
            QTRY_COMPARE(loaded.size(), 1);
            QCOMPARE(stored.size(), 1);   // answered in the order asked
            QCOMPARE(stored.first().at(0).toULongLong(), 7u);
            QVERIFY(stored.first().at(1).value<HistoryMarker>().id > 0);
            QCOMPARE(loaded.first().at(0).toULongLong(), 42u);
            QCOMPARE(loaded.first().at(1).value<QVector<StatsSample>>().size(), 25);
            QCOMPARE(loaded.first().at(2).value<QVector<HistoryMarker>>().first().label, QStringLiteral("v3"));
            // Not flushed yet when the service goes: the destructor writes it.
            service.addSample(sample(QStringLiteral("w"), t0.addSecs(40), 40));
        }
        HistoryStore store;
        QVERIFY(store.open(path));
        QCOMPARE(store.samples(QStringLiteral("w"), t0, t0.addSecs(60)).size(), 26);
    }

    void everythingAskedBeforeDestructionIsWritten()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.db"));
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-30);
        {
            HistoryService service(path);   // not even opened yet when the requests are queued
            for (int i = 0; i < 5; ++i)
                service.addSample(sample(QStringLiteral("quick"), t0.addSecs(i), i));
            service.addMarker(1, {0, QString(), t0, HistoryMarker::Kind::Deploy, QStringLiteral("fast")});
        }
        HistoryStore store;
        QVERIFY(store.open(path));
        QCOMPARE(store.samples(QStringLiteral("quick"), t0, t0.addSecs(10)).size(), 5);
        QCOMPARE(store.markers(t0, t0.addSecs(10)).size(), 1);
    }

    void writerReportsABadFileOnOpen()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.db"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'z'));
        f.close();
        HistoryService service(path);
        QSignalSpy opened(&service, &HistoryService::opened);
        QTRY_COMPARE(opened.size(), 1);
        QVERIFY(!opened.first().at(0).toBool());
        QVERIFY(opened.first().at(1).toString().contains(QStringLiteral("damaged")));
    }
};

QTEST_GUILESS_MAIN(TestHistory)
#include "tst_history.moc"
