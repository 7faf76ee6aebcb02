#pragma once
// Rate limits counted in Redis, shared by every instance: the engine's RateLimiter rules (engine/rate_limiter.h,
// fixed and sliding window) in one Lua round trip per request, on the Redis server's clock (TIME), so instances on
// different machines agree on the windows. Keys: <prefix>ratelimit:{<subject>}:<window index> (the hash tag keeps
// a subject's windows in one cluster slot), TTL two windows.
// Redis unreachable: the request is allowed (a cache outage must not lock users out) and `unavailable` is set.
#include <chrono>
#include <string>
#include <string_view>

#include "RedisRouter.h"
#include <cachelens/rate_limiter.h>

namespace cachelens::provider {

class RedisRateLimiter {
public:
    using Kind = engine::RateLimiter::Kind;
    struct Decision : engine::RateDecision {
        bool unavailable = false;
    };
    RedisRateLimiter(RedisEndpoint endpoint, Kind kind, std::int64_t limit, milliseconds window,
                     std::string keyPrefix = {});
    Decision hit(std::string_view subject);

private:
    RedisRouter router_; // standalone, sentinel or cluster (the script's keys share the subject's slot)
    Kind kind_;
    std::int64_t limit_;
    milliseconds window_;
    std::string prefix_;
};

} // namespace cachelens::provider
