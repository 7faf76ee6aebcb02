// The engine as a program embedding it sees it: only <cachelens/...> on the include path (this test links the public
// cachelens_engine target, not cachelens_engine_internal), option structs written with designated initialisers, and
// a Cache that is a thin handle on the engine.
#pragma GCC diagnostic error "-Wmissing-field-initializers" // what a user's -Wextra -Werror build would say

#include <cachelens/cache.h>
#include <cachelens/version.h>

#include <QtTest/QtTest>

#include <set>
#include <string>

using namespace cachelens::engine;
using namespace std::chrono_literals;

// The store, its epoch, the task queue and the single-flight table stay inside the engine.
#if __has_include("store.h") || __has_include("epoch.h") || __has_include("single_flight.h") \
    || __has_include("task_queue.h") || __has_include("engine/store.h")
#error "the engine's private headers are reachable from a target that links only the public engine"
#endif
// A Cache is one pointer to its state, whatever provider it runs on; there is no accessor to the memory store.
static_assert(sizeof(Cache) == sizeof(void*));
template <class C>
concept ExposesStore = requires(C& c) { c.store(); } || requires(C& c) { c.memoryStore(); };
static_assert(!ExposesStore<Cache>);

class TestPublicApi : public QObject {
    Q_OBJECT
private slots:
    void optionStructsTakeDesignatedInitialisers();
    void readTakesAnyCallable();
    void everyErrorCodeHasAName();
    void versionMacrosMatchTheVersionString();
};

void TestPublicApi::optionStructsTakeDesignatedInitialisers()
{
    ManualClock clock;
    Cache cache({.maxBytes = 1u << 20,
                 .keyPrefix = "app:",
                 .defaultTtl = 5min,
                 .namespaces = {{"session", {.defaultTtl = 1s}}},
                 .clock = &clock,
                 .backgroundThread = false,
                 .adaptiveTtl = {.enabled = false}});
    QVERIFY(cache.set("user:1", "ada", {.ttl = 1min, .tags = {"users"}}).ok());
    QVERIFY(cache.set("session:9", "x").ok());
    auto r = cache.wrap("user:2", [] { return std::optional<std::string>("grace"); },
                        {.ttl = 10s, .grace = 1s, .staleWhileRevalidate = false, .tags = {"users"}});
    QVERIFY(r.ok());
    QCOMPARE(r.value().value(), std::string_view("grace"));
    QCOMPARE(cache.pttl("user:1"), std::int64_t(60'000));
    QCOMPARE(cache.pttl("session:9"), std::int64_t(1'000)); // the namespace's TTL, not the cache's
    const MutationReport m = cache.afterWrite({.tags = {"users"}, .writeThrough = {{"user:3", "grace"}}});
    QCOMPARE(m.tagged, std::size_t(2));
    QCOMPARE(m.written, std::size_t(1));
    QCOMPARE(std::string(cache.providerName()), std::string("memory"));
    const PolicyTuning tuning{.windowFraction = 0.05};
    QCOMPARE(tuning.adaptiveWindow, true);
}

void TestPublicApi::readTakesAnyCallable()
{
    Cache cache({.backgroundThread = false});
    QVERIFY(cache.set("k", "value").ok());
    std::string seen;
    QVERIFY(cache.read("k", [&](std::string_view v) { seen = v; }));
    QCOMPARE(seen, std::string("value"));
    struct Counter {
        int calls = 0;
        void operator()(std::string_view) { ++calls; }
    } counter;
    QVERIFY(cache.read("k", counter)); // an lvalue function object is called in place, not copied
    QVERIFY(cache.read("k", counter));
    QCOMPARE(counter.calls, 2);
    const auto constant = [&](std::string_view v) { seen = std::string(v) + "!"; };
    QVERIFY(cache.read("k", constant));
    QCOMPARE(seen, std::string("value!"));
    QVERIFY(!cache.read("absent", [](std::string_view) { QFAIL("called on a miss"); }));
}

void TestPublicApi::everyErrorCodeHasAName()
{
    std::set<std::string> names;
    for (Errc e : {Errc::ValueTooLarge, Errc::KeyTooLarge, Errc::InvalidArgument, Errc::LoaderFailed, Errc::Disabled,
                   Errc::Unsupported, Errc::Unavailable})
        names.insert(errcName(e));
    QCOMPARE(names.size(), std::size_t(7));
    QVERIFY(!names.contains("?"));
    QCOMPARE(std::string(errcName(Errc::LoaderFailed)), std::string("loader_failed"));
}

void TestPublicApi::versionMacrosMatchTheVersionString()
{
    static_assert(CACHELENS_VERSION >= CACHELENS_VERSION_CHECK(0, 2, 0));
    const std::string expected = std::to_string(CACHELENS_VERSION_MAJOR) + "." + std::to_string(CACHELENS_VERSION_MINOR)
        + "." + std::to_string(CACHELENS_VERSION_PATCH);
    QCOMPARE(std::string(CACHELENS_VERSION_STRING), expected);
    QCOMPARE(std::string(cachelens::kVersion), expected);
}

QTEST_APPLESS_MAIN(TestPublicApi)
#include "tst_publicapi.moc"
