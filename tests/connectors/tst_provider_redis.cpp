// The engine over Redis beyond the shared behaviour suite (tst_provider): the L1 + L2 invalidation bus between two
// instances (an instance ignores its own messages, L1 never outlives L2, L1 stays coherent under concurrent reads
// and writes), L1 cleared after the subscriber reconnects, Redis killed mid-wrap and Redis stopped (SIGSTOP: accepts
// TCP, never answers) with fail-open and fail-closed, the value header read by another instance (stale serving,
// fail-safe, compression), tag sets consistent after overwrite and expiry (lazily and by the periodic sweep), tag
// invalidation as one script per batch, distributed single-flight (8 instances, and a lock holder that dies), and
// the Redis rate limiter. Every test runs against a real redis-server.
#include "RedisServer.h"
#include "tst_provider_helpers.h"
#include "connectors/provider/InvalidationBus.h"
#include "connectors/provider/RedisProvider.h"
#include "connectors/provider/RedisRateLimiter.h"
#include <cachelens/cache.h>
#include <cachelens/config.h>

#include <QtTest/QtTest>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <signal.h>

using namespace cachelens;
using namespace cachelens::engine;
using namespace cachelens::provider;
using namespace std::chrono_literals;
using namespace std::string_literals;

using namespace cachelens::test;

namespace {
// Waits until `count` threads have arrived (bounded).
struct Latch {
    std::mutex mu;
    std::condition_variable cv;
    int left;
    explicit Latch(int n) : left(n) {}
    bool arriveAndWait(std::chrono::milliseconds timeout)
    {
        std::unique_lock l(mu);
        if (--left <= 0) cv.notify_all();
        return cv.wait_for(l, timeout, [&] { return left <= 0; });
    }
};

std::int64_t unixMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::uint64_t bigEndian(std::string_view s, std::size_t at, int bytes)
{
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<std::size_t>(i)]);
    return v;
}

// One command on a connection of its own, for reading and writing the provider's raw bytes.
Reply raw(const test::RedisServer& server, const Args& args)
{
    auto ep = parseRedisUrl(server.url().toStdString());
    BlockingConnection c(ep.value());
    std::string error;
    Reply r;
    if (!c.connect(error) || !c.command(args, r, error)) qFatal("raw: %s", error.c_str());
    return r;
}

// The number `INFO <section>` gives for `field` ("process_id"; for "cmdstat_…" its calls=), -1 when absent.
qint64 infoField(const test::RedisServer& server, const char* section, const QByteArray& field)
{
    for (const QByteArray& line : cli(server, {"INFO", section}).split('\n')) {
        if (!line.startsWith(field + ':')) continue;
        QByteArray v = line.mid(field.size() + 1).trimmed();
        if (v.startsWith("calls=")) v = v.mid(6, v.indexOf(',') - 6);
        return v.toLongLong();
    }
    return -1;
}

// Sets `key` (under "app:") with `tag` and a 100 ms TTL, and waits until Redis has expired it: Redis knows nothing of
// the tag set, which keeps the key as a leftover member.
bool leaveExpiredMember(Cache& c, const test::RedisServer& server, const std::string& key, const std::string& tag)
{
    SetOptions brief;
    brief.ttl = std::chrono::milliseconds(100);
    brief.tags = {tag};
    const QString full = QString::fromStdString("app:" + key);
    return c.set(key, "v", brief).ok()
        && QTest::qWaitFor([&] { return server.cli({QStringLiteral("EXISTS"), full}) == "0"; }, 5000);
}

// SIGSTOP on a redis-server: it keeps accepting TCP connections (the kernel does that) and never answers. SIGCONT
// when the scope ends, even after a failed check.
class Stopped {
public:
    explicit Stopped(const test::RedisServer& server) : pid_(pid_t(infoField(server, "server", "process_id")))
    {
        if (pid_ <= 0 || ::kill(pid_, SIGSTOP) != 0) qFatal("cannot stop the redis-server");
    }
    ~Stopped() { resume(); }
    Stopped(const Stopped&) = delete;
    Stopped& operator=(const Stopped&) = delete;
    void resume()
    {
        if (pid_ > 0) ::kill(pid_, SIGCONT);
        pid_ = 0;
    }

private:
    pid_t pid_;
};
} // namespace

