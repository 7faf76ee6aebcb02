// Purge snapshots and Restore through RedisSource on its worker thread, against a real redis-server: every deleted key
// (binary keys and values, every type) is in the snapshot and comes back with RESTORE, its TTL counted down and keys
// without expiry without one; keys re-created meanwhile and keys whose TTL ran out are skipped and counted; the size
// limit stops the purge before it deletes a key it could not snapshot; a server killed mid-restore leaves exact
// counts; damaged, foreign, missing and locked files are refused with a sentence; the local engine says snapshots
// are for Redis. Both the purge and the restore are in the audit log.
#include "IsolatedEnvironment.h"   // the audit log and snapshots go to a temporary home

#include "connectors/LocalSource.h"
#include "connectors/RedisSource.h"
#include "connectors/audit/AuditStore.h"
#include "connectors/invalidate/SnapshotFile.h"
#include "connectors/redis/DumpPayload.h"

#include <cachelens/cache.h>

#include "AuditRows.h"
#include "CtlRun.h"
#include "IsolatedEnvironment.h"
#include "RedisServer.h"
#include "SourceOnWorker.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <memory>

using namespace cachelens;
using cachelens::test::byRequestId;
using cachelens::test::openRedisSource;
using cachelens::test::RedisServer;
using cachelens::test::SourceOnWorker;

