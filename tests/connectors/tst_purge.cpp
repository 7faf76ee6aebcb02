// Pattern invalidation through RedisSource and LocalSource on their worker threads, against a real redis-server
// (and the real engine): dry-run count and forecast, exact deletion counts checked against DBSIZE, cancel, a server
// killed mid-purge, patterns that match nothing or are invalid, the new-key policy, jittered expiry, resume, and
// the audit row every real run writes first (and that a failed audit write stops the run).
#include "IsolatedEnvironment.h"   // the audit log and snapshots go to a temporary home

#include "connectors/LocalSource.h"
#include "connectors/RedisSource.h"
#include "connectors/audit/AuditStore.h"
#include "connectors/invalidate/GlobCheck.h"

#include <cachelens/cache.h>

#include "AuditRows.h"
#include "RedisServer.h"
#include "SourceOnWorker.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace cachelens;
using cachelens::test::byRequestId;
using cachelens::test::openRedisSource;
using cachelens::test::RedisServer;
using cachelens::test::SourceOnWorker;

namespace {

qint64 dbsize(RedisServer& server) { return server.cli({QStringLiteral("DBSIZE")}).toLongLong(); }

void populate(RedisServer& server, int keys, const QString& prefix)
{
    server.cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QString::number(keys), prefix});
}

std::optional<InvalidationReport> reportOf(SourceOnWorker& s, quint64 id)
{
    return byRequestId(s.record().invalidations, id);
}

InvalidationReport run(SourceOnWorker& s, quint64 id, const QByteArray& glob, const InvalidateOptions& options)
{
    s.call([id, glob, options](Source* source) { source->invalidatePattern(id, glob, options); });
    return s.waitForInvalidation(id);
}

quint64 lastDeleted(SourceOnWorker& s, quint64 id)
{
    quint64 deleted = 0;
    const auto record = s.record();
    for (const InvalidationProgress& p : std::as_const(record.invalidationProgress))
        if (p.requestId == id)
            deleted = p.deleted;
    return deleted;
}

} // namespace

