// Tag invalidation through RedisSource and LocalSource on their worker threads. On Redis the tags are the ones a
// running CacheLens engine over Redis wrote (real RedisProvider, real redis-server): listing the tag sets under a
// prefix with their sizes, previewing members, a dry run, invalidating several tags at once (exact counts, other
// keys untouched, audit row) and the running application's L1 dropping the keys when the bus message arrives. On the
// local engine: tags listed with counts, a dry run that counts, and invalidation.
#include "IsolatedEnvironment.h"   // the audit log and snapshots go to a temporary home

#include "connectors/LocalSource.h"
#include "connectors/RedisSource.h"
#include "connectors/audit/AuditStore.h"
#include "connectors/provider/RedisProvider.h"

#include <cachelens/cache.h>

#include "AuditRows.h"
#include "RedisServer.h"
#include "SourceOnWorker.h"
#include "tst_provider_helpers.h"

#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace cachelens;
using cachelens::test::byRequestId;
using cachelens::test::openRedisSource;
using cachelens::test::RedisServer;
using cachelens::test::SourceOnWorker;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<engine::Cache> redisCache(const RedisServer& server, const std::string& prefix, const std::string& instance)
{
    provider::RedisProviderOptions o;
    o.l1 = true;
    o.instanceId = instance;
    return test::makeCache(server, o, prefix);
}

void fill(engine::Cache& cache, const std::string& key, int n, std::vector<std::string> tags)
{
    engine::SetOptions o;
    o.tags = std::move(tags);
    for (int i = 0; i < n; ++i)
        QVERIFY(cache.set(key + std::to_string(i), "value", o).ok());
}

} // namespace

