#include <cachelens/sim/opt.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

#include <cachelens/sim/id_map.h>
#include <cachelens/sim/size_limit.h>

namespace cachelens::engine::sim {

namespace {

constexpr std::uint32_t kNever = 0xffffffffu;

// Ids below this bound index a plain array in the first pass (text traces are numbered 0…distinct-1); larger ones
// go through an IdMap.
std::uint64_t denseBound(const Trace& trace) noexcept
{
    std::uint64_t top = 0;
    for (const std::uint64_t k : trace.keys) top = std::max(top, k);
    return trace.keys.empty() ? 0 : top + 1;
}

bool isDense(std::uint64_t bound, std::size_t requests) noexcept { return bound <= requests + 1024; }

// An IdMap's slots (16 bytes, at most half full, so up to 4 per key, and 6 while it grows) and its key's 4-byte last
// position in a vector that may double.
constexpr std::uint64_t kSparseBytesPerKey = 6 * 16 + 8;

// The heap of one capacity's replay: fixed at twice the held keys plus slack, swept when full.
std::size_t heapCapacity(std::uint64_t capacity, std::size_t requests) noexcept
{
    return static_cast<std::size_t>(std::min<std::uint64_t>(capacity, requests)) * 2 + 64;
}

double since(std::chrono::steady_clock::time_point t0)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

} // namespace

std::uint64_t optMemoryBytes(const Trace& trace, std::uint64_t capacity) noexcept
{
    const std::uint64_t n = trace.keys.size();
    const std::uint64_t bound = denseBound(trace);
    const std::uint64_t firstPass = isDense(bound, trace.keys.size()) ? saturatingMultiply(bound, 8)
                                                                      : saturatingMultiply(n, kSparseBytesPerKey);
    const std::uint64_t replay = n / 8 + 8 + saturatingMultiply(heapCapacity(capacity, trace.keys.size()), 4);
    const std::uint64_t nextUses = saturatingMultiply(n, 4), extra = std::max(firstPass, replay);
    return extra > ~std::uint64_t{0} - nextUses ? ~std::uint64_t{0} : nextUses + extra;
}

BeladyOptimum::BeladyOptimum(const Trace& trace, const std::atomic<bool>* cancel)
{
    const std::size_t n = trace.keys.size();
    if (n > kOptMaxRequests) throw std::length_error("trace too long for OPT's 32-bit positions");
    const auto t0 = std::chrono::steady_clock::now();
    nextUse_.assign(n, kNever);
    const bool allGets = trace.ops.empty();
    // Walking backwards, last[key] is the position of the key's next request and `nextIsGet` whether it is a Get.
    auto pass = [&](auto&& slotOf) {
        for (std::size_t i = n; i-- > 0;) {
            if ((i & 65535) == 0 && cancel && cancel->load(std::memory_order_relaxed)) {
                cancelled_ = true;
                return;
            }
            std::uint32_t& next = slotOf(trace.keys[i]);
            const TraceRequest op = allGets ? TraceRequest::Get : trace.ops[i];
            if (op == TraceRequest::Get) ++gets_;
            // Only a Get after this request can hit what this request leaves in the cache; a Del ends the key and
            // leaves nothing to keep.
            if (op != TraceRequest::Del && next != kNever && (allGets || trace.ops[next] == TraceRequest::Get))
                nextUse_[i] = next;
            next = static_cast<std::uint32_t>(i);
        }
    };
    const std::uint64_t bound = denseBound(trace);
    if (isDense(bound, n)) {
        std::vector<std::uint32_t> last(static_cast<std::size_t>(bound), kNever);
        pass([&](std::uint64_t k) -> std::uint32_t& { return last[static_cast<std::size_t>(k)]; });
    } else {
        IdMap ids;
        std::vector<std::uint32_t> last;
        pass([&](std::uint64_t k) -> std::uint32_t& {
            const std::uint32_t id = ids.idOf(k);
            if (id == last.size()) last.push_back(kNever);
            return last[id];
        });
    }
    firstPassSeconds_ = since(t0);
}

OptResult BeladyOptimum::run(std::uint64_t capacity, const std::atomic<bool>* cancel) const
{
    OptResult r;
    r.capacity = capacity;
    r.gets = gets_;
    r.cancelled = cancelled_;
    if (cancelled_) return r;
    const auto t0 = std::chrono::steady_clock::now();
    const std::size_t n = nextUse_.size();
    // held[j]: the key requested at j is in the cache, kept there for that request.
    std::vector<std::uint64_t> held((n + 63) / 64, 0);
    auto isHeld = [&](std::size_t j) { return (held[j >> 6] >> (j & 63)) & 1u; };
    auto setHeld = [&](std::size_t j, bool on) {
        if (on) held[j >> 6] |= std::uint64_t{1} << (j & 63);
        else held[j >> 6] &= ~(std::uint64_t{1} << (j & 63));
    };
    // Max-heap of the held keys' next-use positions, plus stale ones (positions already reached) that only the
    // sweep removes: a live position is always ahead of the current request, so a stale one is never on top while
    // any key is held.
    std::vector<std::uint32_t> heap;
    heap.reserve(heapCapacity(capacity, n));
    std::uint64_t count = 0; // keys held
    auto push = [&](std::uint32_t next, std::size_t now) {
        if (heap.size() == heap.capacity()) {
            std::erase_if(heap, [now](std::uint32_t p) { return p <= now; });
            std::make_heap(heap.begin(), heap.end());
        }
        heap.push_back(next);
        std::push_heap(heap.begin(), heap.end());
        setHeld(next, true);
    };
    std::uint64_t hits = 0;
    std::size_t i = 0;
    for (; i < n; ++i) {
        if ((i & 65535) == 0 && cancel && cancel->load(std::memory_order_relaxed)) {
            r.cancelled = true;
            break;
        }
        const std::uint32_t next = nextUse_[i];
        // Only Gets are ever held for (next uses point at Gets), so a held position is a hit.
        if (isHeld(i)) {
            ++hits;
            if (next != kNever) push(next, i);
            else --count;
            continue;
        }
        // A miss (or a Set): store the key if it is needed sooner than the farthest-needed resident.
        if (next == kNever || capacity == 0) continue;
        if (count < capacity) {
            push(next, i);
            ++count;
        } else if (heap.front() > next) {
            setHeld(heap.front(), false);
            std::pop_heap(heap.begin(), heap.end());
            heap.pop_back();
            push(next, i);
        }
    }
    r.requests = i;
    r.hits = hits;
    r.seconds = since(t0);
    r.hitRatio = r.gets ? static_cast<double>(hits) / static_cast<double>(r.gets) : 0;
    return r;
}

OptResult optimalReplay(const Trace& trace, std::uint64_t capacity, const std::atomic<bool>* cancel)
{
    const auto t0 = std::chrono::steady_clock::now();
    const BeladyOptimum opt(trace, cancel);
    OptResult r = opt.run(capacity, cancel);
    r.seconds = since(t0);
    return r;
}

} // namespace cachelens::engine::sim
