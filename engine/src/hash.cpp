#include "hash.h"

#include <chrono>
#include <random>

namespace cachelens::engine::detail {

std::uint64_t freshKeySeed() noexcept
{
    std::uint64_t seed = 0;
    try {
        std::random_device device; // the system's entropy source
        seed = (static_cast<std::uint64_t>(device()) << 32) ^ device();
    } catch (...) {
        // No entropy source: time and addresses below still differ between processes.
    }
    const auto now = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    seed ^= mix(now, 0x9E3779B97F4A7C15ull) ^ mix(reinterpret_cast<std::uintptr_t>(&seed), 0xC2B2AE3D27D4EB4Full);
    return seed;
}

} // namespace cachelens::engine::detail
