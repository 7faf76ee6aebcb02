#include "engine/sim/replay.h"

#include <chrono>

#include "engine/cache.h"

namespace cachelens::engine::sim {

ReplayResult replayTrace(const Trace& trace, PolicyKind policy, std::uint64_t capacity, const std::atomic<bool>* cancel)
{
    CacheOptions o;
    o.maxEntries = capacity;
    o.maxBytes = 0;
    o.policy = policy;
    o.shards = 1;
    o.backgroundThread = false;
    Cache cache(o);
    ReplayResult r;
    r.policy = policy;
    r.capacity = capacity;
    const auto t0 = std::chrono::steady_clock::now();
    char buf[8];
    const std::string_view key(buf, 8);
    const std::string_view value("v", 1);
    const std::size_t n = trace.keys.size();
    for (std::size_t i = 0; i < n; ++i) {
        if ((i & 65535) == 0 && cancel && cancel->load(std::memory_order_relaxed)) {
            r.cancelled = true;
            break;
        }
        const std::uint64_t k = trace.keys[i];
        for (int b = 0; b < 8; ++b) buf[b] = static_cast<char>(k >> (8 * b));
        switch (trace.op(i)) {
        case TraceRequest::Get:
            ++r.gets;
            if (cache.read(key, [](std::string_view) {})) ++r.hits;
            else (void)cache.set(key, value);
            break;
        case TraceRequest::Set: (void)cache.set(key, value); break;
        case TraceRequest::Del: (void)cache.del(key); break;
        }
        ++r.requests;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.hitRatio = r.gets ? static_cast<double>(r.hits) / static_cast<double>(r.gets) : 0;
    return r;
}

} // namespace cachelens::engine::sim
