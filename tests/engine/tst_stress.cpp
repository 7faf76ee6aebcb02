// Concurrency stress: several threads mix every operation on one cache while time moves; afterwards (and during,
// where it is meaningful) the invariants must hold. Sized by operation count, not time, so it stays short under
// ThreadSanitizer.
#include <cachelens/cache.h>

#include "cache_internals.h"
#include "store.h"

#include <QtTest/QtTest>

#include <atomic>
#include <random>
#include <stdexcept>
#include <thread>
#include <utility>

using namespace cachelens::engine;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(cachelens::engine::PolicyKind)

class TestStress : public QObject {
    Q_OBJECT
private slots:
    void mixedOperationsKeepInvariants_data();
    void mixedOperationsKeepInvariants();
    void lockFreeReadersNeverMissAKeyThatStays();
};

void TestStress::mixedOperationsKeepInvariants_data()
{
    QTest::addColumn<PolicyKind>("policy");
    QTest::addRow("wtinylfu") << PolicyKind::WTinyLfu;
    QTest::addRow("lru") << PolicyKind::Lru;
    QTest::addRow("s3fifo") << PolicyKind::S3Fifo;
    QTest::addRow("sieve") << PolicyKind::Sieve;
}

void TestStress::mixedOperationsKeepInvariants()
{
    QFETCH(PolicyKind, policy);
    constexpr std::size_t kMaxEntries = 2000;
    constexpr int kThreads = 4;
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    constexpr int kOpsPerThread = 15000;
#else
    constexpr int kOpsPerThread = 60000;
#endif
    ManualClock clock;
    CacheOptions o;
    o.clock = &clock;
    o.maxEntries = kMaxEntries;
    o.maxBytes = 1 << 20;
    o.policy = policy;
    o.shards = 4;
    o.backgroundThread = true;       // the refresh worker runs concurrently with everything else
    o.sweepInterval = 1ms;
    Cache c(o);

    std::atomic<std::uint64_t> gets{0};
    std::atomic<bool> boundBroken{false};
    std::atomic<bool> done{false};

    auto worker = [&](int id) {
        std::mt19937_64 rng(1234 + id);
        auto key = [&] { return "k:" + std::to_string(rng() % 5000); };
        WrapOptions wo;
        wo.ttl = 50ms;
        wo.grace = 1s;
        wo.tags = {"wrapped"};
        std::uint64_t myGets = 0;
        // The key this thread's last get()/read() missed, while no write came after it: a wrap() of it is the same
        // access and counts no second miss (Cache::wrap).
        std::string missed;
        for (int i = 0; i < kOpsPerThread; ++i) {
            const auto k = key();
            const unsigned op = rng() % 20;
            // Lookups and writes end it (each case below); exists/pttl, scan and maintenance do not.
            const std::string lastMissed = std::exchange(missed, std::string());
            switch (op) {
            case 0: case 1: case 2: case 3: case 4:
                if (!c.get(k)) missed = k;
                ++myGets;
                break;
            case 5:
                if (!c.read(k, [](std::string_view v) { (void)v.size(); })) missed = k;
                ++myGets;
                break;
            case 6: case 7: case 8: {
                SetOptions so;
                if (rng() % 2) so.ttl = std::chrono::milliseconds(1 + rng() % 100);
                if (rng() % 3 == 0) so.tags = {"t" + std::to_string(rng() % 8), "all"};
                (void)c.set(k, std::string(rng() % 300, 'v'), so);
                break;
            }
            case 9: (void)c.del(k); break;
            case 10: (void)c.exists(k), (void)c.pttl(k), missed = lastMissed; break;
            case 11: (void)c.expire(k, std::chrono::milliseconds(static_cast<int>(rng() % 50) - 10)); break;
            case 12: (void)c.persist(k); break;
            case 13: {
                const bool fail = rng() % 5 == 0;
                (void)c.wrap(k, [fail]() -> std::optional<std::string> { // by value: refreshes run later
                    if (fail) throw std::runtime_error("boom");
                    return std::string("loaded");
                }, wo);
                if (k != lastMissed) ++myGets;
                break;
            }
            case 14: (void)c.incrBy("counter:" + std::to_string(rng() % 4), 1, 100ms); break;
            case 15:
                if (rng() % 50 == 0) (void)c.invalidateTag("t" + std::to_string(rng() % 8));
                else missed = lastMissed;
                break;
            case 16:
                if (rng() % 200 == 0) (void)c.invalidatePattern("k:1*");
                else missed = lastMissed;
                break;
            case 17:
                if (rng() % 50 == 0) (void)c.scan(rng() % 4 ? 0 : (rng() << 32), "k:2*", 50);
                missed = lastMissed;
                break;
            case 18:
                if (rng() % 20 == 0) (void)c.runMaintenance();
                missed = lastMissed;
                break;
            case 19:
                clock.advance(std::chrono::microseconds(rng() % 2000));
                missed = lastMissed;
                break;
            }
        }
        gets.fetch_add(myGets);
    };
    std::thread monitor([&] {
        while (!done.load()) {
            const auto s = c.stats();
            if (s.entries > kMaxEntries) boundBroken = true;
            std::this_thread::yield();
        }
    });
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
    for (auto& t : threads) t.join();
    done = true;
    monitor.join();

    QVERIFY(!boundBroken.load());
    const auto s = c.stats();
    QVERIFY(s.entries <= kMaxEntries);
    QCOMPARE(s.at(Counter::Hits) + s.at(Counter::Misses), gets.load());
    auto a = CacheInternals::memoryStore(c)->audit();
    QVERIFY(a.entries <= kMaxEntries);
    QVERIFY(a.gaugesMatch); // (the background sweeper may run between stats() and audit(): compare per shard)
    QVERIFY(a.taggedEntries <= a.entries);
    // Every tag record belongs to a live entry: removing all tagged keys leaves no record behind.
    (void)c.invalidateTag("all");
    (void)c.invalidateTag("wrapped");
    for (int t = 0; t < 8; ++t) (void)c.invalidateTag("t" + std::to_string(t));
    a = CacheInternals::memoryStore(c)->audit();
    QCOMPARE(a.taggedEntries, std::size_t(0));
    QCOMPARE(a.tags, std::size_t(0));
    (void)c.clear();
    a = CacheInternals::memoryStore(c)->audit();
    QCOMPARE(a.entries, std::size_t(0));
    QCOMPARE(a.bytes, std::size_t(0));
}

