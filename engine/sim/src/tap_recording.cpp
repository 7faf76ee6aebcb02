#include <cachelens/sim/tap_recording.h>

#include <thread>
#include <vector>

#include <cachelens/cache.h>

namespace cachelens::engine::sim {

namespace {
// Keys missed but never filled (a loader that found nothing, wrap()'s loads which record no set) would otherwise
// accumulate for the whole recording.
constexpr std::size_t kMaxPendingFills = 1u << 20;
} // namespace

bool TapTraceBuilder::add(const TraceRecord& r, std::uint64_t limit)
{
    if (r.op == TraceOp::Set) {
        if (const auto it = missedAt_.find(r.keyHash); it != missedAt_.end()) {
            const bool fill = r.time - it->second <= kFillWindow;
            missedAt_.erase(it);
            if (fill) {
                ++fills_;
                return true;
            }
        }
    }
    if (limit && trace_.keys.size() >= limit) return false;
    TraceRequest op = TraceRequest::Get;
    switch (r.op) {
    case TraceOp::Hit:
        ++hits_;
        missedAt_.erase(r.keyHash);
        break;
    case TraceOp::Miss:
        ++misses_;
        if (missedAt_.size() >= kMaxPendingFills) missedAt_.clear();
        missedAt_[r.keyHash] = r.time;
        break;
    case TraceOp::Set: op = TraceRequest::Set; break;
    case TraceOp::Delete:
        op = TraceRequest::Del;
        missedAt_.erase(r.keyHash);
        break;
    }
    if (first_ < 0) first_ = r.time;
    trace_.keys.push_back(r.keyHash);
    trace_.ops.push_back(op);
    trace_.times.push_back(static_cast<double>(r.time - first_) / 1e9);
    return true;
}

void recordTap(Cache& cache, const TapRecordOptions& o, TapTraceBuilder& out, TapRecordReport& report)
{
    using Clock = std::chrono::steady_clock;
    TraceTap& tap = cache.traceTap();
    const bool wasOn = tap.enabled();
    std::uint64_t cursor = tap.head();
    if (!wasOn) cache.setTraceEnabled(true, 1);
    if (o.started) o.started();
    const auto t0 = Clock::now();
    auto lastProgress = t0;
    std::vector<TraceRecord> batch;
    batch.reserve(tap.capacity());
    bool stopping = false;
    for (;;) {
        if (!stopping) {
            report.cancelled = o.cancel && o.cancel->load(std::memory_order_relaxed);
            stopping = report.cancelled || Clock::now() - t0 >= o.duration;
            if (stopping && o.stopping) o.stopping();
        }
        batch.clear();
        report.lost += tap.read(cursor, batch);
        for (const TraceRecord& r : batch) {
            if (!out.add(r, o.maxRequests)) {
                report.hitLimit = true;
                break;
            }
        }
        if (report.hitLimit && !stopping) {
            stopping = true;
            if (o.stopping) o.stopping();
        }
        if (stopping) break;
        if (o.progress && Clock::now() - lastProgress >= std::chrono::milliseconds(200)) {
            lastProgress = Clock::now();
            o.progress(out.requests(), std::chrono::duration<double>(lastProgress - t0).count());
        }
        std::this_thread::sleep_for(o.pollEvery);
    }
    if (!wasOn) cache.setTraceEnabled(false);
    report.requests = out.requests();
    report.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
}

} // namespace cachelens::engine::sim
