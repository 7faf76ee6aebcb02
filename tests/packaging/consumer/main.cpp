// catalog-service: a small service that caches its product catalogue the way the engine is meant to be embedded.
// Everything about the cache comes from the environment:
//   CACHE_PROVIDER=memory|redis  REDIS_URL=redis://…  CACHE_KEY_PREFIX=shop:  CACHE_ENABLED=true  CACHE_MEMORY_SIZE=64mb
// It exits 0 when every step behaved as the comments below say, 1 when one did not, 2 when the configuration is bad.
#include <cachelens/cache.h>
#include <cachelens/config.h>
#include <cachelens/key_builder.h>
#include <cachelens/rate_limiter.h>
#include <cachelens/redis.h>
#include <cachelens/version.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

using namespace std::chrono_literals;
namespace engine = cachelens::engine;

namespace {

// The source of truth: a slow database with one product that is missing and one whose first read fails.
class Catalogue {
public:
    std::optional<std::string> product(int id)
    {
        ++reads;
        std::this_thread::sleep_for(2ms);
        if (id == 13 && !failedOnce.exchange(true)) throw std::runtime_error("database timeout reading product 13");
        const auto it = rows.find(id);
        if (it == rows.end()) return std::nullopt; // "not found" is a value too: cached briefly
        return it->second;
    }
    std::string category(int id) const { return id == 1 || id == 2 ? "kitchen" : "tools"; }
    std::map<int, std::string> rows{{1, "espresso cup"}, {2, "milk jug"}, {3, "tamper"}, {13, "grinder"}};
    std::atomic<int> reads{0};
    std::atomic<bool> failedOnce{false};
};

int failures = 0;
void expect(bool ok, const char* what)
{
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) ++failures;
}

} // namespace

int main()
{
    std::printf("catalog-service on CacheLens %s\n", CACHELENS_VERSION_STRING);
    cachelens::provider::registerRedisProvider(); // CACHE_PROVIDER=redis needs it; without it create() refuses redis
    auto options = engine::configFromEnvironment();
    if (!options) {
        std::fprintf(stderr, "catalog-service: %s\n", options.error().message.c_str());
        return 2;
    }
    options->namespaces["product"].defaultTtl = 10min; // the namespace's TTL applies: keys carry no prefix of their own
    auto made = engine::Cache::create(std::move(options.value()));
    if (!made) {
        std::fprintf(stderr, "catalog-service: %s\n", made.error().message.c_str());
        return 2;
    }
    engine::Cache& cache = *made.value();
    const bool enabled = cache.enabled();
    std::printf("provider %s, key prefix '%s', %s, memory bound %zu bytes\n", cache.providerName(),
                cache.options().keyPrefix.c_str(), enabled ? "enabled" : "disabled", cache.options().maxBytes);
    // A fresh start for this run: on Redis, clear() removes the keys under this cache's prefix (all keys without one).
    if (!cache.options().keyPrefix.empty()) cache.clear();

    Catalogue db;
    const engine::KeyBuilder keys; // product:1, category:tools:page:2 … CACHE_KEY_PREFIX is added by the cache
    auto getProduct = [&](int id) {
        // No TTL here: the "product" namespace's 10 minutes apply (the key's first part is its namespace).
        const engine::WrapOptions o{.notFoundTtl = 30s, .tags = {"catalogue", db.category(id)}};
        return cache.wrap(keys.key("product", id), [&db, id] { return db.product(id); }, o);
    };

    // getOrSet: the first read loads, the second is a hit.
    auto first = getProduct(1);
    auto again = getProduct(1);
    expect(first && again && again.value().value() == "espresso cup", "product 1 is loaded once and then served from the cache");
    expect(db.reads == (enabled ? 1 : 2), "the database was read once for two requests");

    // A product that does not exist: cached as "not found" for 30 s.
    auto missing = getProduct(404);
    auto missingAgain = getProduct(404);
    expect(missing && missing.value().isNotFound() && missingAgain && missingAgain.value().isNotFound(),
           "a missing product is a \"not found\" value");
    expect(db.reads == (enabled ? 2 : 4), "the missing product was looked up once");

    // A failing load is an error and is not cached: the next request tries the database again.
    auto failed = getProduct(13);
    expect(!failed && failed.error().code == engine::Errc::LoaderFailed, "a failing load is reported as an error");
    auto retried = getProduct(13);
    expect(retried && retried.value().value() == "grinder", "the failure was not cached: the retry loads it");

    // Stale-while-revalidate: after the TTL, within the grace period, the old value is served at once and refreshed
    // in the background.
    std::atomic<int> version{1};
    const engine::WrapOptions swr{.ttl = 300ms, .grace = 1min, .staleWhileRevalidate = true};
    auto price = [&] {
        return cache.wrap(keys.key("price", 1), [&version] { return std::optional<std::string>("v" + std::to_string(version.load())); }, swr);
    };
    (void)price();
    version = 2;
    std::this_thread::sleep_for(600ms);
    auto stale = price();
    expect(stale && stale.value().value() == (enabled ? "v1" : "v2"), "an expired price is served stale within its grace period");
    bool refreshed = !enabled;
    for (int i = 0; i < 100 && !refreshed; ++i) {
        std::this_thread::sleep_for(20ms);
        auto p = cache.get(keys.key("price", 1));
        refreshed = p && p.value() == "v2";
    }
    expect(refreshed, "a background refresh replaced it");

    // Tags: a change to the kitchen range invalidates every product carrying the tag.
    (void)getProduct(2);
    (void)getProduct(3);
    const std::size_t dropped = cache.invalidateTag("kitchen");
    expect(!enabled || dropped == 2, "invalidating tag 'kitchen' removed the two kitchen products");
    expect(!enabled || (!cache.exists(keys.key("product", 1)) && !cache.exists(keys.key("product", 2))),
           "products 1 and 2 are gone");
    expect(!enabled || (cache.exists(keys.key("product", 3)) && cache.exists(keys.key("product", 13))),
           "products 3 and 13 (tools) stay");

    // A rate limiter counted in the same cache (on redis, in Redis): 3 searches a minute per user.
    engine::RateLimiter searches(cache, engine::RateLimiter::Kind::FixedWindow, 3, 1min);
    int allowed = 0;
    for (int i = 0; i < 5; ++i) allowed += searches.hit("user:42").allowed ? 1 : 0;
    expect(allowed == (enabled ? 3 : 5), "the rate limiter allowed 3 of 5 searches");

    const engine::StatsSnapshot s = cache.stats();
    std::printf("stats: hits=%llu misses=%llu loads=%llu load_failures=%llu stale_served=%llu "
                "invalidations_tag=%llu entries=%llu\n",
                (unsigned long long)s.at(engine::Counter::Hits), (unsigned long long)s.at(engine::Counter::Misses),
                (unsigned long long)s.at(engine::Counter::Loads), (unsigned long long)s.at(engine::Counter::LoadFailures),
                (unsigned long long)s.at(engine::Counter::StaleServed),
                (unsigned long long)s.at(engine::Counter::InvalidationsTag), (unsigned long long)s.entries);
    if (auto r = cachelens::provider::redisProviderStats(cache))
        std::printf("redis: l2_hits=%llu l2_misses=%llu errors=%llu\n", (unsigned long long)r->l2Hits,
                    (unsigned long long)r->l2Misses, (unsigned long long)r->redisErrors);
    std::printf("%s\n", failures ? "catalog-service: FAILED" : "catalog-service: all good");
    return failures ? 1 : 0;
}
