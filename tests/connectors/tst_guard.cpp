// The one guarded path (connectors/guard/ChangeGuard.h), on a real redis-server and on the engine: every request that
// changes data — delete, TTL, persist, value and hash-field edit, pattern purge, jittered expiry, tag invalidation,
// snapshot restore — is refused on a read-only connection, refused on a production one without the typed name (or
// with a wrong one), refused when the audit log cannot be written, and in each case nothing on the server changes
// and no audit row appears; with the typed name it runs, and its audit row names the connection and the OS account.
#include "IsolatedEnvironment.h"

#include "AuditRows.h"
#include "RedisServer.h"
#include "SourceOnWorker.h"
#include "connectors/LocalSource.h"
#include "connectors/RedisSource.h"
#include "connectors/audit/AuditStore.h"
#include <cachelens/cache.h>

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <pwd.h>
#include <unistd.h>

using namespace cachelens;
using test::RedisServer;
using test::SourceOnWorker;

namespace {

enum class Guarded { ReadOnly, ProductionUnconfirmed, ProductionWrongName, AuditUnwritable, ProductionConfirmed };

struct Outcome {
    bool answered = false;
    SourceError error;
};

// Sends `action` and waits for its answer (keysChanged, invalidationFinished or restoreFinished).
Outcome perform(SourceOnWorker& s, const QString& action, const Confirmation& c, const QString& snapshot)
{
    const quint64 id = 100;
    if (action == QLatin1String("delete"))
        s.call([c](Source* src) { src->remove(id, {QByteArrayLiteral("k:1")}, c); });
    else if (action == QLatin1String("ttl"))
        s.call([c](Source* src) { src->setTtl(id, {QByteArrayLiteral("k:2")}, 600000, c); });
    else if (action == QLatin1String("persist"))
        s.call([c](Source* src) { src->setTtl(id, {QByteArrayLiteral("k:5")}, -1, c); });
    else if (action == QLatin1String("edit value"))
        s.call([c](Source* src) { src->writeValue(id, QByteArrayLiteral("k:3"), {}, QByteArrayLiteral("changed"), c); });
    else if (action == QLatin1String("edit hash field"))
        s.call([c](Source* src) { src->writeValue(id, QByteArrayLiteral("h"), QByteArrayLiteral("f"), QByteArrayLiteral("v2"), c); });
    else if (action == QLatin1String("purge") || action == QLatin1String("expire")) {
        InvalidateOptions o;
        o.expireJitterSeconds = action == QLatin1String("expire") ? 600 : 0;
        s.call([c, o](Source* src) { src->invalidatePattern(id, QByteArrayLiteral("k:*"), o, c); });
    } else if (action == QLatin1String("tags"))
        s.call([c](Source* src) { src->invalidateTags(id, {}, {QByteArrayLiteral("t")}, InvalidateOptions{}, c); });
    else if (action == QLatin1String("restore"))
        s.call([c, snapshot](Source* src) { src->restoreSnapshot(id, snapshot, RestoreOptions{}, c); });
    Outcome out;
    out.answered = QTest::qWaitFor([&] {
        const auto r = s.record();
        if (const auto op = test::byRequestId(r.keyOps, id)) {
            out.error = op->error;
            return true;
        }
        if (const auto inv = test::byRequestId(r.invalidations, id)) {
            out.error = inv->error;
            return true;
        }
        if (const auto res = test::byRequestId(r.restores, id)) {
            out.error = res->error;
            return true;
        }
        return false;
    }, 20000);
    return out;
}

QString osAccount()
{
    const passwd* pw = getpwuid(geteuid());
    return QStringLiteral("%1 (uid %2)").arg(QString::fromLocal8Bit(pw ? pw->pw_name : "?")).arg(geteuid());
}

} // namespace

