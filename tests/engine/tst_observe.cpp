// What the GUI and the simulator observe: the access-trace tap and per-namespace counters.
#include <cachelens/cache.h>
#include "hash.h"
#include <cachelens/trace_tap.h>

#include <QtTest/QtTest>

#include <set>
#include <thread>

using namespace cachelens::engine;
using namespace std::chrono_literals;

class TestObserve : public QObject {
    Q_OBJECT
private slots:
    void tapIsOffByDefault();
    void tapRecordsTimeKeyHashAndOperation();
    void tapSamplesWholeKeys();
    void tapReportsWhatTheRingDropped();
    void tapToleratesConcurrentWritersAndReader();
    void namespaceCountersAreSeparate();
    void namespaceGaugesFollowEveryWayInAndOut();
    void namespaceCountersAddUpToTheCaches();
    void readCallbackMayUseTheCache();
};

void TestObserve::tapIsOffByDefault()
{
    ManualClock clock;
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    Cache c(o);
    (void)c.set("k", "v");
    (void)c.get("k");
    std::uint64_t cursor = 0;
    std::vector<TraceRecord> out;
    QCOMPARE(c.traceTap().read(cursor, out), std::uint64_t(0));
    QVERIFY(out.empty());
}

void TestObserve::tapRecordsTimeKeyHashAndOperation()
{
    ManualClock clock;
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    o.keyPrefix = "p:";
    Cache c(o);
    c.setTraceEnabled(true);
    (void)c.get("k");
    clock.advance(1ms);
    (void)c.set("k", "v");
    clock.advance(1ms);
    (void)c.get("k");
    (void)c.read("k", [](std::string_view) {});
    (void)c.wrap("k", [] { return std::optional<std::string>("x"); });
    QVERIFY(c.del("k"));
    std::uint64_t cursor = 0;
    std::vector<TraceRecord> out;
    QCOMPARE(c.traceTap().read(cursor, out), std::uint64_t(0));
    QCOMPARE(out.size(), std::size_t(6));
    const TraceOp ops[] = {TraceOp::Miss, TraceOp::Set, TraceOp::Hit, TraceOp::Hit, TraceOp::Hit, TraceOp::Delete};
    for (std::size_t i = 0; i < out.size(); ++i) {
        QCOMPARE(int(out[i].op), int(ops[i]));
        QCOMPARE(out[i].keyHash, hashBytes("p:k")); // the stored (prefixed) key's hash
    }
    QCOMPARE(out[1].time - out[0].time, Nanos(1'000'000));
    c.setTraceEnabled(false);
    (void)c.get("k");
    out.clear();
    (void)c.traceTap().read(cursor, out);
    QVERIFY(out.empty());
}

void TestObserve::tapSamplesWholeKeys()
{
    TraceTap tap(4096);
    tap.enable(4);
    std::set<std::uint64_t> sampled;
    for (int round = 0; round < 3; ++round)
        for (int k = 0; k < 400; ++k) tap.record(1, hashBytes(std::to_string(k)), TraceOp::Hit);
    std::uint64_t cursor = 0;
    std::vector<TraceRecord> out;
    (void)tap.read(cursor, out);
    for (const auto& r : out) sampled.insert(r.keyHash);
    QVERIFY(sampled.size() > 60 && sampled.size() < 140); // about a quarter of the keys…
    QCOMPARE(out.size(), sampled.size() * 3);             // …each recorded every time it was accessed
}

void TestObserve::tapReportsWhatTheRingDropped()
{
    TraceTap tap(16);
    tap.enable();
    for (int i = 0; i < 100; ++i) tap.record(i, std::uint64_t(i), TraceOp::Set);
    std::uint64_t cursor = 0;
    std::vector<TraceRecord> out;
    QCOMPARE(tap.read(cursor, out), std::uint64_t(84));
    QCOMPARE(out.size(), std::size_t(16));
    QCOMPARE(out.front().time, Nanos(84));
    QCOMPARE(out.back().time, Nanos(99));
    QCOMPARE(cursor, std::uint64_t(100));
}

void TestObserve::tapToleratesConcurrentWritersAndReader()
{
    TraceTap tap(1024);
    tap.enable();
    std::atomic<bool> done{false};
    std::vector<std::thread> writers;
    for (int t = 0; t < 2; ++t)
        writers.emplace_back([&, t] {
            for (int i = 0; i < 20000; ++i) tap.record(i, std::uint64_t(t) << 32 | std::uint64_t(i), TraceOp::Hit);
        });
    std::uint64_t cursor = 0, seen = 0, dropped = 0, torn = 0;
    std::thread reader([&] {
        std::vector<TraceRecord> out;
        while (!done.load()) {
            out.clear();
            dropped += tap.read(cursor, out);
            for (const auto& r : out) torn += r.time != Nanos(r.keyHash & 0xffffffff);
            seen += out.size();
        }
    });
    for (auto& w : writers) w.join();
    done = true;
    reader.join();
    std::vector<TraceRecord> out;
    dropped += tap.read(cursor, out);
    seen += out.size();
    QCOMPARE(torn, std::uint64_t(0)); // never a half-written record
    QCOMPARE(seen + dropped, std::uint64_t(40000));
}

