#include "RedisRateLimiter.h"

#include "Scripts.h"

#include <cmath>

namespace cachelens::provider {

RedisRateLimiter::RedisRateLimiter(RedisEndpoint endpoint, Kind kind, std::int64_t limit, milliseconds window,
                                   std::string keyPrefix)
    : router_(std::move(endpoint), 4), kind_(kind), limit_(limit),
      window_(window.count() > 0 ? window : milliseconds(1)), prefix_(std::move(keyPrefix))
{
}

RedisRateLimiter::Decision RedisRateLimiter::hit(std::string_view subject)
{
    Decision d;
    d.limit = limit_;
    const scripts::Script& s = scripts::get(scripts::RateLimit);
    std::string key = prefix_ + "ratelimit:{";
    key.append(subject).append("}");
    const std::string w = std::to_string(window_.count());
    const char* kind = kind_ == Kind::SlidingWindow ? "sliding" : "fixed";
    std::string error;
    std::vector<Reply> replies;
    bool ok = router_.run({{"EVALSHA", s.sha, "1", key, w, kind}}, replies, error);
    if (ok && replies[0].isError() && replies[0].str.rfind("NOSCRIPT", 0) == 0)
        ok = router_.run({{"EVAL", s.text, "1", key, w, kind}}, replies, error);
    const Reply r = ok ? replies[0] : Reply{};
    if (!ok || r.type != Reply::Type::Array || r.elements.size() != 3) {
        d.allowed = true;
        d.unavailable = true;
        return d;
    }
    const std::int64_t current = r.elements[0].integer;
    const std::int64_t previous = r.elements[1].integer;
    const std::int64_t into = r.elements[2].integer;
    double count = static_cast<double>(current);
    if (kind_ == Kind::SlidingWindow) {
        const double overlap = static_cast<double>(window_.count() - into) / static_cast<double>(window_.count());
        count += static_cast<double>(previous) * overlap;
    }
    d.count = static_cast<std::int64_t>(std::ceil(count));
    d.allowed = count <= static_cast<double>(limit_);
    if (!d.allowed) d.retryAfter = milliseconds(window_.count() - into);
    return d;
}

} // namespace cachelens::provider
