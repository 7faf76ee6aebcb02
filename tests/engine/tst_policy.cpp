// Eviction policies: who leaves first, in small single-shard caches where the order is deterministic.
#include "engine/cache.h"
#include "engine/hash.h"
#include "engine/policy/frequency_sketch.h"

#include <QtTest/QtTest>

using namespace cachelens::engine;

Q_DECLARE_METATYPE(cachelens::engine::PolicyKind)

namespace {
CacheOptions small(ManualClock& clock, PolicyKind p, std::size_t entries)
{
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    o.maxBytes = 0;
    o.maxEntries = entries;
    o.shards = 1;
    o.policy = p;
    return o;
}
void access(Cache& c, const std::string& k)
{
    if (!c.get(k)) (void)c.set(k, "v");
}
} // namespace

class TestPolicy : public QObject {
    Q_OBJECT
private slots:
    void lruEvictsTheLeastRecentlyUsed();
    void sieveKeepsVisitedEntries();
    void s3fifoLetsOneHitWondersGoFirst();
    void scanResistance_data();
    void scanResistance();
    void overwriteKeepsTheEntrysPlace_data();
    void overwriteKeepsTheEntrysPlace();
    void frequencySketchCountsAndAges();
    void parsesPolicyNames();
};

void TestPolicy::lruEvictsTheLeastRecentlyUsed()
{
    ManualClock clock;
    Cache c(small(clock, PolicyKind::Lru, 3));
    for (const char* k : {"a", "b", "c"}) QVERIFY(c.set(k, "v").ok());
    QVERIFY(c.get("a"));
    QVERIFY(c.set("d", "v").ok());
    QVERIFY(c.exists("a"));
    QVERIFY(!c.exists("b"));
    QVERIFY(c.exists("c"));
    QVERIFY(c.exists("d"));
    QVERIFY(c.get("c"));
    QVERIFY(c.set("e", "v").ok());
    QVERIFY(!c.exists("a"));
}

void TestPolicy::sieveKeepsVisitedEntries()
{
    ManualClock clock;
    Cache c(small(clock, PolicyKind::Sieve, 3));
    for (const char* k : {"a", "b", "c"}) QVERIFY(c.set(k, "v").ok());
    QVERIFY(c.get("a"));
    QVERIFY(c.set("d", "v").ok()); // hand: a (visited, spared) → b evicted
    QVERIFY(c.exists("a"));
    QVERIFY(!c.exists("b"));
    QVERIFY(c.set("e", "v").ok()); // hand continues: c evicted, a is not visited again yet
    QVERIFY(!c.exists("c"));
    QVERIFY(c.exists("a"));
}

void TestPolicy::s3fifoLetsOneHitWondersGoFirst()
{
    ManualClock clock;
    Cache c(small(clock, PolicyKind::S3Fifo, 100));
    for (int i = 0; i < 50; ++i) access(c, "hot" + std::to_string(i));
    for (int r = 0; r < 3; ++r)
        for (int i = 0; i < 50; ++i) access(c, "hot" + std::to_string(i));
    for (int i = 0; i < 1000; ++i) access(c, "once" + std::to_string(i));
    int kept = 0;
    for (int i = 0; i < 50; ++i) kept += c.exists("hot" + std::to_string(i));
    QVERIFY2(kept >= 45, qPrintable(QString::number(kept)));
}

void TestPolicy::scanResistance_data()
{
    QTest::addColumn<PolicyKind>("policy");
    QTest::addColumn<int>("minKept");
    QTest::addColumn<int>("maxKept");
    // A hot set used repeatedly, then one pass over 10x the capacity in never-repeated keys.
    QTest::addRow("lru loses the hot set") << PolicyKind::Lru << 0 << 0;
    QTest::addRow("wtinylfu keeps it") << PolicyKind::WTinyLfu << 45 << 50;
    QTest::addRow("s3fifo keeps it") << PolicyKind::S3Fifo << 45 << 50;
    QTest::addRow("sieve keeps most") << PolicyKind::Sieve << 25 << 50;
}

void TestPolicy::scanResistance()
{
    QFETCH(PolicyKind, policy);
    QFETCH(int, minKept);
    QFETCH(int, maxKept);
    ManualClock clock;
    Cache c(small(clock, policy, 100));
    for (int r = 0; r < 20; ++r)
        for (int i = 0; i < 50; ++i) access(c, "hot" + std::to_string(i));
    for (int i = 0; i < 1000; ++i) access(c, "scan" + std::to_string(i));
    int kept = 0;
    for (int i = 0; i < 50; ++i) kept += c.exists("hot" + std::to_string(i));
    QVERIFY2(kept >= minKept && kept <= maxKept, qPrintable(QString("kept %1").arg(kept)));
    QCOMPARE(c.stats().entries, std::uint64_t(100));
}

void TestPolicy::overwriteKeepsTheEntrysPlace_data()
{
    QTest::addColumn<PolicyKind>("policy");
    QTest::addRow("lru") << PolicyKind::Lru;
    QTest::addRow("wtinylfu") << PolicyKind::WTinyLfu;
    QTest::addRow("s3fifo") << PolicyKind::S3Fifo;
    QTest::addRow("sieve") << PolicyKind::Sieve;
}

void TestPolicy::overwriteKeepsTheEntrysPlace()
{
    QFETCH(PolicyKind, policy);
    ManualClock clock;
    Cache c(small(clock, policy, 50));
    for (int round = 0; round < 5; ++round)
        for (int i = 0; i < 200; ++i) {
            QVERIFY(c.set("k" + std::to_string(i % 70), std::to_string(round)).ok());
            QVERIFY(c.stats().entries <= 50);
        }
    const auto a = c.store().audit();
    QCOMPARE(a.entries, std::size_t(50));
}

void TestPolicy::frequencySketchCountsAndAges()
{
    FrequencySketch sketch(1000);
    const auto h = hashBytes("popular");
    QCOMPARE(sketch.frequency(h), 0);
    sketch.increment(h);
    QCOMPARE(sketch.frequency(h), 1); // the doorkeeper absorbs the first sighting
    for (int i = 0; i < 30; ++i) sketch.increment(h);
    QCOMPARE(sketch.frequency(h), 16); // 4-bit counters saturate at 15 (+1 for the doorkeeper)
    QVERIFY(sketch.frequency(hashBytes("never")) <= 1);
    // Aging: after 10 × capacity increments every counter is halved.
    for (int i = 0; i < 20000 && sketch.resets() == 0; ++i) sketch.increment(hashBytes(std::to_string(i)));
    QVERIFY(sketch.resets() >= 1);
    QVERIFY(sketch.frequency(h) <= 8);
}

void TestPolicy::parsesPolicyNames()
{
    PolicyKind k{};
    QVERIFY(parsePolicy("lru", k) && k == PolicyKind::Lru);
    QVERIFY(parsePolicy("w-tinylfu", k) && k == PolicyKind::WTinyLfu);
    QVERIFY(parsePolicy("s3fifo", k) && k == PolicyKind::S3Fifo);
    QVERIFY(parsePolicy("sieve", k) && k == PolicyKind::Sieve);
    QVERIFY(!parsePolicy("arc", k));
    QCOMPARE(std::string(policyName(PolicyKind::WTinyLfu)), std::string("wtinylfu"));
}

QTEST_APPLESS_MAIN(TestPolicy)
#include "tst_policy.moc"
