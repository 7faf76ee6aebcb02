#include <cachelens/sim/distributions.h>

#include <numeric>
#include <stdexcept>
#include <string_view>

namespace cachelens::engine::sim {

namespace {
constexpr std::pair<DistributionKind, const char*> kDistributionNames[] = {
    {DistributionKind::Uniform, "uniform"}, {DistributionKind::Zipf, "zipf"},   {DistributionKind::Hotspot, "hotspot"},
    {DistributionKind::Scan, "scan"},       {DistributionKind::Mixed, "mixed"}, {DistributionKind::Trace, "trace"},
};
constexpr std::pair<WriteMode, const char*> kWriteModeNames[] = {
    {WriteMode::Invalidate, "invalidate"}, {WriteMode::Update, "update"}, {WriteMode::TtlOnly, "ttl"}};
} // namespace

const char* distributionName(DistributionKind kind) noexcept
{
    for (const auto& [k, n] : kDistributionNames)
        if (k == kind) return n;
    return "?";
}
bool parseDistribution(std::string_view name, DistributionKind& out) noexcept
{
    for (const auto& [k, n] : kDistributionNames)
        if (name == n) {
            out = k;
            return true;
        }
    return false;
}
const char* writeModeName(WriteMode mode) noexcept
{
    for (const auto& [k, n] : kWriteModeNames)
        if (k == mode) return n;
    return "?";
}
bool parseWriteMode(std::string_view name, WriteMode& out) noexcept
{
    for (const auto& [k, n] : kWriteModeNames)
        if (name == n) {
            out = k;
            return true;
        }
    if (name == "ttl-only" || name == "none") {
        out = WriteMode::TtlOnly;
        return true;
    }
    return false;
}

std::vector<std::uint32_t> zipfTrace(Zipf& z, std::size_t len, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<std::uint32_t> t(len);
    const std::uint64_t n = z.size();
    for (auto& x : t) x = static_cast<std::uint32_t>((static_cast<std::uint64_t>(z(rng)) * 2654435761ull) % n);
    return t;
}

std::vector<double> zipfWeights(std::size_t n, double s)
{
    std::vector<double> w(n);
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += (w[i] = 1.0 / std::pow(static_cast<double>(i + 1), s));
    for (auto& x : w) x /= sum;
    return w;
}

AliasTable::AliasTable(const std::vector<double>& weights) : cells_(weights.size())
{
    const std::size_t n = weights.size();
    if (n == 0) throw std::invalid_argument("alias table over no weights");
    const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
    std::vector<double> scaled(n);
    std::vector<std::uint32_t> small, large;
    for (std::size_t i = 0; i < n; ++i) {
        scaled[i] = weights[i] * static_cast<double>(n) / total;
        (scaled[i] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(i));
    }
    // Probability p of keeping a cell, as a 64-bit threshold (p = 1: always keep).
    auto threshold = [](double p) {
        return p >= 1.0 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(std::ldexp(std::max(p, 0.0), 64));
    };
    while (!small.empty() && !large.empty()) {
        const std::uint32_t s = small.back(), l = large.back();
        small.pop_back();
        cells_[s] = {threshold(scaled[s]), l};
        scaled[l] = (scaled[l] + scaled[s]) - 1.0;
        if (scaled[l] < 1.0) {
            large.pop_back();
            small.push_back(l);
        }
    }
    for (auto i : large) cells_[i] = {threshold(1.0), i};
    for (auto i : small) cells_[i] = {threshold(1.0), i}; // rounding leftovers
}

namespace {

// Popularity rank → key id: a fixed permutation-like scatter so hot keys are spread over the key space (and over
// the cache's shards), as the bench's traces do.
inline std::uint64_t scatter(std::uint64_t rank, std::uint64_t keys) noexcept
{
    // 2654435761 is odd and, for key spaces not divisible by it, coprime with them: a bijection on 0…keys-1.
    // Below 2^32 the product fits 64 bits: a plain modulo instead of a 128-bit one (a library call), same value.
    if (rank < (std::uint64_t{1} << 32)) return rank * 2654435761ull % keys;
    __extension__ using U128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<U128>(rank) * 2654435761ull) % keys);
}

class UniformSampler final : public KeySampler {
public:
    explicit UniformSampler(std::uint64_t keys) : keys_(keys) {}
    std::uint64_t next(Rng& rng) override { return rng.below(keys_); }

private:
    std::uint64_t keys_;
};

class ZipfSampler final : public KeySampler {
public:
    ZipfSampler(std::uint64_t keys, double s) : table_(scatteredWeights(keys, s)) {}
    // Keys are drawn kBatch at a time (AliasTable::draw): the same distribution, a fixed order for a given seed.
    std::uint64_t next(Rng& rng) override
    {
        if (pos_ == kBatch) {
            table_.draw(rng, batch_, kBatch);
            pos_ = 0;
        }
        return batch_[pos_++];
    }
    void fill(Rng& rng, std::uint64_t* out, std::size_t n) override { table_.draw(rng, out, n); }

private:
    // Rank r's weight at key scatter(r): the table draws key ids directly, with no modulo per draw.
    static std::vector<double> scatteredWeights(std::uint64_t keys, double s)
    {
        const std::vector<double> byRank = zipfWeights(keys, s);
        std::vector<double> byKey(keys, 0.0);
        for (std::uint64_t r = 0; r < keys; ++r) byKey[scatter(r, keys)] += byRank[r];
        return byKey;
    }
    static constexpr std::size_t kBatch = 32;
    AliasTable table_;
    std::uint64_t batch_[kBatch] = {};
    std::size_t pos_ = kBatch;
};

