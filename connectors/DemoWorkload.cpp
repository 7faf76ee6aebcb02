#include "connectors/DemoWorkload.h"

#include <cachelens/cache.h>

#include <chrono>
#include <cmath>
#include <numbers>
#include <random>
#include <string>

namespace cachelens {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Popularity over n ids: weight 1/(i+1)^s, sampled by binary search over the cumulative weights.
class Popularity
{
public:
    Popularity(std::size_t n, double s)
    {
        std::vector<double> w(n);
        for (std::size_t i = 0; i < n; ++i)
            w[i] = 1.0 / std::pow(double(i + 1), s);
        m_dist = std::discrete_distribution<std::size_t>(w.begin(), w.end());
    }
    std::size_t operator()(std::mt19937_64& rng) { return m_dist(rng); }

private:
    std::discrete_distribution<std::size_t> m_dist;
};

struct Namespaces {
    Popularity characters{5000, 0.9};
    Popularity rooms{500, 1.1};
    Popularity guilds{60, 0.8};
    Popularity members{3000, 0.7};
    Popularity bots{20, 1.0};
};

std::string fakeRow(std::string_view kind, std::size_t id, std::size_t size)
{
    std::string v = "{\"kind\":\"";
    v += kind;
    v += "\",\"id\":" + std::to_string(id) + ",\"data\":\"";
    v.append(size, char('a' + id % 26));
    v += "\"}";
    return v;
}

engine::WrapOptions ttl(std::chrono::milliseconds t)
{
    engine::WrapOptions o;
    o.ttl = t;
    o.grace = t / 5;
    return o;
}

// One request of the mix; returns after the cache answered.
void oneRequest(engine::Cache& cache, Namespaces& ns, std::mt19937_64& rng)
{
    const unsigned pick = unsigned(rng() % 100);
    if (pick < 40) {
        const std::size_t id = ns.characters(rng);
        const std::string key = "character:published:" + std::to_string(id);
        (void)cache.wrap(key, [id] { return std::optional<std::string>(fakeRow("character", id, 200 + id % 600)); },
                         ttl(300s));
    } else if (pick < 65) {
        const std::size_t room = ns.rooms(rng);
        const std::string key = "room_messages:" + std::to_string(room);
        if (rng() % 50 == 0) {   // someone posted: the next poll must see it
            cache.del(key);
            return;
        }
        (void)cache.wrap(key, [room] { return std::optional<std::string>(fakeRow("messages", room, 1500)); }, ttl(5s));
    } else if (pick < 85) {
        const std::size_t g = ns.guilds(rng), u = ns.members(rng);
        const std::string key = "discord:guildMember:" + std::to_string(g) + ":" + std::to_string(u);
        (void)cache.wrap(key, [u] { return std::optional<std::string>(fakeRow("member", u, 120)); }, ttl(30s));
    } else if (pick < 95) {
        const std::size_t g = ns.guilds(rng);
        (void)cache.wrap("discord:guild:" + std::to_string(g),
                         [g] { return std::optional<std::string>(fakeRow("guild", g, 400)); }, ttl(60s));
    } else {
        const std::size_t b = ns.bots(rng);
        (void)cache.wrap("discord:botGuilds:" + std::to_string(b),
                         [b] { return std::optional<std::string>(fakeRow("botGuilds", b, 800)); }, ttl(300s));
    }
}

} // namespace

DemoWorkload::DemoWorkload(std::shared_ptr<engine::Cache> cache) : DemoWorkload(std::move(cache), Options{}) {}

DemoWorkload::DemoWorkload(std::shared_ptr<engine::Cache> cache, Options options)
    : m_cache(std::move(cache)), m_options(options)
{
}

DemoWorkload::~DemoWorkload() { stop(); }

void DemoWorkload::start()
{
    if (running())
        return;
    m_stop.store(false);
    for (unsigned i = 0; i < std::max(1u, m_options.threads); ++i)
        m_threads.emplace_back([this, i] { run(i); });
}

void DemoWorkload::stop()
{
    m_stop.store(true);
    for (auto& t : m_threads)
        t.join();
    m_threads.clear();
}

void DemoWorkload::run(unsigned index)
{
    std::mt19937_64 rng(m_options.seed + index);
    Namespaces ns;
    const double perThread = m_options.opsPerSecond / std::max(1u, m_options.threads);
    const auto begin = Clock::now();
    auto next = begin;
    constexpr int kBurst = 50;   // requests between pacing checks
    while (!m_stop.load(std::memory_order_relaxed)) {
        for (int i = 0; i < kBurst; ++i)
            oneRequest(*m_cache, ns, rng);
        m_operations.fetch_add(kBurst, std::memory_order_relaxed);
        // Rate swells and ebbs over ~4 minutes, so ops/s and hit rate move on the dashboard.
        const double t = std::chrono::duration<double>(Clock::now() - begin).count();
        const double rate = perThread * (1.0 + 0.5 * std::sin(t * 2 * std::numbers::pi / 240.0));
        next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kBurst / std::max(rate, 1.0)));
        const auto now = Clock::now();
        if (next < now - 1s)
            next = now;   // fell behind (a slow machine): do not try to catch up in a burst
        // Sleep in short steps so stop() is prompt.
        while (!m_stop.load(std::memory_order_relaxed) && Clock::now() < next)
            std::this_thread::sleep_for(std::min<Clock::duration>(next - Clock::now(), 20ms));
    }
}

std::size_t DemoWorkload::populate(engine::Cache& cache, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    Namespaces ns;
    for (int i = 0; i < 4000; ++i)
        oneRequest(cache, ns, rng);
    return cache.stats().entries;
}

} // namespace cachelens