class TestProviderRedis : public QObject {
    Q_OBJECT

    test::RedisServer server_;

private slots:
    void initTestCase() { QVERIFY2(server_.start(), qPrintable(server_.errorString())); }
    void init() { server_.cli({QStringLiteral("FLUSHALL")}); }

    // CACHE_PROVIDER=redis with REDIS_URL builds a cache on that server (it used to build a memory cache quietly).
    void environmentConfigurationRunsTheCacheOnRedis()
    {
        registerRedisProvider();
        const std::map<std::string, std::string> env{{"CACHE_PROVIDER", "redis"},
                                                     {"REDIS_URL", server_.url().toStdString()},
                                                     {"CACHE_KEY_PREFIX", "env:"}};
        auto options = configFromEnvironment([&](const char* name) -> const char* {
            auto it = env.find(name);
            return it == env.end() ? nullptr : it->second.c_str();
        });
        QVERIFY2(options.ok(), options.ok() ? "" : options.error().message.c_str());
        auto cache = Cache::create(std::move(options.value()));
        QVERIFY2(cache.ok(), cache.ok() ? "" : cache.error().message.c_str());
        QCOMPARE(std::string(cache.value()->providerName()), "redis"s);
        QVERIFY(cache.value()->set("user:1", "ada").ok());
        QCOMPARE(cli(server_, {"EXISTS", "env:user:1"}).trimmed(), QByteArray("1"));
    }

    void busMessagesRoundTrip()
    {
        BusMessage m;
        QVERIFY(decodeBusMessage(encodeBusMessage("a1", "key", "app:k|with|bars\0x"s), m));
        QCOMPARE(m.instance, "a1"s);
        QCOMPARE(m.kind, "key"s);
        QCOMPARE(m.payload, "app:k|with|bars\0x"s);
        QVERIFY(!decodeBusMessage("2|a1|key|k", m));   // another version
        QVERIFY(!decodeBusMessage("1|a1|drop|k", m));  // unknown kind
        QVERIFY(!decodeBusMessage("1|a1", m));
    }

    void invalidationsReachTheOtherInstancesL1()
    {
        auto a = makeL1Cache(server_, withL1("A"));
        auto b = makeL1Cache(server_, withL1("B"));
        QVERIFY(a && b);
        Store* l1b = redisOf(*b).l1();

        QVERIFY(a->set("k", "v1").ok());
        // L2, then kept in B's L1. (A's own "key" message for this set may reach B after B's first read and drop
        // that copy, as it should: read until the copy stays.)
        QTRY_VERIFY_WITH_TIMEOUT(str(b->get("k")) == "v1" && l1b->exists("app:k"), 5000);
        QCOMPARE(str(b->get("k")), "v1"s);
        QVERIFY(redisOf(*b).providerStats().l1Hits >= 1);

        QVERIFY(a->set("k", "v2").ok());              // an overwrite invalidates the other L1s too
        QTRY_VERIFY_WITH_TIMEOUT(!l1b->exists("app:k"), 5000);
        QCOMPARE(str(b->get("k")), "v2"s);

        QVERIFY(a->del("k"));                         // set in A, read in B, invalidate in A: B misses
        QTRY_VERIFY_WITH_TIMEOUT(!b->get("k"), 5000);

        SetOptions tagged;
        tagged.tags = {"users"};
        QVERIFY(a->set("u1", "x", tagged).ok());
        QTRY_VERIFY_WITH_TIMEOUT(b->get("u1") && l1b->exists("app:u1"), 5000);
        QCOMPARE(a->invalidateTag("users"), std::size_t(1));
        QTRY_VERIFY_WITH_TIMEOUT(!l1b->exists("app:u1"), 5000);

        QVERIFY(a->set("p:1", "x").ok());
        QTRY_VERIFY_WITH_TIMEOUT(b->get("p:1") && l1b->exists("app:p:1"), 5000);
        QCOMPARE(a->invalidatePattern("p:*"), std::size_t(1));
        QTRY_VERIFY_WITH_TIMEOUT(!l1b->exists("app:p:1"), 5000);

        QVERIFY(a->set("c", "x").ok());
        QTRY_VERIFY_WITH_TIMEOUT(b->get("c") && l1b->exists("app:c"), 5000);
        QCOMPARE(a->clear(), std::size_t(1));
        QTRY_VERIFY_WITH_TIMEOUT(!l1b->exists("app:c"), 5000);

        const auto sa = redisOf(*a).providerStats();
        const auto sb = redisOf(*b).providerStats();
        QVERIFY(sa.busPublished >= 6);
        QTRY_VERIFY_WITH_TIMEOUT(redisOf(*a).providerStats().busIgnoredOwn >= 6, 5000); // its own messages
        QVERIFY(sb.busReceived >= 6);
        QCOMPARE(sb.busMalformed, std::uint64_t(0));
    }