class HotspotSampler final : public KeySampler {
public:
    HotspotSampler(std::uint64_t keys, double hotKeys, double hotTraffic)
        : keys_(keys), hot_(std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::llround(hotKeys * static_cast<double>(keys))), 1, keys)),
          hotTraffic_(hotTraffic)
    {
    }
    std::uint64_t next(Rng& rng) override
    {
        const std::uint64_t rank = (rng.uniform() < hotTraffic_ || hot_ == keys_) ? rng.below(hot_) : hot_ + rng.below(keys_ - hot_);
        return scatter(rank, keys_);
    }

private:
    std::uint64_t keys_, hot_;
    double hotTraffic_;
};

class ScanSampler final : public KeySampler {
public:
    ScanSampler(std::uint64_t length, std::uint64_t offset) : length_(length), i_(offset % length) {}
    std::uint64_t next(Rng&) override
    {
        const std::uint64_t k = i_;
        if (++i_ == length_) i_ = 0;
        return k;
    }

private:
    std::uint64_t length_, i_;
};

class TraceSampler final : public KeySampler {
public:
    TraceSampler(const std::vector<std::uint64_t>& trace, std::uint64_t offset) : trace_(trace), i_(offset % trace.size()) {}
    std::uint64_t next(Rng&) override
    {
        const std::uint64_t k = trace_[i_];
        if (++i_ == trace_.size()) i_ = 0;
        return k;
    }

private:
    const std::vector<std::uint64_t>& trace_;
    std::size_t i_;
};

class OffsetSampler final : public KeySampler {
public:
    OffsetSampler(std::unique_ptr<KeySampler> inner, std::uint64_t base) : inner_(std::move(inner)), base_(base) {}
    std::uint64_t next(Rng& rng) override { return base_ + inner_->next(rng); }

private:
    std::unique_ptr<KeySampler> inner_;
    std::uint64_t base_;
};

class MixedSampler final : public KeySampler {
public:
    MixedSampler(std::vector<std::unique_ptr<KeySampler>> parts, const std::vector<double>& weights)
        : parts_(std::move(parts)), pick_(weights)
    {
    }
    std::uint64_t next(Rng& rng) override { return parts_[pick_(rng)]->next(rng); }

private:
    std::vector<std::unique_ptr<KeySampler>> parts_;
    AliasTable pick_;
};

} // namespace

std::unique_ptr<KeySampler> makeSampler(const DistributionSpec& spec, std::uint64_t keys,
                                        const std::vector<std::uint64_t>* trace, std::uint64_t offset)
{
    if (keys == 0) throw std::invalid_argument("the workload has no keys");
    switch (spec.kind) {
    case DistributionKind::Uniform: return std::make_unique<UniformSampler>(keys);
    case DistributionKind::Zipf:
        if (!(spec.s >= 0)) throw std::invalid_argument("zipf needs s >= 0");
        return std::make_unique<ZipfSampler>(keys, spec.s);
    case DistributionKind::Hotspot:
        if (!(spec.hotKeys > 0 && spec.hotKeys <= 1 && spec.hotTraffic >= 0 && spec.hotTraffic <= 1))
            throw std::invalid_argument("hotspot needs 0 < hotKeys <= 1 and 0 <= hotTraffic <= 1");
        return std::make_unique<HotspotSampler>(keys, spec.hotKeys, spec.hotTraffic);
    case DistributionKind::Scan:
        return std::make_unique<ScanSampler>(spec.scanLength ? std::min(spec.scanLength, keys) : keys, offset);
    case DistributionKind::Trace:
        if (!trace || trace->empty()) throw std::invalid_argument("trace distribution without a loaded trace");
        return std::make_unique<TraceSampler>(*trace, offset);
    case DistributionKind::Mixed: {
        if (spec.parts.empty()) throw std::invalid_argument("mixed distribution needs parts");
        std::vector<std::unique_ptr<KeySampler>> parts;
        std::vector<double> weights;
        const bool ranges = spec.parts.front().keys > 0;
        std::uint64_t base = 0;
        for (const auto& p : spec.parts) {
            if (!(p.weight > 0)) throw std::invalid_argument("mixed distribution parts need a positive weight");
            if ((p.keys > 0) != ranges)
                throw std::invalid_argument("in a mixed distribution either every part has its own keys or none has");
            if (ranges) {
                parts.push_back(std::make_unique<OffsetSampler>(makeSampler(p, p.keys, trace, offset), base));
                base += p.keys;
            } else {
                parts.push_back(makeSampler(p, keys, trace, offset));
            }
            weights.push_back(p.weight);
        }
        if (ranges && base > keys) throw std::invalid_argument("the parts' keys add up to more than the workload's keys");
        return std::make_unique<MixedSampler>(std::move(parts), weights);
    }
    }
    throw std::invalid_argument("unknown distribution");
}

} // namespace cachelens::engine::sim
