// Cache facade and store semantics: binary-safe keys, TTLs on a manual clock, bounds, tags, patterns, scan, stats.
#include <cachelens/cache.h>

#include "cache_internals.h"
#include "hash.h"
#include "store.h"

#include <QtTest/QtTest>

#include <atomic>
#include <random>
#include <set>
#include <string>
#include <thread>

using namespace cachelens::engine;
using namespace std::chrono_literals;
using namespace std::string_literals;

Q_DECLARE_METATYPE(cachelens::engine::PolicyKind)

namespace {
CacheOptions manual(ManualClock& clock)
{
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    o.maxBytes = 0;
    return o;
}
std::string str(const ValueRef& v) { return std::string(v.value()); }
} // namespace

class TestCache : public QObject {
    Q_OBJECT
private slots:
    void binaryKeysAndValuesRoundTrip();
    void emptyKeyAndEmptyValueAreFine();
    void overwriteReplacesValueButHeldRefsStayValid();
    void readVisitsWithoutCopy();
    void expiredEntryIsNeverReturned();
    void pttlFollowsRedisConventions();
    void expireWithNonPositiveTtlDeletes();
    void persistRemovesTheDeadline();
    void expireGivesAKeyStoredWithoutTtlADeadline();
    void sweeperReclaimsUntouchedExpiredEntries();
    void writesReclaimExpiredEntriesAsTheyGo();
    void sweepOfATinyTableReclaimsEachEntryOnce();
    void entryBoundHolds_data();
    void entryBoundHolds();
    void byteBoundHolds();
    void valueLargerThanByteBoundIsRejectedAndNothingEvicted();
    void keyTooLongIsRejected();
    void invalidateTagRemovesExactlyTheTaggedKeys();
    void tagIndexHasNoLeftovers_data();
    void tagIndexHasNoLeftovers();
    void invalidatePatternUsesRedisGlob();
    void scanReturnsEveryKeyOnceAndHonoursPattern();
    void scanSeesEveryStableKeyUnderConcurrentWrites();
    void scanCursorSurvivesGrowthAndShrinkBetweenPages();
    void tableStaysBetweenSixtyAndEightyPercentFull();
    void keysChosenAgainstAFixedHashDoNotShareAProbeChain();
    void keyPrefixIsolatesInstances();
    void namespaceDefaultTtlApplies();
    void disabledCacheStoresNothing();
    void incrByCountsAtomically();
    void statsCountOperations();
    void statsStayExactAcrossManyThreadsAndResets();
    void clearEmptiesEverything();
    void largeValuesAreStoredCompressedTransparently();
    void adaptiveTtlExtendsReadKeysAndShortensInvalidatedOnes();
};

void TestCache::binaryKeysAndValuesRoundTrip()
{
    ManualClock clock;
    Cache c(manual(clock));
    const std::string key = "k\0ey\xff\n"s;
    const std::string value = "\0\x01v\xfe\0"s;
    QVERIFY(c.set(key, value).ok());
    auto v = c.get(key);
    QVERIFY(v);
    QCOMPARE(str(v), value);
    QVERIFY(!c.get("k"s));                 // a prefix up to the NUL is another key
    QVERIFY(!c.get("k\0ey\xff"s));
}

void TestCache::emptyKeyAndEmptyValueAreFine()
{
    ManualClock clock;
    Cache c(manual(clock));
    QVERIFY(c.set("", "x").ok());
    QCOMPARE(str(c.get("")), "x"s);
    QVERIFY(c.set("e", "").ok());
    auto v = c.get("e");
    QVERIFY(v);                             // an empty value is a hit, not a miss
    QVERIFY(v.value().empty());
    QVERIFY(!v.isNotFound());
    QVERIFY(c.del(""));
    QVERIFY(!c.exists(""));
}

void TestCache::overwriteReplacesValueButHeldRefsStayValid()
{
    ManualClock clock;
    Cache c(manual(clock));
    QVERIFY(c.set("a", std::string(200, 'x')).ok());
    ValueRef held = c.get("a");
    QVERIFY(c.set("a", "new").ok());
    QVERIFY(c.del("a"));
    for (int i = 0; i < 2000; ++i) QVERIFY(c.set("fill" + std::to_string(i), "y").ok()); // drives reclamation
    QCOMPARE(held.value().size(), std::size_t(200));
    QCOMPARE(held.value()[199], 'x');
    QVERIFY(!c.get("a"));
}

void TestCache::readVisitsWithoutCopy()
{
    ManualClock clock;
    Cache c(manual(clock));
    QVERIFY(c.set("k", "value").ok());
    std::string seen;
    QVERIFY(c.read("k", [&](std::string_view v) { seen = v; }));
    QCOMPARE(seen, "value"s);
    QVERIFY(!c.read("missing", [&](std::string_view) { QFAIL("called on a miss"); }));
}

