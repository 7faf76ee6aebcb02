// Eviction policies: who leaves first, in small single-shard caches where the order is deterministic.
#include <cachelens/cache.h>
#include <cachelens/sim/distributions.h>

#include "cache_internals.h"
#include "hash.h"
#include "policy/frequency_sketch.h"
#include "policy/wtinylfu.h"
#include "store.h"

#include <random>
#include <unordered_map>

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

// W-TinyLFU on its own, driven the way the store drives it (single-threaded, so every step is deterministic):
// a hit is onHit + a hit counted, a miss is onMiss + a miss counted + onInsert, then victims leave until the
// entry bound holds again.
class WindowProbe {
public:
    explicit WindowProbe(std::size_t capacity) : capacity_(capacity), policy_(capacity)
    {
        policy_.setCapacity(capacity);
        policy_.setStats(&stats_);
    }
    ~WindowProbe()
    {
        for (auto& [k, e] : entries_) Entry::destroy(e);
    }
    void access(std::uint32_t key)
    {
        const std::string k = "key:" + std::to_string(key);
        const std::uint64_t h = hashBytes(k);
        if (auto it = entries_.find(k); it != entries_.end()) {
            policy_.onHit(it->second, h);
            stats_.add(Counter::Hits);
            return;
        }
        policy_.onMiss(h);
        stats_.add(Counter::Misses);
        Entry* e = Entry::create(k, "v");
        entries_.emplace(k, e);
        policy_.onInsert(e, h);
        while (entries_.size() > capacity_) {
            Entry* v = policy_.victim();
            QVERIFY(v);
            policy_.onRemove(v);
            entries_.erase(std::string(v->key()));
            Entry::destroy(v);
        }
    }
    std::size_t window() const { return policy_.windowTarget(); }
    double hitRatio() const
    {
        const double h = static_cast<double>(stats_.sum(Counter::Hits));
        return h / (h + static_cast<double>(stats_.sum(Counter::Misses)));
    }

private:
    std::size_t capacity_;
    StatsCounters stats_;
    WTinyLfuPolicy policy_;
    std::unordered_map<std::string, Entry*> entries_;
};
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
    void adaptiveWindowGrowsOnARecencyTrace();
    void adaptiveWindowShrinksOnAFrequencyTrace();
    void warmCandidateSometimesWinsAgainstAnEquallyWarmVictim();
    void parsesPolicyNames();
    void wrapRecordsHitsLikeGet_data();
    void wrapRecordsHitsLikeGet();
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
    const auto a = CacheInternals::memoryStore(c)->audit();
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