void TestObserve::namespaceCountersAreSeparate()
{
    ManualClock clock;
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    o.namespaces["character"].defaultTtl = 300s;
    o.namespaces["room"] = {};
    Cache c(o);
    (void)c.set("character:1", "v");
    (void)c.get("character:1");
    (void)c.get("character:2");
    (void)c.get("room:1");
    (void)c.get("other:1");
    (void)c.wrap("room:2", [] { return std::optional<std::string>("x"); });
    const auto ch = c.namespaceStats("character");
    QCOMPARE(ch.at(Counter::Sets), std::uint64_t(1));
    QCOMPARE(ch.at(Counter::Hits), std::uint64_t(1));
    QCOMPARE(ch.at(Counter::Misses), std::uint64_t(1));
    const auto room = c.namespaceStats("room");
    QCOMPARE(room.at(Counter::Misses), std::uint64_t(2));
    QCOMPARE(room.at(Counter::Loads), std::uint64_t(1));
    QCOMPARE(c.namespaceStats("other").gets(), std::uint64_t(0));
    QCOMPARE(c.stats().gets(), std::uint64_t(5));
}

// Per namespace, every counter the cache keeps (issue #4: evictions, expirations, invalidations by kind, load time,
// stale served … per cache and per namespace). Every key below is in "user" or "room", so for each counter the two
// namespaces add up to the cache's own figure; and "user", where everything happens, has each of them.
void TestObserve::namespaceCountersAddUpToTheCaches()
{
    ManualClock clock;
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    o.shards = 1;
    o.maxEntries = 8;
    o.maxBytes = 1 << 20;
    o.policy = PolicyKind::Lru;
    o.keyPrefix = "app:";
    o.compressAbove = 1000;
    o.namespaces["user"] = {};
    o.namespaces["room"] = {};
    Cache c(o);
    auto loader = [&clock] {
        clock.advance(5ms);
        return std::optional<std::string>("v");
    };
    WrapOptions w;
    w.ttl = 1s;
    w.grace = 10s;
    SetOptions tagged;
    tagged.tags = {"t"};
    SetOptions shortLived;
    shortLived.ttl = 1s;

    QVERIFY(c.wrap("user:1", loader, w).ok());           // miss, load (5 ms), set
    QVERIFY(c.set("user:2", "v", tagged).ok());
    QVERIFY(c.set("room:1", "v").ok());
    QVERIFY(c.get("user:2"));                             // hit
    QVERIFY(!c.get("user:9"));                            // miss
    QCOMPARE(c.invalidateTag("t"), std::size_t(1));       // user:2
    QVERIFY(c.set("user:3", "v").ok());
    QVERIFY(c.set("user:4", "v").ok());
    QVERIFY(c.set("user:5", "v").ok());
    QCOMPARE(c.invalidatePattern("user:5"), std::size_t(1));
    QCOMPARE(c.invalidate(std::vector<std::string>{"user:4"}), std::size_t(1));
    QVERIFY(c.del("user:3"));
    QVERIFY(c.set("user:6", "v", shortLived).ok());
    QVERIFY(c.set("user:big", std::string(5000, 'a')).ok()); // stored compressed
    QVERIFY(!c.set("user:" + std::string(70000, 'x'), "v").ok()); // key too long: rejected
    Mutation m;
    m.writeThrough = {{"user:w", "v"}};
    QCOMPARE(c.afterWrite(m).written, std::size_t(1));
    clock.advance(2s);                                    // user:6 expires; user:1 is stale (within its grace)
    QVERIFY(c.runMaintenance() >= 1);                     // the sweeper reclaims user:6
    QVERIFY(c.wrap("user:1", loader, w).ok());            // stale served, refreshed in the background
    (void)c.runMaintenance();
    for (int i = 0; i < 12; ++i) QVERIFY(c.set("user:fill" + std::to_string(i), "v").ok()); // evictions

    const StatsSnapshot all = c.stats(), user = c.namespaceStats("user"), room = c.namespaceStats("room");
    for (unsigned i = 0; i < kCounterCount; ++i)
        QVERIFY2(user.counters[i] + room.counters[i] == all.counters[i],
                 qPrintable(QString("%1: user %2 + room %3 != cache %4")
                                .arg(counterName(Counter(i)))
                                .arg(user.counters[i])
                                .arg(room.counters[i])
                                .arg(all.counters[i])));
    for (Counter k : {Counter::Hits, Counter::Misses, Counter::Sets, Counter::Deletes, Counter::EvictionsCapacity,
                      Counter::Expirations, Counter::InvalidationsKey, Counter::InvalidationsTag,
                      Counter::InvalidationsPattern, Counter::Loads, Counter::LoadTimeNs, Counter::StaleServed,
                      Counter::BackgroundRefreshes, Counter::Rejected, Counter::WriteThroughs,
                      Counter::BytesSavedByCompression})
        QVERIFY2(user.at(k) > 0, counterName(k));
    QCOMPARE(user.at(Counter::LoadTimeNs), std::uint64_t(10'000'000)); // two loads of 5 ms on the cache's clock
    QCOMPARE(room.at(Counter::Sets), std::uint64_t(1));
}

