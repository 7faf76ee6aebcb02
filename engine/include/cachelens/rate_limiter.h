#pragma once
// Rate limits on top of Cache::incrBy, the primitive behind the design documents' per-minute limits.
//
//   FixedWindow:   one counter per window ("name:<window index>"), TTL = the window; allows `limit` per window.
//                  Cheap; allows up to 2 × limit across a window boundary.
//   SlidingWindow: the current and the previous fixed window, the previous weighted by how much of it still
//                  overlaps the sliding window (the approximation Cloudflare and Redis's docs describe); smooths the
//                  boundary burst at the cost of one more read.
// Time is the cache's clock, so tests move a ManualClock. Thread-safe: the counters are atomic in the store.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <cachelens/cache.h>

namespace cachelens::engine {

struct RateDecision {
    bool allowed = false;
    std::int64_t count = 0;           // requests counted in the (weighted) window, this one included
    std::int64_t limit = 0;
    std::chrono::milliseconds retryAfter{0}; // when not allowed: until the current fixed window ends
};

class RateLimiter {
public:
    enum class Kind { FixedWindow, SlidingWindow };
    RateLimiter(Cache& cache, Kind kind, std::int64_t limit, std::chrono::milliseconds window);
    // Counts one request for `subject` (a user id, an IP…) and says whether it is within the limit.
    // A cache that refuses the counter (disabled) allows the request: a cache outage must not lock users out.
    RateDecision hit(std::string_view subject);

private:
    Cache& cache_;
    Kind kind_;
    std::int64_t limit_;
    std::chrono::milliseconds window_;
};

} // namespace cachelens::engine
