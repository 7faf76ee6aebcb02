#pragma once
// Recording a trace from a running engine's access tap (engine/trace_tap.h), for replay, miss-ratio curves and
// `trace` workloads.
//
// The tap keeps (time, key hash, hit|miss|set|delete) records of the engine's own key hashes, so a recording's key
// ids are those hashes: the same key is the same id within one recording (which is all a trace needs), but the key
// names are not known and the ids mean nothing to another CacheLens version. Hits and misses become get requests, and
// the engine's outcome is counted, so a recording knows the live hit ratio of exactly the requests it holds. A set
// that fills a miss of the same key (the cache-aside load of a hand-written get → load → set; wrap() records none)
// is implied by the get when the trace is replayed, so it is left out and counted as a fill; any other set is a
// write. Deletes are deletes.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <unordered_map>

#include <cachelens/sim/trace_file.h>
#include <cachelens/trace_tap.h>

namespace cachelens::engine {
class Cache;
}

namespace cachelens::engine::sim {

class TapTraceBuilder {
public:
    // A set within this long (on the engine's clock) of a miss of its key is that miss's fill.
    static constexpr Nanos kFillWindow = 1'000'000'000;

    // Adds one tap record; false (nothing added) once `limit` requests are held (0 = no limit).
    bool add(const TraceRecord& r, std::uint64_t limit = 0);
    const Trace& trace() const noexcept { return trace_; }
    std::uint64_t requests() const noexcept { return trace_.keys.size(); }
    std::uint64_t hits() const noexcept { return hits_; }
    std::uint64_t misses() const noexcept { return misses_; }
    std::uint64_t fills() const noexcept { return fills_; }
    // The live engine's hit ratio over the recorded gets.
    double liveHitRatio() const noexcept
    {
        return hits_ + misses_ ? static_cast<double>(hits_) / static_cast<double>(hits_ + misses_) : 0;
    }

private:
    Trace trace_;
    std::unordered_map<std::uint64_t, Nanos> missedAt_; // keys whose last get missed, awaiting their fill
    std::uint64_t hits_ = 0, misses_ = 0, fills_ = 0;
    Nanos first_ = -1; // the first recorded request's time: times are seconds after it
};

struct TapRecordOptions {
    std::chrono::milliseconds duration{10'000};
    std::uint64_t maxRequests = 0;                  // 0 = no limit
    const std::atomic<bool>* cancel = nullptr;
    std::chrono::milliseconds pollEvery{10};        // how often the ring is drained (it holds TraceTap::capacity())
    // About every 200 ms, on the recording thread.
    std::function<void(std::uint64_t requests, double seconds)> progress;
    // Called once the tap records (start the traffic here to record all of it), and once the bound is reached,
    // before the last records are read (stop it here to record all of it).
    std::function<void()> started, stopping;
};

struct TapRecordReport {
    std::uint64_t requests = 0;
    std::uint64_t lost = 0;        // records the engine wrote faster than the recorder read them (gaps in the trace)
    double seconds = 0;
    bool cancelled = false, hitLimit = false;
};

// Turns the cache's tap on (every key), reads it until the duration, the request limit or cancel, and turns it off
// again unless it was on before. Blocking: run it off the GUI thread. Other threads drive the cache meanwhile.
void recordTap(Cache& cache, const TapRecordOptions& options, TapTraceBuilder& out, TapRecordReport& report);

} // namespace cachelens::engine::sim