void TestObserve::namespaceGaugesFollowEveryWayInAndOut()
{
    ManualClock clock;
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    o.maxBytes = 0;
    o.maxEntries = 64;
    o.shards = 4;
    o.keyPrefix = "app:";
    o.namespaces["user"] = {};
    o.namespaces["session"] = {};
    Cache c(o);
    auto ns = [&](const char* n) { return c.namespaceStats(n); };
    const auto charge = [](std::size_t key, std::size_t value) { return Entry::chargeFor(4 + key, value, false); };

    QVERIFY(c.set("user:1", std::string(10, 'x')).ok());
    QVERIFY(c.set("user:2", "y").ok());
    QVERIFY(c.set("users:3", "z").ok()); // another namespace ("users"), untracked
    QVERIFY(c.set("other", "z").ok());   // no separator: the namespace is the whole key, untracked
    SetOptions ttl;
    ttl.ttl = 10s;
    ttl.tags = {"t"};
    QVERIFY(c.set("session:a", "s", ttl).ok());
    QCOMPARE(ns("user").entries, std::uint64_t(2));
    QCOMPARE(ns("user").bytes, std::uint64_t(charge(6, 10) + charge(6, 1)));
    QCOMPARE(ns("session").entries, std::uint64_t(1));
    QCOMPARE(ns("session").bytes, std::uint64_t(Entry::chargeFor(13, 1, true)));
    QCOMPARE(ns("users").entries, std::uint64_t(0)); // not a configured namespace: empty snapshot

    QVERIFY(c.set("user:1", "short").ok()); // overwrite
    QCOMPARE(ns("user").bytes, std::uint64_t(charge(6, 5) + charge(6, 1)));
    QCOMPARE(c.incrBy("user:n", 5).value(), std::int64_t(5));
    QCOMPARE(ns("user").entries, std::uint64_t(3));
    QVERIFY(c.del("user:2"));
    QCOMPARE(ns("user").entries, std::uint64_t(2));
    QVERIFY(c.expire("user:1", 1s)); // a timed copy swapped in: 12 bytes more
    QCOMPARE(ns("user").bytes, std::uint64_t(Entry::chargeFor(10, 5, true) + charge(6, 1)));

    QCOMPARE(c.invalidateTag("t"), std::size_t(1));
    QCOMPARE(ns("session").entries, std::uint64_t(0));
    QCOMPARE(ns("session").bytes, std::uint64_t(0));
    QVERIFY(c.set("session:b", "s", ttl).ok());
    clock.advance(11s);
    for (int i = 0; i < 8; ++i) c.runMaintenance(); // the sweeper reclaims both expired keys
    QCOMPARE(ns("session").entries, std::uint64_t(0));
    QCOMPARE(ns("user").entries, std::uint64_t(1)); // user:1 expired too; user:n stays

    for (int i = 0; i < 500; ++i) QVERIFY(c.set("user:" + std::to_string(1000 + i), "v").ok()); // evictions
    QVERIFY(c.stats().evictions() > 0);
    std::uint64_t users = 0;
    std::uint64_t userBytes = 0;
    std::uint64_t allBytes = 0;
    for (std::uint64_t cursor = 0;;) {
        auto page = c.scan(cursor, "*", 100);
        for (const auto& k : page.keys) {
            const std::size_t bytes = Entry::chargeFor(4 + k.size(), c.get(k).value().size(), c.pttl(k) >= 0);
            allBytes += bytes;
            if (k.starts_with("user:")) ++users, userBytes += bytes;
        }
        if ((cursor = page.cursor) == 0) break;
    }
    QCOMPARE(ns("user").entries, users);
    QCOMPARE(ns("user").bytes, userBytes);
    QCOMPARE(c.stats().bytes, allBytes);

    QCOMPARE(c.invalidatePattern("user:*"), std::size_t(users));
    QCOMPARE(ns("user").entries, std::uint64_t(0));
    QVERIFY(c.set("user:z", "v").ok());
    c.clear();
    QCOMPARE(ns("user").entries, std::uint64_t(0));
    QCOMPARE(ns("user").bytes, std::uint64_t(0));
}

void TestObserve::readCallbackMayUseTheCache()
{
    ManualClock clock;
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    o.keyPrefix = "p:";
    Cache c(o);
    c.setTraceEnabled(true);
    QVERIFY(c.set("a", "1").ok());
    QVERIFY(c.read("a", [&](std::string_view) { (void)c.get("a much longer key than a"); }));
    std::uint64_t cursor = 0;
    std::vector<TraceRecord> out;
    (void)c.traceTap().read(cursor, out);
    QCOMPARE(out.size(), std::size_t(3));
    QCOMPARE(out[1].keyHash, hashBytes("p:a much longer key than a"));
    QCOMPARE(out[2].keyHash, hashBytes("p:a")); // the read is recorded under its own key
    QCOMPARE(int(out[2].op), int(TraceOp::Hit));
}

QTEST_APPLESS_MAIN(TestObserve)
#include "tst_observe.moc"
