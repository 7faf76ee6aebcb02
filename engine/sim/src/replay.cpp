#include <cachelens/sim/replay.h>

#include <chrono>
#include <cstring>
#include <vector>

#include <cachelens/cache.h>

#include "hash.h"
#include "policy/policy.h"
#include "stats_counters.h"

namespace cachelens::engine::sim {

namespace {

// Key id → Entry, open addressing with linear probing and backward-shift deletion (evictions delete on every miss
// once the cache is full, so no tombstones). The home slot comes from the same hash the policy is given.
class ReplayTable {
public:
    struct Slot {
        std::uint64_t id = 0;
        std::uint64_t hash = 0;
        Entry* entry = nullptr; // null: empty
    };
    explicit ReplayTable(std::uint64_t expected)
    {
        std::size_t n = 16;
        while (n < expected * 2 + 2) n <<= 1;
        slots_.assign(n, Slot{});
        mask_ = n - 1;
    }
    ~ReplayTable()
    {
        for (const Slot& s : slots_)
            if (s.entry) Entry::destroy(s.entry);
    }
    ReplayTable(const ReplayTable&) = delete;
    ReplayTable& operator=(const ReplayTable&) = delete;

    Slot* find(std::uint64_t id, std::uint64_t hash) noexcept
    {
        for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
            Slot& s = slots_[i];
            if (!s.entry) return nullptr;
            if (s.id == id) return &s;
        }
    }
    // `id` must be absent.
    void insert(std::uint64_t id, std::uint64_t hash, Entry* e)
    {
        if ((size_ + 1) * 2 > slots_.size()) grow();
        std::size_t i = hash & mask_;
        while (slots_[i].entry) i = (i + 1) & mask_;
        slots_[i] = Slot{id, hash, e};
        ++size_;
    }
    void erase(Slot* hole) noexcept
    {
        std::size_t i = static_cast<std::size_t>(hole - slots_.data());
        // Backward shift: pull later members of the probe run into the hole so lookups never stop early.
        for (std::size_t j = (i + 1) & mask_; slots_[j].entry; j = (j + 1) & mask_) {
            const std::size_t home = slots_[j].hash & mask_;
            if (((j - home) & mask_) >= ((j - i) & mask_)) {
                slots_[i] = slots_[j];
                i = j;
            }
        }
        slots_[i] = Slot{};
        --size_;
    }
    std::size_t size() const noexcept { return size_; }

private:
    void grow()
    {
        std::vector<Slot> old(slots_.size() * 2);
        old.swap(slots_);
        mask_ = slots_.size() - 1;
        for (const Slot& s : old) {
            if (!s.entry) continue;
            std::size_t i = s.hash & mask_;
            while (slots_[i].entry) i = (i + 1) & mask_;
            slots_[i] = s;
        }
    }
    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
    std::size_t size_ = 0;
};

inline void encodeId(std::uint64_t id, char* buf) noexcept
{
    for (int b = 0; b < 8; ++b) buf[b] = static_cast<char>(id >> (8 * b));
}

inline std::uint64_t decodeId(std::string_view key) noexcept
{
    std::uint64_t id = 0;
    for (int b = 0; b < 8; ++b) id |= std::uint64_t{static_cast<unsigned char>(key[static_cast<std::size_t>(b)])} << (8 * b);
    return id;
}

} // namespace

ReplayResult replayTrace(const Trace& trace, PolicyKind policyKind, std::uint64_t capacity, const std::atomic<bool>* cancel)
{
    ReplayResult r;
    r.policy = policyKind;
    r.capacity = capacity;
    // As Store's constructor sets up its one shard's policy.
    const std::size_t bound = static_cast<std::size_t>(capacity);
    auto policy = makePolicy(policyKind, std::max<std::size_t>(16, bound ? bound : std::size_t{1} << 20));
    StatsCounters stats;
    policy->setCapacity(bound);
    policy->setStats(&stats);
    EvictionPolicy& p = *policy;
    const bool exactHits = p.wantsExactHits();
    const std::size_t n = trace.keys.size();
    // The table never holds more keys than the trace has requests, whatever the capacity (a capacity above that is
    // an unbounded cache; sized by it, 10^15 would not fit in memory and 2^62 would overflow the sizing).
    ReplayTable table(bound ? std::min<std::size_t>(bound, n) : 1024);

    const auto t0 = std::chrono::steady_clock::now();
    char buf[8];
    const std::string_view key(buf, 8);
    auto evict = [&] {
        while (bound && table.size() > bound) {
            Entry* v = p.victim();
            if (!v) break;
            const std::string_view vk = v->key();
            table.erase(table.find(decodeId(vk), hashBytes(vk)));
            p.onRemove(v);
            Entry::destroy(v);
        }
    };
    auto insert = [&](std::uint64_t id, std::uint64_t h) {
        Entry* e = Entry::create(key, {});
        table.insert(id, h, e);
        p.onInsert(e, h);
        evict();
    };
    const bool allGets = trace.ops.empty();
    for (std::size_t i = 0; i < n; ++i) {
        if ((i & 65535) == 0 && cancel && cancel->load(std::memory_order_relaxed)) {
            r.cancelled = true;
            break;
        }
        const std::uint64_t id = trace.keys[i];
        encodeId(id, buf);
        const std::uint64_t h = hashBytes(key);
        const TraceRequest op = allGets ? TraceRequest::Get : trace.ops[i];
        ReplayTable::Slot* slot = table.find(id, h);
        ++r.requests;
        if (op == TraceRequest::Get) {
            ++r.gets;
            if (slot) {
                if (exactHits) p.onHitLocked(slot->entry, h);
                else p.onHit(slot->entry, h);
                stats.add(Counter::Hits);
                ++r.hits;
            } else {
                p.onMiss(h);
                stats.add(Counter::Misses);
                insert(id, h);
            }
        } else if (op == TraceRequest::Set) {
            if (slot) {
                Entry* fresh = Entry::create(key, {});
                p.onReplace(slot->entry, fresh, h);
                Entry::destroy(slot->entry);
                slot->entry = fresh;
            } else {
                insert(id, h);
            }
        } else if (slot) {
            Entry* e = slot->entry;
            table.erase(slot);
            p.onRemove(e);
            Entry::destroy(e);
        }
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.hitRatio = r.gets ? static_cast<double>(r.hits) / static_cast<double>(r.gets) : 0;
    return r;
}

ReplayResult replayTraceThroughStore(const Trace& trace, PolicyKind policy, std::uint64_t capacity,
                                     const std::atomic<bool>* cancel)
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
        encodeId(trace.keys[i], buf);
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