class TestGuard : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;
    QTemporaryDir m_dir;
    QString m_snapshot;   // a snapshot of snap:1 (deleted), for the restore rows
    int m_serial = 0;

    QByteArray fingerprint() { return m_server->fingerprint(); }

    void fill()
    {
        m_server->cli({QStringLiteral("FLUSHALL")});
        for (int i = 1; i <= 5; ++i)
            m_server->cli({QStringLiteral("SET"), QStringLiteral("k:%1").arg(i), QStringLiteral("v%1").arg(i)});
        m_server->cli({QStringLiteral("PEXPIRE"), QStringLiteral("k:5"), QStringLiteral("600000")});
        m_server->cli({QStringLiteral("HSET"), QStringLiteral("h"), QStringLiteral("f"), QStringLiteral("v1")});
        m_server->cli({QStringLiteral("SADD"), QStringLiteral("tag:t"), QStringLiteral("k:4")});   // the provider's tag set
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        // A snapshot to restore from: a purge of snap:* with one, on an unguarded source.
        m_server->cli({QStringLiteral("SET"), QStringLiteral("snap:1"), QStringLiteral("saved")});
        auto s = test::openRedisSource(m_server->url(), QStringLiteral("setup"),
                                       GuardPolicy{QStringLiteral("setup"), false, false, m_dir.filePath(QStringLiteral("setup.db"))});
        InvalidateOptions o;
        o.snapshot = true;
        o.snapshotPath = m_dir.filePath(QStringLiteral("snap.snapshot.db"));
        s->call([o](Source* src) { src->invalidatePattern(1, QByteArrayLiteral("snap:*"), o); });
        const InvalidationReport r = s->waitForInvalidation(1);
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.snapshotKeys, 1u);
        m_snapshot = o.snapshotPath;
    }
    void cleanupTestCase() { m_server.reset(); }

    void everyChangeOnRedisPassesTheGuard_data()
    {
        QTest::addColumn<QString>("action");
        QTest::addColumn<int>("guarded");
        const QStringList actions{QStringLiteral("delete"), QStringLiteral("ttl"), QStringLiteral("persist"),
                                  QStringLiteral("edit value"), QStringLiteral("edit hash field"), QStringLiteral("purge"),
                                  QStringLiteral("expire"), QStringLiteral("tags"), QStringLiteral("restore")};
        const QList<QPair<Guarded, const char*>> cases{{Guarded::ReadOnly, "read-only"},
                                                       {Guarded::ProductionUnconfirmed, "production, no name"},
                                                       {Guarded::ProductionWrongName, "production, wrong name"},
                                                       {Guarded::AuditUnwritable, "audit log unwritable"},
                                                       {Guarded::ProductionConfirmed, "production, typed name"}};
        for (const QString& a : actions)
            for (const auto& [g, label] : cases)
                QTest::addRow("%s: %s", qPrintable(a), label) << a << int(g);
    }

    void everyChangeOnRedisPassesTheGuard()
    {
        QFETCH(QString, action);
        QFETCH(int, guarded);
        const auto g = Guarded(guarded);
        fill();
        GuardPolicy policy{QStringLiteral("prod-cache"), g == Guarded::ReadOnly, g != Guarded::ReadOnly,
                           m_dir.filePath(QStringLiteral("audit-%1.db").arg(++m_serial))};
        if (g == Guarded::AuditUnwritable) {
            QVERIFY(QDir().mkpath(policy.auditPath));   // a directory where the database should be
            policy.production = false;
        }
        const Confirmation confirmation{g == Guarded::ProductionConfirmed ? QStringLiteral("prod-cache")
                                        : g == Guarded::ProductionWrongName ? QStringLiteral("prod")
                                                                            : QString()};
        auto s = test::openRedisSource(m_server->url(), QStringLiteral("prod-cache"), policy);
        const QByteArray before = fingerprint();
        const Outcome out = perform(*s, action, confirmation, m_snapshot);
        QVERIFY(out.answered);
        const QVector<AuditEntry> rows = test::auditRows(policy.auditPath);
        if (g == Guarded::ProductionConfirmed) {
            QVERIFY2(!out.error.isError(), qPrintable(out.error.message));
            QVERIFY2(fingerprint() != before, "the change was made");
            QCOMPARE(rows.size(), 1);
            QCOMPARE(rows.first().connection, QStringLiteral("prod-cache"));
            QCOMPARE(rows.first().outcome, QStringLiteral("completed"));
            QCOMPARE(rows.first().user, osAccount());
            return;
        }
        QCOMPARE(out.error.kind, g == Guarded::AuditUnwritable ? SourceError::Kind::Storage : SourceError::Kind::Refused);
        const QString says = g == Guarded::ReadOnly ? QStringLiteral("read-only")
                           : g == Guarded::AuditUnwritable ? QStringLiteral("audit log could not be written")
                           : g == Guarded::ProductionWrongName ? QStringLiteral("does not match")
                                                               : QStringLiteral("--confirm 'prod-cache'");
        QVERIFY2(out.error.message.contains(says), qPrintable(out.error.message));
        QVERIFY2(out.error.message.contains(QStringLiteral("nothing was changed")), qPrintable(out.error.message));
        QCOMPARE(fingerprint(), before);
        QVERIFY(rows.isEmpty());
    }

    void dryRunsNeedNoConfirmationAndWriteNoAuditRow()
    {
        fill();
        const GuardPolicy policy{QStringLiteral("prod-cache"), true, true, m_dir.filePath(QStringLiteral("dry.db"))};
        auto s = test::openRedisSource(m_server->url(), QStringLiteral("prod-cache"), policy);
        InvalidateOptions dry;
        dry.dryRun = true;
        s->call([dry](Source* src) { src->invalidatePattern(1, QByteArrayLiteral("k:*"), dry); });
        const InvalidationReport r = s->waitForInvalidation(1);
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.matched, 5u);
        QCOMPARE(m_server->cli({QStringLiteral("DBSIZE")}), QByteArray("7"));
        QVERIFY(test::auditRows(policy.auditPath).isEmpty());
    }

    void theLocalEngineGoesThroughTheSameGuard_data()
    {
        QTest::addColumn<QString>("action");
        for (const char* a : {"delete", "ttl", "edit value", "purge", "expire", "tags"})
            QTest::addRow("%s", a) << QString::fromLatin1(a);
    }

    void theLocalEngineGoesThroughTheSameGuard()
    {
        QFETCH(QString, action);
        auto cache = std::make_shared<engine::Cache>();
        for (int i = 1; i <= 5; ++i) {
            engine::SetOptions o;
            o.tags = {"t"};
            QVERIFY(cache->set("k:" + std::to_string(i), "v", o).ok());
        }
        const QString audit = m_dir.filePath(QStringLiteral("local-%1.db").arg(++m_serial));
        SourceOnWorker s(new LocalSource(cache, GuardPolicy{QStringLiteral("Local engine"), true, false, audit}));
        const Outcome out = perform(s, action, {}, {});
        QVERIFY(out.answered);
        QCOMPARE(out.error.kind, SourceError::Kind::Refused);
        QCOMPARE(cache->stats().entries, 5u);
        QCOMPARE(cache->pttl("k:2"), std::int64_t(-1));
        QVERIFY(test::auditRows(audit).isEmpty());
    }

    void theAuditRowNamesTheOsAccountNotTheEnvironment()
    {
        fill();
        qputenv("USER", "mallory");
        qputenv("LOGNAME", "mallory");
        const GuardPolicy policy{QStringLiteral("c"), false, false, m_dir.filePath(QStringLiteral("user.db"))};
        auto s = test::openRedisSource(m_server->url(), QStringLiteral("c"), policy);
        QVERIFY(perform(*s, QStringLiteral("delete"), {}, {}).answered);
        const QVector<AuditEntry> rows = test::auditRows(policy.auditPath);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().user, osAccount());
        QVERIFY(!rows.first().user.contains(QStringLiteral("mallory")));
    }
};

QTEST_GUILESS_MAIN(TestGuard)
#include "tst_guard.moc"
