#pragma once
// The simulator's random numbers: xoshiro256** seeded through splitmix64. Fast (a few ns per draw), and the same
// seed gives the same sequence on every platform, which std:: distributions do not promise.
#include <cmath>
#include <cstdint>

namespace cachelens::engine::sim {

inline std::uint64_t splitmix64(std::uint64_t& x) noexcept
{
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// A well-mixed 64-bit function of x (splitmix64's finaliser): SHARDS sampling and value sizes use it.
inline std::uint64_t mix64(std::uint64_t x) noexcept { return splitmix64(x); }

class Rng {
public:
    explicit Rng(std::uint64_t seed) noexcept
    {
        for (auto& w : s_) w = splitmix64(seed);
    }
    std::uint64_t next() noexcept
    {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform in [0, 1).
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    // Uniform in [0, n).
    std::uint64_t below(std::uint64_t n) noexcept
    {
        __extension__ using U128 = unsigned __int128;
        return static_cast<std::uint64_t>((static_cast<U128>(next()) * n) >> 64);
    }
    // Exponentially distributed with the given mean (Poisson inter-arrival times).
    double exponential(double mean) noexcept { return -mean * std::log1p(-uniform()); }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

} // namespace cachelens::engine::sim
