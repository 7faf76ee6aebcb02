#include <cachelens/sim/size_limit.h>

#include <limits>

#include <unistd.h>

namespace cachelens::engine::sim {

std::uint64_t machineMemoryBytes() noexcept
{
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long pageSize = ::sysconf(_SC_PAGESIZE);
    if (pages <= 0 || pageSize <= 0) return 0;
    return saturatingMultiply(static_cast<std::uint64_t>(pages), static_cast<std::uint64_t>(pageSize));
}

std::uint64_t maxItemsInMemory(std::uint64_t bytesEach) noexcept
{
    const std::uint64_t memory = machineMemoryBytes();
    if (memory == 0 || bytesEach == 0) return std::numeric_limits<std::uint64_t>::max();
    return memory / bytesEach;
}

std::uint64_t saturatingMultiply(std::uint64_t a, std::uint64_t b) noexcept
{
    std::uint64_t product = 0;
    return __builtin_mul_overflow(a, b, &product) ? std::numeric_limits<std::uint64_t>::max() : product;
}

} // namespace cachelens::engine::sim
