// wrap(): cache-aside with single-flight, grace periods (stale-while-revalidate, fail-safe), cacheIf, negative
// caching and warm(). Time moves by hand (ManualClock); background work runs when the test calls runMaintenance().
#include <cachelens/cache.h>

#include <QtTest/QtTest>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

using namespace cachelens::engine;
using namespace std::chrono_literals;
using namespace std::string_literals;

namespace {
CacheOptions manual(ManualClock& clock)
{
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    return o;
}
std::optional<std::string> some(std::string s) { return std::optional<std::string>(std::move(s)); }

// Lets a test hold a loader until every other caller has joined its flight.
struct Gate {
    std::mutex mu;
    std::condition_variable cv;
    bool open = false;
    void wait()
    {
        std::unique_lock l(mu);
        cv.wait(l, [&] { return open; });
    }
    void release()
    {
        {
            std::lock_guard l(mu);
            open = true;
        }
        cv.notify_all();
    }
};

// Bounded wait for a condition another thread makes true (no fixed sleeps as synchronisation).
template <class F>
bool eventually(F&& f)
{
    for (int i = 0; i < 20000; ++i) {
        if (f()) return true;
        std::this_thread::yield();
        if (i > 1000) std::this_thread::sleep_for(1ms);
    }
    return f();
}
} // namespace

class TestWrap : public QObject {
    Q_OBJECT
private slots:
    void missLoadsAndCachesThenHits();
    void wrapAfterAReadMissIsTheSameAccess_data();
    void wrapAfterAReadMissIsTheSameAccess();
    void concurrentMissesRunTheLoaderOnce();
    void loaderErrorReachesEveryWaiterAndIsNotCached();
    void staleWhileRevalidateServesStaleAndRefreshesOnce();
    void failSafeServesStaleWhenTheLoaderFails();
    void graceOverMeansALoad();
    void cacheIfFalseHandsOutButDoesNotCache();
    void namespaceCacheIfAppliesUnlessTheCallHasItsOwn();
    void loadTimeIsMeasuredOnTheCachesClock();
    void notFoundIsCachedAsAHitWithItsOwnTtl();
    void notFoundWithoutTtlIsNotCached();
    void wrapAppliesTtlAndTags();
    void warmLoadsOnlyMissingKeys();
    void tooLargeValueIsStillReturned();
};

void TestWrap::missLoadsAndCachesThenHits()
{
    ManualClock clock;
    Cache c(manual(clock));
    int calls = 0;
    auto loader = [&] { ++calls; return some("v1"); };
    auto r = c.wrap("k", loader);
    QVERIFY(r.ok());
    QCOMPARE(std::string(r.value().value()), "v1"s);
    auto r2 = c.wrap("k", loader);
    QVERIFY(r2.ok());
    QCOMPARE(calls, 1);
    const auto s = c.stats();
    QCOMPARE(s.at(Counter::Loads), std::uint64_t(1));
    QCOMPARE(s.at(Counter::Hits), std::uint64_t(1));
    QCOMPARE(s.at(Counter::Misses), std::uint64_t(1));
}

void TestWrap::wrapAfterAReadMissIsTheSameAccess_data()
{
    QTest::addColumn<bool>("viaGet"); // the first lookup is get() rather than read()
    QTest::addColumn<QString>("prefix");
    QTest::addRow("read") << false << QString();
    QTest::addRow("get") << true << QString();
    QTest::addRow("read, key prefix") << false << QString("app:");
}