    void reconnectClearsL1AndSaysSo()
    {
        test::RedisServer own;
        QVERIFY2(own.start(), qPrintable(own.errorString()));
        auto c = makeCache(own, withL1("solo"));
        RedisProvider& r = redisOf(*c);
        QVERIFY(r.waitForBus(5s));
        QVERIFY(c->set("k", "v").ok());
        QVERIFY(c->get("k"));
        QCOMPARE(r.l1()->entries(), std::size_t(1));
        own.kill();
        QTRY_VERIFY_WITH_TIMEOUT(!r.providerStats().busConnected, 5000);
        QVERIFY(!c->get("k"));                        // deaf: L1 is not used, and Redis is down
        QVERIFY(own.restart());
        QTRY_VERIFY_WITH_TIMEOUT(r.providerStats().busConnected, 10000);
        QCOMPARE(r.providerStats().l1ClearsOnReconnect, std::uint64_t(1));
        QCOMPARE(r.l1()->entries(), std::size_t(0));
    }

    void redisKilledMidWrapFailsOpenOrClosed()
    {
        test::RedisServer own;
        QVERIFY2(own.start(), qPrintable(own.errorString()));
        RedisProviderOptions open;
        open.retryAfter = 60s; // once down, stay "down" for the rest of the test: no reconnect attempts
        RedisProviderOptions closed = open;
        closed.failOpen = false;
        auto co = makeCache(own, open);
        auto cc = makeCache(own, closed);
        QVERIFY(co->set("warm", "1").ok());           // both have talked to Redis
        QVERIFY(cc->set("warm", "1").ok());

        int calls = 0;
        // The server dies while the loader runs: the loaded value is still handed out (not cached).
        auto r = co->wrap("k", [&] {
            ++calls;
            own.kill();
            return some("from the database");
        });
        QVERIFY(r.ok());
        QCOMPARE(str(r.value()), "from the database"s);
        QCOMPARE(calls, 1);
        // Fail-open: the next wraps run the loader (counted) instead of failing.
        auto r2 = co->wrap("k", [&] { ++calls; return some("again"); });
        QVERIFY(r2.ok());
        QCOMPARE(str(r2.value()), "again"s);
        QCOMPARE(calls, 2);
        QCOMPARE(redisOf(*co).providerStats().failOpenLoads, std::uint64_t(1));
        QVERIFY(redisOf(*co).providerStats().redisErrors >= 1);
        // Fail-closed: an error naming the cause; the loader is not called.
        auto r3 = cc->wrap("k", [&] { ++calls; return some("never"); });
        QVERIFY(!r3.ok());
        QCOMPARE(r3.error().code, Errc::Unavailable);
        QVERIFY2(r3.error().message.find("fail-closed") != std::string::npos, r3.error().message.c_str());
        QCOMPARE(calls, 2);
        QCOMPARE(redisOf(*cc).providerStats().failClosedRefusals, std::uint64_t(1));
        // Plain calls degrade to misses and errors, never hang.
        QVERIFY(!cc->get("warm"));
        QCOMPARE(cc->set("x", "y").error().code, Errc::Unavailable);
    }

