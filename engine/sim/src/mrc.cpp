#include <cachelens/sim/mrc.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <cachelens/sim/id_map.h>
#include <cachelens/sim/random.h>

namespace cachelens::engine::sim {

namespace {

class Fenwick {
public:
    explicit Fenwick(std::size_t n) : t_(n + 1, 0) {}
    void add(std::size_t i, int d) noexcept
    {
        for (++i; i < t_.size(); i += i & (~i + 1)) t_[i] += d;
    }
    // Resets to ones at 0…n-1 over `size` positions, in O(size).
    void assignOnes(std::size_t n, std::size_t size)
    {
        t_.assign(size + 1, 0);
        for (std::size_t i = 1; i <= size; ++i) {
            if (i <= n) t_[i] += 1;
            const std::size_t j = i + (i & (~i + 1));
            if (j <= size) t_[j] += t_[i];
        }
    }
    // Sum of [0, i].
    std::int64_t prefix(std::size_t i) const noexcept
    {
        std::int64_t s = 0;
        for (++i; i > 0; i -= i & (~i + 1)) s += t_[i];
        return s;
    }

private:
    std::vector<std::int32_t> t_;
};

// Histogram of stack distances: hist[d] for d < maxSize; distances >= maxSize and first accesses are misses at
// every reported size and are not kept.
struct Distances {
    std::vector<double> hist;
    std::uint64_t requests = 0, distinct = 0;
};

// scale: multiply each distance by this before binning (1/R for SHARDS).
template <class Accept>
Distances stackDistances(std::span<const std::uint64_t> keys, std::uint64_t maxSize, double scale, Accept&& accept,
                         std::size_t expectedRequests)
{
    Distances d;
    // A (scaled) distance never exceeds the requests in the trace (times the scale): sizes above that only repeat
    // the last point, so the histogram stops there whatever size was asked for.
    const double reach = static_cast<double>(keys.size()) * scale + 1;
    d.hist.assign(reach < static_cast<double>(maxSize) ? static_cast<std::size_t>(reach) : maxSize, 0.0);
    IdMap ids(std::max<std::size_t>(1024, expectedRequests / 8));
    std::vector<std::int64_t> last; // dense id → time of its latest access, -1 never
    // Times are renumbered whenever they reach `cap` (only each key's latest access matters, and their order is
    // kept), so the tree spans about twice the distinct keys rather than the whole trace: it stays in cache.
    std::size_t cap = std::size_t{1} << 16;
    Fenwick marks(cap);
    std::vector<std::uint32_t> owner(cap); // time → the id whose latest access it is (valid where last[id] == time)
    std::size_t time = 0;
    std::uint64_t requests = 0;
    for (const std::uint64_t key : keys) {
        if (!accept(key)) continue;
        if (time == cap) {
            std::size_t live = 0;
            for (std::size_t t = 0; t < cap; ++t) {
                const std::uint32_t id = owner[t];
                if (id < last.size() && last[id] == static_cast<std::int64_t>(t)) {
                    last[id] = static_cast<std::int64_t>(live);
                    owner[live++] = id;
                }
            }
            cap = std::max(cap, 2 * live + 1024);
            owner.resize(cap);
            marks.assignOnes(live, cap);
            time = live;
        }
        const std::uint32_t id = ids.idOf(key);
        if (id >= last.size()) last.push_back(-1);
        const std::int64_t prev = last[id];
        if (prev >= 0) {
            // Marks after prev = distinct keys touched since (all marks are at times < now).
            const std::int64_t distance =
                static_cast<std::int64_t>(last.size()) - marks.prefix(static_cast<std::size_t>(prev));
            const double scaled = static_cast<double>(distance) * scale;
            if (scaled < static_cast<double>(d.hist.size())) d.hist[static_cast<std::size_t>(scaled)] += 1;
            marks.add(static_cast<std::size_t>(prev), -1);
        }
        marks.add(time, 1);
        owner[time] = id;
        last[id] = static_cast<std::int64_t>(time);
        ++time;
        ++requests;
    }
    d.requests = requests;
    d.distinct = last.size();
    return d;
}

Mrc curve(const Distances& d, std::vector<std::uint64_t> sizes, double total, double samplingRate)
{
    std::sort(sizes.begin(), sizes.end());
    sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
    Mrc m;
    m.sampledRequests = d.requests;
    m.distinctKeys = d.distinct;
    m.samplingRate = samplingRate;
    double cumulative = 0;
    std::size_t next = 0;
    for (const std::uint64_t size : sizes) {
        while (next < size && next < d.hist.size()) cumulative += d.hist[next++];
        const double h = total > 0 ? std::clamp(cumulative / total, 0.0, 1.0) : 0.0;
        const double se = samplingRate < 1 && d.requests > 0 ? std::sqrt(h * (1 - h) / static_cast<double>(d.requests)) : 0.0;
        m.points.push_back({size, h, se});
    }
    return m;
}

} // namespace

Mrc exactLruMrc(std::span<const std::uint64_t> keys, std::vector<std::uint64_t> sizes)
{
    if (sizes.empty()) throw std::invalid_argument("no cache sizes given");
    const std::uint64_t maxSize = *std::max_element(sizes.begin(), sizes.end());
    const Distances d = stackDistances(keys, maxSize, 1.0, [](std::uint64_t) { return true; }, keys.size());
    Mrc m = curve(d, std::move(sizes), static_cast<double>(d.requests), 1.0);
    m.requests = keys.size();
    return m;
}

Mrc shardsMrc(std::span<const std::uint64_t> keys, std::vector<std::uint64_t> sizes, double rate)
{
    if (sizes.empty()) throw std::invalid_argument("no cache sizes given");
    if (!(rate > 0 && rate <= 1)) throw std::invalid_argument("the sampling rate must be in (0, 1]");
    constexpr std::uint64_t kModulus = 1u << 24;
    const auto threshold = static_cast<std::uint64_t>(rate * kModulus);
    const double r = static_cast<double>(threshold) / kModulus;
    const std::uint64_t maxSize = *std::max_element(sizes.begin(), sizes.end());
    Distances d = stackDistances(
        keys, maxSize, 1.0 / r, [&](std::uint64_t k) { return (mix64(k) & (kModulus - 1)) < threshold; },
        keys.size());
    // SHARDS-adj: the sample holds more or fewer requests than N·R by chance (a popular key in or out); put the
    // difference on the smallest distance so the curve's total is N·R.
    const double expected = static_cast<double>(keys.size()) * r;
    if (!d.hist.empty()) d.hist[0] = std::max(0.0, d.hist[0] + (expected - static_cast<double>(d.requests)));
    Mrc m = curve(d, std::move(sizes), expected, r);
    m.requests = keys.size();
    return m;
}

} // namespace cachelens::engine::sim