// "read(); on a miss, wrap()" is one access: one miss in the stats, the namespace's stats and the trace tap, and
// one sighting in W-TinyLFU's sketch (it used to be two of each). A second lookup that is not a wrap() still counts.
void TestWrap::wrapAfterAReadMissIsTheSameAccess()
{
    QFETCH(bool, viaGet);
    QFETCH(QString, prefix);
    ManualClock clock;
    CacheOptions o = manual(clock);
    o.policy = PolicyKind::WTinyLfu;
    o.keyPrefix = prefix.toStdString();
    o.namespaces["user"] = NamespaceOptions{};
    Cache c(o);
    c.setTraceEnabled(true);
    auto lookup = [&](const std::string& k) { return viaGet ? bool(c.get(k)) : c.read(k, [](std::string_view) {}); };
    int calls = 0;
    auto loader = [&] { ++calls; return some("v"); };

    QVERIFY(!lookup("user:1"));
    QVERIFY(c.wrap("user:1", loader).ok());
    QCOMPARE(calls, 1);
    QCOMPARE(c.accessFrequency("user:1"), 1); // one sighting: the doorkeeper's bit, no counter yet
    auto s = c.stats();
    QCOMPARE(s.at(Counter::Misses), std::uint64_t(1));
    QCOMPARE(s.at(Counter::Hits), std::uint64_t(0));
    QCOMPARE(c.namespaceStats("user").at(Counter::Misses), std::uint64_t(1));
    std::uint64_t cursor = 0;
    std::vector<TraceRecord> records;
    c.traceTap().read(cursor, records);
    QCOMPARE(std::count_if(records.begin(), records.end(), [](const TraceRecord& r) { return r.op == TraceOp::Miss; }),
             std::ptrdiff_t(1));

    // wrap() alone counts the same.
    QVERIFY(c.wrap("user:2", loader).ok());
    QCOMPARE(c.accessFrequency("user:2"), 1);
    QCOMPARE(c.stats().at(Counter::Misses), std::uint64_t(2));

    // Only the wrap() right after the miss, of the same key, is the same access.
    QVERIFY(!lookup("user:3"));
    QVERIFY(!lookup("user:3")); // a second miss is a second access
    QVERIFY(!lookup("user:4"));
    QVERIFY(c.wrap("user:3", loader).ok()); // not the key that just missed: its own access
    QCOMPARE(c.stats().at(Counter::Misses), std::uint64_t(6));
    QCOMPARE(c.accessFrequency("user:3"), 3);
    QCOMPARE(c.namespaceStats("user").at(Counter::Misses), std::uint64_t(6));
    QCOMPARE(calls, 3);

    // A hit in between ends the miss: the wrap() after it is an access of its own.
    QVERIFY(!lookup("user:5"));
    QVERIFY(lookup("user:1"));
    QVERIFY(c.wrap("user:5", loader).ok());
    QCOMPARE(c.stats().at(Counter::Misses), std::uint64_t(8));
    QCOMPARE(c.stats().at(Counter::Hits), std::uint64_t(1));
}

void TestWrap::concurrentMissesRunTheLoaderOnce()
{
    ManualClock clock;
    Cache c(manual(clock));
    constexpr int kCallers = 8;
    std::atomic<int> calls{0};
    Gate gate;
    std::vector<std::thread> threads;
    std::vector<std::string> got(kCallers);
    for (int t = 0; t < kCallers; ++t)
        threads.emplace_back([&, t] {
            auto r = c.wrap("hot", [&] {
                calls.fetch_add(1);
                gate.wait();
                return some("loaded");
            });
            if (r.ok()) got[t] = r.value().value();
        });
    QVERIFY(eventually([&] { return c.stats().at(Counter::DedupeJoins) == kCallers - 1; }));
    gate.release();
    for (auto& t : threads) t.join();
    QCOMPARE(calls.load(), 1);
    for (const auto& g : got) QCOMPARE(g, "loaded"s);
    QCOMPARE(c.stats().at(Counter::DedupeJoins), std::uint64_t(kCallers - 1));
    QCOMPARE(c.stats().at(Counter::Loads), std::uint64_t(1));
}

void TestWrap::loaderErrorReachesEveryWaiterAndIsNotCached()
{
    ManualClock clock;
    Cache c(manual(clock));
    constexpr int kCallers = 4;
    Gate gate;
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kCallers; ++t)
        threads.emplace_back([&] {
            auto r = c.wrap("k", [&]() -> std::optional<std::string> {
                gate.wait();
                throw std::runtime_error("database down");
            });
            if (!r.ok() && r.error().code == Errc::LoaderFailed && r.error().message == "database down") ++errors;
        });
    QVERIFY(eventually([&] { return c.stats().at(Counter::DedupeJoins) == kCallers - 1; }));
    gate.release();
    for (auto& t : threads) t.join();
    QCOMPARE(errors.load(), kCallers);
    QCOMPARE(c.stats().at(Counter::LoadFailures), std::uint64_t(1));
    QVERIFY(!c.exists("k"));
    auto r = c.wrap("k", [] { return some("recovered"); });
    QVERIFY(r.ok());
    QCOMPARE(std::string(r.value().value()), "recovered"s);
}