    void tagSetsStayConsistentAfterOverwriteAndExpiry()
    {
        auto c = makeCache(server_, {});
        SetOptions ab;
        ab.tags = {"a", "b"};
        SetOptions bc;
        bc.tags = {"b", "c"};
        QVERIFY(c->set("k", "v", ab).ok());
        QCOMPARE(cli(server_, {"SMEMBERS", "app:tag:a"}), QByteArray("app:k"));
        QVERIFY(c->set("k", "v2", bc).ok());          // overwrite: leaves tag a, joins c
        QCOMPARE(cli(server_, {"SCARD", "app:tag:a"}), QByteArray("0"));
        QCOMPARE(cli(server_, {"SMEMBERS", "app:tag:b"}), QByteArray("app:k"));
        QCOMPARE(cli(server_, {"SMEMBERS", "app:tag:c"}), QByteArray("app:k"));

        QVERIFY(leaveExpiredMember(*c, server_, "e", "a"));
        QCOMPARE(cli(server_, {"SMEMBERS", "app:tag:a"}), QByteArray("app:e")); // Redis expired it: a leftover
        QCOMPARE(redisOf(*c).sweepTags(), std::size_t(1));
        QCOMPARE(cli(server_, {"SCARD", "app:tag:a"}), QByteArray("0"));       // …gone after the sweep
        QCOMPARE(redisOf(*c).providerStats().tagMembersSwept, std::uint64_t(1));

        QVERIFY(c->del("k"));                         // delete: leaves every tag
        QCOMPARE(cli(server_, {"SCARD", "app:tag:b"}), QByteArray("0"));
        QCOMPARE(cli(server_, {"SCARD", "app:tag:c"}), QByteArray("0"));
        QCOMPARE(redisOf(*c).sweepTags(), std::size_t(0));
    }

    void anInstanceKeepsItsOwnWritesInL1()
    {
        auto a = makeL1Cache(server_, withL1("A"));
        auto b = makeL1Cache(server_, withL1("B"));
        QVERIFY(a && b);
        Store* l1a = redisOf(*a).l1();
        const auto ignored = redisOf(*a).providerStats().busIgnoredOwn;
        QVERIFY(a->set("own", "mine").ok());
        QVERIFY(l1a->exists("app:own"));              // a set fills the writer's L1…
        QTRY_VERIFY_WITH_TIMEOUT(redisOf(*a).providerStats().busIgnoredOwn > ignored, 5000);
        QVERIFY(l1a->exists("app:own"));              // …and its own message, back from Redis, leaves it there
        QCOMPARE(str(a->get("own")), "mine"s);
        QTRY_VERIFY_WITH_TIMEOUT(redisOf(*b).providerStats().busReceived >= 1, 5000); // the other instance heard it
    }

    void theBusChannelIsConfigurable()
    {
        RedisProviderOptions shop = withL1("A");
        shop.busChannel = "shop:invalidate";
        auto a = makeL1Cache(server_, shop);
        shop.instanceId = "B";
        auto b = makeL1Cache(server_, shop);
        auto other = makeL1Cache(server_, withL1("C")); // the default channel, cachelens:invalidate
        QVERIFY(a && b && other);
        QVERIFY(a->set("k", "v").ok());
        QTRY_COMPARE_WITH_TIMEOUT(redisOf(*b).providerStats().busReceived, std::uint64_t(1), 5000);
        QCOMPARE(redisOf(*other).providerStats().busReceived, std::uint64_t(0));
        QCOMPARE(cli(server_, {"PUBSUB", "NUMSUB", "shop:invalidate"}), QByteArray("shop:invalidate\n2"));
    }