class TestPurge : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;
    QTemporaryDir m_dir;
    QString m_audit;
    int m_auditSerial = 0;

    InvalidateOptions options() { return {}; }
    // The sources' guard writes this test's audit log.
    GuardPolicy guard(const QString& connection = QStringLiteral("test source")) const
    {
        return GuardPolicy{connection, false, false, m_audit};
    }
    QVector<AuditEntry> auditRows() { return test::auditRows(m_audit); }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<InvalidationReport>();
        qRegisterMetaType<InvalidationProgress>();
        m_server = std::make_unique<RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    }
    void init()
    {
        m_server->cli({QStringLiteral("FLUSHALL")});
        m_audit = m_dir.filePath(QStringLiteral("audit-%1.db").arg(++m_auditSerial));
    }
    void cleanupTestCase() { m_server.reset(); }

    void dryRunCountsExactlyAndForecastsImpactWithoutDeleting()
    {
        populate(*m_server, 10000, QStringLiteral("user"));
        populate(*m_server, 5000, QStringLiteral("other"));
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        InvalidateOptions o = options();
        o.dryRun = true;
        const InvalidationReport r = run(*s, 1, "user:*", o);
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.matched, 10000u);
        QCOMPARE(r.deleted, 0u);
        QCOMPARE(r.keyspace, 15000u);
        QCOMPARE(r.sample.size(), 20);
        for (const QByteArray& key : r.sample)
            QVERIFY(key.startsWith("user:"));
        QVERIFY(r.estimatedMemoryBytes > 10000);
        QVERIFY(qAbs(r.keyspaceShare() - 2.0 / 3.0) < 1e-9);
        QCOMPARE(dbsize(*m_server), 15000);
        QVERIFY(auditRows().isEmpty());   // nothing destructive happened
    }

    void purgeDeletesExactlyTheMatchesAndAuditsIt()
    {
        populate(*m_server, 30000, QStringLiteral("user"));
        populate(*m_server, 5000, QStringLiteral("other"));
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        const qint64 before = dbsize(*m_server);
        const InvalidationReport r = run(*s, 2, "user:*", options());
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.matched, 30000u);
        QCOMPARE(r.deleted, 30000u);
        QCOMPARE(qint64(r.deleted), before - dbsize(*m_server));
        QCOMPARE(dbsize(*m_server), 5000);
        QCOMPARE(r.summary(), QStringLiteral("deleted 30,000 of 30,000 keys"));
        const auto rows = auditRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().outcome, QStringLiteral("completed"));
        QCOMPARE(rows.first().action, QStringLiteral("purge pattern"));
        QCOMPARE(rows.first().target, QStringLiteral("user:*"));
        QCOMPARE(rows.first().connection, QStringLiteral("test source"));
        QCOMPARE(rows.first().matched, 30000);
        QCOMPARE(rows.first().deleted, 30000);
        QVERIFY(!rows.first().user.isEmpty());
    }

    void patternMatchingNothingDeletesNothing()
    {
        populate(*m_server, 1000, QStringLiteral("user"));
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        const InvalidationReport r = run(*s, 3, "nomatch:*", options());
        QVERIFY(!r.error.isError());
        QCOMPARE(r.matched, 0u);
        QCOMPARE(r.deleted, 0u);
        QCOMPARE(dbsize(*m_server), 1000);
        QCOMPARE(auditRows().first().outcome, QStringLiteral("completed"));
    }

    void invalidPatternIsRefusedBeforeAnything_data()
    {
        QTest::addColumn<QByteArray>("glob");
        QTest::addRow("unterminated class") << QByteArray("user:[abc");
        QTest::addRow("trailing backslash") << QByteArray("user:\\");
        QTest::addRow("empty class") << QByteArray("user:[]");
        QTest::addRow("range up to bracket") << QByteArray("user:[a-]");
        QTest::addRow("empty") << QByteArray();
    }
    void invalidPatternIsRefusedBeforeAnything()
    {
        QFETCH(QByteArray, glob);
        populate(*m_server, 100, QStringLiteral("user"));
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        const InvalidationReport r = run(*s, 4, glob, options());
        QCOMPARE(r.error.kind, SourceError::Kind::InvalidArgument);
        QVERIFY(!r.error.message.isEmpty());
        QCOMPARE(dbsize(*m_server), 100);
        QVERIFY(auditRows().isEmpty());
    }

    void validEdgeCasesOfTheGlobAreAccepted_data()
    {
        QTest::addColumn<QByteArray>("glob");
        for (const char* glob : {"*", "user:*", "[^]", "\\[literal", "[a\\-]", "[-a]", "key?[0-9]*", "a\\*b", "[^a-z]x"})
            QTest::addRow("%s", glob) << QByteArray(glob);
    }
    void validEdgeCasesOfTheGlobAreAccepted()
    {
        QFETCH(QByteArray, glob);
        QCOMPARE(globProblem(glob), QString());
    }

    void auditWriteFailureMeansNothingIsDeleted()
    {
        populate(*m_server, 500, QStringLiteral("user"));
        GuardPolicy unwritable = guard();
        unwritable.auditPath = m_dir.path();   // a directory: SQLite cannot open it as a database
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), unwritable);
        const InvalidationReport r = run(*s, 5, "user:*", options());
        QVERIFY(r.error.isError());
        QVERIFY2(r.error.message.contains(QStringLiteral("nothing was changed")), qPrintable(r.error.message));
        QCOMPARE(dbsize(*m_server), 500);
    }

    void cancelHalfWayReportsExactCountAndResumes()
    {
        populate(*m_server, 20000, QStringLiteral("user"));
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        InvalidateOptions o = options();
        o.maxKeysPerSecond = 20000;
        s->call([o](Source* source) { source->invalidatePattern(6, "user:*", o); });
        QTRY_VERIFY_WITH_TIMEOUT(lastDeleted(*s, 6) >= 2000, 30000);
        s->call([](Source* source) { source->cancel(6); });
        QTRY_VERIFY_WITH_TIMEOUT(reportOf(*s, 6).has_value(), 10000);
        const InvalidationReport r = *reportOf(*s, 6);
        QVERIFY(r.cancelled);
        QVERIFY(!r.error.isError());
        QVERIFY(r.deleted >= 2000 && r.deleted < 20000);
        QCOMPARE(qint64(r.deleted), 20000 - dbsize(*m_server));   // exact
        QVERIFY(r.summary().contains(QStringLiteral("cancelled")));
        QCOMPARE(auditRows().first().outcome, QStringLiteral("cancelled"));
        QCOMPARE(auditRows().first().deleted, qint64(r.deleted));
        QCOMPARE(r.resumeCursors.size(), 1);

        InvalidateOptions resume = options();
        resume.resumeCursors = r.resumeCursors;
        const InvalidationReport rest = run(*s, 7, "user:*", resume);
        QVERIFY(!rest.error.isError());
        QCOMPARE(r.deleted + rest.deleted, 20000u);
        QCOMPARE(dbsize(*m_server), 0);
    }

    void keysTheShrinkingTableReturnsTwiceAreCountedOnce()
    {
        // The purge's own deletions (and anyone else's) shrink the server's hash table, and SCAN returns a key again
        // when the table shrinks under it. The report still counts each key once: "deleted N of N", not "of N+2".
        m_server->cli({QStringLiteral("CONFIG"), QStringLiteral("SET"), QStringLiteral("hz"), QStringLiteral("500")});
        for (int round = 0; round < 4; ++round) {
            m_server->cli({QStringLiteral("FLUSHALL")});
            populate(*m_server, 20000, QStringLiteral("user"));
            populate(*m_server, 200000, QStringLiteral("junk"));
            auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
            InvalidateOptions o = options();
            o.maxKeysPerSecond = 40000;
            const quint64 id = 40 + quint64(round);
            s->call([o, id](Source* source) { source->invalidatePattern(id, "user:*", o); });
            QTRY_VERIFY_WITH_TIMEOUT(lastDeleted(*s, id) >= 1000, 30000);
            // Someone else drops the junk meanwhile: the table shrinks to a tenth while the walk is under way.
            m_server->cli({QStringLiteral("EVAL"),
                           QStringLiteral("local c = '0' repeat local r = redis.call('SCAN', c, 'MATCH', 'junk:*', "
                                          "'COUNT', 5000) c = r[1] for _, k in ipairs(r[2]) do redis.call('UNLINK', k) "
                                          "end until c == '0'"),
                           QStringLiteral("0")});
            QTRY_VERIFY_WITH_TIMEOUT(reportOf(*s, id).has_value(), 60000);
            const InvalidationReport r = *reportOf(*s, id);
            QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
            QCOMPARE(dbsize(*m_server), 0);
            QCOMPARE(r.deleted, 20000u);
            QCOMPARE(r.matched, 20000u);
        }
        m_server->cli({QStringLiteral("CONFIG"), QStringLiteral("SET"), QStringLiteral("hz"), QStringLiteral("10")});
    }

    void everyModeCountsEachKeyOnceOnASegmentedKeyspace_data()
    {
        QTest::addColumn<QByteArray>("glob");
        QTest::addColumn<QString>("mode");
        QTest::addColumn<quint64>("matches");
        QTest::addRow("dry run, half the namespaces") << QByteArray("bar:ns[0-4]:*") << QStringLiteral("dry run") << 125000ull;
        QTest::addRow("dry run, every key") << QByteArray("*") << QStringLiteral("dry run") << 250000ull;
        QTest::addRow("delete") << QByteArray("bar:ns[0-4]:*") << QStringLiteral("delete") << 125000ull;
        QTest::addRow("expire with jitter") << QByteArray("bar:ns[0-4]:*") << QStringLiteral("expire") << 125000ull;
    }
    void everyModeCountsEachKeyOnceOnASegmentedKeyspace()
    {
        // 250,000 keys: the standalone keyspace is walked in segments at once, and a SCAN page that runs past the
        // end of its segment must not count (or expire) keys of the next one a second time.
        QFETCH(QByteArray, glob);
        QFETCH(QString, mode);
        QFETCH(quint64, matches);
        for (int ns = 0; ns < 10; ++ns)
            populate(*m_server, 25000, QStringLiteral("bar:ns%1").arg(ns));
        QCOMPARE(dbsize(*m_server), 250000);
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        InvalidateOptions o = options();
        o.dryRun = mode == QLatin1String("dry run");
        o.expireJitterSeconds = mode == QLatin1String("expire") ? 600 : 0;
        // A quiet server gives the same exact count every time.
        for (int pass = 0; pass < (o.dryRun ? 3 : 1); ++pass) {
            const InvalidationReport r = run(*s, 60 + quint64(pass), glob, o);
            QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
            QCOMPARE(r.matched, matches);
            QCOMPARE(r.deleted, o.dryRun ? 0ull : matches);
            QCOMPARE(r.keyspace, 250000ull);
        }
        if (mode == QLatin1String("delete"))
            QCOMPARE(dbsize(*m_server), 250000 - qint64(matches));
        if (mode == QLatin1String("expire")) {
            // Every match has a TTL (or, given 0 ms, is gone already); no other key has one.
            const QList<QByteArray> ttls = m_server->cli({QStringLiteral("EVAL"), QStringLiteral(
                "local c, n, other = '0', 0, 0 repeat local r = redis.call('SCAN', c, 'COUNT', 5000) c = r[1] "
                "for _, k in ipairs(r[2]) do if redis.call('PTTL', k) >= 0 then "
                "if string.match(k, '^bar:ns[0-4]:') then n = n + 1 else other = other + 1 end end end "
                "until c == '0' return {n, other}"), QStringLiteral("0")}).split('\n');
            QCOMPARE(ttls.size(), 2);
            QCOMPARE(ttls.at(0).trimmed().toLongLong() + (250000 - dbsize(*m_server)), qint64(matches));
            QCOMPARE(ttls.at(1).trimmed().toLongLong(), 0);
            QCOMPARE(auditRows().first().deleted, qint64(matches));
        }
    }

    void excludePolicyLeavesKeysCreatedAfterTheScanWentBy()
    {
        populate(*m_server, 3000, QStringLiteral("user"));
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        InvalidateOptions o = options();
        o.maxKeysPerSecond = 3000;
        QCOMPARE(o.newKeys, InvalidateOptions::NewKeys::Exclude);   // the default
        s->call([o](Source* source) { source->invalidatePattern(8, "user:*", o); });
        // Every match found, deletion still running: a key created now is new to the purge.
        QTRY_VERIFY_WITH_TIMEOUT(!s->record().invalidationProgress.isEmpty()
                                     && s->record().invalidationProgress.constLast().matched == 3000, 30000);
        QVERIFY(lastDeleted(*s, 8) < 3000);
        m_server->cli({QStringLiteral("SET"), QStringLiteral("user:new"), QStringLiteral("1")});
        QTRY_VERIFY_WITH_TIMEOUT(reportOf(*s, 8).has_value(), 30000);
        const InvalidationReport r = *reportOf(*s, 8);
        QCOMPARE(r.deleted, 3000u);
        QCOMPARE(r.newKeys, InvalidateOptions::NewKeys::Exclude);
        QCOMPARE(m_server->cli({QStringLiteral("EXISTS"), QStringLiteral("user:new")}), QByteArray("1"));
    }

    void includePolicyDeletesKeysCreatedDuringThePurge()
    {
        populate(*m_server, 3000, QStringLiteral("user"));
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        InvalidateOptions o = options();
        o.maxKeysPerSecond = 3000;
        o.newKeys = InvalidateOptions::NewKeys::Include;
        s->call([o](Source* source) { source->invalidatePattern(9, "user:*", o); });
        QTRY_VERIFY_WITH_TIMEOUT(lastDeleted(*s, 9) > 0, 30000);
        m_server->cli({QStringLiteral("SET"), QStringLiteral("user:new"), QStringLiteral("1")});
        QTRY_VERIFY_WITH_TIMEOUT(reportOf(*s, 9).has_value(), 30000);
        const InvalidationReport r = *reportOf(*s, 9);
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.deleted, 3001u);
        QVERIFY(r.newKeysDeleted <= 1);   // the final pass finds it unless the first one already had
        QCOMPARE(dbsize(*m_server), 0);
    }

    void expireWithJitterSpreadsTtlsInsteadOfDeleting()
    {
        populate(*m_server, 2000, QStringLiteral("user"));
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        InvalidateOptions o = options();
        o.expireJitterSeconds = 600;
        const InvalidationReport r = run(*s, 10, "user:*", o);
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QVERIFY(r.expired);
        QCOMPARE(r.deleted, 2000u);
        QVERIFY(dbsize(*m_server) > 1990);   // a TTL of 0 ms (possible, rarely) expires at once
        qint64 minTtl = std::numeric_limits<qint64>::max(), maxTtl = -1;
        for (int i : {0, 1, 17, 500, 999, 1999}) {
            const qint64 ttl = m_server->cli({QStringLiteral("PTTL"), QStringLiteral("user:%1").arg(i)}).toLongLong();
            minTtl = qMin(minTtl, ttl);
            maxTtl = qMax(maxTtl, ttl);
        }
        QVERIFY(maxTtl <= 600000);
        QVERIFY(maxTtl > minTtl);   // spread, not one deadline
        QCOMPARE(auditRows().first().action, QStringLiteral("expire pattern"));
    }

    void serverKilledMidPurgeReportsCountSoFarAndInterrupted()
    {
        RedisServer doomed;
        QVERIFY2(doomed.start(), qPrintable(doomed.errorString()));
        populate(doomed, 20000, QStringLiteral("user"));
        auto s = openRedisSource(doomed.url(), QStringLiteral("test source"), guard());
        InvalidateOptions o = options();
        o.maxKeysPerSecond = 5000;   // 4 s in all: the kill below comes long before the end
        s->call([o](Source* source) { source->invalidatePattern(11, "user:*", o); });
        QTRY_VERIFY_WITH_TIMEOUT(lastDeleted(*s, 11) >= 1000, 30000);
        doomed.kill();
        QTRY_VERIFY_WITH_TIMEOUT(reportOf(*s, 11).has_value(), 30000);
        const InvalidationReport r = *reportOf(*s, 11);
        QVERIFY(r.interrupted);
        QCOMPARE(r.error.kind, SourceError::Kind::Connection);
        QVERIFY(r.deleted >= 1000 && r.deleted < 20000);
        QVERIFY(r.deleted + r.unconfirmed <= 20000);
        QCOMPARE(r.resumeCursors.size(), 1);
        QVERIFY(r.summary().contains(QStringLiteral("interrupted")));
        const auto rows = auditRows();
        QCOMPARE(rows.first().outcome, QStringLiteral("interrupted"));
        QCOMPARE(rows.first().deleted, qint64(r.deleted));
    }

    void droppedConnectionResumesWithoutSkippingUnconfirmedKeys_data()
    {
        QTest::addColumn<bool>("snapshot");
        QTest::addRow("plain purge") << false;
        QTest::addRow("with a snapshot") << true;
    }
    void droppedConnectionResumesWithoutSkippingUnconfirmedKeys()
    {
        // The server stays up (same run id, so the saved cursors are used): batches in flight when the connection
        // dropped were never confirmed, and resuming must walk them again rather than start after them.
        QFETCH(bool, snapshot);
        constexpr int kKeys = 50000;
        populate(*m_server, kKeys, QStringLiteral("user"));
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        InvalidateOptions o = options();
        o.maxKeysPerSecond = 10000;   // 5 s in all: the drop below comes long before the end
        o.snapshot = snapshot;
        o.snapshotDirectory = m_dir.filePath(QStringLiteral("snapshots"));
        s->call([o](Source* source) { source->invalidatePattern(50, "user:*", o); });
        QTRY_VERIFY_WITH_TIMEOUT(lastDeleted(*s, 50) >= 3000, 30000);
        // The drop must catch a batch in flight: between batches (the purge waits for its rate) the client would just
        // reconnect and the purge go on, uninterrupted (correct, but not what this tests; seen once in CI). So the
        // server holds writes (CLIENT PAUSE WRITE) until the purge's next UNLINK is waiting, then drops every client.
        m_server->cli({QStringLiteral("CLIENT"), QStringLiteral("PAUSE"), QStringLiteral("20000"), QStringLiteral("WRITE")});
        QTRY_VERIFY_WITH_TIMEOUT(m_server->cli({QStringLiteral("INFO"), QStringLiteral("clients")}).contains("blocked_clients:1"),
                                 10000);
        m_server->cli({QStringLiteral("CLIENT"), QStringLiteral("KILL"), QStringLiteral("TYPE"), QStringLiteral("normal")});
        m_server->cli({QStringLiteral("CLIENT"), QStringLiteral("UNPAUSE")});
        const InvalidationReport first = s->waitForInvalidation(50, 30000);
        QVERIFY(first.interrupted);
        QVERIFY(first.deleted < quint64(kKeys));
        QTRY_COMPARE_WITH_TIMEOUT(s->lastState(), ConnectionState::Ready, 10000);
        InvalidateOptions resume = options();
        resume.resumeCursors = first.resumeCursors;
        resume.snapshot = snapshot;
        resume.snapshotPath = first.snapshotPath;
        const InvalidationReport rest = run(*s, 51, "user:*", resume);
        QVERIFY2(!rest.error.isError(), qPrintable(rest.error.message));
        QCOMPARE(rest.rescannedNodes, 0);
        QCOMPARE(dbsize(*m_server), 0);   // nothing skipped
        QVERIFY(first.deleted + rest.deleted <= quint64(kKeys));
        QVERIFY(first.deleted + rest.deleted + first.unconfirmed >= quint64(kKeys));
        if (snapshot) {   // every deleted key is in the one snapshot, which both parts wrote
            QCOMPARE(rest.snapshotPath, first.snapshotPath);
            QVERIFY(first.snapshotKeys + rest.snapshotKeys >= first.deleted + rest.deleted);
        }
    }

    void deletionsWhoseAnswerWasLostAreCountedOnceTheServerAnswers()
    {
        // The connection drops after the server ran some UNLINKs but before their answers came back. The purge asks
        // EXISTS about them once its client is back, so what they removed is counted, and the resumed part adds up
        // with it to exactly what left the database.
        constexpr qint64 kKeys = 500000;
        populate(*m_server, int(kKeys), QStringLiteral("user"));
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        s->call([o = options()](Source* source) { source->invalidatePattern(70, "user:*", o); });
        QTRY_VERIFY_WITH_TIMEOUT(lastDeleted(*s, 70) >= 20000, 30000);
        // The server holds writes (CLIENT PAUSE WRITE) until the purge's next UNLINK waits, with the SCANs sent after
        // it. Then a client whose replies outgrow its 16 KB buffer by a byte is closed at once, its replies unsent,
        // and writes go on: the UNLINK runs, the SCAN page after it (1,000 keys) outgrows the buffer, and neither
        // answer is sent.
        m_server->cli({QStringLiteral("CLIENT"), QStringLiteral("PAUSE"), QStringLiteral("20000"), QStringLiteral("WRITE")});
        QTRY_VERIFY_WITH_TIMEOUT(m_server->cli({QStringLiteral("INFO"), QStringLiteral("clients")}).contains("blocked_clients:1"),
                                 10000);
        m_server->cli({QStringLiteral("CONFIG"), QStringLiteral("SET"), QStringLiteral("client-output-buffer-limit"),
                       QStringLiteral("normal 1 0 0")});
        m_server->cli({QStringLiteral("CLIENT"), QStringLiteral("UNPAUSE")});
        const InvalidationReport first = s->waitForInvalidation(70, 30000);
        m_server->cli({QStringLiteral("CONFIG"), QStringLiteral("SET"), QStringLiteral("client-output-buffer-limit"),
                       QStringLiteral("normal 0 0 0")});
        QVERIFY(first.interrupted);
        QCOMPARE(first.unconfirmed, 0ull);
        QCOMPARE(qint64(first.deleted), kKeys - dbsize(*m_server));
        QCOMPARE(auditRows().first().deleted, qint64(first.deleted));

        QTRY_COMPARE_WITH_TIMEOUT(s->lastState(), ConnectionState::Ready, 10000);
        InvalidateOptions resume = options();
        resume.resumeCursors = first.resumeCursors;
        const InvalidationReport rest = run(*s, 71, "user:*", resume);
        QVERIFY2(!rest.error.isError(), qPrintable(rest.error.message));
        QCOMPARE(dbsize(*m_server), 0);
        QCOMPARE(qint64(first.deleted + rest.deleted), kKeys);
        const InvalidationReport whole = rest.withEarlierPart(first.asEarlierPart());
        QCOMPARE(whole.summary(), QStringLiteral("deleted 500,000 of 500,000 keys"));
    }

    void localEngineForecastsTheMatchesShareOfRecentReads_data()
    {
        QTest::addColumn<int>("policy");
        QTest::addColumn<bool>("known");
        QTest::addRow("W-TinyLFU (frequency sketch)") << int(engine::PolicyKind::WTinyLfu) << true;
        QTest::addRow("LRU (no frequency)") << int(engine::PolicyKind::Lru) << false;
    }
    void localEngineForecastsTheMatchesShareOfRecentReads()
    {
        QFETCH(int, policy);
        QFETCH(bool, known);
        engine::CacheOptions co;
        co.policy = engine::PolicyKind(policy);
        auto cache = std::make_shared<engine::Cache>(co);
        for (int i = 0; i < 500; ++i) {
            cache->set("hot:" + std::to_string(i), "v");
            cache->set("cold:" + std::to_string(i), "v");
        }
        // Hot keys are read four times as often as cold ones.
        for (int round = 0; round < 4; ++round)
            for (int i = 0; i < 500; ++i)
                QVERIFY(cache->get("hot:" + std::to_string(i)));
        for (int i = 0; i < 500; ++i)
            QVERIFY(cache->get("cold:" + std::to_string(i)));
        const auto readsBefore = cache->stats().gets();
        SourceOnWorker s(new LocalSource(cache, guard(QStringLiteral("Local engine"))));
        s.call([](Source* source) { source->open(); });
        InvalidateOptions dry = options();
        dry.dryRun = true;
        const InvalidationReport hot = run(s, 30, "hot:*", dry);
        QCOMPARE(cache->stats().gets(), readsBefore);   // the forecast reads nothing (it would skew what it measures)
        QCOMPARE(hot.matched, 500u);
        QCOMPARE(hot.keyspace, 1000u);
        if (!known) {
            QCOMPARE(hot.hitShare, -1.0);
            return;
        }
        // The sketch's estimates are approximate: about 4 of every 5 recent reads, half of the keys.
        QVERIFY2(hot.hitShare > 0.65 && hot.hitShare < 0.9, qPrintable(QString::number(hot.hitShare)));
        const InvalidationReport cold = run(s, 31, "cold:*", dry);
        QVERIFY2(qAbs(hot.hitShare + cold.hitShare - 1.0) < 1e-9,
                 qPrintable(QStringLiteral("%1 + %2").arg(hot.hitShare).arg(cold.hitShare)));
        QCOMPARE(cache->stats().entries, 1000u);
    }

    void localEngineDryRunPurgeAndTag()
    {
        auto cache = std::make_shared<engine::Cache>();
        for (int i = 0; i < 5000; ++i)
            cache->set("user:" + std::to_string(i), "value");
        for (int i = 0; i < 1000; ++i) {
            engine::SetOptions so;
            so.tags = {"catalog"};
            cache->set("item:" + std::to_string(i), "value", so);
        }
        SourceOnWorker s(new LocalSource(cache, guard(QStringLiteral("Local engine"))));
        s.call([](Source* source) { source->open(); });
        InvalidateOptions dry = options();
        dry.dryRun = true;
        InvalidationReport r = run(s, 20, "user:*", dry);
        QCOMPARE(r.matched, 5000u);
        QCOMPARE(r.deleted, 0u);
        QCOMPARE(r.keyspace, 6000u);
        QCOMPARE(r.sample.size(), 20);
        QVERIFY(r.estimatedMemoryBytes > 0);
        QCOMPARE(cache->stats().entries, 6000u);

        InvalidateOptions throttled = options();
        throttled.maxKeysPerSecond = 100000;
        r = run(s, 21, "user:1*", throttled);   // the sliced path
        QCOMPARE(r.matched, 1111u);
        QCOMPARE(r.deleted, 1111u);
        r = run(s, 22, "user:*", options());     // the engine's invalidatePattern
        QCOMPARE(r.deleted, 5000u - 1111u);
        QCOMPARE(cache->stats().entries, 1000u);

        s.call([o = options()](Source* source) { source->invalidateTags(23, {}, {QByteArrayLiteral("catalog")}, o); });
        QTRY_VERIFY(reportOf(s, 23).has_value());
        QCOMPARE(reportOf(s, 23)->deleted, 1000u);
        QCOMPARE(cache->stats().entries, 0u);
        QCOMPARE(auditRows().size(), 3);
        QCOMPARE(auditRows().first().action, QStringLiteral("invalidate tag"));
        QCOMPARE(auditRows().first().connection, QStringLiteral("Local engine"));
    }
};

QTEST_GUILESS_MAIN(TestPurge)
#include "tst_purge.moc"