void TestWrap::staleWhileRevalidateServesStaleAndRefreshesOnce()
{
    ManualClock clock;
    Cache c(manual(clock));
    WrapOptions o;
    o.ttl = 10s;
    o.grace = 60s;
    int calls = 0;
    std::string next = "v1";
    auto loader = [&] { ++calls; return some(next); };
    QVERIFY(c.wrap("k", loader, o).ok());
    clock.advance(11s);
    next = "v2";
    for (int i = 0; i < 5; ++i) {
        auto r = c.wrap("k", loader, o);
        QVERIFY(r.ok());
        QCOMPARE(std::string(r.value().value()), "v1"s); // stale, served at once
    }
    QVERIFY(!c.get("k"));                                 // plain get never returns a stale value
    QCOMPARE(calls, 1);                                   // the refresh is queued, not run inline
    QCOMPARE(c.pendingBackgroundTasks(), std::size_t(1)); // …and queued once, not five times
    c.runMaintenance();
    QCOMPARE(calls, 2);
    auto r = c.wrap("k", loader, o);
    QCOMPARE(std::string(r.value().value()), "v2"s);
    const auto s = c.stats();
    QCOMPARE(s.at(Counter::StaleServed), std::uint64_t(5));
    QCOMPARE(s.at(Counter::BackgroundRefreshes), std::uint64_t(1));
}

void TestWrap::failSafeServesStaleWhenTheLoaderFails()
{
    ManualClock clock;
    Cache c(manual(clock));
    WrapOptions o;
    o.ttl = 10s;
    o.grace = 60s;
    o.staleWhileRevalidate = false;
    QVERIFY(c.wrap("k", [] { return some("good"); }, o).ok());
    clock.advance(20s);
    auto r = c.wrap("k", []() -> std::optional<std::string> { throw std::runtime_error("down"); }, o);
    QVERIFY(r.ok());
    QCOMPARE(std::string(r.value().value()), "good"s);
    QCOMPARE(c.stats().at(Counter::StaleOnFailure), std::uint64_t(1));
    QCOMPARE(c.stats().at(Counter::LoadFailures), std::uint64_t(1));
    o.failSafe = false;
    auto r2 = c.wrap("k", []() -> std::optional<std::string> { throw std::runtime_error("down"); }, o);
    QVERIFY(!r2.ok());
}

void TestWrap::graceOverMeansALoad()
{
    ManualClock clock;
    Cache c(manual(clock));
    WrapOptions o;
    o.ttl = 10s;
    o.grace = 5s;
    QVERIFY(c.wrap("k", [] { return some("old"); }, o).ok());
    clock.advance(16s);
    auto r = c.wrap("k", []() -> std::optional<std::string> { throw std::runtime_error("down"); }, o);
    QVERIFY(!r.ok()); // past the grace period nothing stale may be served
    auto r2 = c.wrap("k", [] { return some("new"); }, o);
    QCOMPARE(std::string(r2.value().value()), "new"s);
}

void TestWrap::cacheIfFalseHandsOutButDoesNotCache()
{
    ManualClock clock;
    Cache c(manual(clock));
    WrapOptions o;
    o.cacheIf = [](std::string_view v) { return v.rfind("error", 0) != 0; };
    auto r = c.wrap("k", [] { return some("error: 500"); }, o);
    QVERIFY(r.ok());
    QCOMPARE(std::string(r.value().value()), "error: 500"s);
    QVERIFY(!c.exists("k"));
    QCOMPARE(c.stats().at(Counter::NotCachedByPredicate), std::uint64_t(1));
    QVERIFY(c.wrap("k", [] { return some("fine"); }, o).ok());
    QVERIFY(c.exists("k"));
}

void TestWrap::namespaceCacheIfAppliesUnlessTheCallHasItsOwn()
{
    ManualClock clock;
    CacheOptions co = manual(clock);
    co.keyPrefix = "app:";
    co.namespaces["search"].cacheIf = [](std::string_view v) { return !v.empty(); }; // empty results: not cached
    Cache c(co);
    QCOMPARE(std::string(c.wrap("search:q1", [] { return some(""); }).value().value()), ""s);
    QVERIFY(!c.exists("search:q1"));
    QCOMPARE(c.stats().at(Counter::NotCachedByPredicate), std::uint64_t(1));
    QVERIFY(c.wrap("search:q2", [] { return some("3 hits"); }).ok());
    QVERIFY(c.exists("search:q2"));
    QVERIFY(c.wrap("other:q1", [] { return some(""); }).ok()); // another namespace: cached
    QVERIFY(c.exists("other:q1"));
    WrapOptions own;
    own.cacheIf = [](std::string_view) { return true; }; // the call's predicate wins over the namespace's
    QVERIFY(c.wrap("search:q3", [] { return some(""); }, own).ok());
    QVERIFY(c.exists("search:q3"));
    QCOMPARE(c.stats().at(Counter::NotCachedByPredicate), std::uint64_t(1));
}

