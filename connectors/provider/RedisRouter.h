#pragma once
// RedisRouter: where the provider's commands go. On first contact it asks the server for CLUSTER SLOTS: a server
// without cluster support is standalone (one ConnectionPool; a sentinel URL resolves its master in every new
// connection), a cluster node gives the slot map, and then every command goes to the master owning its key's slot.
//
// Cluster routing: the key of a command is its first argument, except EVAL/EVALSHA (the first of KEYS) and the keyless
// commands (SCAN, SCRIPT, PUBLISH, PING, …), which ride along to the node of the pipeline's first keyed command. One
// pipeline per node, sent in order of first appearance, stopping at the first node that fails. A MOVED reply updates
// the map and sends that command again to the named node (then the whole map is fetched again); ASK sends ASKING and
// the command to the importing node; at most 5 redirects per command.
//
// Threads: every member may be called from any thread. mu_ guards the topology (slot map, node list); node pools are
// created once and never removed, so a pool pointer stays valid for the router's life.
#include "connectors/provider/BlockingRedis.h"

#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

namespace cachelens::provider {

class RedisRouter {
public:
    RedisRouter(RedisEndpoint seed, std::size_t maxIdle);
    ~RedisRouter();
    RedisRouter(const RedisRouter&) = delete;
    RedisRouter& operator=(const RedisRouter&) = delete;

    // Runs commands where they belong; replies in command order. False with `error` when a node cannot be reached.
    bool run(const std::vector<Args>& commands, std::vector<Reply>& replies, std::string& error);
    // The masters to visit for keyless work (SCAN): 1 for a standalone server; false when the topology is unknown.
    bool masters(std::size_t& count, std::string& error);
    // Runs every command on master `index` (0 ≤ index < count from masters()).
    bool runOnMaster(std::size_t index, const std::vector<Args>& commands, std::vector<Reply>& replies,
                     std::string& error);
    // True when the server is a cluster node (asks on first contact; false while nothing answers).
    bool isCluster();
    // The nodes known now (the seed first), for a subscriber that may use any of them.
    std::vector<RedisEndpoint> nodes() const;
    const RedisEndpoint& seed() const { return seed_; }
    void dropIdle();

private:
    bool ensureTopology(std::string& error);
    bool refresh(std::string& error);
    std::size_t nodeFor(const std::string& host, int port); // takes mu_ exclusively
    ConnectionPool* pool(std::size_t node) const;
    bool runOnNode(std::size_t node, const std::vector<Args>& commands, std::vector<Reply>& replies,
                   std::string& error);

    RedisEndpoint seed_;
    std::size_t maxIdle_;
    mutable std::shared_mutex mu_;
    enum class Mode { Unknown, Standalone, Cluster } mode_ = Mode::Unknown;
    std::vector<std::unique_ptr<ConnectionPool>> nodes_;   // [0] is the seed
    std::vector<int> slots_;                                // slot → node index, -1 when unassigned
    std::vector<std::size_t> masters_;                      // distinct owners, in slot order
};

} // namespace cachelens::provider