void TestCache::expiredEntryIsNeverReturned()
{
    ManualClock clock;
    Cache c(manual(clock));
    SetOptions o;
    o.ttl = 100ms;
    QVERIFY(c.set("k", "v", o).ok());
    clock.advance(99ms);
    QVERIFY(c.get("k"));
    QVERIFY(c.exists("k"));
    clock.advance(1ms);
    QVERIFY(!c.get("k"));
    QVERIFY(!c.exists("k"));
    QVERIFY(!c.read("k", [](std::string_view) {}));
    QCOMPARE(c.pttl("k"), std::int64_t(-2));
    QVERIFY(!c.del("k"));                   // like Redis: an expired key does not exist for DEL
    QCOMPARE(c.scan(0, "*", 100).keys.size(), std::size_t(0));
}

void TestCache::pttlFollowsRedisConventions()
{
    ManualClock clock;
    Cache c(manual(clock));
    QCOMPARE(c.pttl("none"), std::int64_t(-2));
    QVERIFY(c.set("forever", "v").ok());
    QCOMPARE(c.pttl("forever"), std::int64_t(-1));
    SetOptions o;
    o.ttl = 1500ms;
    QVERIFY(c.set("t", "v", o).ok());
    clock.advance(500ms);
    QCOMPARE(c.pttl("t"), std::int64_t(1000));
}

void TestCache::expireWithNonPositiveTtlDeletes()
{
    ManualClock clock;
    Cache c(manual(clock));
    QVERIFY(c.set("k", "v").ok());
    QVERIFY(c.expire("k", 0ms));
    QVERIFY(!c.exists("k"));
    QVERIFY(c.set("k", "v").ok());
    QVERIFY(c.expire("k", -5ms));
    QVERIFY(!c.exists("k"));
    QVERIFY(!c.expire("missing", 10ms));
    QVERIFY(c.set("k", "v").ok());
    QVERIFY(c.expire("k", 10ms));
    clock.advance(10ms);
    QVERIFY(!c.exists("k"));
    SetOptions past;
    past.ttl = 0ms;
    QVERIFY(c.set("p", "v", past).ok());
    QVERIFY(!c.exists("p"));
}

void TestCache::persistRemovesTheDeadline()
{
    ManualClock clock;
    Cache c(manual(clock));
    SetOptions o;
    o.ttl = 10ms;
    QVERIFY(c.set("k", "v", o).ok());
    QVERIFY(c.persist("k"));
    QVERIFY(!c.persist("k"));               // no deadline any more: nothing to remove
    clock.advance(1h);
    QVERIFY(c.exists("k"));
    QCOMPARE(c.pttl("k"), std::int64_t(-1));
}

void TestCache::expireGivesAKeyStoredWithoutTtlADeadline()
{
    // Entries stored without a TTL have no deadline slot (it costs 12 bytes): expire() swaps in a timed copy.
    ManualClock clock;
    Cache c(manual(clock));
    SetOptions tagged;
    tagged.tags = {"t"};
    QVERIFY(c.set("k", "value", tagged).ok());
    const std::size_t bytesBefore = c.stats().bytes;
    ValueRef held = c.get("k");
    QVERIFY(c.expire("k", 100ms));
    QCOMPARE(c.pttl("k"), std::int64_t(100));
    QCOMPARE(str(c.get("k")), "value"s);
    QCOMPARE(str(held), "value"s); // a reference taken before still reads the same bytes
    QCOMPARE(c.stats().bytes, bytesBefore + Entry::kTimedBytes);
    QVERIFY(c.expire("k", 200ms)); // now timed: updated in place
    QCOMPARE(c.pttl("k"), std::int64_t(200));
    QVERIFY(c.persist("k"));
    QVERIFY(c.expire("k", 50ms));
    auto a = CacheInternals::memoryStore(c)->audit();
    QCOMPARE(a.taggedEntries, std::size_t(1)); // the tag moved to the copy
    QVERIFY(a.gaugesMatch);
    QCOMPARE(c.invalidateTag("t"), std::size_t(1));
    QVERIFY(!c.exists("k"));
    QVERIFY(c.set("k2", "v").ok());
    QVERIFY(c.expire("k2", 10ms));
    clock.advance(10ms);
    QVERIFY(!c.exists("k2"));
    QCOMPARE(c.runMaintenance(), std::size_t(1)); // the sweeper knows the copy has a deadline
    a = CacheInternals::memoryStore(c)->audit();
    QCOMPARE(a.entries, std::size_t(0));
    QCOMPARE(a.bytes, std::size_t(0));
    QCOMPARE(a.taggedEntries, std::size_t(0));
}

