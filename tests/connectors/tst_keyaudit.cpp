// Key changes from the Keys panel (delete, TTL, value edit) are audited like purges, on the local engine and on a
// real Redis: the row is written before any key is touched, and when audit.db cannot be written nothing changes.
#include "IsolatedEnvironment.h"

#include "RedisServer.h"
#include "SourceOnWorker.h"
#include "connectors/ConnectionUrl.h"
#include "connectors/LocalSource.h"
#include "connectors/RedisSource.h"
#include "connectors/audit/AuditStore.h"
#include <cachelens/cache.h>

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace cachelens;
using test::RedisServer;
using test::SourceOnWorker;

namespace {

std::shared_ptr<engine::Cache> localCache()
{
    engine::CacheOptions o;
    o.backgroundThread = false;
    return std::make_shared<engine::Cache>(o);
}

QVector<AuditEntry> auditRows()
{
    AuditStore store;
    if (!store.open(AuditStore::defaultPath()))
        return {};
    return store.entries();
}

} // namespace

class TestKeyAudit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init() { QFile::remove(AuditStore::defaultPath()); }

    void localDeletesAndTtlChangesAreAudited()
    {
        auto cache = localCache();
        QVERIFY(cache->set("a:1", "x").ok());
        QVERIFY(cache->set(std::string("bin:\xff", 5), "y").ok());
        LocalSource source(cache);
        QSignalSpy changed(&source, &Source::keysChanged);
        source.setTtl(1, {QByteArrayLiteral("a:1")}, 60000);
        source.remove(2, {QByteArrayLiteral("a:1"), QByteArray("bin:\xff", 5), QByteArrayLiteral("missing")});
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.at(1).first().value<KeyOpResult>().affected, 2u);
        const QVector<AuditEntry> rows = auditRows();   // newest first
        QCOMPARE(rows.size(), 2);
        QCOMPARE(rows.at(0).action, QStringLiteral("delete keys"));
        QCOMPARE(rows.at(0).connection, QStringLiteral("Local engine"));
        QCOMPARE(rows.at(0).target, QStringLiteral("a:1, bin:\\xff, missing"));   // binary keys escaped
        QCOMPARE(rows.at(0).matched, 3);
        QCOMPARE(rows.at(0).deleted, 2);
        QCOMPARE(rows.at(0).outcome, QStringLiteral("completed"));
        QCOMPARE(rows.at(1).action, QStringLiteral("set TTL"));
    }

    void anUnwritableAuditLogStopsTheChange()
    {
        auto cache = localCache();
        QVERIFY(cache->set("keep:1", "x").ok());
        // A directory where audit.db should be: the store cannot open it.
        QVERIFY(QDir().mkpath(AuditStore::defaultPath()));
        LocalSource source(cache);
        QSignalSpy changed(&source, &Source::keysChanged);
        source.remove(1, {QByteArrayLiteral("keep:1")});
        QCOMPARE(changed.size(), 1);
        const KeyOpResult result = changed.first().first().value<KeyOpResult>();
        QCOMPARE(result.affected, 0u);
        QVERIFY2(result.error.message.startsWith(QStringLiteral("nothing was changed")), qPrintable(result.error.message));
        QVERIFY(cache->exists("keep:1"));   // not deleted
        QVERIFY(QDir(AuditStore::defaultPath()).removeRecursively());
    }

    void redisDeletesAreAudited()
    {
        RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        for (const QString& k : {QStringLiteral("user:1"), QStringLiteral("user:2")})
            server.cli({QStringLiteral("SET"), k, QStringLiteral("v")});
        SourceOnWorker s(new RedisSource(QStringLiteral("prod"), QStringLiteral("prod-cache"),
                                         *ConnectionUrl::parse(server.url()).url));
        s.call([](Source* source) { source->open(); });
        QTRY_VERIFY_WITH_TIMEOUT(s.lastState() == ConnectionState::Ready, 10000);
        s.call([](Source* source) { source->remove(7, {QByteArrayLiteral("user:1"), QByteArrayLiteral("user:2")}); });
        QTRY_COMPARE_WITH_TIMEOUT(s.record().keyOps.size(), 1, 10000);
        QCOMPARE(s.record().keyOps.first().affected, 2u);
        QCOMPARE(server.cli({QStringLiteral("DBSIZE")}), QByteArray("0"));
        const QVector<AuditEntry> rows = auditRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().connection, QStringLiteral("prod-cache"));
        QCOMPARE(rows.first().action, QStringLiteral("delete keys"));
        QCOMPARE(rows.first().target, QStringLiteral("user:1, user:2"));
        QCOMPARE(rows.first().deleted, 2);
        QCOMPARE(rows.first().outcome, QStringLiteral("completed"));
    }
};

QTEST_GUILESS_MAIN(TestKeyAudit)
#include "tst_keyaudit.moc"
