#pragma once
// The engine's key hash: fast on short keys (the 16–24 byte keys of typical caches), well mixed in all 64 bits,
// because the table takes its shard from bits 40–47, its fingerprint from bits 48–63 and its bucket from the low
// bits. Not a cryptographic hash and not stable across versions or processes: never persist it.
//
// hashBytes(key) is seeded per process (keySeed(), random at first use), so which keys share a probe chain, a shard
// or a frequency-sketch counter differs from one process to the next: keys chosen from outside (user ids, URLs,
// search terms) cannot be picked to flood one probe chain or to pin W-TinyLFU's counters. Every hash of a key in one
// process agrees (the store, the policies, the trace tap, the simulator's replay).
#include <cstdint>
#include <cstring>
#include <string_view>

namespace cachelens::engine {

namespace detail {
inline std::uint64_t load64(const char* p) noexcept
{
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
inline std::uint64_t mix(std::uint64_t a, std::uint64_t b) noexcept
{
    __extension__ using U128 = unsigned __int128;
    const U128 r = static_cast<U128>(a) * b;
    return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}
std::uint64_t freshKeySeed() noexcept; // random_device, time and address-space layout
} // namespace detail

inline std::uint64_t hashBytes(std::string_view s, std::uint64_t seed) noexcept
{
    constexpr std::uint64_t k0 = 0xa0761d6478bd642full, k1 = 0xe7037ed1a0b428dbull, k2 = 0x8ebc6af09c88c6e3ull;
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = seed ^ k0 ^ (n * k2);
    while (n >= 16) {
        h = detail::mix(detail::load64(p) ^ k1, detail::load64(p + 8) ^ h);
        p += 16;
        n -= 16;
    }
    std::uint64_t a = 0, b = 0;
    if (n >= 8) {
        a = detail::load64(p);
        b = detail::load64(p + n - 8);
    } else if (n >= 4) {
        std::uint32_t x, y;
        std::memcpy(&x, p, 4);
        std::memcpy(&y, p + n - 4, 4);
        a = x;
        b = y;
    } else if (n > 0) {
        a = (static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) << 16)
            | (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n >> 1])) << 8)
            | static_cast<unsigned char>(p[n - 1]);
    }
    return detail::mix(detail::mix(a ^ k1, b ^ h) ^ k2, k0 ^ n);
}

// The process's seed: fixed at first use, the same for every cache (and every shared object: a static local of an
// inline function is one object per process).
inline std::uint64_t keySeed() noexcept
{
    static const std::uint64_t seed = detail::freshKeySeed();
    return seed;
}

inline std::uint64_t hashBytes(std::string_view s) noexcept { return hashBytes(s, keySeed()); }

} // namespace cachelens::engine
