#include <cachelens/sim/backing.h>

#include <cachelens/sim/random.h>

#include <algorithm>
#include <cstring>

namespace cachelens::engine::sim {

void makeValueInto(std::string& v, std::uint64_t key, std::uint32_t version, std::uint32_t minSize, std::uint32_t maxSize)
{
    const std::uint32_t lo = std::max<std::uint32_t>(4, minSize), hi = std::max(lo, maxSize);
    const std::uint64_t h = mix64(key * 0x9e3779b97f4a7c15ull + version);
    const std::size_t size = lo + static_cast<std::size_t>(h % (hi - lo + 1));
    // Every value is the version then filler, so a buffer that held one only needs its length adjusted (and the
    // version written): no rewrite of hundreds of filler bytes per miss.
    if (v.size() < 4) v.assign(4, '\0');
    if (v.size() > size) v.resize(size);
    else v.append(size - v.size(), kValueFiller);
    const unsigned char b[4] = {static_cast<unsigned char>(version), static_cast<unsigned char>(version >> 8),
                                static_cast<unsigned char>(version >> 16), static_cast<unsigned char>(version >> 24)};
    std::memcpy(v.data(), b, 4);
}

std::string makeValue(std::uint64_t key, std::uint32_t version, std::uint32_t minSize, std::uint32_t maxSize)
{
    std::string v;
    makeValueInto(v, key, version, minSize, maxSize);
    return v;
}

std::uint32_t valueVersion(std::string_view value) noexcept
{
    if (value.size() < 4) return 0;
    const auto* p = reinterpret_cast<const unsigned char*>(value.data());
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

MemoryBacking::MemoryBacking(std::uint64_t keys, std::uint32_t minSize, std::uint32_t maxSize)
    : keys_(keys), min_(minSize), max_(maxSize), versions_(new std::atomic<std::uint32_t>[keys])
{
    for (std::uint64_t i = 0; i < keys; ++i) versions_[i].store(0, std::memory_order_relaxed);
}

std::optional<std::string> MemoryBacking::read(std::uint64_t key)
{
    if (key >= keys_) return std::nullopt;
    return makeValue(key, versions_[key].load(std::memory_order_acquire), min_, max_);
}

bool MemoryBacking::readInto(std::uint64_t key, std::string& out)
{
    if (key >= keys_) return false;
    makeValueInto(out, key, versions_[key].load(std::memory_order_acquire), min_, max_);
    return true;
}

void MemoryBacking::write(std::uint64_t key, std::uint32_t version, std::string_view)
{
    if (key < keys_) versions_[key].store(version, std::memory_order_release);
}

} // namespace cachelens::engine::sim
