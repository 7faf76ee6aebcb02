#pragma once
// The subscriber half of the invalidation bus: a dedicated blocking connection on its own std::thread that
// SUBSCRIBEs to the channel and hands every message (RESP2 push array "message", channel, payload) to the
// provider. It reconnects with a short backoff when the connection drops and reports each state change, so the
// provider can stop using its L1 while deaf and clear it after a reconnect (messages may have been missed).
// A connection that stays open but goes silent (a stopped or partitioned server: no FIN, no RST) is found out by a
// PING after `pingEvery` without traffic; no answer within the endpoint's timeout counts as a drop, as does a
// SUBSCRIBE that is not confirmed within it.
// On a Redis Cluster a PUBLISH on any node reaches subscribers on every node (classic pub/sub is cluster-wide), so
// the subscriber uses any node it is given and moves to the next one when its node drops.
//
// Message format, version 1 (one PUBLISH per invalidation):
//   1|<instance id>|<kind>|<payload>     kind: key | tag | pattern | clear; payload: the full key (instance
//                                        prefix included), the tag name, the full glob, or empty; binary-safe
#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "BlockingRedis.h"

namespace cachelens::provider {

struct BusMessage {
    std::string instance;
    std::string kind;
    std::string payload;
};
std::string encodeBusMessage(std::string_view instance, std::string_view kind, std::string_view payload);
// False when the message is not version 1 of the format.
bool decodeBusMessage(std::string_view message, BusMessage& out);

class InvalidationBus {
public:
    // `endpoints` is asked before every (re)connect: the nodes to try, in turn.
    InvalidationBus(std::function<std::vector<RedisEndpoint>()> endpoints, std::string channel,
                    std::function<void(std::string_view)> onMessage, std::function<void(bool subscribed)> onState,
                    milliseconds pingEvery = milliseconds(1000));
    ~InvalidationBus(); // stops and joins the thread (within ~100 ms)

private:
    void run();
    std::function<std::vector<RedisEndpoint>()> endpoints_;
    std::string channel_;
    std::function<void(std::string_view)> onMessage_;
    std::function<void(bool)> onState_;
    milliseconds pingEvery_;
    std::atomic<bool> stop_{false};
    std::mutex mu_;
    std::condition_variable cv_;
    std::thread thread_;
};

} // namespace cachelens::provider
