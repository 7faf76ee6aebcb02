#pragma once
// Access-trace tap: an optional ring buffer of (time, key hash, operation) that the GUI and the simulator read
// (to replay a real workload or draw a miss-ratio curve).
//
// Off by default, and then it costs one relaxed load and a predictable branch per operation. When on, keys are
// sampled by hash (a key is either always or never recorded, as SHARDS-style sampling needs for reuse distances),
// and a record is one fetch_add plus a few relaxed stores. Writers never wait: when readers fall behind, the oldest
// records are overwritten and reported as dropped.
//
// Concurrency: record() from any thread; read() from any thread (each reader keeps its own cursor). Each slot has a
// sequence number written last (release), so a reader never returns a half-written or overwritten record.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include <cachelens/clock.h>

namespace cachelens::engine {

enum class TraceOp : std::uint8_t { Hit, Miss, Set, Delete };

struct TraceRecord {
    Nanos time;
    std::uint64_t keyHash;
    TraceOp op;
};

class TraceTap {
public:
    explicit TraceTap(std::size_t capacity = 1 << 16);
    // Record keys whose hash falls in 1 of every `sampleEvery` buckets (1 = every key); 0 turns the tap off.
    void enable(std::uint32_t sampleEvery = 1) noexcept;
    void disable() noexcept { sampleEvery_.store(0, std::memory_order_relaxed); }
    bool enabled() const noexcept { return sampleEvery_.load(std::memory_order_relaxed) != 0; }

    void record(Nanos time, std::uint64_t keyHash, TraceOp op) noexcept;

    // Appends the records written since `cursor` (start with 0, or head() to skip what was recorded before) and
    // advances it. Returns how many records were lost because the ring wrapped before this reader got to them.
    std::uint64_t read(std::uint64_t& cursor, std::vector<TraceRecord>& out) const;
    // The cursor of the next record to be written: a reader starting here sees only what comes after this call.
    std::uint64_t head() const noexcept { return next_.load(std::memory_order_acquire); }
    std::size_t capacity() const noexcept { return mask_ + 1; }

private:
    struct Slot {
        std::atomic<std::uint64_t> seq{0}; // 2·i+2 once record i is complete; odd while being written
        std::atomic<Nanos> time{0};
        std::atomic<std::uint64_t> hash{0};
        std::atomic<std::uint8_t> op{0};
    };
    std::unique_ptr<Slot[]> slots_;
    std::size_t mask_;
    std::atomic<std::uint64_t> next_{0};
    std::atomic<std::uint32_t> sampleEvery_{0};
};

} // namespace cachelens::engine