void TestCache::sweeperReclaimsUntouchedExpiredEntries()
{
    ManualClock clock;
    CacheOptions opts = manual(clock);
    opts.sweepSlotsPerTick = 512;
    Cache c(opts);
    SetOptions o;
    o.ttl = 1s;
    for (int i = 0; i < 1000; ++i) QVERIFY(c.set("k" + std::to_string(i), "v", o).ok());
    QVERIFY(c.set("keep", "v").ok());
    clock.advance(2s);
    std::size_t reclaimed = 0;
    for (int round = 0; round < 1000 && c.stats().entries > 1; ++round) reclaimed += c.runMaintenance();
    QCOMPARE(c.stats().entries, std::uint64_t(1));
    QVERIFY(reclaimed >= 990); // a few may have been reclaimed by the writes themselves
    QCOMPARE(c.stats().at(Counter::Expirations), std::uint64_t(1000));
    QVERIFY(c.exists("keep"));
}

void TestCache::writesReclaimExpiredEntriesAsTheyGo()
{
    ManualClock clock;
    CacheOptions opts = manual(clock);
    opts.shards = 1;
    Cache c(opts);
    SetOptions o;
    o.ttl = 1s;
    for (int i = 0; i < 200; ++i) QVERIFY(c.set("old" + std::to_string(i), "v", o).ok());
    clock.advance(2s);
    // No maintenance at all: ordinary writes examine a few slots each and reclaim what has expired.
    for (int i = 0; i < 2000; ++i) QVERIFY(c.set("new" + std::to_string(i % 50), "v", o).ok());
    QVERIFY(c.stats().entries <= 50 + 10);
}

// Writers sweep 32 slots at a time; a table of 16 slots must not be walked twice in one batch (that collected the
// same expired entry twice: a double free, and twice the expirations).
void TestCache::sweepOfATinyTableReclaimsEachEntryOnce()
{
    ManualClock clock;
    CacheOptions opts = manual(clock);
    opts.shards = 1;
    Cache c(opts);
    SetOptions o;
    o.ttl = 1s;
    for (int i = 0; i < 5; ++i) QVERIFY(c.set("old" + std::to_string(i), "v", o).ok());
    QCOMPARE(CacheInternals::memoryStore(c)->audit().tableSlots, std::size_t(16));
    clock.advance(2s);
    for (int i = 0; i < 8; ++i) QVERIFY(c.set("new", "v", o).ok()); // the 8th write to the shard sweeps
    QCOMPARE(c.stats().at(Counter::Expirations), std::uint64_t(5));
    const auto a = CacheInternals::memoryStore(c)->audit();
    QCOMPARE(a.entries, std::size_t(1));
    QVERIFY(a.gaugesMatch);
}

void TestCache::entryBoundHolds_data()
{
    QTest::addColumn<PolicyKind>("policy");
    QTest::addRow("lru") << PolicyKind::Lru;
    QTest::addRow("wtinylfu") << PolicyKind::WTinyLfu;
    QTest::addRow("s3fifo") << PolicyKind::S3Fifo;
    QTest::addRow("sieve") << PolicyKind::Sieve;
}

void TestCache::entryBoundHolds()
{
    QFETCH(PolicyKind, policy);
    ManualClock clock;
    CacheOptions o = manual(clock);
    o.maxEntries = 1000;
    o.policy = policy;
    Cache c(o);
    for (int i = 0; i < 20000; ++i) {
        QVERIFY(c.set("key:" + std::to_string(i), "value").ok());
        if (i % 3 == 0) (void)c.get("key:" + std::to_string(i / 2));
        QVERIFY(c.stats().entries <= 1000);
    }
    const auto s = c.stats();
    QCOMPARE(s.entries, std::uint64_t(1000));
    QCOMPARE(s.at(Counter::EvictionsCapacity), std::uint64_t(19000));
    const auto a = CacheInternals::memoryStore(c)->audit();
    QCOMPARE(a.entries, std::size_t(1000));
}