namespace {

InvalidationReport purge(SourceOnWorker& s, quint64 id, const QByteArray& glob, const InvalidateOptions& options)
{
    s.call([id, glob, options](Source* source) { source->invalidatePattern(id, glob, options); });
    return s.waitForInvalidation(id);
}

RestoreReport restore(SourceOnWorker& s, quint64 id, const QString& path, const RestoreOptions& options)
{
    s.call([id, path, options](Source* source) { source->restoreSnapshot(id, path, options); });
    return s.waitForRestore(id);
}

// Runs SQL on a snapshot file from outside, as another program would.
bool sql(const QString& path, const char* statement)
{
    sqlite3* db = nullptr;
    const bool ok = sqlite3_open(QFile::encodeName(path).constData(), &db) == SQLITE_OK
                    && sqlite3_exec(db, statement, nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

} // namespace

class TestPurgeSnapshot : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;
    QTemporaryDir m_dir;
    QString m_audit;
    QString m_snapshots;
    int m_serial = 0;

    qint64 dbsize(RedisServer& server) { return server.cli({QStringLiteral("DBSIZE")}).toLongLong(); }
    qint64 dbsize() { return dbsize(*m_server); }
    QByteArray cli(const QStringList& args) { return m_server->cli(args); }
    InvalidateOptions snapshotting(qint64 limitBytes = 512ll << 20)
    {
        InvalidateOptions o;
        o.snapshot = true;
        o.snapshotDirectory = m_snapshots;
        o.snapshotLimitBytes = limitBytes;
        return o;
    }
    RestoreOptions restoring(bool dryRun = false)
    {
        RestoreOptions o;
        o.dryRun = dryRun;
        return o;
    }
    QVector<AuditEntry> auditRows() { return test::auditRows(m_audit); }
    // The sources' guard writes this test's audit log.
    GuardPolicy guard(const QString& connection = QStringLiteral("test source")) const
    {
        return GuardPolicy{connection, false, false, m_audit};
    }
    qint64 rows(const QString& path)
    {
        SnapshotFile f;
        return f.open(path, true) ? f.keys() : -1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<InvalidationReport>();
        qRegisterMetaType<RestoreReport>();
        m_server = std::make_unique<RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    }
    void init()
    {
        cli({QStringLiteral("FLUSHALL")});
        ++m_serial;
        m_audit = m_dir.filePath(QStringLiteral("audit-%1.db").arg(m_serial));
        m_snapshots = m_dir.filePath(QStringLiteral("snapshots-%1").arg(m_serial));
    }
    void cleanupTestCase() { m_server.reset(); }

    void purgedKeysComeBackWithTheirValuesAndTtls()
    {
        cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("3000"), QStringLiteral("user")});
        // Every type, binary keys and values (NUL and 0xff bytes, built in Lua: argv cannot carry them), with and
        // without a TTL.
        cli({QStringLiteral("EVAL"),
             QStringLiteral("local k = 'user:' .. string.char(255, 0) .. 'bin' local v = string.char(1, 0, 254) .. 'v' "
                            "redis.call('SET', k, v) redis.call('HSET', 'user:h', string.char(0), v) "
                            "redis.call('RPUSH', 'user:l', 'a', 'b') redis.call('SADD', 'user:s', 'x') "
                            "redis.call('ZADD', 'user:z', 1.5, 'm') redis.call('XADD', 'user:x', '1-1', 'k', 'v') "
                            "redis.call('SET', 'user:ttl', 'v', 'PX', 600000) redis.call('SET', 'other:1', 'v')"),
             QStringLiteral("0")});
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        const InvalidationReport r = purge(*s, 1, "user:*", snapshotting());
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.deleted, 3007u);
        QCOMPARE(r.snapshotKeys, 3007u);
        QVERIFY(r.snapshotBytes > 3007 * 10);
        QVERIFY(r.snapshotPath.startsWith(m_snapshots));
        QVERIFY2(r.snapshotPath.endsWith(QStringLiteral("-test_source.snapshot.db")), qPrintable(r.snapshotPath));
        QVERIFY2(r.summary().contains(QStringLiteral("3,007 keys saved in the snapshot")), qPrintable(r.summary()));
        QCOMPARE(rows(r.snapshotPath), 3007);
        QCOMPARE(dbsize(), 1);

        const RestoreReport back = restore(*s, 2, r.snapshotPath, restoring());
        QVERIFY2(!back.error.isError(), qPrintable(back.error.message));
        QCOMPARE(back.total, 3007u);
        QCOMPARE(back.restored, 3007u);
        QCOMPARE(back.skippedExisting + back.skippedExpired + back.failed + back.unconfirmed, 0u);
        QCOMPARE(back.summary(), QStringLiteral("restored 3,007 of 3,007 keys"));
        QCOMPARE(dbsize(), 3008);
        // What it was: the values (binary ones byte for byte), no expiry where there was none, TTLs counted down.
        QCOMPARE(cli({QStringLiteral("GET"), QStringLiteral("user:17")}), QByteArray("value:17"));
        QCOMPARE(cli({QStringLiteral("LRANGE"), QStringLiteral("user:l"), QStringLiteral("0"), QStringLiteral("-1")}),
                 QByteArray("a\nb"));
        QCOMPARE(cli({QStringLiteral("ZSCORE"), QStringLiteral("user:z"), QStringLiteral("m")}), QByteArray("1.5"));
        QCOMPARE(cli({QStringLiteral("XLEN"), QStringLiteral("user:x")}), QByteArray("1"));
        QCOMPARE(cli({QStringLiteral("PTTL"), QStringLiteral("user:17")}), QByteArray("-1"));
        const qint64 ttl = cli({QStringLiteral("PTTL"), QStringLiteral("user:ttl")}).toLongLong();
        QVERIFY2(ttl > 500000 && ttl <= 600000, QByteArray::number(ttl).constData());
        QCOMPARE(cli({QStringLiteral("EVAL"),
                      QStringLiteral("local v = string.char(1, 0, 254) .. 'v' "
                                     "return redis.call('GET', 'user:' .. string.char(255, 0) .. 'bin') == v and "
                                     "redis.call('HGET', 'user:h', string.char(0)) == v and 1 or 0"),
                      QStringLiteral("0")}),
                 QByteArray("1"));

        const QVector<AuditEntry> audit = auditRows();
        QCOMPARE(audit.size(), 2);
        QCOMPARE(audit.at(0).action, QStringLiteral("restore snapshot"));
        QCOMPARE(audit.at(0).outcome, QStringLiteral("completed"));
        QCOMPARE(audit.at(0).matched, 3007);
        QVERIFY2(audit.at(0).detail.contains(QStringLiteral("restored 3,007 of 3,007")), qPrintable(audit.at(0).detail));
        QCOMPARE(audit.at(1).action, QStringLiteral("purge pattern"));
        QVERIFY2(audit.at(1).detail.contains(r.snapshotPath), qPrintable(audit.at(1).detail));

        // Restoring the same file again tries nothing: every row is marked restored.
        const RestoreReport again = restore(*s, 3, r.snapshotPath, restoring());
        QCOMPARE(again.total, 0u);
        QCOMPARE(again.restoredBefore, 3007u);
    }

    void keysReCreatedMeanwhileAreSkippedAndCounted()
    {
        cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("500"), QStringLiteral("user")});
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        const InvalidationReport r = purge(*s, 1, "user:*", snapshotting());
        QCOMPARE(r.deleted, 500u);
        for (const char* key : {"user:1", "user:2", "user:3"})
            cli({QStringLiteral("SET"), QLatin1String(key), QStringLiteral("fresh")});

        const RestoreReport dry = restore(*s, 2, r.snapshotPath, restoring(true));
        QCOMPARE(dry.restored, 497u);
        QCOMPARE(dry.skippedExisting, 3u);
        QCOMPARE(dbsize(), 3);   // a dry run writes nothing

        const RestoreReport back = restore(*s, 3, r.snapshotPath, restoring());
        QCOMPARE(back.restored, 497u);
        QCOMPARE(back.skippedExisting, 3u);
        QCOMPARE(back.summary(), QStringLiteral("restored 497 of 500 keys, skipped 3 re-created meanwhile"));
        QCOMPARE(cli({QStringLiteral("GET"), QStringLiteral("user:2")}), QByteArray("fresh"));   // not overwritten
        QCOMPARE(cli({QStringLiteral("GET"), QStringLiteral("user:4")}), QByteArray("value:4"));
        QCOMPARE(dbsize(), 500);
    }

    void keysWhoseTtlRanOutSinceAreSkippedAsExpired()
    {
        for (int i = 0; i < 10; ++i)
            cli({QStringLiteral("SET"), QStringLiteral("user:short:%1").arg(i), QStringLiteral("v"), QStringLiteral("PX"),
                 QStringLiteral("60000")});
        for (int i = 0; i < 5; ++i)
            cli({QStringLiteral("SET"), QStringLiteral("user:long:%1").arg(i), QStringLiteral("v"), QStringLiteral("PX"),
                 QStringLiteral("86400000")});
        cli({QStringLiteral("SET"), QStringLiteral("user:forever"), QStringLiteral("v")});
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        const InvalidationReport r = purge(*s, 1, "user:*", snapshotting());
        QCOMPARE(r.deleted, 16u);
        // Two minutes pass (the snapshot is moved back in time instead of the test waiting).
        QVERIFY(sql(r.snapshotPath, "UPDATE keys SET taken_ms = taken_ms - 120000"));
        const RestoreReport back = restore(*s, 2, r.snapshotPath, restoring());
        QCOMPARE(back.skippedExpired, 10u);
        QCOMPARE(back.restored, 6u);
        QVERIFY2(back.summary().contains(QStringLiteral("10 expired")), qPrintable(back.summary()));
        QCOMPARE(cli({QStringLiteral("EXISTS"), QStringLiteral("user:short:3")}), QByteArray("0"));
        const qint64 ttl = cli({QStringLiteral("PTTL"), QStringLiteral("user:long:0")}).toLongLong();
        QVERIFY2(ttl > 86400000 - 130000 && ttl <= 86400000 - 120000, QByteArray::number(ttl).constData());
        QCOMPARE(cli({QStringLiteral("PTTL"), QStringLiteral("user:forever")}), QByteArray("-1"));
    }

    void sizeLimitStopsBeforeDeletingKeysItCouldNotSnapshot()
    {
        cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("20000"), QStringLiteral("user"),
             QStringLiteral("100")});
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        const InvalidationReport r = purge(*s, 1, "user:*", snapshotting(300 * 1024));
        QVERIFY(r.snapshotLimitReached);
        QCOMPARE(r.error.kind, SourceError::Kind::Storage);
        QVERIFY2(r.error.message.contains(QStringLiteral("reached its limit of 300.0 KiB")), qPrintable(r.error.message));
        QVERIFY(r.deleted > 0 && r.deleted < 20000);
        QVERIFY(r.snapshotBytes <= 300 * 1024);
        // Exactly the keys in the snapshot were deleted, and every one of them comes back.
        QCOMPARE(r.deleted, r.snapshotKeys);
        QCOMPARE(rows(r.snapshotPath), qint64(r.deleted));
        QCOMPARE(dbsize(), 20000 - qint64(r.deleted));
        QCOMPARE(auditRows().first().outcome, QStringLiteral("stopped"));
        SnapshotFile f;
        QVERIFY(f.open(r.snapshotPath, true));
        QCOMPARE(f.info().state, QStringLiteral("limit"));
        f.close();
        const RestoreReport back = restore(*s, 2, r.snapshotPath, restoring());
        QCOMPARE(back.restored, r.deleted);
        QCOMPARE(dbsize(), 20000);
    }

    void snapshotThatCannotBeWrittenMidPurgeStopsItExactly()
    {
        // The writes run on the snapshot's own thread; when one fails (here another program takes the file's write
        // lock mid-purge), no batch after it is deleted, and exactly the keys in the file are gone.
        constexpr int kKeys = 50000;
        cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QString::number(kKeys), QStringLiteral("user")});
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        InvalidateOptions o = snapshotting();
        o.maxKeysPerSecond = 20000;
        s->call([o](Source* source) { source->invalidatePattern(1, "user:*", o); });
        const auto deleted = [&] {
            quint64 n = 0;
            for (const InvalidationProgress& p : s->record().invalidationProgress)
                n = p.requestId == 1 ? p.deleted : n;
            return n;
        };
        QTRY_VERIFY_WITH_TIMEOUT(deleted() >= 2000, 30000);
        const QVector<SnapshotInfo> files = SnapshotFile::list(m_snapshots);
        QCOMPARE(files.size(), 1);
        sqlite3* holder = nullptr;
        QCOMPARE(sqlite3_open(QFile::encodeName(files.first().path).constData(), &holder), SQLITE_OK);
        sqlite3_busy_timeout(holder, 10000);
        QCOMPARE(sqlite3_exec(holder, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
        const InvalidationReport r = s->waitForInvalidation(1, 30000);
        sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close(holder);
        QCOMPARE(r.error.kind, SourceError::Kind::Storage);
        QVERIFY2(r.error.message.contains(QStringLiteral("could not be written, so no more keys were deleted")),
                 qPrintable(r.error.message));
        QVERIFY(r.deleted >= 2000 && r.deleted < quint64(kKeys));
        QCOMPARE(r.deleted, r.snapshotKeys);
        QCOMPARE(rows(r.snapshotPath), qint64(r.deleted));
        QCOMPARE(dbsize(), kKeys - qint64(r.deleted));
        const RestoreReport back = restore(*s, 2, r.snapshotPath, restoring());
        QCOMPARE(back.restored, r.deleted);
        QCOMPARE(dbsize(), kKeys);
    }

    void serverKilledMidRestoreReportsExactCounts()
    {
        RedisServer::Options persistent;   // every acknowledged write survives the kill, so the counts can be checked
        persistent.extraArgs = {QStringLiteral("--appendonly"), QStringLiteral("yes"), QStringLiteral("--appendfsync"),
                                QStringLiteral("always")};
        RedisServer doomed(persistent);
        QVERIFY2(doomed.start(), qPrintable(doomed.errorString()));
        doomed.cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("20000"), QStringLiteral("user")});
        auto s = openRedisSource(doomed.url(), QStringLiteral("test source"), guard());
        const InvalidationReport r = purge(*s, 1, "user:*", snapshotting());
        QCOMPARE(r.deleted, 20000u);
        QCOMPARE(dbsize(doomed), 0);

        RestoreOptions throttled = restoring();
        throttled.maxKeysPerSecond = 10000;
        s->call([path = r.snapshotPath, throttled](Source* source) { source->restoreSnapshot(2, path, throttled); });
        QTRY_VERIFY_WITH_TIMEOUT(!s->record().restoreProgress.isEmpty()
                                     && s->record().restoreProgress.constLast().restored >= 1000, 30000);
        doomed.kill();
        QTRY_VERIFY_WITH_TIMEOUT(byRequestId(s->record().restores, 2).has_value(), 30000);
        const RestoreReport cut = *byRequestId(s->record().restores, 2);
        QVERIFY(cut.interrupted);
        QCOMPARE(cut.error.kind, SourceError::Kind::Connection);
        QVERIFY(cut.restored >= 1000 && cut.restored < 20000);
        QVERIFY(cut.summary().contains(QStringLiteral("interrupted")));
        QCOMPARE(auditRows().first().outcome, QStringLiteral("interrupted"));
        // Every acknowledged RESTORE is in the append-only file (fsync before the reply); unanswered ones may be too.
        QVERIFY(doomed.restart());
        const qint64 after = dbsize(doomed);
        QVERIFY2(after >= qint64(cut.restored) && after <= qint64(cut.restored + cut.unconfirmed),
                 qPrintable(QStringLiteral("%1 keys after restart, %2 restored, %3 unconfirmed")
                                .arg(after).arg(cut.restored).arg(cut.unconfirmed)));
        // Restoring again continues with the rest: what was confirmed is not tried again.
        QTRY_COMPARE_WITH_TIMEOUT(s->lastState(), ConnectionState::Ready, 10000);
        const RestoreReport rest = restore(*s, 3, r.snapshotPath, restoring());
        QVERIFY2(!rest.error.isError(), qPrintable(rest.error.message));
        QCOMPARE(rest.restoredBefore, cut.restored);
        QCOMPARE(rest.restored + rest.skippedExisting, 20000u - cut.restored);
        QCOMPARE(dbsize(doomed), 20000);
    }

    void unusableSnapshotFilesAreRefusedWithAClearMessage_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::addRow("damaged") << QStringLiteral("damaged") << QStringLiteral("damaged or is not a CacheLens snapshot");
        QTest::addRow("another SQLite file") << QStringLiteral("foreign") << QStringLiteral("is not a CacheLens snapshot");
        QTest::addRow("missing") << QStringLiteral("missing") << QStringLiteral("does not exist");
        QTest::addRow("locked") << QStringLiteral("locked") << QStringLiteral("is locked by another program");
    }
    void unusableSnapshotFilesAreRefusedWithAClearMessage()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        cli({QStringLiteral("SET"), QStringLiteral("user:1"), QStringLiteral("kept")});
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        QString path = m_dir.filePath(kind + QStringLiteral(".snapshot.db"));
        sqlite3* holder = nullptr;
        if (kind == QLatin1String("damaged")) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(8192, 'x'));
        } else if (kind == QLatin1String("foreign")) {
            AuditStore other;   // a CacheLens SQLite file of another kind, at schema version 1 too
            QVERIFY(other.open(path));
        } else if (kind == QLatin1String("locked")) {
            const InvalidationReport r = purge(*s, 1, "user:*", snapshotting());
            QCOMPARE(r.deleted, 1u);
            path = r.snapshotPath;
            // Another program holds the file's write lock (and, in exclusive mode, keeps every reader out).
            QCOMPARE(sqlite3_open(QFile::encodeName(path).constData(), &holder), SQLITE_OK);
            QCOMPARE(sqlite3_exec(holder, "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; "
                                          "UPDATE meta SET value = value WHERE name = 'state';", nullptr, nullptr, nullptr),
                     SQLITE_OK);
        }
        const RestoreReport r = restore(*s, 2, path, restoring());
        sqlite3_close(holder);
        QCOMPARE(r.error.kind, SourceError::Kind::Storage);
        QVERIFY2(r.error.message.contains(expected), qPrintable(r.error.message));
        QVERIFY2(r.error.message.contains(path), qPrintable(r.error.message));
        QCOMPARE(r.restored, 0u);
        if (kind != QLatin1String("locked"))
            QVERIFY(auditRows().isEmpty());   // refused before anything was audited or sent

        // A purge asked to write its snapshot into a file it cannot use deletes nothing.
        if (kind == QLatin1String("damaged") || kind == QLatin1String("foreign")) {
            cli({QStringLiteral("SET"), QStringLiteral("user:2"), QStringLiteral("kept")});
            InvalidateOptions o = snapshotting();
            o.snapshotPath = path;
            const InvalidationReport p = purge(*s, 3, "user:*", o);
            QCOMPARE(p.error.kind, SourceError::Kind::Storage);
            QVERIFY2(p.error.message.contains(QStringLiteral("nothing was changed")), qPrintable(p.error.message));
            QCOMPARE(dbsize(), 2);
        }
    }

    // A file damaged after it was written (a bad disk, a partial copy, someone's SQL) is checked whole before the
    // first RESTORE: its pages, then every row. It is refused with a sentence, and nothing comes back from it — not
    // the rows before the damage, and not a PTTL of -500 as a key without expiry.
    void dumpChecksumIsRedisCrc64()
    {
        QCOMPARE(redis::redisCrc64("123456789", 9), 0xe9c6d914c4b8d9caull);   // Redis's crc64.c test vector
        // The DUMP of the string "a" on Redis 7 (RDB 11): type 0, length 1, "a", version, CRC-64.
        QByteArray dump = QByteArray::fromHex("000161") + QByteArray::fromHex("0b00");
        const std::uint64_t crc = redis::redisCrc64(dump.constData(), dump.size());
        for (int b = 0; b < 8; ++b)
            dump.append(char(crc >> (8 * b)));
        QVERIFY(redis::hasValidDumpChecksum(dump));
        dump[2] = 'b';
        QVERIFY(!redis::hasValidDumpChecksum(dump));
        QVERIFY(!redis::hasValidDumpChecksum(QByteArray(10, '\0')));   // a footer and no value
    }

    void damagedSnapshotIsRefusedBeforeAnythingIsRestored_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("expected");
        QTest::addRow("4 KiB of garbage over a page") << QStringLiteral("page") << QStringLiteral("is damaged");
        QTest::addRow("4 KiB of garbage across two pages") << QStringLiteral("unaligned") << QStringLiteral("is damaged");
        QTest::addRow("a page of garbage inside a large value") << QStringLiteral("value")
                                                                << QStringLiteral("its value is not a DUMP payload whose checksum holds");
        QTest::addRow("negative TTL") << QStringLiteral("UPDATE keys SET pttl = -500 WHERE id = 7")
                                      << QStringLiteral("its TTL is -500 ms, which PTTL never answers");
        QTest::addRow("TTL that is not a number") << QStringLiteral("UPDATE keys SET pttl = 'soon' WHERE id = 300")
                                                  << QStringLiteral("its TTL is soon ms");
        QTest::addRow("payload cut short") << QStringLiteral("UPDATE keys SET payload = substr(payload, 1, length(payload) - 1) WHERE id = 9")
                                           << QStringLiteral("its value is not a DUMP payload whose checksum holds");
        QTest::addRow("payload byte changed") << QStringLiteral("UPDATE keys SET payload = substr(payload, 1, 2) || X'FF' || substr(payload, 4) WHERE id = 490")
                                              << QStringLiteral("its value is not a DUMP payload");
        QTest::addRow("empty payload") << QStringLiteral("UPDATE keys SET payload = X'' WHERE id = 2")
                                       << QStringLiteral("its value is not a DUMP payload");
        QTest::addRow("key that is not bytes") << QStringLiteral("UPDATE keys SET key = 5 WHERE id = 3")
                                               << QStringLiteral("its key is not a key");
        QTest::addRow("taken in the future") << QStringLiteral("UPDATE keys SET taken_ms = taken_ms + 864000000 WHERE id = 4")
                                             << QStringLiteral("is not a time before now");
        QTest::addRow("restored mark") << QStringLiteral("UPDATE keys SET restored = 7 WHERE id = 5")
                                       << QStringLiteral("its restored mark is 7");
    }
    void damagedSnapshotIsRefusedBeforeAnythingIsRestored()
    {
        QFETCH(QString, damage);
        QFETCH(QString, expected);
        cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("500"), QStringLiteral("user")});
        for (int i = 0; i < 20; ++i)   // a few keys with a TTL, for the PTTL rows
            cli({QStringLiteral("PEXPIRE"), QStringLiteral("user:%1").arg(i), QStringLiteral("600000")});
        // 64 KB that do not compress: its DUMP spans SQLite overflow pages, whose bytes no page check reads.
        cli({QStringLiteral("EVAL"),
             QStringLiteral("local t = {} local x = 7 for i = 1, 65536 do x = (x * 1103515245 + 12345) % 2147483648 "
                            "t[i] = string.char(x % 251) end redis.call('SET', 'user:big', table.concat(t))"),
             QStringLiteral("0")});
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        const InvalidationReport purged = purge(*s, 1, "user:*", snapshotting());
        QCOMPARE(purged.deleted, 501u);
        const QString path = purged.snapshotPath;
        {
            SnapshotFile f;   // a sound file passes
            QVERIFY(f.open(path, true));
            QVERIFY2(f.verify(), qPrintable(f.errorString()));
        }
        if (damage == QLatin1String("value")) {
            // A page in the middle of the large value's payload, its link to the next page kept: SQLite's structure
            // stays sound, only the value's bytes are garbage.
            QByteArray payload;
            {
                SnapshotFile f;
                QVERIFY(f.open(path, true));
                for (const SnapshotRow& row : f.pending(0, 1000))
                    if (row.key == "user:big")
                        payload = row.payload;
            }
            QVERIFY(payload.size() > 60000);
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadWrite));
            const QByteArray bytes = f.readAll();
            const qint64 at = bytes.indexOf(payload.mid(payload.size() / 2, 64));
            QVERIFY(at > 0);
            const qint64 page = at / 4096 * 4096;
            QVERIFY(f.seek(page + 4));
            QCOMPARE(f.write(QByteArray(4092, 'Z')), qint64(4092));
        } else if (damage == QLatin1String("page") || damage == QLatin1String("unaligned")) {
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.size() > 8 * 4096);
            QVERIFY(f.seek(damage == QLatin1String("page") ? 3 * 4096 : f.size() / 2 + 1000));
            QByteArray garbage(4096, '\0');
            quint64 x = 0x9e3779b97f4a7c15ull;
            for (char& c : garbage) {   // xorshift: fixed, and nothing like a page
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                c = char(x);
            }
            QCOMPARE(f.write(garbage), qint64(4096));
        } else {
            QVERIFY(sql(path, damage.toUtf8().constData()));
        }

        const RestoreReport r = restore(*s, 2, path, restoring());
        QCOMPARE(r.error.kind, SourceError::Kind::Storage);
        QVERIFY2(r.error.message.contains(expected) && r.error.message.contains(path), qPrintable(r.error.message));
        QCOMPARE(r.restored, 0u);
        QCOMPARE(dbsize(), 0);                          // not one key came back
        QCOMPARE(auditRows().size(), 1);                // the purge's; the restore was refused before it was audited
        const RestoreReport dry = restore(*s, 3, path, restoring(true));
        QVERIFY2(dry.error.message.contains(expected), qPrintable(dry.error.message));

        const test::CtlRun ctl = test::runCtl({QStringLiteral("restore"), m_server->url(), path, QStringLiteral("--yes")});
        QCOMPARE(ctl.code, 1);
        QVERIFY2(ctl.err.contains(expected), qPrintable(ctl.err));
        QCOMPARE(ctl.err.count(QLatin1Char('\n')), 1);
        QCOMPARE(dbsize(), 0);
    }

    void snapshotsAreListedNewestFirstAndRemoved()
    {
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        cli({QStringLiteral("SET"), QStringLiteral("a:1"), QStringLiteral("v")});
        const InvalidationReport first = purge(*s, 1, "a:*", snapshotting());
        cli({QStringLiteral("SET"), QStringLiteral("b:1"), QStringLiteral("v")});
        cli({QStringLiteral("SET"), QStringLiteral("b:2"), QStringLiteral("v")});
        const InvalidationReport second = purge(*s, 2, "b:*", snapshotting());
        QVERIFY(first.snapshotPath != second.snapshotPath);   // same second, same connection: a suffix tells them apart
        QFile junk(QDir(m_snapshots).filePath(QStringLiteral("junk.snapshot.db")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not sqlite at all, and long enough to be read as a header..........................................");
        junk.close();

        const QVector<SnapshotInfo> list = SnapshotFile::list(m_snapshots);
        QCOMPARE(list.size(), 3);
        const auto find = [&](const QString& path) {
            return *std::find_if(list.begin(), list.end(), [&](const SnapshotInfo& i) { return i.path == path; });
        };
        const SnapshotInfo b = find(second.snapshotPath);
        QCOMPARE(b.keys, 2);
        QCOMPARE(b.target, QStringLiteral("pattern b:*"));
        QCOMPARE(b.connection, QStringLiteral("test source"));
        QCOMPARE(b.state, QStringLiteral("complete"));
        QCOMPARE(b.server, QStringLiteral("127.0.0.1:%1").arg(m_server->port()));
        QVERIFY(b.error.isEmpty());
        QVERIFY(!QFile::exists(second.snapshotPath + QStringLiteral("-wal")));   // one self-contained file
        QVERIFY(!find(junk.fileName()).error.isEmpty());
        QVERIFY(list.first().created >= list.at(1).created);

        QString error;
        QVERIFY2(SnapshotFile::remove(first.snapshotPath, &error), qPrintable(error));
        QVERIFY(!QFile::exists(first.snapshotPath));
        QCOMPARE(SnapshotFile::list(m_snapshots).size(), 2);
    }

    void aKeyWrittenAgainKeepsOneRowTheLaterOne_data()
    {
        QTest::addColumn<bool>("olderFile");
        QTest::addRow("file of this version") << false;
        QTest::addRow("file with the UNIQUE index on key of earlier versions") << true;
    }
    void aKeyWrittenAgainKeepsOneRowTheLaterOne()
    {
        // A resumed purge DUMPs again the keys of batches whose deletion was never confirmed, into the same file.
        QFETCH(bool, olderFile);
        const QString path = m_dir.filePath(QStringLiteral("again-%1.snapshot.db").arg(m_serial));
        const auto row = [](const QByteArray& key, const QByteArray& payload) {
            return SnapshotRow{0, key, -1, payload, 1000, QStringLiteral("127.0.0.1:1")};
        };
        const QByteArray binary("k\0\xff", 3);
        {
            SnapshotFile f;
            QVERIFY2(f.create(path, {}), qPrintable(f.errorString()));
            QVERIFY(f.append({row("a", "a1"), row("b", "b1"), row(binary, "x1")}));
            QVERIFY(f.append({row("c", "c1"), row("a", "a2")}));   // a again, in a later batch
        }
        if (olderFile)
            QVERIFY(sql(path, "CREATE UNIQUE INDEX keys_by_key ON keys(key)"));
        {
            SnapshotFile f;   // appending to it, as a resumed purge does
            QVERIFY2(f.create(path, {}), qPrintable(f.errorString()));
            QVERIFY(f.append({row("b", "b2"), row(binary, "x2"), row("d", "d1")}));
        }
        SnapshotFile f;
        QVERIFY(f.open(path, true));
        QCOMPARE(f.keys(), 5);
        QHash<QByteArray, QByteArray> payloads;
        for (const SnapshotRow& r : f.pending(0, 100))
            payloads.insert(r.key, r.payload);
        QCOMPARE(payloads.size(), 5);
        QCOMPARE(payloads.value("a"), QByteArray("a2"));
        QCOMPARE(payloads.value("b"), QByteArray("b2"));
        QCOMPARE(payloads.value("c"), QByteArray("c1"));
        QCOMPARE(payloads.value(binary), QByteArray("x2"));
        QCOMPARE(payloads.value("d"), QByteArray("d1"));
    }

    void localEngineSaysSnapshotsAreForRedisOnly()
    {
        auto cache = std::make_shared<engine::Cache>();
        cache->set("user:1", "v");
        SourceOnWorker s(new LocalSource(cache, guard(QStringLiteral("Local engine"))));
        s.call([](Source* source) { source->open(); });
        const InvalidationReport r = purge(s, 1, "user:*", snapshotting());
        QCOMPARE(r.error.kind, SourceError::Kind::InvalidArgument);
        QVERIFY2(r.error.message.contains(QStringLiteral("snapshots are for Redis connections only")),
                 qPrintable(r.error.message));
        QCOMPARE(cache->stats().entries, 1u);
        const RestoreReport back = restore(s, 2, m_dir.filePath(QStringLiteral("x.snapshot.db")), restoring());
        QVERIFY2(back.error.message.contains(QStringLiteral("snapshots are for Redis connections only")),
                 qPrintable(back.error.message));
    }
};

QTEST_GUILESS_MAIN(TestPurgeSnapshot)
#include "tst_purge_snapshot.moc"