    void l1NeverOutlivesL2()
    {
        RedisProviderOptions o = withL1("A");
        o.l1MaxTtl = 3s;
        auto a = makeL1Cache(server_, o);
        auto b = makeL1Cache(server_, withL1("B"));
        QVERIFY(a && b);
        Store* l1a = redisOf(*a).l1();
        Store* l1b = redisOf(*b).l1();
        // Written here: L1's deadline is L2's soft one (PX minus the grace), or l1MaxTtl when that is sooner.
        WrapOptions w;
        w.ttl = 2s;
        w.grace = 60s;
        QVERIFY(a->wrap("short", [] { return some("v"); }, w).ok());
        QVERIFY(l1a->exists("app:short"));
        const auto pxMs = cli(server_, {"PTTL", "app:short"}).toLongLong();
        QVERIFY2(pxMs > 60'000 && pxMs <= 62'000, qPrintable(QString::number(pxMs))); // hard TTL carries the grace
        QVERIFY(l1a->ttl("app:short") > 0 && l1a->ttl("app:short") <= 2'000'000'000);
        QVERIFY(a->set("forever", "v").ok());
        QCOMPARE(a->pttl("forever"), std::int64_t(-1));
        QVERIFY(l1a->ttl("app:forever") > 0 && l1a->ttl("app:forever") <= 3'000'000'000);  // l1MaxTtl
        // Read from L2 by another instance: the same bound.
        QTRY_VERIFY_WITH_TIMEOUT(b->get("short") && l1b->exists("app:short"), 5000);
        QVERIFY(l1b->ttl("app:short") > 0 && l1b->ttl("app:short") <= 2'000'000'000);
        // Once the soft TTL is over, B's L1 has let go and B misses, though Redis still keeps the key for its grace.
        QTRY_VERIFY_WITH_TIMEOUT(!l1b->exists("app:short"), 10000);
        QVERIFY(!b->get("short"));
        QCOMPARE(cli(server_, {"EXISTS", "app:short"}), QByteArray("1"));
        // A TTL shortened in one instance drops the other's L1 copy.
        QTRY_VERIFY_WITH_TIMEOUT(b->get("forever") && l1b->exists("app:forever"), 5000);
        QVERIFY(a->expire("forever", 60s));
        QTRY_VERIFY_WITH_TIMEOUT(!l1b->exists("app:forever"), 5000);
    }

    // Readers of one instance fill L1 from L2 while a writer of the same instance changes the key: when the writer is
    // done, L1 holds what Redis holds or nothing (a read that asked L2 just before a write landed must not leave the
    // old value in L1, where the instance's own bus message would not remove it).
    void l1StaysCoherentUnderConcurrentReadsAndWrites()
    {
        auto a = makeL1Cache(server_, withL1("A"));
        auto l2 = makeCache(server_, {}); // no L1: what Redis holds
        QVERIFY(a);
        Store* l1 = redisOf(*a).l1();
        for (int round = 0; round < 300; ++round) {
            const std::string key = "race:" + std::to_string(round);
            std::atomic<bool> done{false};
            std::vector<std::thread> readers;
            for (int t = 0; t < 2; ++t)
                readers.emplace_back([&] {
                    while (!done.load()) {
                        (void)a->get(key);
                        std::this_thread::yield(); // L1 hits cost no I/O: leave the writer and Redis some CPU
                    }
                });
            const int writes = round % 2 ? 20 : 21; // ends with a delete, or with a set
            int failed = 0;
            for (int i = 0; i < writes; ++i) {
                if (i % 5 == 4) (void)a->del(key);
                else failed += !a->set(key, std::to_string(i)).ok();
            }
            done.store(true);
            for (auto& t : readers) t.join();
            QCOMPARE(failed, 0);
            const ValueRef cached = l1->get("app:" + key);
            const ValueRef stored = l2->get(key);
            if (cached)
                QVERIFY2(stored && str(cached) == str(stored),
                         qPrintable(QStringLiteral("round %1: L1 holds %2, Redis %3")
                                        .arg(round)
                                        .arg(QString::fromStdString(str(cached)),
                                             stored ? QString::fromStdString(str(stored)) : QStringLiteral("nothing"))));
        }
    }

    void aStoppedServerCostsAtMostTheTimeout()
    {
        test::RedisServer own;
        QVERIFY2(own.start(), qPrintable(own.errorString()));
        RedisProviderOptions open;
        open.timeout = 200ms;
        RedisProviderOptions closed = open;
        closed.failOpen = false;
        RedisProviderOptions layered = withL1("L");
        layered.timeout = 200ms;
        layered.busPingInterval = 200ms;
        auto co = makeCache(own, open);
        auto cc = makeCache(own, closed);
        auto cl = makeL1Cache(own, layered);
        QVERIFY(cl);
        RedisProvider& rl = redisOf(*cl);
        for (auto* c : {co.get(), cc.get(), cl.get()}) QVERIFY(c->set("warm", "1").ok());
        QVERIFY(cl->get("warm") && rl.l1()->exists("app:warm"));

        Stopped stopped(own);
        // The first call waits for the timeout and says so; until retryAfter has passed, calls fail at once.
        const Status st = co->set("x", "y");
        QCOMPARE(st.error().code, Errc::Unavailable);
        QVERIFY2(st.error().message.find("did not answer within the 200 ms timeout") != std::string::npos,
                 st.error().message.c_str());
        QVERIFY(!co->get("warm"));
        int calls = 0;
        auto r = co->wrap("k", [&] { ++calls; return some("from the database"); }); // fail-open
        QVERIFY(r.ok());
        QCOMPARE(str(r.value()), "from the database"s);
        QCOMPARE(calls, 1);
        QCOMPARE(redisOf(*co).providerStats().failOpenLoads, std::uint64_t(1));
        auto refused = cc->wrap("k", [&] { ++calls; return some("never"); }); // fail-closed
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, Errc::Unavailable);
        QVERIFY2(refused.error().message.find("fail-closed") != std::string::npos
                     && refused.error().message.find("did not answer") != std::string::npos,
                 refused.error().message.c_str());
        QCOMPARE(calls, 1);
        // The L1 instance's subscriber gets no answer to its PING: deaf, it stops serving L1 (which may be stale).
        QTRY_VERIFY_WITH_TIMEOUT(!rl.providerStats().busConnected, 5000);
        QVERIFY(!cl->get("warm"));

        stopped.resume();
        QTRY_VERIFY_WITH_TIMEOUT(rl.providerStats().busConnected, 10000);
        QCOMPARE(rl.providerStats().l1ClearsOnReconnect, std::uint64_t(1));
        QCOMPARE(rl.l1()->entries(), std::size_t(0));
        QTRY_VERIFY_WITH_TIMEOUT(co->set("x", "y").ok(), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(cl->get("warm"), 5000);
    }

    // Two instances, as two processes would be: the header written by one tells the other the soft TTL (stale
    // serving and fail-safe), the compression and the tags.
    void staleServingAndFailSafeWorkAcrossInstances()
    {
        auto a = makeCache(server_, {});
        auto b = makeCache(server_, {});
        WrapOptions o;
        o.ttl = 100ms;
        o.grace = 60s;
        QVERIFY(a->wrap("k", [] { return some("from A"); }, o).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!b->get("k"), 5000);  // past its soft TTL for B too
        int loads = 0;
        auto r = b->wrap("k", [&] { ++loads; return some("from B"); }, o);
        QCOMPARE(str(r.value()), "from A"s);           // stale, written by A, served by B while it refreshes
        QCOMPARE(b->stats().at(Counter::StaleServed), std::uint64_t(1));
        QCOMPARE(b->pendingBackgroundTasks(), std::size_t(1));
        b->runMaintenance();
        QCOMPARE(loads, 1);
        QCOMPARE(str(a->get("k")), "from B"s);

        WrapOptions safe = o;
        safe.staleWhileRevalidate = false;
        QVERIFY(a->wrap("s", [] { return some("good"); }, safe).ok());
        QTRY_VERIFY_WITH_TIMEOUT(!b->get("s"), 5000);
        auto f = b->wrap("s", []() -> std::optional<std::string> { throw std::runtime_error("db down"); }, safe);
        QVERIFY(f.ok());
        QCOMPARE(str(f.value()), "good"s);             // A's value covers for B's failing loader
        QCOMPARE(b->stats().at(Counter::StaleOnFailure), std::uint64_t(1));
    }

    void theValueHeaderCarriesFormatFlagsCreatedAtGraceAndTags()
    {
        CacheOptions zipped;
        zipped.compressAbove = 1024;
        auto a = makeCache(server_, {}, "app:", zipped);
        auto b = makeCache(server_, {});               // does not compress: reads by the header's flag
        std::string big;
        for (int i = 0; i < 5000; ++i) big += "row " + std::to_string(i % 17) + ";";
        WrapOptions o;
        o.ttl = 60s;
        o.grace = 30s;
        o.tags = {"rows", "t"};
        const std::int64_t before = unixMs();
        QVERIFY(a->wrap("big", [&] { return some(big); }, o).ok());
        const std::int64_t after = unixMs();
        QCOMPARE(str(b->get("big")), big);
        auto w = b->wrap("big", [] { return some("unused"); });
        QCOMPARE(str(w.value()), big);

        const Reply r = raw(server_, {"GET", "app:big"});
        const std::string& v = r.str;
        QVERIFY(v.size() > 16 && v.size() < big.size());
        QCOMPARE(int(static_cast<unsigned char>(v[0])), 1);          // format 1
        QCOMPARE(int(static_cast<unsigned char>(v[1])), 2);          // flags: compressed
        const auto created = static_cast<std::int64_t>(bigEndian(v, 2, 8));
        QVERIFY(created >= before && created <= after);              // created-at, Unix ms
        QCOMPARE(bigEndian(v, 10, 4), std::uint64_t(30'000));        // grace ms
        QCOMPARE(bigEndian(v, 14, 2), std::uint64_t(2 + 4 + 2 + 1)); // tag block: (2-byte length, bytes) each
        QCOMPARE(v.substr(16, 9), "\0\x04rows\0\x01t"s);
        const auto px = cli(server_, {"PTTL", "app:big"}).toLongLong();
        QVERIFY(px > 85'000 && px <= 90'000);                       // soft TTL + grace
        QVERIFY(b->pttl("big") > 55'000 && b->pttl("big") <= 60'000); // soft TTL, as every instance reads it
        QCOMPARE(b->invalidateTag("rows"), std::size_t(1));         // B found A's member through the tag block

        // A value in another format (a later writer) reads as absent, never as garbage.
        std::string future = v;
        future[0] = 2;
        QCOMPARE(raw(server_, {"SET", "app:future", future}).str, "OK"s);
        QVERIFY(!b->get("future"));
        QVERIFY(!b->exists("future"));
    }

    void staleTagMembersAreCleanedLazilyAndByThePeriodicSweep()
    {
        RedisProviderOptions o;
        o.tagSweepInterval = 1ms;
        auto c = makeCache(server_, o);
        QVERIFY(leaveExpiredMember(*c, server_, "e1", "lazy"));
        QCOMPARE(cli(server_, {"SMEMBERS", "app:tag:lazy"}), QByteArray("app:e1")); // Redis expired it: a leftover
        QCOMPARE(c->invalidateTag("lazy"), std::size_t(0));                        // not counted…
        QCOMPARE(cli(server_, {"EXISTS", "app:tag:lazy"}), QByteArray("0"));       // …and gone on the way
        QVERIFY(leaveExpiredMember(*c, server_, "e2", "swept"));
        QCOMPARE(cli(server_, {"SCARD", "app:tag:swept"}), QByteArray("1"));
        // The cache's periodic maintenance (its background thread, here called by hand) sweeps every interval.
        QTRY_VERIFY_WITH_TIMEOUT((c->runMaintenance(), cli(server_, {"EXISTS", "app:tag:swept"}) == "0"), 5000);
        QCOMPARE(redisOf(*c).providerStats().tagMembersSwept, std::uint64_t(1));
    }

    void tagInvalidationIsOneAtomicScriptPerBatch()
    {
        auto c = makeCache(server_, {});
        SetOptions tagged;
        tagged.tags = {"big"};
        for (int i = 0; i < 1200; ++i) QVERIFY(c->set("m:" + std::to_string(i), "v", tagged).ok());
        QCOMPARE(c->invalidateTag("none"), std::size_t(0)); // the script is loaded before counting
        QCOMPARE(cli(server_, {"CONFIG", "RESETSTAT"}), QByteArray("OK"));
        QCOMPARE(c->invalidateTag("big"), std::size_t(1200));
        // 500 + 500 + 200 members: three EVALSHAs, each popping one batch and deleting its keys inside the script.
        QCOMPARE(infoField(server_, "commandstats", "cmdstat_evalsha"), qint64(3));
        QCOMPARE(infoField(server_, "commandstats", "cmdstat_spop"), qint64(3));
        QCOMPARE(cli(server_, {"DBSIZE"}), QByteArray("0"));
    }

    void distributedSingleFlightRunsTheLoaderOnce_data()
    {
        QTest::addColumn<bool>("singleFlight");
        QTest::addColumn<int>("expectedLoads");
        QTest::newRow("with") << true << 1;
        QTest::newRow("without") << false << 8;
    }
    void distributedSingleFlightRunsTheLoaderOnce()
    {
        QFETCH(bool, singleFlight);
        QFETCH(int, expectedLoads);
        constexpr int kInstances = 8;
        std::vector<std::unique_ptr<Cache>> caches;
        for (int i = 0; i < kInstances; ++i) {
            RedisProviderOptions o;
            o.distributedSingleFlight = singleFlight;
            caches.push_back(makeCache(server_, o));
        }
        std::atomic<int> loads{0};
        std::atomic<int> good{0};
        Latch start(kInstances);
        Latch inLoader(kInstances); // without single-flight, every loader waits for the others: all miss first
        std::vector<std::thread> threads;
        for (int i = 0; i < kInstances; ++i)
            threads.emplace_back([&, i] {
                start.arriveAndWait(10s);
                auto r = caches[static_cast<std::size_t>(i)]->wrap("hot", [&] {
                    ++loads;
                    if (!inLoader.arriveAndWait(singleFlight ? 200ms : 10s)) {} // with it: alone, times out
                    return some("value");
                });
                if (r.ok() && str(r.value()) == "value") ++good;
            });
        for (auto& t : threads) t.join();
        QCOMPARE(good.load(), kInstances);
        QCOMPARE(loads.load(), expectedLoads);
        if (singleFlight) {
            std::uint64_t acquired = 0, waitHits = 0, timeouts = 0;
            for (auto& c : caches) {
                const auto s = redisOf(*c).providerStats();
                acquired += s.lockAcquired;
                waitHits += s.lockWaitHits;
                timeouts += s.lockTimeouts;
            }
            QCOMPARE(acquired, std::uint64_t(1));
            QCOMPARE(timeouts, std::uint64_t(0));
            QVERIFY(waitHits >= 1);
            QCOMPARE(cli(server_, {"EXISTS", "app:lock:hot"}), QByteArray("0")); // released
        }
    }

    void aDeadLockHoldersLockExpiresAndAWaiterLoads()
    {
        RedisProviderOptions o;
        o.distributedSingleFlight = true;
        o.lockWait = 30s;
        auto c = makeCache(server_, o);
        // Another process took the lock and died without releasing it.
        QCOMPARE(cli(server_, {"SET", "app:lock:k", "dead-process", "PX", "300"}), QByteArray("OK"));
        int calls = 0;
        auto r = c->wrap("k", [&] { ++calls; return some("loaded by the waiter"); });
        QVERIFY(r.ok());
        QCOMPARE(str(r.value()), "loaded by the waiter"s);
        QCOMPARE(calls, 1);
        const auto s = redisOf(*c).providerStats();
        QCOMPARE(s.lockWaits, std::uint64_t(1));
        QCOMPARE(s.lockAcquired, std::uint64_t(1));
        QCOMPARE(s.lockTimeouts, std::uint64_t(0));
        QCOMPARE(str(c->get("k")), "loaded by the waiter"s);
    }

    void rateLimitsAreSharedThroughRedis_data()
    {
        QTest::addColumn<bool>("sliding");
        QTest::newRow("fixed") << false;
        QTest::newRow("sliding") << true;
    }
    void rateLimitsAreSharedThroughRedis()
    {
        QFETCH(bool, sliding);
        auto ep = parseRedisUrl(server_.url().toStdString());
        QVERIFY(ep.ok());
        const auto kind = sliding ? RedisRateLimiter::Kind::SlidingWindow : RedisRateLimiter::Kind::FixedWindow;
        RedisRateLimiter one(ep.value(), kind, 3, std::chrono::hours(24), "app:");
        RedisRateLimiter two(ep.value(), kind, 3, std::chrono::hours(24), "app:"); // another instance
        QVERIFY(one.hit("alice").allowed);
        QVERIFY(two.hit("alice").allowed);
        auto third = one.hit("alice");
        QVERIFY(third.allowed);
        QCOMPARE(third.count, std::int64_t(3));
        auto fourth = two.hit("alice");
        QVERIFY(!fourth.allowed);
        QCOMPARE(fourth.count, std::int64_t(4));
        QVERIFY(fourth.retryAfter.count() > 0);
        QVERIFY(one.hit("bob").allowed);              // per subject
        QVERIFY(!fourth.unavailable);

        RedisEndpoint dead = ep.value();
        dead.port = test::RedisServer::freePort();
        RedisRateLimiter down(dead, kind, 1, 60s);
        auto d = down.hit("alice");
        QVERIFY(d.allowed);                           // an outage does not lock users out…
        QVERIFY(d.unavailable);                       // …and says so
    }
};

QTEST_GUILESS_MAIN(TestProviderRedis)
#include "tst_provider_redis.moc"
