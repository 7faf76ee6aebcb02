#include <cachelens/rate_limiter.h>

#include <charconv>
#include <cmath>

namespace cachelens::engine {

RateLimiter::RateLimiter(Cache& cache, Kind kind, std::int64_t limit, std::chrono::milliseconds window)
    : cache_(cache), kind_(kind), limit_(limit), window_(window.count() > 0 ? window : std::chrono::milliseconds(1))
{
}

RateDecision RateLimiter::hit(std::string_view subject)
{
    const std::int64_t nowMs = cache_.clock().now() / 1'000'000;
    const std::int64_t w = window_.count();
    const std::int64_t index = nowMs / w;
    const std::int64_t intoWindow = nowMs % w;
    RateDecision d;
    d.limit = limit_;
    std::string key = "ratelimit:";
    key.append(subject).append(":").append(std::to_string(index));
    // The counter lives for two windows so the sliding variant can still read it as "previous".
    auto current = cache_.incrBy(key, 1, std::chrono::milliseconds(2 * w));
    if (!current.ok()) {
        d.allowed = true;
        return d;
    }
    double count = static_cast<double>(current.value());
    if (kind_ == Kind::SlidingWindow) {
        std::string prevKey = "ratelimit:";
        prevKey.append(subject).append(":").append(std::to_string(index - 1));
        std::int64_t prev = 0;
        if (ValueRef v = cache_.get(prevKey)) {
            const auto s = v.value();
            std::from_chars(s.data(), s.data() + s.size(), prev);
        }
        const double overlap = static_cast<double>(w - intoWindow) / static_cast<double>(w);
        count += static_cast<double>(prev) * overlap;
    }
    d.count = static_cast<std::int64_t>(std::ceil(count));
    d.allowed = count <= static_cast<double>(limit_);
    if (!d.allowed) d.retryAfter = std::chrono::milliseconds(w - intoWindow);
    return d;
}

} // namespace cachelens::engine
