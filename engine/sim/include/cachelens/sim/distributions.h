#pragma once
// Key popularity for generated workloads: which key id (0…keys-1) the next request touches.
//
// Zipf is the cumulative table the engine bench has always used (binary search, any RNG); the simulator samples
// through an AliasTable built from the same weights, which is O(1) per draw (Vose's alias method), so generating
// keys stays a small part of a simulated request.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include <cachelens/sim/random.h>
#include <cachelens/sim/workload.h>

namespace cachelens::engine::sim {

// Zipf(s) ranks 0…n-1 by inverse CDF (rank 0 most popular).
class Zipf {
public:
    Zipf(std::size_t n, double s) : cdf_(n)
    {
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i) cdf_[i] = (sum += 1.0 / std::pow(static_cast<double>(i + 1), s));
        for (auto& c : cdf_) c /= sum;
    }
    template <class R>
    std::uint32_t operator()(R& rng)
    {
        const double u = std::uniform_real_distribution<double>(0, 1)(rng);
        return static_cast<std::uint32_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
    }
    std::size_t size() const { return cdf_.size(); }

private:
    std::vector<double> cdf_;
};

// A Zipf trace over n keys with ranks scattered over the key space, so popular keys are not neighbours in memory.
std::vector<std::uint32_t> zipfTrace(Zipf& z, std::size_t len, std::uint64_t seed);

// Zipf probabilities p_i ∝ 1/(i+1)^s, normalised.
std::vector<double> zipfWeights(std::size_t n, double s);

// Samples index i with probability weights[i] / sum in O(1) (Vose's alias method). One 64-bit random number per
// draw: u·n's high word picks the cell, its low word (uniform within the cell, to 2^-64 · n) decides between the cell
// and its alias.
class AliasTable {
public:
    explicit AliasTable(const std::vector<double>& weights);
    std::uint64_t operator()(Rng& rng) const noexcept
    {
        std::uint64_t frac;
        const std::uint64_t i = pick(rng, frac);
        const Cell& c = cells_[i]; // one cache line per draw: the threshold and its alias side by side
        return frac < c.threshold ? i : c.alias;
    }
    // n draws at once: all table rows are prefetched before any is read, so their cache misses overlap (a large
    // table's rows are otherwise one memory round trip per draw).
    void draw(Rng& rng, std::uint64_t* out, std::size_t n) const noexcept
    {
        constexpr std::size_t kChunk = 64;
        std::uint64_t frac[kChunk];
        for (std::size_t base = 0; base < n; base += kChunk) {
            const std::size_t m = std::min(kChunk, n - base);
            for (std::size_t j = 0; j < m; ++j) {
                out[base + j] = pick(rng, frac[j]);
                __builtin_prefetch(&cells_[out[base + j]]);
            }
            for (std::size_t j = 0; j < m; ++j) {
                const Cell& c = cells_[out[base + j]];
                if (!(frac[j] < c.threshold)) out[base + j] = c.alias;
            }
        }
    }
    std::size_t size() const noexcept { return cells_.size(); }

private:
    std::uint64_t pick(Rng& rng, std::uint64_t& frac) const noexcept
    {
        __extension__ using U128 = unsigned __int128;
        const U128 m = static_cast<U128>(rng.next()) * cells_.size();
        frac = static_cast<std::uint64_t>(m);
        return static_cast<std::uint64_t>(m >> 64);
    }
    struct Cell {
        std::uint64_t threshold; // keep the cell when the draw's low word is below this (2^64 · its probability)
        std::uint64_t alias;
    };
    std::vector<Cell> cells_;
};

// The next key id of a workload. Not thread-safe: one sampler per simulator thread.
class KeySampler {
public:
    virtual ~KeySampler() = default;
    virtual std::uint64_t next(Rng& rng) = 0;
    // n keys at once (the same distribution; the generator may be used in another order than n × next()).
    virtual void fill(Rng& rng, std::uint64_t* out, std::size_t n)
    {
        for (std::size_t i = 0; i < n; ++i) out[i] = next(rng);
    }
};

// keys: the key space size; trace: the dense key ids of a loaded trace (for DistributionKind::Trace; may be null
// otherwise). `offset` staggers scans and traces between threads.
std::unique_ptr<KeySampler> makeSampler(const DistributionSpec& spec, std::uint64_t keys,
                                        const std::vector<std::uint64_t>* trace, std::uint64_t offset = 0);

} // namespace cachelens::engine::sim
