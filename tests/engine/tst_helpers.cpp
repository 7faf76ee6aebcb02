// The helpers around the cache: environment configuration, the key builder, rate limiters, update on write.
#include <cachelens/cache.h>
#include <cachelens/config.h>
#include <cachelens/key_builder.h>
#include <cachelens/rate_limiter.h>

#include "cache_internals.h"
#include "store.h"

#include <QtTest/QtTest>

#include <map>
#include <thread>

using namespace cachelens::engine;
using namespace std::chrono_literals;
using namespace std::string_literals;

class TestHelpers : public QObject {
    Q_OBJECT
private slots:
    void coarseExpiryIsNeverLate();
    void parsesByteSizes_data();
    void parsesByteSizes();
    void configFromEnvironmentAppliesEveryVariable();
    void environmentAskingForRedisNeverBuildsAMemoryCache();
    void badEnvironmentValuesSayWhatIsWrong_data();
    void badEnvironmentValuesSayWhatIsWrong();
    void keyBuilderJoinsEscapesAndHashes();
    void keyPrefixHasOneOwner();
    void keyBuilderPatternSelectsTheNamespace();
    void fixedWindowLimitsPerWindow();
    void slidingWindowWeighsThePreviousWindow();
    void afterWriteInvalidatesAndWritesThrough();
    void unknownProviderIsAClearError();
    void registeredProviderServesTheCache();
};

void TestHelpers::parsesByteSizes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("bytes"); // -1: rejected
    QTest::addRow("plain") << "1048576" << qint64(1048576);
    QTest::addRow("kb") << "512kb" << qint64(512 * 1024);
    QTest::addRow("mb") << "64mb" << qint64(64 << 20);
    QTest::addRow("upper case and space") << " 1 GB" << qint64(1) * 1024 * 1024 * 1024;
    QTest::addRow("fraction") << "1.5gb" << qint64(3) * 512 * 1024 * 1024;
    QTest::addRow("zero") << "0" << qint64(0);
    QTest::addRow("unknown unit") << "64xb" << qint64(-1);
    QTest::addRow("no number") << "mb" << qint64(-1);
    QTest::addRow("empty") << "" << qint64(-1);
    QTest::addRow("negative") << "-5mb" << qint64(-1);
}

void TestHelpers::parsesByteSizes()
{
    QFETCH(QString, text);
    QFETCH(qint64, bytes);
    const auto r = parseByteSize(text.toStdString());
    if (bytes < 0) {
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.find("64mb") != std::string::npos); // says what would be accepted
    } else {
        QVERIFY(r.ok());
        QCOMPARE(qint64(r.value()), bytes);
    }
}

void TestHelpers::configFromEnvironmentAppliesEveryVariable()
{
    std::map<std::string, std::string> env{{"CACHE_PROVIDER", "memory"}, {"CACHE_ENABLED", "off"},
                                           {"CACHE_KEY_PREFIX", "svc:"},  {"CACHE_MEMORY_SIZE", "128mb"},
                                           {"CACHE_MAX_ENTRIES", "5000"}, {"CACHE_POLICY", "S3FIFO"},
                                           {"CACHE_DEFAULT_TTL", "5m"},
                                           {"CACHE_NAMESPACE_TTLS", "character=300s, room_messages = 5s,search=1m,"}};
    auto lookup = [&](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    };
    auto cfg = configFromEnvironment(lookup);
    QVERIFY(cfg.ok());
    QCOMPARE(cfg->provider, "memory"s);
    QCOMPARE(cfg->enabled, false);
    QCOMPARE(cfg->keyPrefix, "svc:"s);
    QCOMPARE(cfg->maxBytes, std::size_t(128) << 20);
    QCOMPARE(cfg->maxEntries, std::size_t(5000));
    QVERIFY(cfg->policy == PolicyKind::S3Fifo);
    QVERIFY(cfg->defaultTtl == std::optional<milliseconds>(300s));
    QCOMPARE(cfg->namespaces.size(), std::size_t(3));
    QVERIFY(cfg->namespaces.at("character").defaultTtl == std::optional<milliseconds>(300s));
    QVERIFY(cfg->namespaces.at("room_messages").defaultTtl == std::optional<milliseconds>(5s));
    QVERIFY(cfg->namespaces.at("search").defaultTtl == std::optional<milliseconds>(60s));

    auto none = configFromEnvironment([](const char*) -> const char* { return nullptr; });
    QVERIFY(none.ok());
    QCOMPARE(none->provider, "memory"s);
    QCOMPARE(none->enabled, true);
    QCOMPARE(none->maxBytes, std::size_t(64) << 20);
}

