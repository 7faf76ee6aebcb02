#include "RedisRouter.h"

#include "Scripts.h"
#include "TagKeys.h"

#include <algorithm>
#include <array>
#include <mutex>
#include <optional>

namespace cachelens::provider {
namespace {

constexpr int kSlots = 16384;
constexpr int kMaxRedirects = 5;

bool commandMayRunTwice(const Args& a)
{
    if (a.empty()) return true;
    const std::string_view name = a[0];
    if (name == "EVALSHA" || name == "EVAL") {
        if (a.size() < 2) return true;
        const scripts::Script* s = nullptr;
        if (name == "EVALSHA") s = scripts::bySha(a[1]);
        else
            for (int id = 0; id < scripts::Count_ && !s; ++id)
                if (scripts::get(scripts::Id(id)).text == a[1]) s = &scripts::get(scripts::Id(id));
        // Unknown scripts are not ours to judge: assume they count something.
        return s && s != &scripts::get(scripts::Incr) && s != &scripts::get(scripts::RateLimit);
    }
    static constexpr std::array<std::string_view, 10> counting{"INCR", "INCRBY", "INCRBYFLOAT", "DECR", "DECRBY",
                                                               "HINCRBY", "LPUSH", "RPUSH", "APPEND", "SPOP"};
    if (std::find(counting.begin(), counting.end(), name) != counting.end()) return false;
    if (name == "SET")
        for (std::size_t i = 3; i < a.size(); ++i)
            if (a[i] == "NX" || a[i] == "nx") return false;   // the second try would find our own lock
    return true;
}

std::optional<std::string_view> routingKey(const Args& a)
{
    if (a.size() < 2) return std::nullopt;
    const std::string_view name = a[0];
    if (name == "EVALSHA" || name == "EVAL") {
        if (a.size() > 3 && a[2] != "0") return a[3];
        return std::nullopt;
    }
    static constexpr std::array<std::string_view, 11> keyless{"SCAN", "SCRIPT", "PUBLISH", "PING", "INFO", "CLUSTER",
                                                             "ASKING", "DBSIZE", "TIME", "FLUSHALL", "FLUSHDB"};
    if (std::find(keyless.begin(), keyless.end(), name) != keyless.end()) return std::nullopt;
    return a[1];
}

struct Redirect {
    bool ask = false;
    int slot = -1;
    std::string host;
    int port = 0;
};

// "MOVED 3999 127.0.0.1:6381" / "ASK 3999 127.0.0.1:6381" (an empty host means the seed's, Redis 7).
std::optional<Redirect> redirectOf(const Reply& r)
{
    if (!r.isError()) return std::nullopt;
    Redirect d;
    std::string_view s = r.str;
    if (s.rfind("MOVED ", 0) == 0) s.remove_prefix(6);
    else if (s.rfind("ASK ", 0) == 0) {
        d.ask = true;
        s.remove_prefix(4);
    } else
        return std::nullopt;
    const auto sp = s.find(' ');
    const auto colon = s.rfind(':');
    if (sp == std::string_view::npos || colon == std::string_view::npos || colon < sp) return std::nullopt;
    try {
        d.slot = std::stoi(std::string(s.substr(0, sp)));
        d.port = std::stoi(std::string(s.substr(colon + 1)));
    } catch (...) {
        return std::nullopt;
    }
    d.host = std::string(s.substr(sp + 1, colon - sp - 1));
    if (d.slot < 0 || d.slot >= kSlots) return std::nullopt;
    return d;
}

} // namespace

bool mayRunTwice(const std::vector<Args>& commands)
{
    return std::all_of(commands.begin(), commands.end(), commandMayRunTwice);
}

RedisRouter::RedisRouter(RedisEndpoint seed, std::size_t maxIdle) : seed_(std::move(seed)), maxIdle_(maxIdle)
{
    nodes_.push_back(std::make_unique<ConnectionPool>(seed_, maxIdle_));
}

RedisRouter::~RedisRouter() = default;

Deadline RedisRouter::deadline() const { return std::chrono::steady_clock::now() + seed_.timeout; }

bool RedisRouter::isCluster()
{
    std::string ignored; // unreachable: the caller's next command fails and says why
    ensureTopology(ignored, deadline());
    std::shared_lock lock(mu_);
    return mode_ == Mode::Cluster;
}

std::vector<RedisEndpoint> RedisRouter::nodes() const
{
    std::shared_lock lock(mu_);
    std::vector<RedisEndpoint> out;
    for (const auto& p : nodes_) out.push_back(p->endpoint());
    return out;
}

void RedisRouter::dropIdle()
{
    std::shared_lock lock(mu_);
    for (const auto& p : nodes_) p->dropIdle();
}

ConnectionPool* RedisRouter::pool(std::size_t node) const
{
    std::shared_lock lock(mu_);
    return nodes_.at(node).get();
}

bool RedisRouter::exec(std::size_t node, const std::vector<Args>& commands, std::vector<Reply>& replies,
                       std::string& error, Deadline by, bool* reached)
{
    if (reached) *reached = false;
    auto c = pool(node)->acquire(error, by);
    if (!c) return false;
    if (c->pipeline(commands, replies, error, by)) return true;
    if (reached) *reached = c->requestMayHaveReachedServer();
    return false;
}

bool RedisRouter::runOnNode(std::size_t node, const std::vector<Args>& commands, std::vector<Reply>& replies,
                            std::string& error, Deadline by, bool* reached)
{
    if (exec(node, commands, replies, error, by, reached)) return true;
    std::shared_lock lock(mu_);
    if (mode_ == Mode::Cluster) {
        failed_.store(node);
        stale_.store(true);
    }
    return false;
}

std::size_t RedisRouter::nodeFor(const std::string& hostIn, int port)
{
    const std::string host = hostIn.empty() || hostIn == "?" ? seed_.host : hostIn;
    std::unique_lock lock(mu_);
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
        const auto& e = nodes_[i]->endpoint();
        if (e.unixPath.empty() && e.host == host && e.port == port) return i;
    }
    RedisEndpoint ep = seed_;
    ep.host = host;
    ep.port = port;
    ep.unixPath.clear();
    ep.sentinels.clear();
    nodes_.push_back(std::make_unique<ConnectionPool>(std::move(ep), maxIdle_));
    return nodes_.size() - 1;
}

