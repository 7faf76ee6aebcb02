#pragma once
// What this machine can hold. replay, mrc and simulate check the sizes they are given against it before they
// allocate, so a size no machine holds (--capacity 1000000000000000) is refused with the limit instead of ending in
// std::bad_alloc; connectors/sim/SizeLimits says it in a sentence. The costs are what each one allocates per item,
// up front or at most while it runs.
#include <cstdint>

namespace cachelens::engine::sim {

// Physical memory in bytes (sysconf); 0 when the system does not say.
std::uint64_t machineMemoryBytes() noexcept;
// How many items of `bytesEach` fit in it: UINT64_MAX when it is unknown or bytesEach is 0.
std::uint64_t maxItemsInMemory(std::uint64_t bytesEach) noexcept;
// a × b, or UINT64_MAX when that does not fit.
std::uint64_t saturatingMultiply(std::uint64_t a, std::uint64_t b) noexcept;

// One entry of a replayed cache: the entry (its 8-byte key) and its share of the replay's open-addressing table
// (load at most 1/2). replay's capacities and mrc's sizes are cache sizes in entries; one that this machine could
// not hold as a replay is refused (the replay and the curve only hold as many entries as the trace has keys, but a
// size that large is a typo far more often than a question).
inline constexpr std::uint64_t kBytesPerCacheEntry = 128;

} // namespace cachelens::engine::sim