class TestPurgeTags : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;
    QTemporaryDir m_dir;
    QString m_audit;
    int m_serial = 0;

    InvalidateOptions options(bool dryRun = false)
    {
        InvalidateOptions o;
        o.dryRun = dryRun;
        return o;
    }
    QVector<AuditEntry> auditRows() { return test::auditRows(m_audit); }
    // The sources' guard writes this test's audit log.
    GuardPolicy guard(const QString& connection = QStringLiteral("test source")) const
    {
        return GuardPolicy{connection, false, false, m_audit};
    }
    qint64 dbsize() { return m_server->cli({QStringLiteral("DBSIZE")}).toLongLong(); }
    TagList listed(SourceOnWorker& s, quint64 id, const QByteArray& prefix)
    {
        s.call([id, prefix](Source* source) { source->listTags(id, prefix); });
        if (!QTest::qWaitFor([&] { return byRequestId(s.record().tagLists, id).has_value(); }, 20000))
            return {};
        return *byRequestId(s.record().tagLists, id);
    }
    InvalidationReport invalidated(SourceOnWorker& s, quint64 id, const QByteArray& prefix, const QList<QByteArray>& tags,
                                   const InvalidateOptions& o)
    {
        s.call([=](Source* source) { source->invalidateTags(id, prefix, tags, o); });
        return s.waitForInvalidation(id, 30000);
    }

    // shop: 30 keys tagged red, 20 blue, 5 both, 10 untagged; other: 10 red (another application's prefix).
    void fillShop(engine::Cache& shop, engine::Cache& other)
    {
        fill(shop, "red:", 30, {"red"});
        fill(shop, "blue:", 20, {"blue"});
        fill(shop, "both:", 5, {"red", "blue"});
        fill(shop, "plain:", 10, {});
        fill(other, "red:", 10, {"red"});
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<InvalidationReport>();
        qRegisterMetaType<TagList>();
        m_server = std::make_unique<RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    }
    void init()
    {
        m_server->cli({QStringLiteral("FLUSHALL")});
        m_audit = m_dir.filePath(QStringLiteral("audit-%1.db").arg(++m_serial));
    }
    void cleanupTestCase() { m_server.reset(); }

    void redisTagSetsAreListedUnderTheirPrefixWithSizes()
    {
        auto shop = redisCache(*m_server, "shop:", "shop-1");
        auto other = redisCache(*m_server, "other:", "other-1");
        fillShop(*shop, *other);
        m_server->cli({QStringLiteral("SET"), QStringLiteral("shop:tag:not-a-set"), QStringLiteral("x")});
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        const TagList list = listed(*s, 1, "shop:");
        QVERIFY2(!list.error.isError(), qPrintable(list.error.message));
        QCOMPARE(list.tags.size(), 2);   // the string key and the other application's tag are not listed
        QCOMPARE(list.tags.at(0).name, QByteArray("blue"));
        QCOMPARE(list.tags.at(0).members, 25);
        QCOMPARE(list.tags.at(1).name, QByteArray("red"));
        QCOMPARE(list.tags.at(1).members, 35);
        QCOMPARE(listed(*s, 2, "other:").tags.size(), 1);
        QVERIFY(listed(*s, 3, "none:").tags.isEmpty());
    }

    void redisTagMembersArePreviewedBySscan()
    {
        auto shop = redisCache(*m_server, "shop:", "shop-1");
        fill(*shop, "red:", 30, {"red"});
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        s->call([](Source* source) { source->tagMembers(7, "shop:", "red", 10); });
        QTRY_COMPARE_WITH_TIMEOUT(s->record().tagMembers.size(), 1, 10000);
        const TagMembers m = s->record().tagMembers.first();
        QCOMPARE(m.requestId, 7u);
        QCOMPARE(m.total, 30);
        QCOMPARE(m.members.size(), 10);
        for (const QByteArray& key : m.members)
            QVERIFY2(key.startsWith("shop:red:"), key.constData());
    }

    void redisTagDryRunCountsAndSamplesWithoutDeleting()
    {
        auto shop = redisCache(*m_server, "shop:", "shop-1");
        auto other = redisCache(*m_server, "other:", "other-1");
        fillShop(*shop, *other);
        const qint64 before = dbsize();
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        const InvalidationReport r = invalidated(*s, 3, "shop:", {"red"}, options(true));
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QVERIFY(r.dryRun);
        QCOMPARE(r.matched, 35u);
        QCOMPARE(r.deleted, 0u);
        QCOMPARE(r.sample.size(), 20);
        QCOMPARE(dbsize(), before);
        QVERIFY(auditRows().isEmpty());   // dry runs change nothing and are not audited
    }

    void redisTagDryRunCountsExactlyWhatTheInvalidationDeletes()
    {
        auto shop = redisCache(*m_server, "shop:", "shop-1");
        auto other = redisCache(*m_server, "other:", "other-1");
        fillShop(*shop, *other);
        // Members the invalidation leaves alone: a plain key (not the provider's), one that does not exist, and a
        // provider value whose header does not carry the tag. The keys carrying both tags are deleted once.
        m_server->cli({QStringLiteral("SET"), QStringLiteral("shop:stray"), QStringLiteral("plain")});
        m_server->cli({QStringLiteral("SADD"), QStringLiteral("shop:tag:red"), QStringLiteral("shop:stray"),
                       QStringLiteral("shop:gone"), QStringLiteral("shop:plain:0")});
        m_server->cli({QStringLiteral("SADD"), QStringLiteral("shop:tag:loose"), QStringLiteral("shop:stray"),
                       QStringLiteral("shop:gone")});
        const qint64 before = dbsize();
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());

        const InvalidationReport dry = invalidated(*s, 6, "shop:", {"red", "blue"}, options(true));
        QVERIFY2(!dry.error.isError(), qPrintable(dry.error.message));
        QCOMPARE(dry.matched, 55u);
        QCOMPARE(dry.keyspace, quint64(before));
        QCOMPARE(dry.summary(), QStringLiteral("55 keys match (dry run, nothing deleted)"));
        QCOMPARE(dry.sample.size(), 20);
        for (const QByteArray& key : dry.sample)   // keys it would delete, not the members it would leave
            QVERIFY2(key.startsWith("shop:red:") || key.startsWith("shop:blue:") || key.startsWith("shop:both:"), key.constData());
        // A tag whose set holds only plain or missing keys: nothing would be deleted, and nothing is.
        const InvalidationReport looseDry = invalidated(*s, 7, "shop:", {"loose"}, options(true));
        QCOMPARE(looseDry.matched, 0u);
        QCOMPARE(looseDry.keyspace, quint64(before));
        QCOMPARE(dbsize(), before);

        const InvalidationReport loose = invalidated(*s, 8, "shop:", {"loose"}, options());
        QCOMPARE(loose.deleted, looseDry.matched);
        const InvalidationReport r = invalidated(*s, 9, "shop:", {"red", "blue"}, options());
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.deleted, dry.matched);
        QCOMPARE(m_server->cli({QStringLiteral("GET"), QStringLiteral("shop:stray")}), QByteArray("plain"));
    }

    void redisTagsAreInvalidatedExactlyAndRunningL1CachesDropThem()
    {
        auto shop = redisCache(*m_server, "shop:", "shop-1");
        auto other = redisCache(*m_server, "other:", "other-1");
        auto& provider = dynamic_cast<provider::RedisProvider&>(engine::CacheInternals::provider(*shop));
        QVERIFY(provider.waitForBus(5s));
        fillShop(*shop, *other);
        // The running application reads its keys, so they sit in its L1 (which Redis alone cannot reach).
        engine::Store* l1 = provider.l1();
        QTRY_VERIFY_WITH_TIMEOUT(shop->get("red:1") && l1->exists("shop:red:1") && shop->get("both:2")
                                     && l1->exists("shop:both:2") && shop->get("plain:3") && l1->exists("shop:plain:3"),
                                 5000);
        const auto receivedBefore = provider.providerStats().busReceived;
        const qint64 before = dbsize();

        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        const InvalidationReport r = invalidated(*s, 4, "shop:", {"red", "blue"}, options());
        QVERIFY2(!r.error.isError(), qPrintable(r.error.message));
        QCOMPARE(r.matched, 60u);   // SCARD red 35 + blue 25
        QCOMPARE(r.deleted, 55u);   // each key once, the 5 carrying both included
        // Gone from Redis: the 55 keys and both tag sets; the untagged keys and the other application's stay.
        QCOMPARE(dbsize(), before - 55 - 2);
        QCOMPARE(m_server->cli({QStringLiteral("EXISTS"), QStringLiteral("shop:red:1"), QStringLiteral("shop:both:2"),
                                QStringLiteral("shop:tag:red"), QStringLiteral("shop:tag:blue")}),
                 QByteArray("0"));
        QCOMPARE(m_server->cli({QStringLiteral("SCARD"), QStringLiteral("other:tag:red")}), QByteArray("10"));
        // …and from the running application's L1, through the bus.
        QTRY_VERIFY_WITH_TIMEOUT(!l1->exists("shop:red:1") && !l1->exists("shop:both:2"), 5000);
        QVERIFY(provider.providerStats().busReceived >= receivedBefore + 2);
        QVERIFY(!shop->get("red:1"));
        QVERIFY(shop->get("plain:3"));

        const QVector<AuditEntry> rows = auditRows();
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().action, QStringLiteral("invalidate tag"));
        QCOMPARE(rows.first().target, QStringLiteral("red, blue (prefix shop:)"));
        QCOMPARE(rows.first().matched, 60);
        QCOMPARE(rows.first().deleted, 55);
        QCOMPARE(rows.first().outcome, QStringLiteral("completed"));
    }

    void redisTagThatIsNotASetIsReportedAndNothingRuns()
    {
        m_server->cli({QStringLiteral("SET"), QStringLiteral("shop:tag:odd"), QStringLiteral("x")});
        auto s = openRedisSource(m_server->url(), QStringLiteral("test source"), guard());
        const InvalidationReport r = invalidated(*s, 5, "shop:", {"odd"}, options());
        QVERIFY(r.error.isError());
        QVERIFY2(r.error.message.contains(QStringLiteral("WRONGTYPE")), qPrintable(r.error.message));
        QCOMPARE(r.deleted, 0u);
        QCOMPARE(m_server->cli({QStringLiteral("GET"), QStringLiteral("shop:tag:odd")}), QByteArray("x"));
        QCOMPARE(auditRows().first().outcome, QStringLiteral("failed"));
    }

    void localEngineTagDryRunCountsEachKeyOnce()
    {
        auto cache = std::make_shared<engine::Cache>();
        fill(*cache, "red:", 30, {"red"});
        fill(*cache, "blue:", 20, {"blue"});
        fill(*cache, "both:", 5, {"red", "blue"});
        SourceOnWorker s(new LocalSource(cache, guard(QStringLiteral("Local engine"))));
        s.call([](Source* source) { source->open(); });
        const InvalidationReport dry = invalidated(s, 2, {}, {"red", "blue"}, options(true));
        QCOMPARE(dry.matched, 55u);
        QCOMPARE(dry.keyspace, 55u);
        const InvalidationReport r = invalidated(s, 3, {}, {"red", "blue"}, options());
        QCOMPARE(r.deleted, dry.matched);
        QCOMPARE(r.summary(), QStringLiteral("deleted 55 of 55 keys"));
        QCOMPARE(cache->stats().entries, 0u);
    }

    void localEngineTagsAreListedCountedAndInvalidated()
    {
        auto cache = std::make_shared<engine::Cache>();
        fill(*cache, "red:", 30, {"red"});
        fill(*cache, "blue:", 20, {"blue"});
        fill(*cache, "plain:", 10, {});
        SourceOnWorker s(new LocalSource(cache, guard(QStringLiteral("Local engine"))));
        s.call([](Source* source) { source->open(); });
        const TagList list = listed(s, 1, {});
        QCOMPARE(list.tags.size(), 2);
        QCOMPARE(list.tags.at(0).name, QByteArray("blue"));
        QCOMPARE(list.tags.at(0).members, 20);
        QCOMPARE(list.tags.at(1).members, 30);

        const InvalidationReport dry = invalidated(s, 2, {}, {"red", "blue"}, options(true));
        QVERIFY2(!dry.error.isError(), qPrintable(dry.error.message));
        QCOMPARE(dry.matched, 50u);
        QCOMPARE(cache->stats().entries, 60u);

        const InvalidationReport r = invalidated(s, 3, {}, {"red", "blue"}, options());
        QCOMPARE(r.deleted, 50u);
        QCOMPARE(cache->stats().entries, 10u);
        QVERIFY(listed(s, 4, {}).tags.isEmpty());
        QCOMPARE(auditRows().size(), 1);
        QCOMPARE(auditRows().first().target, QStringLiteral("red, blue"));
    }
};

QTEST_GUILESS_MAIN(TestPurgeTags)
#include "tst_purge_tags.moc"