bool RedisRouter::ensureTopology(std::string& error, Deadline by)
{
    {
        std::shared_lock lock(mu_);
        if (mode_ == Mode::Standalone) return true;
        if (mode_ == Mode::Cluster && !stale_.load()) return true;
    }
    if (stale_.exchange(false)) {
        std::string ignored; // the old map is still the best guess if no node answers now
        if (!refresh(ignored, by)) stale_.store(true);
        return true;
    }
    return refresh(error, by);
}

bool RedisRouter::refresh(std::string& error, Deadline by)
{
    std::vector<std::size_t> order;
    {
        std::shared_lock lock(mu_);
        for (std::size_t i = 0; i < nodes_.size(); ++i) order.push_back(i);
    }
    // The node that failed last is asked last: it is likely dead, and a dead node costs time.
    const std::size_t failed = failed_.load();
    if (auto it = std::find(order.begin(), order.end(), failed); it != order.end()) std::rotate(it, it + 1, order.end());
    for (std::size_t n = 0; n < order.size(); ++n) {
        // With no time left every read would time out at once and close a good pooled connection for nothing.
        if (std::chrono::steady_clock::now() >= by) {
            error = "no time left to fetch the cluster's slot map";
            return false;
        }
        // Each node still to ask gets an equal share of the time left: one that never answers cannot use it all.
        const Deadline share =
            std::chrono::steady_clock::now() + (by - std::chrono::steady_clock::now()) / static_cast<long>(order.size() - n);
        std::vector<Reply> r;
        if (!exec(order[n], {{"CLUSTER", "SLOTS"}}, r, error, share)) continue;
        if (r[0].isError()) {
            if (r[0].str.find("cluster support disabled") != std::string::npos) {
                std::unique_lock lock(mu_);
                if (mode_ == Mode::Unknown) mode_ = Mode::Standalone;
                return true;
            }
            error = "redis: " + r[0].str;
            return false;
        }
        if (r[0].type != Reply::Type::Array) continue;
        // [[start, end, [host, port, id, …], replica…], …]
        std::vector<int> slots(kSlots, -1);
        std::vector<std::size_t> masters;
        for (const Reply& range : r[0].elements) {
            if (range.elements.size() < 3 || range.elements[2].elements.size() < 2) continue;
            const Reply& owner = range.elements[2];
            const std::size_t node = nodeFor(owner.elements[0].str, int(owner.elements[1].integer));
            const int from = std::clamp<int>(int(range.elements[0].integer), 0, kSlots - 1);
            const int to = std::clamp<int>(int(range.elements[1].integer), 0, kSlots - 1);
            for (int s = from; s <= to; ++s) slots[std::size_t(s)] = int(node);
        }
        for (int node : slots)
            if (node >= 0 && std::find(masters.begin(), masters.end(), std::size_t(node)) == masters.end())
                masters.push_back(std::size_t(node));
        std::unique_lock lock(mu_);
        mode_ = Mode::Cluster;
        slots_ = std::move(slots);
        masters_ = std::move(masters);
        return true;
    }
    if (error.empty()) error = "no cluster node answered CLUSTER SLOTS";
    return false;
}