void TestHelpers::environmentAskingForRedisNeverBuildsAMemoryCache()
{
    // This test links the engine alone: the redis provider is not available, and asking for it is an error.
    std::map<std::string, std::string> env{{"CACHE_PROVIDER", "redis"}, {"REDIS_URL", "redis://127.0.0.1:6390/2"}};
    auto cfg = configFromEnvironment([&](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    });
    QVERIFY(cfg.ok());
    QCOMPARE(cfg->provider, "redis"s);
    QCOMPARE(cfg->providerUrl, "redis://127.0.0.1:6390/2"s);
    auto cache = Cache::create(cfg.value());
    QVERIFY2(!cache.ok(), "CACHE_PROVIDER=redis built a cache without the redis provider");
    QVERIFY2(cache.error().message.find("registerRedisProvider") != std::string::npos, cache.error().message.c_str());
}

void TestHelpers::badEnvironmentValuesSayWhatIsWrong_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("value");
    QTest::addRow("provider") << "CACHE_PROVIDER" << "memcached";
    QTest::addRow("enabled") << "CACHE_ENABLED" << "maybe";
    QTest::addRow("size") << "CACHE_MEMORY_SIZE" << "lots";
    QTest::addRow("entries") << "CACHE_MAX_ENTRIES" << "12k";
    QTest::addRow("policy") << "CACHE_POLICY" << "arc";
    QTest::addRow("ttl") << "CACHE_DEFAULT_TTL" << "soon";
    QTest::addRow("redis without url") << "CACHE_PROVIDER" << "redis";
    QTest::addRow("namespace ttl without name") << "CACHE_NAMESPACE_TTLS" << "character=300s,=5s";
    QTest::addRow("namespace ttl without duration") << "CACHE_NAMESPACE_TTLS" << "character";
    QTest::addRow("namespace ttl bad duration") << "CACHE_NAMESPACE_TTLS" << "character=soon";
}

void TestHelpers::badEnvironmentValuesSayWhatIsWrong()
{
    QFETCH(QString, name);
    QFETCH(QString, value);
    const std::string n = name.toStdString(), v = value.toStdString();
    auto cfg = configFromEnvironment([&](const char* key) -> const char* { return key == n ? v.c_str() : nullptr; });
    QVERIFY(!cfg.ok());
    QCOMPARE(cfg.error().code, Errc::InvalidArgument);
    QVERIFY2(cfg.error().message.find(n) != std::string::npos, cfg.error().message.c_str());
}

void TestHelpers::keyBuilderJoinsEscapesAndHashes()
{
    KeyBuilder keys;
    QCOMPARE(keys.key("character", 42), "character:42"s);
    QCOMPARE(keys.key("room_messages", "lobby", 7), "room_messages:lobby:7"s);
    QCOMPARE(keys.key("user", "a:b"), "user:a%3Ab"s);         // the separator cannot forge a level
    QCOMPARE(keys.key("user", "100%"), "user:100%25"s);
    QVERIFY(keys.key("user", "a:b") != keys.key("user", "a", "b"));
    const std::string query = R"({"q":"red shoes","page":2})";
    const std::string k = keys.key("search", "results", query);
    QCOMPARE(k, "search:results:" + hashed(query));             // structured parts are hashed…
    QCOMPARE(k, keys.key("search", "results", hashed(query)));  // …the same as hashing explicitly
    QCOMPARE(hashed("abc"), "#e71fa2190541574b"s);              // stable: FNV-1a 64, fixed forever
    QCOMPARE(keys.key("long", std::string(65, 'x')).size(), std::string("long:").size() + 17);
    QCOMPARE(keys.key("short", std::string(64, 'x')).size(), std::string("short:").size() + 64);
}