void TestCache::byteBoundHolds()
{
    ManualClock clock;
    CacheOptions o = manual(clock);
    o.maxBytes = 100'000;
    o.shards = 1;
    Cache c(o);
    for (int i = 0; i < 5000; ++i) {
        QVERIFY(c.set("k" + std::to_string(i), std::string(100 + i % 50, 'v')).ok());
        QVERIFY(c.stats().bytes <= 100'000);
    }
    QVERIFY(c.stats().bytes > 90'000);
    QVERIFY(c.stats().at(Counter::EvictionsMemory) > 0);
    QCOMPARE(c.stats().at(Counter::EvictionsCapacity), std::uint64_t(0));
}

void TestCache::valueLargerThanByteBoundIsRejectedAndNothingEvicted()
{
    ManualClock clock;
    CacheOptions o = manual(clock);
    o.maxBytes = 10'000;
    o.shards = 1;
    Cache c(o);
    for (int i = 0; i < 10; ++i) QVERIFY(c.set("k" + std::to_string(i), "small").ok());
    const auto before = c.stats();
    Status st = c.set("big", std::string(20'000, 'x'));
    QVERIFY(!st.ok());
    QCOMPARE(st.error().code, Errc::ValueTooLarge);
    QVERIFY(st.error().message.find("exceeds") != std::string::npos);
    const auto after = c.stats();
    QCOMPARE(after.entries, before.entries);
    QCOMPARE(after.evictions(), std::uint64_t(0));
    QCOMPARE(after.at(Counter::Rejected), std::uint64_t(1));
    QVERIFY(!c.exists("big"));
}

void TestCache::keyTooLongIsRejected()
{
    ManualClock clock;
    Cache c(manual(clock));
    Status st = c.set(std::string(70'000, 'k'), "v");
    QVERIFY(!st.ok());
    QCOMPARE(st.error().code, Errc::KeyTooLarge);
}

void TestCache::invalidateTagRemovesExactlyTheTaggedKeys()
{
    ManualClock clock;
    Cache c(manual(clock));
    SetOptions user;
    user.tags = {"user:1"};
    SetOptions both;
    both.tags = {"user:1", "room:9"};
    SetOptions room;
    room.tags = {"room:9"};
    QVERIFY(c.set("a", "1", user).ok());
    QVERIFY(c.set("b", "2", both).ok());
    QVERIFY(c.set("c", "3", room).ok());
    QVERIFY(c.set("d", "4").ok());
    QCOMPARE(c.invalidateTag("user:1"), std::size_t(2));
    QVERIFY(!c.exists("a"));
    QVERIFY(!c.exists("b"));
    QVERIFY(c.exists("c"));
    QVERIFY(c.exists("d"));
    QCOMPARE(c.invalidateTag("user:1"), std::size_t(0));
    QCOMPARE(c.invalidateTag("room:9"), std::size_t(1));
    QCOMPARE(c.stats().at(Counter::InvalidationsTag), std::uint64_t(3));
    const auto a = CacheInternals::memoryStore(c)->audit();
    QCOMPARE(a.tags, std::size_t(0));
    QCOMPARE(a.taggedEntries, std::size_t(0));
}

void TestCache::tagIndexHasNoLeftovers_data()
{
    QTest::addColumn<QString>("way");
    QTest::addColumn<QStringList>("tagsAfter"); // the tags k0…k9 carry afterwards, if they still exist
    for (const char* way : {"delete", "invalidate keys", "invalidate pattern", "expire now", "expiry swept",
                            "eviction"})
        QTest::addRow("%s", way) << QString(way) << QStringList{"t1", "t2"};
    QTest::addRow("overwrite without tags") << QString("overwrite") << QStringList{};
    QTest::addRow("overwrite with other tags") << QString("retag") << QStringList{"t3"};
    QTest::addRow("expire swaps in a timed copy") << QString("expire later") << QStringList{"t1", "t2"};
}

// Every way a tagged key leaves (or loses its tags) takes its tag records with it; a key left alone keeps its own.
void TestCache::tagIndexHasNoLeftovers()
{
    QFETCH(QString, way);
    QFETCH(QStringList, tagsAfter);
    ManualClock clock;
    CacheOptions o = manual(clock);
    o.maxEntries = 64;
    o.shards = 1;
    o.policy = PolicyKind::Lru;
    Cache c(o);
    SetOptions tagged;
    tagged.tags = {"t1", "t2"};
    if (way == "expiry swept") tagged.ttl = 1s;
    std::vector<std::string> keys;
    for (int i = 0; i < 10; ++i) {
        keys.push_back("k" + std::to_string(i));
        QVERIFY(c.set(keys.back(), "v", tagged).ok());
    }
    SetOptions keepTags;
    keepTags.tags = {"t1"};
    QVERIFY(c.set("keep", "v", keepTags).ok());

    SetOptions retag;
    retag.tags = {"t3"};
    for (const auto& k : keys) {
        if (way == "delete") QVERIFY(c.del(k));
        else if (way == "expire now") QVERIFY(c.expire(k, 0ms));
        else if (way == "expire later") QVERIFY(c.expire(k, 10s));
        else if (way == "overwrite") QVERIFY(c.set(k, "v2").ok());
        else if (way == "retag") QVERIFY(c.set(k, "v2", retag).ok());
    }
    if (way == "invalidate keys") QCOMPARE(c.invalidate(keys), std::size_t(10));
    if (way == "invalidate pattern") QCOMPARE(c.invalidatePattern("k?"), std::size_t(10));
    if (way == "expiry swept") {
        clock.advance(2s);
        for (int i = 0; i < 10; ++i) c.runMaintenance();
        QCOMPARE(c.stats().at(Counter::Expirations), std::uint64_t(10));
    }
    if (way == "eviction") {
        QVERIFY(c.get("keep"));
        for (int i = 0; i < 63; ++i) QVERIFY(c.set("filler" + std::to_string(i), "v").ok());
        QCOMPARE(c.stats().at(Counter::EvictionsCapacity), std::uint64_t(10)); // LRU: k0…k9 went, keep stayed
    }

    std::size_t liveK = 0;
    for (const auto& k : keys) liveK += c.exists(k);
    const bool keep = c.exists("keep");
    QVERIFY(keep);
    std::set<QString> tagNames{"t1"};
    if (liveK) tagNames.insert(tagsAfter.begin(), tagsAfter.end());
    const auto a = CacheInternals::memoryStore(c)->audit();
    QCOMPARE(a.taggedEntries, (tagsAfter.isEmpty() ? 0 : liveK) + 1);
    QCOMPARE(a.tags, tagNames.size());
    QCOMPARE(c.invalidateTag("t2"), tagsAfter.contains("t2") ? liveK : 0);
    QCOMPARE(c.invalidateTag("t1"), std::size_t(1)); // only keep: the others went with t2 or never had t1
    QVERIFY(c.exists(keys[0]) == (liveK > 0 && !tagsAfter.contains("t2")));
    const auto b = CacheInternals::memoryStore(c)->audit();
    QCOMPARE(b.taggedEntries, liveK && tagsAfter.contains("t3") ? liveK : 0);
    QCOMPARE(b.tags, std::size_t(liveK && tagsAfter.contains("t3") ? 1 : 0));
}

void TestCache::invalidatePatternUsesRedisGlob()
{
    ManualClock clock;
    Cache c(manual(clock));
    for (const char* k : {"user:1", "user:2", "user:10", "users", "room:1", "user:x"}) QVERIFY(c.set(k, "v").ok());
    QCOMPARE(c.invalidatePattern("user:[0-9]"), std::size_t(2));
    QVERIFY(c.exists("user:10"));
    QVERIFY(c.exists("user:x"));
    QCOMPARE(c.invalidatePattern("user:*"), std::size_t(2));
    QVERIFY(c.exists("users"));
    QCOMPARE(c.invalidatePattern("*"), std::size_t(2));
    QCOMPARE(c.stats().entries, std::uint64_t(0));
    QCOMPARE(c.stats().at(Counter::InvalidationsPattern), std::uint64_t(6));
}

void TestCache::scanReturnsEveryKeyOnceAndHonoursPattern()
{
    ManualClock clock;
    Cache c(manual(clock));
    std::set<std::string> expected;
    for (int i = 0; i < 5000; ++i) {
        const std::string k = (i % 2 ? "a:" : "b:") + std::to_string(i);
        QVERIFY(c.set(k, "v").ok());
        if (i % 2) expected.insert(k);
    }
    std::multiset<std::string> seen;
    std::uint64_t cursor = 0;
    int calls = 0;
    do {
        auto page = c.scan(cursor, "a:*", 100);
        seen.insert(page.keys.begin(), page.keys.end());
        cursor = page.cursor;
        ++calls;
    } while (cursor != 0 && calls < 100000);
    QCOMPARE(seen.size(), expected.size());                         // no duplicates without concurrent writes
    QVERIFY(std::set<std::string>(seen.begin(), seen.end()) == expected);
}

void TestCache::scanSeesEveryStableKeyUnderConcurrentWrites()
{
    Cache c; // real clock, background thread: the writer forces rehashes (growth and shrink) during the scan
    std::set<std::string> stable;
    for (int i = 0; i < 3000; ++i) {
        stable.insert("stable:" + std::to_string(i));
        QVERIFY(c.set("stable:" + std::to_string(i), "v").ok());
    }
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        int round = 0;
        while (!stop.load()) {
            for (int i = 0; i < 20000 && !stop.load(); ++i) (void)c.set("churn:" + std::to_string(i), "v");
            (void)c.invalidatePattern("churn:*");
            ++round;
        }
    });
    std::set<std::string> seen;
    for (int pass = 0; pass < 3; ++pass) {
        seen.clear();
        std::uint64_t cursor = 0;
        do {
            auto page = c.scan(cursor, "stable:*", 50);
            seen.insert(page.keys.begin(), page.keys.end());
            cursor = page.cursor;
        } while (cursor != 0);
        QVERIFY(seen == stable);
    }
    stop = true;
    writer.join();
}

void TestCache::scanCursorSurvivesGrowthAndShrinkBetweenPages()
{
    // One shard, deterministic: between pages the table grows several times over, then shrinks back. Every key
    // present for the whole scan is returned, and exactly once.
    ManualClock clock;
    CacheOptions o = manual(clock);
    o.shards = 1;
    Cache c(o);
    std::set<std::string> stable;
    for (int i = 0; i < 500; ++i) {
        stable.insert("stable:" + std::to_string(i));
        QVERIFY(c.set("stable:" + std::to_string(i), "v").ok());
    }
    std::vector<std::string> seen;
    std::uint64_t cursor = 0;
    int page = 0;
    do {
        auto p = c.scan(cursor, "stable:*", 20);
        seen.insert(seen.end(), p.keys.begin(), p.keys.end());
        cursor = p.cursor;
        if (page == 3)
            for (int i = 0; i < 20000; ++i) QVERIFY(c.set("churn:" + std::to_string(i), "v").ok());
        if (page == 8) QCOMPARE(c.invalidatePattern("churn:*"), std::size_t(20000));
        if (page == 10) { // new keys reuse the tombstones' slots until a rehash shrinks the table
            const std::size_t slotsBefore = CacheInternals::memoryStore(c)->audit().tableSlots;
            for (int i = 0; i < 100000 && CacheInternals::memoryStore(c)->audit().tableSlots >= slotsBefore; ++i)
                QVERIFY(c.set("late:" + std::to_string(i), "v").ok());
            QVERIFY(CacheInternals::memoryStore(c)->audit().tableSlots < slotsBefore);
        }
        ++page;
    } while (cursor != 0);
    QVERIFY(page > 10);
    QCOMPARE(seen.size(), stable.size());
    QVERIFY(std::set<std::string>(seen.begin(), seen.end()) == stable);
}

void TestCache::tableStaysBetweenSixtyAndEightyPercentFull()
{
    // The table is 8 bytes a slot: at 60–80% load it costs 10–13.3 bytes per entry (issue #4's memory budget).
    ManualClock clock;
    CacheOptions o = manual(clock);
    o.shards = 1;
    Cache c(o);
    for (int i = 0; i < 200000; ++i) {
        QVERIFY(c.set("k" + std::to_string(i), "v").ok());
        if (i >= 1000 && i % 997 == 0) {
            const auto a = CacheInternals::memoryStore(c)->audit();
            const double load = static_cast<double>(a.entries) / static_cast<double>(a.tableSlots);
            QVERIFY2(load >= 0.59 && load <= 0.8, qPrintable(QString("load %1 at %2 entries").arg(load).arg(a.entries)));
        }
    }
}

// An attacker who knows the hash function picks keys whose hashes share a home slot (here: the low 32 bits below
// 2^22, one home for every table up to 1,024 slots). With the per-process seed those keys land anywhere.
void TestCache::keysChosenAgainstAFixedHashDoNotShareAProbeChain()
{
    std::vector<std::string> crafted;
    for (std::uint64_t i = 0; crafted.size() < 600; ++i) {
        std::string k = "user:" + std::to_string(i);
        if ((hashBytes(k, 0) & 0xFFFFFFFFu) < (1u << 22)) crafted.push_back(std::move(k));
    }
    ManualClock clock;
    CacheOptions o = manual(clock);
    o.shards = 1;
    o.maxBytes = 0;
    Cache c(o);
    for (const auto& k : crafted) QVERIFY(c.set(k, "v").ok());
    const auto a = CacheInternals::memoryStore(c)->audit();
    QCOMPARE(a.entries, crafted.size());
    QVERIFY2(a.longestProbe < 200, qPrintable(QStringLiteral("a lookup reads up to %1 slots").arg(a.longestProbe)));
}

void TestCache::keyPrefixIsolatesInstances()
{
    ManualClock clock;
    CacheOptions a = manual(clock);
    a.keyPrefix = "app1:";
    Cache c(a);
    QVERIFY(c.set("user:1", "v").ok());
    QVERIFY(c.exists("user:1"));
    QVERIFY(CacheInternals::memoryStore(c)->exists("app1:user:1"));
    std::vector<std::string> keys;
    std::uint64_t cursor = 0;
    do { // like Redis SCAN, a page may be empty before the scan is over
        auto page = c.scan(cursor, "user:*", 10);
        keys.insert(keys.end(), page.keys.begin(), page.keys.end());
        cursor = page.cursor;
    } while (cursor != 0);
    QCOMPARE(keys.size(), std::size_t(1));
    QCOMPARE(keys[0], "user:1"s);
    QCOMPARE(c.invalidatePattern("*"), std::size_t(1));
}

void TestCache::namespaceDefaultTtlApplies()
{
    ManualClock clock;
    CacheOptions o = manual(clock);
    o.namespaces["character"].defaultTtl = 300s;
    o.namespaces["room_messages"].defaultTtl = 5s;
    o.defaultTtl = 60s;
    Cache c(o);
    QVERIFY(c.set("character:7", "v").ok());
    QVERIFY(c.set("room_messages:1", "v").ok());
    QVERIFY(c.set("other:1", "v").ok());
    SetOptions explicitTtl;
    explicitTtl.ttl = 1s;
    QVERIFY(c.set("character:8", "v", explicitTtl).ok());
    QCOMPARE(c.pttl("character:7"), std::int64_t(300'000));
    QCOMPARE(c.pttl("room_messages:1"), std::int64_t(5'000));
    QCOMPARE(c.pttl("other:1"), std::int64_t(60'000));
    QCOMPARE(c.pttl("character:8"), std::int64_t(1'000));
}

void TestCache::disabledCacheStoresNothing()
{
    ManualClock clock;
    CacheOptions o = manual(clock);
    o.enabled = false;
    Cache c(o);
    QVERIFY(c.set("k", "v").ok());
    QVERIFY(!c.get("k"));
    int calls = 0;
    for (int i = 0; i < 3; ++i) {
        auto r = c.wrap("k", [&] { ++calls; return std::optional<std::string>("loaded"); });
        QVERIFY(r.ok());
        QCOMPARE(std::string(r.value().value()), "loaded"s);
    }
    QCOMPARE(calls, 3);
    QCOMPARE(c.stats().entries, std::uint64_t(0));
}

void TestCache::incrByCountsAtomically()
{
    ManualClock clock;
    Cache c(manual(clock));
    auto r = c.incrBy("hits", 5, 60s);
    QVERIFY(r.ok());
    QCOMPARE(r.value(), std::int64_t(5));
    QCOMPARE(c.pttl("hits"), std::int64_t(60'000));
    clock.advance(10s);
    QCOMPARE(c.incrBy("hits", -2, 60s).value(), std::int64_t(3));
    QCOMPARE(c.pttl("hits"), std::int64_t(50'000)); // the deadline of an existing key is kept
    QVERIFY(c.set("text", "abc").ok());
    auto bad = c.incrBy("text", 1);
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().code, Errc::InvalidArgument);
    QVERIFY(c.set("max", std::to_string(INT64_MAX)).ok());
    QVERIFY(!c.incrBy("max", 1).ok());

    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i) (void)c.incrBy("shared", 1);
        });
    for (auto& t : threads) t.join();
    QCOMPARE(str(c.get("shared")), "4000"s);
}

void TestCache::statsCountOperations()
{
    ManualClock clock;
    Cache c(manual(clock));
    QVERIFY(c.set("a", "1").ok());
    QVERIFY(c.set("b", "2").ok());
    (void)c.get("a");
    (void)c.get("a");
    (void)c.get("zz");
    QVERIFY(c.del("b"));
    QVERIFY(!c.del("b"));
    const auto s = c.stats();
    QCOMPARE(s.at(Counter::Sets), std::uint64_t(2));
    QCOMPARE(s.at(Counter::Hits), std::uint64_t(2));
    QCOMPARE(s.at(Counter::Misses), std::uint64_t(1));
    QCOMPARE(s.at(Counter::Deletes), std::uint64_t(1));
    QCOMPARE(s.entries, std::uint64_t(1));
    QVERIFY(s.bytes > 0);
    QCOMPARE(s.gets(), std::uint64_t(3));
}

// Counters live in per-thread stripes: the first 16 threads own one each (a plain load and store), the rest share
// one with atomic adds. Either way no count is lost, and resetStats() (a base subtracted on reading, so it never
// races with an owner's store) starts every counter again from zero.
void TestCache::statsStayExactAcrossManyThreadsAndResets()
{
    ManualClock clock;
    Cache c(manual(clock));
    QVERIFY(c.set("present", "v").ok());
    constexpr int kThreads = 24, kRounds = 2000;
    auto run = [&] {
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < kRounds; ++i) {
                    (void)c.get("present");
                    (void)c.read("absent", [](std::string_view) {});
                }
            });
        for (auto& t : threads) t.join();
    };
    run();
    auto s = c.stats();
    QCOMPARE(s.at(Counter::Hits), std::uint64_t(kThreads) * kRounds);
    QCOMPARE(s.at(Counter::Misses), std::uint64_t(kThreads) * kRounds);
    c.resetStats();
    QCOMPARE(c.stats().gets(), std::uint64_t(0));
    QCOMPARE(c.stats().entries, std::uint64_t(1)); // gauges are not counters: a reset leaves them
    run();
    s = c.stats();
    QCOMPARE(s.at(Counter::Hits), std::uint64_t(kThreads) * kRounds);
    QCOMPARE(s.at(Counter::Misses), std::uint64_t(kThreads) * kRounds);
    QCOMPARE(s.at(Counter::Sets), std::uint64_t(0));
}

void TestCache::clearEmptiesEverything()
{
    ManualClock clock;
    Cache c(manual(clock));
    for (int i = 0; i < 100; ++i) QVERIFY(c.set(std::to_string(i), "v").ok());
    QCOMPARE(c.clear(), std::size_t(100));
    QCOMPARE(c.stats().entries, std::uint64_t(0));
    QCOMPARE(c.stats().bytes, std::uint64_t(0));
    QVERIFY(c.set("again", "v").ok());
    QVERIFY(c.exists("again"));
}

void TestCache::largeValuesAreStoredCompressedTransparently()
{
    ManualClock clock;
    CacheOptions o = manual(clock);
    o.compressAbove = 1024;
    Cache c(o);
    std::string big;
    for (int i = 0; i < 2000; ++i) big += "row " + std::to_string(i % 37) + " of a very repetitive JSON-ish payload;\n";
    big += "\0\xff"s; // still binary-safe
    QVERIFY(c.set("big", big).ok());
    QVERIFY(c.set("small", "tiny").ok());
    const auto s = c.stats();
    QVERIFY(s.at(Counter::BytesSavedByCompression) > big.size() / 2);
    QVERIFY(s.bytes < big.size() / 2);                 // what is held is the compressed frame
    QCOMPARE(std::string(c.get("big").value()), big);  // callers see the original bytes…
    std::string seen;
    QVERIFY(c.read("big", [&](std::string_view v) { seen = v; }));
    QCOMPARE(seen, big);
    auto w = c.wrap("big", [] { return std::optional<std::string>("never called"); });
    QCOMPARE(std::string(w.value().value()), big);
    auto loaded = c.wrap("big2", [&] { return std::optional<std::string>(big); });
    QCOMPARE(std::string(loaded.value().value()), big); // …also straight from a load
    QCOMPARE(std::string(c.get("big2").value()), big);
    QCOMPARE(std::string(c.get("small").value()), "tiny"s);
    std::string noise(4096, '\0');
    std::mt19937 rng(7);
    for (auto& ch : noise) ch = static_cast<char>(rng());
    const auto savedBefore = c.stats().at(Counter::BytesSavedByCompression);
    QVERIFY(c.set("noise", noise).ok());                // incompressible: stored as is
    QCOMPARE(c.stats().at(Counter::BytesSavedByCompression), savedBefore);
    QCOMPARE(std::string(c.get("noise").value()), noise);
}

void TestCache::adaptiveTtlExtendsReadKeysAndShortensInvalidatedOnes()
{
    ManualClock clock;
    CacheOptions o = manual(clock);
    o.adaptiveTtl.enabled = true;
    o.adaptiveTtl.sampleEvery = 1;
    o.adaptiveTtl.extendWhenBelow = 10s;
    o.adaptiveTtl.extendBy = 20s;
    o.adaptiveTtl.maxTtl = 60s;
    o.adaptiveTtl.minTtl = 2s;
    Cache c(o);
    SetOptions t;
    t.ttl = 30s;
    QVERIFY(c.set("read", "v", t).ok());
    QVERIFY(c.get("read"));
    QCOMPARE(c.pttl("read"), std::int64_t(30'000)); // plenty left: no change
    clock.advance(25s);
    QVERIFY(c.get("read"));                           // 5 s left → +20 s
    QCOMPARE(c.pttl("read"), std::int64_t(25'000));
    for (int i = 0; i < 10; ++i) {
        clock.advance(20s);
        QVERIFY(c.get("read"));                       // read often: kept alive…
    }
    QVERIFY(c.pttl("read") <= 60'000);                // …but never beyond maxTtl
    QVERIFY(c.set("cold", "v", t).ok());
    clock.advance(31s);
    QVERIFY(!c.get("cold"));                          // not read: expires as set

    QVERIFY(c.set("churn", "v", t).ok());
    QVERIFY(c.del("churn"));
    QVERIFY(c.set("churn", "v", t).ok());
    QCOMPARE(c.pttl("churn"), std::int64_t(15'000));  // invalidated once: 30 s / 2
    QVERIFY(c.del("churn"));
    const std::string keys[] = {"churn"};
    QVERIFY(c.set("churn", "v", t).ok());
    QCOMPARE(c.invalidate(keys), std::size_t(1));
    QVERIFY(c.set("churn", "v", t).ok());
    QCOMPARE(c.pttl("churn"), std::int64_t(7'500));   // three times: 30 s / 4
    for (int i = 0; i < 60; ++i) QVERIFY(c.del("churn") || c.set("churn", "v", t).ok());
    QVERIFY(c.set("churn", "v", t).ok());
    QCOMPARE(c.pttl("churn"), std::int64_t(2'000));   // floor: minTtl
    QVERIFY(c.stats().at(Counter::TtlAdjustments) >= 5);
}

QTEST_APPLESS_MAIN(TestCache)
#include "tst_cache.moc"