bool RedisRouter::masters(std::size_t& count, std::string& error)
{
    if (!ensureTopology(error, deadline())) return false;
    std::shared_lock lock(mu_);
    count = mode_ == Mode::Cluster ? masters_.size() : 1;
    return true;
}

bool RedisRouter::runOnMaster(std::size_t index, const std::vector<Args>& commands, std::vector<Reply>& replies,
                              std::string& error)
{
    const Deadline by = deadline();
    if (!ensureTopology(error, by)) return false;
    std::size_t node = 0;
    {
        std::shared_lock lock(mu_);
        if (mode_ == Mode::Cluster) {
            if (index >= masters_.size()) {
                error = "the cluster has fewer masters than before";
                return false;
            }
            node = masters_[index];
        }
    }
    return runOnNode(node, commands, replies, error, by);
}

bool RedisRouter::targets(const std::vector<Args>& commands, std::vector<std::size_t>& target, std::string& error) const
{
    target.assign(commands.size(), 0);
    std::shared_lock lock(mu_);
    std::optional<std::size_t> first;
    std::vector<bool> keyed(commands.size(), false);
    for (std::size_t i = 0; i < commands.size(); ++i) {
        const auto key = routingKey(commands[i]);
        if (!key) continue;
        const int slot = keySlot(*key);
        const int node = slots_[std::size_t(slot)];
        if (node < 0) {
            error = "no cluster master serves slot " + std::to_string(slot);
            return false;
        }
        target[i] = std::size_t(node);
        keyed[i] = true;
        if (!first) first = target[i];
    }
    const std::size_t fallback = first ? *first : masters_.empty() ? 0 : masters_.front();
    for (std::size_t i = 0; i < commands.size(); ++i)
        if (!keyed[i]) target[i] = fallback;
    return true;
}

bool RedisRouter::run(const std::vector<Args>& commands, std::vector<Reply>& replies, std::string& error)
{
    const Deadline by = deadline();
    if (!ensureTopology(error, by)) return false;
    {
        std::shared_lock lock(mu_);
        if (mode_ != Mode::Cluster) {
            lock.unlock();
            return runOnNode(0, commands, replies, error, by);
        }
    }
    return route(commands, replies, error, by, true);
}

bool RedisRouter::route(const std::vector<Args>& commands, std::vector<Reply>& replies, std::string& error,
                        Deadline by, bool mayReroute)
{
    std::vector<std::size_t> target;
    if (!targets(commands, target, error)) return false;
    replies.assign(commands.size(), Reply{});
    std::vector<std::size_t> order;
    for (std::size_t t : target)
        if (std::find(order.begin(), order.end(), t) == order.end()) order.push_back(t);
    for (std::size_t node : order) {
        std::vector<Args> batch;
        std::vector<std::size_t> at;
        for (std::size_t i = 0; i < commands.size(); ++i)
            if (target[i] == node) {
                batch.push_back(commands[i]);
                at.push_back(i);
            }
        std::vector<Reply> r;
        bool reached = false;
        if (!runOnNode(node, batch, r, error, by, &reached)) {
            // No MOVED comes from a node that is gone: ask the others who serves its slots now, and send the batch
            // there once if that is another node (a failover). A node that still owns them has really failed.
            if (!mayReroute) return false;
            std::string ignored;
            stale_.store(false);
            if (!refresh(ignored, by)) {
                stale_.store(true);
                return false;
            }
            std::vector<std::size_t> now;
            if (!targets(batch, now, ignored) || std::find(now.begin(), now.end(), node) != now.end()) return false;
            if (reached && !mayRunTwice(batch)) {
                error += "; not sent again to the new master: it may already have been applied before the connection "
                         "was lost";
                return false;
            }
            if (!route(batch, r, error, by, false)) return false;
        }
        for (std::size_t j = 0; j < at.size(); ++j) replies[at[j]] = std::move(r[j]);
    }
    bool moved = false;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        for (int hop = 0; hop < kMaxRedirects; ++hop) {
            const auto d = redirectOf(replies[i]);
            if (!d) break;
            const std::size_t node = nodeFor(d->host, d->port);
            std::vector<Args> again;
            if (d->ask) again.push_back({"ASKING"});
            else {
                moved = true;
                std::unique_lock lock(mu_);
                slots_[std::size_t(d->slot)] = int(node);
            }
            again.push_back(commands[i]);
            std::vector<Reply> r;
            if (!runOnNode(node, again, r, error, by)) return false;
            replies[i] = std::move(r.back());
        }
    }
    if (moved) {
        std::string ignored;
        if (!refresh(ignored, by)) stale_.store(true); // the map is out of date in more places than this one slot
    }
    return true;
}

} // namespace cachelens::provider
