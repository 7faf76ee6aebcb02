#pragma once
// The source of truth behind a simulated cache: one value per key id. connectors/sim/SqliteBacking is the real
// database; MemoryBacking is the same contract without I/O, for engine tests and for measuring the simulator itself.
//
// Values are made by makeValue(key, version): a 4-byte little-endian version, then filler (kValueFiller) up to a size
// drawn from [min, max] by a hash of (key, version). The simulator reads the version back from what the cache returns to
// count stale reads (a read that returned a value older than the key's last write).
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace cachelens::engine::sim {

inline constexpr char kValueFiller = 'v';
std::string makeValue(std::uint64_t key, std::uint32_t version, std::uint32_t minSize, std::uint32_t maxSize);
// The same bytes, written into `out`, which must be empty or hold a value made here (or read back from a Backing):
// its bytes after the version are then already filler, and only its length changes.
void makeValueInto(std::string& out, std::uint64_t key, std::uint32_t version, std::uint32_t minSize, std::uint32_t maxSize);
// The version makeValue() wrote into value (0 for values shorter than 4 bytes).
std::uint32_t valueVersion(std::string_view value) noexcept;

// Thread-safety: read() and write() may be called from several simulator threads at once.
class Backing {
public:
    virtual ~Backing() = default;
    // The value of key, std::nullopt when there is no such row; throws std::runtime_error when the store fails.
    virtual std::optional<std::string> read(std::uint64_t key) = 0;
    // read() into a buffer the caller reuses (no allocation per miss when the store can avoid it): false when
    // there is no such row. The default calls read().
    virtual bool readInto(std::uint64_t key, std::string& out)
    {
        auto v = read(key);
        if (!v) return false;
        out = std::move(*v);
        return true;
    }
    virtual void write(std::uint64_t key, std::uint32_t version, std::string_view value) = 0;
    // A hint that `key` is read soon (the simulator draws keys ahead): a store may start fetching its row.
    virtual void prefetch(std::uint64_t /*key*/) noexcept {}
};

// Every key exists at version 0 until written; only versions are stored, values are rebuilt by makeValue().
class MemoryBacking final : public Backing {
public:
    MemoryBacking(std::uint64_t keys, std::uint32_t minSize, std::uint32_t maxSize);
    std::optional<std::string> read(std::uint64_t key) override;
    bool readInto(std::uint64_t key, std::string& out) override;
    void write(std::uint64_t key, std::uint32_t version, std::string_view value) override;
    void prefetch(std::uint64_t key) noexcept override
    {
        if (key < keys_) __builtin_prefetch(&versions_[key]);
    }

private:
    std::uint64_t keys_;
    std::uint32_t min_, max_;
    std::unique_ptr<std::atomic<std::uint32_t>[]> versions_;
};

} // namespace cachelens::engine::sim