// Readers probe the table without a lock while a writer inserts and deletes other keys in the same shard: deletes
// turn slots into tombstones or back into empty slots, inserts reuse them, rehashes swap the array. A key present
// the whole time must be found by every lookup.
void TestStress::lockFreeReadersNeverMissAKeyThatStays()
{
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    constexpr int kRounds = 6;
#else
    constexpr int kRounds = 30;
#endif
    CacheOptions o;
    o.backgroundThread = false;
    o.shards = 1;
    o.maxBytes = 0;
    Cache c(o);
    std::vector<std::string> stable;
    for (int i = 0; i < 500; ++i) {
        stable.push_back("stable:" + std::to_string(i));
        QVERIFY(c.set(stable.back(), "v").ok());
    }
    std::atomic<bool> done{false};
    std::atomic<std::uint64_t> misses{0}, reads{0};
    auto reader = [&] {
        std::uint64_t n = 0, missed = 0;
        while (!done.load(std::memory_order_relaxed))
            for (const auto& k : stable) {
                ++n;
                if (!c.read(k, [](std::string_view v) { (void)v.size(); })) ++missed;
            }
        reads.fetch_add(n);
        misses.fetch_add(missed);
    };
    std::thread r1(reader), r2(reader);
    for (int round = 0; round < kRounds; ++round) {
        for (int i = 0; i < 2000; ++i) (void)c.set("churn:" + std::to_string(round % 3) + ":" + std::to_string(i), "v");
        for (int i = 0; i < 2000; i += (round % 2) + 1) (void)c.del("churn:" + std::to_string(round % 3) + ":" + std::to_string(i));
    }
    done = true;
    r1.join();
    r2.join();
    QVERIFY(reads.load() > 0);
    QCOMPARE(misses.load(), std::uint64_t(0));
}

QTEST_APPLESS_MAIN(TestStress)
#include "tst_stress.moc"