// A key builder with a prefix of its own and a cache with a key prefix stored "app:app:…", and the namespace TTLs
// stopped applying. The prefix now has one owner, the cache: a builder cannot be given one.
void TestHelpers::keyPrefixHasOneOwner()
{
    static_assert(!std::is_constructible_v<KeyBuilder, const char*> && !std::is_constructible_v<KeyBuilder, std::string>);
    ManualClock clock;
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    o.keyPrefix = "app:";
    o.namespaces["character"].defaultTtl = 5min;
    Cache c(o);
    const KeyBuilder keys;
    QVERIFY(c.set(keys.key("character", 42), "Ada").ok());
    QCOMPARE(c.scan(0, "*").keys, std::vector<std::string>{"character:42"}); // stored as app:character:42
    QCOMPARE(c.pttl(keys.key("character", 42)), std::int64_t(300'000));    // the namespace's TTL applies
    QCOMPARE(c.namespaceStats("character").entries, std::uint64_t(1));
}

void TestHelpers::keyBuilderPatternSelectsTheNamespace()
{
    ManualClock clock;
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    o.keyPrefix = "a[1]:"; // glob characters in the cache's prefix are literal
    Cache c(o);
    KeyBuilder keys;
    QVERIFY(c.set(keys.key("character", 1), "v").ok());
    QVERIFY(c.set(keys.key("character", 2), "v").ok());
    QVERIFY(c.set(keys.key("room", 1), "v").ok());
    QCOMPARE(keys.namespacePattern("character"), "character:*"s);
    QCOMPARE(keys.namespacePattern("a*b"), "a\\*b:*"s);
    QCOMPARE(c.invalidatePattern(keys.namespacePattern("character")), std::size_t(2));
    QVERIFY(c.exists(keys.key("room", 1)));
}

void TestHelpers::fixedWindowLimitsPerWindow()
{
    ManualClock clock(60'000'000'000); // on a minute boundary
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    Cache c(o);
    RateLimiter limiter(c, RateLimiter::Kind::FixedWindow, 3, 1min);
    for (int i = 0; i < 3; ++i) QVERIFY(limiter.hit("user:1").allowed);
    auto d = limiter.hit("user:1");
    QVERIFY(!d.allowed);
    QCOMPARE(d.count, std::int64_t(4));
    QCOMPARE(d.retryAfter, std::chrono::milliseconds(60'000));
    QVERIFY(limiter.hit("user:2").allowed); // per subject
    clock.advance(1min);
    QVERIFY(limiter.hit("user:1").allowed);
}

void TestHelpers::slidingWindowWeighsThePreviousWindow()
{
    ManualClock clock(60'000'000'000);
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    Cache c(o);
    RateLimiter limiter(c, RateLimiter::Kind::SlidingWindow, 10, 1min);
    clock.advance(50s);
    for (int i = 0; i < 10; ++i) QVERIFY(limiter.hit("ip").allowed);
    clock.advance(15s); // 5 s into the next window: the previous one still weighs 55/60
    auto d = limiter.hit("ip");
    QVERIFY(!d.allowed); // 1 + 10 × 55/60 ≈ 10.2 > 10: the burst at the boundary is not doubled
    clock.advance(50s);  // 55 s in: previous weighs 5/60
    QVERIFY(limiter.hit("ip").allowed);
}

void TestHelpers::afterWriteInvalidatesAndWritesThrough()
{
    ManualClock clock;
    CacheOptions o;
    o.clock = &clock;
    o.backgroundThread = false;
    Cache c(o);
    SetOptions tagged;
    tagged.tags = {"user:1"};
    QVERIFY(c.set("profile:1", "old", tagged).ok());
    QVERIFY(c.set("friends:1", "old", tagged).ok());
    QVERIFY(c.set("feed:1:a", "old").ok());
    QVERIFY(c.set("feed:1:b", "old").ok());
    QVERIFY(c.set("direct", "old").ok());
    Mutation m;
    m.keys = {"direct", "absent"};
    m.tags = {"user:1"};
    m.patterns = {"feed:1:*"};
    m.writeThrough = {{"name:1", "Ada"}};
    const auto r = c.afterWrite(m);
    QCOMPARE(r.keys, std::size_t(1));
    QCOMPARE(r.tagged, std::size_t(2));
    QCOMPARE(r.matched, std::size_t(2));
    QCOMPARE(r.written, std::size_t(1));
    QCOMPARE(std::string(c.get("name:1").value()), "Ada"s);
    const auto s = c.stats();
    QCOMPARE(s.at(Counter::InvalidationsKey), std::uint64_t(1));
    QCOMPARE(s.at(Counter::InvalidationsTag), std::uint64_t(2));
    QCOMPARE(s.at(Counter::InvalidationsPattern), std::uint64_t(2));
    QCOMPARE(s.at(Counter::WriteThroughs), std::uint64_t(1));
    QCOMPARE(s.entries, std::uint64_t(1));
}

void TestHelpers::unknownProviderIsAClearError()
{
    CacheOptions o;
    o.provider = "redis";
    auto c = Cache::create(o);
    QVERIFY(!c.ok());
    QVERIFY(c.error().message.find("'redis'") != std::string::npos);
}

namespace {
// A stand-in for a remote provider: delegates to a Store and counts the calls that reach it.
class CountingProvider final : public Provider {
public:
    CountingProvider(const ProviderContext& ctx) : store_(StoreOptions{}, ctx.clock, ctx.stats) {}
    const char* name() const noexcept override { return "counting"; }
    ValueRef get(std::string_view k) override { ++calls; return store_.get(k); }
    ValueRef peek(std::string_view k, bool& stale, bool record) override { ++calls; return store_.peek(k, stale, record); }
    Status set(std::string_view k, std::string_view v, const EntryOptions& o, ValueRef* s) override { ++calls; return store_.set(k, v, o, s); }
    bool del(std::string_view k, Counter c) override { ++calls; return store_.del(k, c); }
    bool exists(std::string_view k) override { return store_.exists(k); }
    Nanos ttl(std::string_view k) override { return store_.ttl(k); }
    bool expireAt(std::string_view k, Nanos d) override { return store_.expireAt(k, d); }
    bool persist(std::string_view k) override { return store_.persist(k); }
    Result<std::int64_t> incrBy(std::string_view k, std::int64_t n, Nanos e) override { return store_.incrBy(k, n, e); }
    ScanPage scan(std::uint64_t c, std::string_view p, std::size_t n) override { return store_.scan(c, p, n); }
    std::size_t invalidateTag(const std::string& t) override { return store_.invalidateTag(t); }
    std::size_t invalidatePattern(std::string_view p) override { return store_.invalidatePattern(p); }
    std::size_t clear() override { return store_.clear(); }
    std::size_t sweep(std::size_t) override { return 0; }
    std::size_t entries() const noexcept override { return store_.entries(); }
    std::size_t bytes() const noexcept override { return store_.bytes(); }
    static inline std::atomic<int> calls{0};

private:
    Store store_;
};
} // namespace

void TestHelpers::registeredProviderServesTheCache()
{
    registerProvider("counting", [](const ProviderContext& ctx) -> Result<std::unique_ptr<Provider>> {
        return std::unique_ptr<Provider>(std::make_unique<CountingProvider>(ctx));
    });
    CacheOptions o;
    o.provider = "counting";
    o.backgroundThread = false;
    auto made = Cache::create(o);
    QVERIFY(made.ok());
    Cache& c = *made.value();
    QVERIFY(CacheInternals::memoryStore(c) == nullptr);
    QVERIFY(c.set("k", "v").ok());
    QCOMPARE(std::string(c.get("k").value()), "v"s);
    std::string seen;
    QVERIFY(c.read("k", [&](std::string_view v) { seen = v; }));
    QCOMPARE(seen, "v"s);
    auto r = c.wrap("w", [] { return std::optional<std::string>("loaded"); });
    QCOMPARE(std::string(r.value().value()), "loaded"s);
    QVERIFY(CountingProvider::calls.load() >= 5);
    QCOMPARE(c.stats().entries, std::uint64_t(2));
}

void TestHelpers::coarseExpiryIsNeverLate()
{
    // The coarse reading is the steady clock's axis, at or a little after the exact reading taken just before it.
    const SteadyClock& steady = SteadyClock::instance();
    for (int i = 0; i < 1000; ++i) {
        const Nanos precise = steady.now();
        const Nanos latest = steady.coarseLatest();
        const Nanos after = steady.now();   // bounds it from above even if this thread was descheduled in between
        QVERIFY(precise <= latest);
        QVERIFY2(latest - after < 50'000'000, "the coarse clock runs more than 50 ms ahead");
    }

    // A store that checks hits with it expires entries exactly at their deadline: not a tick late.
    StatsCounters stats;
    StoreOptions o;
    o.coarseExpiry = true;
    Store store(o, steady, stats);
    for (int round = 0; round < 20; ++round) {
        EntryOptions e;
        e.expireAt = steady.now() + 3'000'000 + round * 500'000;   // 3 … 12.5 ms ahead: inside the coarse margin
        QVERIFY(store.set("k", "v", e, nullptr).ok());
        QVERIFY(store.get("k") || steady.now() >= e.expireAt);   // a descheduled thread may wake past the deadline
        while (steady.now() < e.expireAt)
            QVERIFY(store.get("k") || steady.now() >= e.expireAt);   // fresh until the deadline…
        QVERIFY(!store.get("k"));                                      // …and gone the moment it passes
        bool stale = false;
        QVERIFY(!store.peek("k", stale, false) || stale);
    }

    // With a clock moved by hand the coarse reading is the exact one.
    ManualClock manual;
    Store exact(o, manual, stats);
    EntryOptions e;
    e.expireAt = manual.now() + 1'000;
    QVERIFY(exact.set("k", "v", e, nullptr).ok());
    manual.advance(std::chrono::nanoseconds(999));
    QVERIFY(exact.get("k"));
    manual.advance(std::chrono::nanoseconds(1));
    QVERIFY(!exact.get("k"));
}

QTEST_APPLESS_MAIN(TestHelpers)
#include "tst_helpers.moc"
