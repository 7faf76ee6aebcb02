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
// A node that cannot be reached sends no MOVED (a master that died and whose replica took over): its failure makes the
// router fetch the map again at once from the other nodes (the failed one asked last) and, when the slots of the
// failed commands now belong to another master, send them there once; when there is no time left, the next call
// fetches the map first. A batch is sent again only when that cannot apply anything twice: it never reached the
// failed node (idle connections the server closed are dropped before use, so a killed master is seen as refusing the
// connection), or every command in it gives the same result when run twice (mayRunTwice). An INCR, a rate-limit
// count or a lock's SET NX that may have run on the old master before it died fails instead, with a message that
// says so; the caller (fail-open/closed) decides.
//
// Time: one call (run, runOnMaster, masters) takes at most the seed's timeout in all — connects, redirects and map
// fetches share one deadline.
//
// Threads: every member may be called from any thread. mu_ guards the topology (slot map, node list); node pools are
// created once and never removed, so a pool pointer stays valid for the router's life.
#include "BlockingRedis.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

namespace cachelens::provider {

// True when running `commands` a second time cannot change the outcome (SET of a value, DEL, GET, the provider's
// scripts other than Incr and RateLimit); false for counters (INCR…, the Incr and RateLimit scripts) and SET NX.
bool mayRunTwice(const std::vector<Args>& commands);

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
    Deadline deadline() const;
    bool ensureTopology(std::string& error, Deadline deadline);
    bool refresh(std::string& error, Deadline deadline);
    std::size_t nodeFor(const std::string& host, int port); // takes mu_ exclusively
    ConnectionPool* pool(std::size_t node) const;
    // Marks the map stale when a cluster node fails (see above).
    // `reached`: on failure, whether the request may have reached the node (see BlockingConnection).
    bool runOnNode(std::size_t node, const std::vector<Args>& commands, std::vector<Reply>& replies,
                   std::string& error, Deadline deadline, bool* reached = nullptr);
    bool exec(std::size_t node, const std::vector<Args>& commands, std::vector<Reply>& replies, std::string& error,
              Deadline deadline, bool* reached = nullptr);
    // The node of every command (keyless ones with the first keyed); false when a slot has no master.
    bool targets(const std::vector<Args>& commands, std::vector<std::size_t>& target, std::string& error) const;
    bool route(const std::vector<Args>& commands, std::vector<Reply>& replies, std::string& error, Deadline deadline,
               bool mayReroute);

    RedisEndpoint seed_;
    std::size_t maxIdle_;
    mutable std::shared_mutex mu_;
    enum class Mode { Unknown, Standalone, Cluster } mode_ = Mode::Unknown;
    std::vector<std::unique_ptr<ConnectionPool>> nodes_;   // [0] is the seed
    std::vector<int> slots_;                                // slot → node index, -1 when unassigned
    std::vector<std::size_t> masters_;                      // distinct owners, in slot order
    std::atomic<bool> stale_{false};                        // a cluster node failed: fetch the map before routing
    std::atomic<std::size_t> failed_{SIZE_MAX};             // the node that failed last (asked last for the map)
};

} // namespace cachelens::provider