void TestPolicy::adaptiveWindowGrowsOnARecencyTrace()
{
    // A working set of 80% of the cache sliding forward one key every 10 accesses: what was used recently is what
    // is used next, so the admission filter (which favours keys that were popular) only gets in the way and the
    // window should take (nearly) the whole cache.
    WindowProbe p(500);
    QCOMPARE(p.window(), std::size_t(5)); // starts at 1%
    std::mt19937_64 rng(7);
    for (std::uint32_t i = 0; i < 200'000; ++i) p.access(i / 10 + static_cast<std::uint32_t>(rng() % 400));
    qInfo("recency: window %zu of 500, hit ratio %.3f", p.window(), p.hitRatio());
    QVERIFY2(p.window() >= 450, qPrintable(QString("window %1 of 500").arg(p.window())));
    QVERIFY2(p.hitRatio() > 0.8, qPrintable(QString::number(p.hitRatio())));
}

void TestPolicy::adaptiveWindowShrinksOnAFrequencyTrace()
{
    // A stable hot set of twice the cache under Zipf-like skew plus a stream of keys seen once: frequency is what
    // predicts reuse, so whatever the window grew to meanwhile, it should end up small.
    WindowProbe p(500);
    std::mt19937_64 rng(11);
    // First a recency phase, so that the window has somewhere to shrink from.
    for (std::uint32_t i = 0; i < 100'000; ++i) p.access(i / 10 + static_cast<std::uint32_t>(rng() % 400));
    const std::size_t grown = p.window();
    QVERIFY2(grown >= 250, qPrintable(QString("window %1 of 500").arg(grown)));
    std::uint32_t once = 1'000'000;
    for (std::uint32_t i = 0; i < 300'000; ++i) {
        if (i % 4 == 3) {
            p.access(once++); // one-hit wonders
        } else {
            // rank r with probability ~ 1/r over 1000 keys (inverse transform of a log-uniform draw)
            const double u = std::uniform_real_distribution<double>(0, 1)(rng);
            p.access(2'000'000 + static_cast<std::uint32_t>(std::exp(u * std::log(1000.0))) - 1);
        }
    }
    qInfo("frequency: window %zu of 500 (grown to %zu first)", p.window(), grown);
    QVERIFY2(p.window() <= 100, qPrintable(QString("window %1 of 500 (was %2)").arg(p.window()).arg(grown)));
}

// Keys kept warm from outside must not hold main for ever: a candidate as warm as main's victim (a tie, which the
// strict comparison always lost) gets in now and then; a cold one never does, a warmer one always does.
void TestPolicy::warmCandidateSometimesWinsAgainstAnEquallyWarmVictim()
{
    WTinyLfuPolicy p(1000);
    p.setCapacity(1000);
    const std::uint64_t candidate = hashBytes("candidate"), victim = hashBytes("victim"), cold = hashBytes("cold");
    for (int i = 0; i < 10; ++i) {
        p.onMiss(candidate);
        p.onMiss(victim);
    }
    p.onMiss(cold);
    QCOMPARE(p.frequency(candidate), p.frequency(victim));
    QVERIFY(p.frequency(candidate) >= WTinyLfuPolicy::kAdmitWarm);
    int admitted = 0;
    for (int i = 0; i < 12'800; ++i) admitted += p.admits(candidate, victim) ? 1 : 0;
    QVERIFY2(admitted > 20 && admitted < 400, qPrintable(QString::number(admitted))); // about 1 in 128
    for (int i = 0; i < 1'000; ++i) QVERIFY(!p.admits(cold, victim));
    for (int i = 0; i < 3; ++i) p.onMiss(candidate);
    for (int i = 0; i < 1'000; ++i) QVERIFY(p.admits(candidate, victim));
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

void TestPolicy::wrapRecordsHitsLikeGet_data()
{
    QTest::addColumn<PolicyKind>("policy");
    QTest::addColumn<double>("model"); // the analytic hit ratio where one is known (LRU: Che's approximation), else -1
    QTest::addRow("lru") << PolicyKind::Lru << 0.5565;
    QTest::addRow("wtinylfu") << PolicyKind::WTinyLfu << -1.0;
    QTest::addRow("s3fifo") << PolicyKind::S3Fifo << -1.0;
    QTest::addRow("sieve") << PolicyKind::Sieve << -1.0;
}

// The same Zipf(0.9) trace over 10,000 keys with room for 1,000, once as get() + set() on a miss, once as wrap()
// and once as read() + wrap() on a miss (the simulator's cache-aside): every policy must see the same access
// history each way, so all give the same hits and misses. LRU must also be LRU behind wrap() (Che's
// approximation, 0.5565), not CLOCK (0.568 before wrap's hits were recorded exactly); and the wrap() after a read()
// miss is the same access, not a second miss (it used to count twice, in the stats and in W-TinyLFU's sketch).
void TestPolicy::wrapRecordsHitsLikeGet()
{
    QFETCH(PolicyKind, policy);
    QFETCH(double, model);
    std::vector<std::uint32_t> trace(300'000);
    sim::Zipf zipf(10'000, 0.9);
    std::mt19937_64 rng(7);
    for (auto& k : trace) k = zipf(rng);
    std::vector<std::string> keys;
    for (int i = 0; i < 10'000; ++i) keys.push_back("item:" + std::to_string(i));
    const std::size_t warmUp = 50'000;

    ManualClock clock;
    Cache viaGet(small(clock, policy, 1'000));
    Cache viaWrap(small(clock, policy, 1'000));
    Cache viaReadWrap(small(clock, policy, 1'000));
    auto loader = [] { return std::optional<std::string>("v"); };
    for (std::size_t i = 0; i < trace.size(); ++i) {
        if (i == warmUp) {
            viaGet.resetStats();
            viaWrap.resetStats();
            viaReadWrap.resetStats();
        }
        const std::string& k = keys[trace[i]];
        if (!viaGet.get(k)) QVERIFY(viaGet.set(k, "v").ok());
        QVERIFY(viaWrap.wrap(k, loader).ok());
        if (!viaReadWrap.read(k, [](std::string_view) {})) QVERIFY(viaReadWrap.wrap(k, loader).ok());
    }
    const StatsSnapshot g = viaGet.stats(), w = viaWrap.stats(), rw = viaReadWrap.stats();
    QCOMPARE(w.at(Counter::Hits), g.at(Counter::Hits));
    QCOMPARE(w.at(Counter::Misses), g.at(Counter::Misses));
    QCOMPARE(w.at(Counter::Loads), w.at(Counter::Misses));
    QCOMPARE(w.entries, g.entries);
    QCOMPARE(rw.at(Counter::Hits), g.at(Counter::Hits));
    QCOMPARE(rw.at(Counter::Misses), g.at(Counter::Misses));
    QCOMPARE(rw.at(Counter::Loads), rw.at(Counter::Misses));
    for (int i = 0; i < 100; ++i) // the sketches saw the same history
        QCOMPARE(viaReadWrap.accessFrequency(keys[std::size_t(i) * 97]), viaGet.accessFrequency(keys[std::size_t(i) * 97]));
    if (model > 0)
        QVERIFY2(std::abs(w.hitRatio() - model) < 0.005,
                 qPrintable(QString("wrap hit ratio %1, model %2").arg(w.hitRatio(), 0, 'f', 4).arg(model)));
}

QTEST_APPLESS_MAIN(TestPolicy)
#include "tst_policy.moc"