void TestWrap::loadTimeIsMeasuredOnTheCachesClock()
{
    ManualClock clock;
    Cache c(manual(clock));
    QVERIFY(c.wrap("slow", [&] { clock.advance(250ms); return some("v"); }).ok());
    QVERIFY(!c.wrap("fails", [&]() -> std::optional<std::string> {
        clock.advance(50ms);
        throw std::runtime_error("db down");
    }).ok());
    QVERIFY(c.wrap("slow", [&] { clock.advance(1s); return some("unused"); }).ok()); // a hit: no load, no time
    const auto s = c.stats();
    QCOMPARE(s.at(Counter::Loads), std::uint64_t(2));
    QCOMPARE(s.at(Counter::LoadFailures), std::uint64_t(1));
    QCOMPARE(s.at(Counter::LoadTimeNs), std::uint64_t(300'000'000));
}

void TestWrap::notFoundIsCachedAsAHitWithItsOwnTtl()
{
    ManualClock clock;
    Cache c(manual(clock));
    WrapOptions o;
    o.ttl = 300s;
    o.notFoundTtl = 5s;
    int calls = 0;
    auto loader = [&]() -> std::optional<std::string> { ++calls; return std::nullopt; };
    auto r = c.wrap("user:404", loader, o);
    QVERIFY(r.ok());
    QVERIFY(r.value().isNotFound());
    auto again = c.wrap("user:404", loader, o);
    QVERIFY(again.value().isNotFound());
    QCOMPARE(calls, 1);                          // the cached "not found" is a hit
    QVERIFY(c.get("user:404").isNotFound());
    QCOMPARE(c.pttl("user:404"), std::int64_t(5000));
    clock.advance(5s);
    (void)c.wrap("user:404", loader, o);
    QCOMPARE(calls, 2);
}

void TestWrap::notFoundWithoutTtlIsNotCached()
{
    ManualClock clock;
    Cache c(manual(clock));
    int calls = 0;
    auto loader = [&]() -> std::optional<std::string> { ++calls; return std::nullopt; };
    QVERIFY(c.wrap("k", loader).value().isNotFound());
    QVERIFY(c.wrap("k", loader).value().isNotFound());
    QCOMPARE(calls, 2);
}

void TestWrap::wrapAppliesTtlAndTags()
{
    ManualClock clock;
    Cache c(manual(clock));
    WrapOptions o;
    o.ttl = 30s;
    o.tags = {"user:1"};
    QVERIFY(c.wrap("profile:1", [] { return some("p"); }, o).ok());
    QCOMPARE(c.pttl("profile:1"), std::int64_t(30'000));
    QCOMPARE(c.invalidateTag("user:1"), std::size_t(1));
}

void TestWrap::warmLoadsOnlyMissingKeys()
{
    ManualClock clock;
    Cache c(manual(clock));
    QVERIFY(c.set("k0", "already").ok());
    std::vector<std::string> keys;
    for (int i = 0; i < 100; ++i) keys.push_back("k" + std::to_string(i));
    std::atomic<int> calls{0};
    auto report = c.warm(keys, [&](std::string_view k) -> std::optional<std::string> {
        calls.fetch_add(1);
        if (k == "k13") throw std::runtime_error("bad row");
        if (k == "k14") return std::nullopt;
        return std::string("v:").append(k);
    }, 4);
    QCOMPARE(report.alreadyCached, std::size_t(1));
    QCOMPARE(report.failed, std::size_t(1));
    QCOMPARE(report.notFound, std::size_t(1));
    QCOMPARE(report.loaded, std::size_t(97));
    QCOMPARE(calls.load(), 99);
    QCOMPARE(std::string(c.get("k50").value()), "v:k50"s);
    QCOMPARE(std::string(c.get("k0").value()), "already"s);
}

void TestWrap::tooLargeValueIsStillReturned()
{
    ManualClock clock;
    CacheOptions opts = manual(clock);
    opts.maxBytes = 4096;
    opts.shards = 1;
    Cache c(opts);
    auto r = c.wrap("big", [] { return some(std::string(10'000, 'x')); });
    QVERIFY(r.ok());
    QCOMPARE(r.value().value().size(), std::size_t(10'000));
    QVERIFY(!c.exists("big"));
}

QTEST_APPLESS_MAIN(TestWrap)
#include "tst_wrap.moc"
