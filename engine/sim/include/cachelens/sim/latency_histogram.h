#pragma once
// Latency percentiles in constant memory: log-linear buckets over nanoseconds (16 sub-buckets per power of two,
// so any reported percentile is within 1/16 ≈ 6% of the true value). One writer per histogram; other threads may
// read it at any time (relaxed atomics written by plain load+store, so a record costs what a plain increment does).
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>

namespace cachelens::engine::sim {

class LatencyHistogram {
public:
    static constexpr unsigned kSub = 16, kMajors = 44, kBuckets = kSub * kMajors;

    // weight: how many requests this measurement stands for (sampled timing).
    void record(std::uint64_t ns, std::uint64_t weight = 1) noexcept
    {
        auto& b = buckets_[bucketOf(ns)];
        b.store(b.load(std::memory_order_relaxed) + weight, std::memory_order_relaxed);
    }
    // Adds other's counts into this one (this must be owned by the calling thread or not written concurrently).
    void merge(const LatencyHistogram& other) noexcept
    {
        for (unsigned i = 0; i < kBuckets; ++i)
            buckets_[i].store(buckets_[i].load(std::memory_order_relaxed) + other.buckets_[i].load(std::memory_order_relaxed),
                              std::memory_order_relaxed);
    }
    std::uint64_t count() const noexcept
    {
        std::uint64_t n = 0;
        for (const auto& b : buckets_) n += b.load(std::memory_order_relaxed);
        return n;
    }
    // The q-quantile (0…1) in nanoseconds (the midpoint of its bucket); 0 when empty.
    double quantileNs(double q) const noexcept
    {
        const std::uint64_t n = count();
        if (n == 0) return 0;
        const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(n - 1)) + 1;
        std::uint64_t seen = 0;
        for (unsigned i = 0; i < kBuckets; ++i) {
            seen += buckets_[i].load(std::memory_order_relaxed);
            if (seen >= rank) return (static_cast<double>(lowerBound(i)) + static_cast<double>(lowerBound(i + 1))) / 2;
        }
        return static_cast<double>(lowerBound(kBuckets));
    }
    void clear() noexcept
    {
        for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
    }

private:
    static unsigned bucketOf(std::uint64_t ns) noexcept
    {
        if (ns < kSub) return static_cast<unsigned>(ns);
        const unsigned major = static_cast<unsigned>(std::bit_width(ns)) - 4; // ns in [2^(major+3), 2^(major+4))
        const unsigned sub = static_cast<unsigned>(ns >> (major - 1)) & (kSub - 1);
        const unsigned i = major * kSub + sub;
        return i < kBuckets ? i : kBuckets - 1;
    }
    static std::uint64_t lowerBound(unsigned i) noexcept
    {
        if (i < kSub) return i;
        const unsigned major = i / kSub, sub = i % kSub;
        return (std::uint64_t{kSub} + sub) << (major - 1);
    }
    std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
};

} // namespace cachelens::engine::sim
