#include "store.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <limits>
#include <unordered_set>

#include <cachelens/glob.h>
#include "policy/frequency_sketch.h"
#include "table.h"
#include "tag_index.h"

namespace cachelens::engine {

struct alignas(64) Store::Shard {
    // The first line is all a lookup reads: the table's array pointer (and its sizes, which change only when keys
    // come or go), the policy and how it records hits. What every write changes (the mutex, byte counts, gauges,
    // retire list) starts on the next line, so readers of a shard do not lose their copy to each overwrite.
    ShardTable table;
    std::unique_ptr<EvictionPolicy> policy;
    bool exactHits = false;     // policy->wantsExactHits(), read without a virtual call
    const FrequencySketch* sketch = nullptr; // policy->sketch(): prefetched by lookups
    alignas(64) std::mutex mu;
    TagIndex tags;
    RetireList retired;
    std::size_t bytes = 0;
    std::size_t withTtl = 0;      // entries with a deadline: sweeping is skipped while there are none
    std::size_t maxEntries = 0;
    std::size_t maxBytes = 0;
    std::size_t sweepCursor = 0;
    std::uint32_t sweepEvery = 8;     // writes between two sweeps by writers (see sweepAfterWriteLocked)
    std::uint32_t sweepCountdown = 8;
    std::atomic<std::size_t> entriesGauge{0}; // relaxed mirrors for lock-free snapshots
    std::atomic<std::size_t> bytesGauge{0};
    // Per tracked namespace: entries at [2i], bytes at [2i + 1]. Written under mu, read lock-free.
    std::unique_ptr<std::atomic<std::size_t>[]> nsGauges;

    void publishGauges() noexcept
    {
        entriesGauge.store(table.size(), std::memory_order_relaxed);
        bytesGauge.store(bytes, std::memory_order_relaxed);
    }
};

static_assert(sizeof(ShardTable) + sizeof(std::unique_ptr<EvictionPolicy>) + sizeof(void*) + sizeof(bool) <= 64,
              "a lookup reads one line of its shard");

namespace {

// Writes sweep kSweepBatch table slots for expired entries every sweepEvery writes to a shard, sweepEvery between
// kSweepEveryMin (4 slots per write) and kSweepEveryMax (1 slot per 8 writes): see sweepAfterWriteLocked.
constexpr std::size_t kSweepBatch = 32;
constexpr std::uint32_t kSweepEveryMin = 8, kSweepEveryMax = 256;
constexpr std::size_t kRetireBatch = 64;   // retire-list length that triggers a collection attempt
constexpr std::size_t kRetireBytes = 64 * 1024; // …or retired bytes (an old table array after a rehash)

unsigned chooseShards(const StoreOptions& o)
{
    if (o.shards) return std::bit_floor(std::clamp(o.shards, 1u, 256u));
    unsigned n = 32;
    while (n > 1 && ((o.maxEntries && o.maxEntries / n < 512) || (o.maxBytes && o.maxBytes / n < 1024 * 1024))) n /= 2;
    return n;
}

std::string fmtBytes(std::size_t n) { return std::to_string(n) + " bytes"; }

} // namespace

Store::Store(const StoreOptions& options, const Clock& clock, StatsCounters& stats)
    : options_(options), clock_(clock), stats_(stats)
{
    shardCount_ = chooseShards(options);
    shardShift_ = static_cast<unsigned>(std::countr_zero(shardCount_));
    shards_ = std::make_unique<Shard[]>(shardCount_);
    const std::size_t hint = options.maxEntries ? options.maxEntries
        : options.maxBytes                      ? options.maxBytes / 160
                                                : 1u << 20;
    for (unsigned i = 0; i < shardCount_; ++i) {
        Shard& s = shards_[i];
        if (options.maxEntries)
            s.maxEntries = options.maxEntries / shardCount_ + (i < options.maxEntries % shardCount_ ? 1 : 0);
        if (options.maxBytes)
            s.maxBytes = options.maxBytes / shardCount_ + (i < options.maxBytes % shardCount_ ? 1 : 0);
        s.policy = makePolicy(options.policy, std::max<std::size_t>(16, hint / shardCount_), options.tuning);
        s.policy->setCapacity(s.maxEntries);
        s.policy->setStats(&stats);
        s.exactHits = s.policy->wantsExactHits();
        s.sketch = s.policy->sketch();
    }
}

Store::~Store()
{
    for (unsigned i = 0; i < shardCount_; ++i)
        shards_[i].table.clear([](Entry* e) { e->unref(); });
}

Store::Shard& Store::shardFor(std::uint64_t hash) const noexcept
{
    return shards_[(hash >> 40) & (shardCount_ - 1)];
}

void Store::recordHit(Shard& s, Entry* e, std::uint64_t h) noexcept
{
    EvictionPolicy& p = *s.policy;
    if (s.exactHits && s.mu.try_lock()) {
        if (e->queue() != Entry::kDetached) p.onHitLocked(e, h);
        s.mu.unlock();
    } else {
        p.onHit(e, h);
    }
    stats_.add(Counter::Hits);
}

int Store::accessFrequency(std::string_view key) const noexcept
{
    const std::uint64_t h = hashBytes(key);
    return shardFor(h).policy->frequency(h);
}

Entry* Store::findFresh(std::string_view key, std::uint64_t h)
{
    Shard& s = shardFor(h);
    if (s.sketch) s.sketch->prefetch(h);
    Entry* e = s.table.find(key, h);
    if (e) {
        const Nanos exp = e->deadline();
        Nanos now = 0;
        if (exp == 0 || ahead(exp, now)) {
            recordHit(s, e, h);
            return e;
        }
    }
    s.policy->onMiss(h);
    stats_.add(Counter::Misses);
    return nullptr;
}

ValueRef Store::get(std::string_view key)
{
    const std::uint64_t h = hashBytes(key);
    EpochGuard guard;
    Entry* e = findFresh(key, h);
    if (!e) return {};
    e->ref();
    return ValueRef::adopt(e);
}

// wrap()'s lookup. A fresh hit is recorded exactly as get() records it (recordHit), so every policy sees the same
// access history whichever way a caller reads.
ValueRef Store::peek(std::string_view key, bool& stale, bool record)
{
    stale = false;
    const std::uint64_t h = hashBytes(key);
    Shard& s = shardFor(h);
    EpochGuard guard;
    if (record && s.sketch) s.sketch->prefetch(h);
    Entry* e = s.table.find(key, h);
    if (e) {
        const Nanos exp = e->deadline();
        Nanos now = 0;
        if (exp == 0 || ahead(exp, now)) {
            if (record) recordHit(s, e, h);
            e->ref();
            return ValueRef::adopt(e);
        }
        if (!e->deadAt(now)) {
            stale = true;
            if (record) stats_.add(Counter::Misses);
            e->ref();
            return ValueRef::adopt(e);
        }
    }
    if (record) {
        s.policy->onMiss(h);
        stats_.add(Counter::Misses);
    }
    return {};
}

void Store::removeLocked(Shard& s, Entry* e, std::uint64_t hash)
{
    s.table.erase(e, hash);
    s.policy->onRemove(e);
    if (e->has(Entry::kHasTags)) s.tags.remove(e);
    if (e->deadline() != 0) --s.withTtl;
    s.bytes -= e->charge();
    accountLocked(s, e, -1);
    s.retired.retire(e, &Entry::unrefErased);
}

int Store::namespaceOf(std::string_view key) const noexcept
{
    if (!key.starts_with(nsPrefix_)) return -1;
    key.remove_prefix(nsPrefix_.size());
    const std::string_view name = key.substr(0, key.find(':'));
    const auto it = std::lower_bound(nsNames_.begin(), nsNames_.end(), name,
                                     [](const std::string& a, std::string_view b) { return a < b; });
    return it != nsNames_.end() && *it == name ? static_cast<int>(it - nsNames_.begin()) : -1;
}

void Store::accountLocked(Shard& s, const Entry* e, int sign) noexcept
{
    if (nsNames_.empty()) return;
    const int i = namespaceOf(e->key());
    if (i < 0) return;
    auto& entries = s.nsGauges[2 * static_cast<std::size_t>(i)];
    auto& bytes = s.nsGauges[2 * static_cast<std::size_t>(i) + 1];
    if (sign > 0) {
        entries.store(entries.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        bytes.store(bytes.load(std::memory_order_relaxed) + e->charge(), std::memory_order_relaxed);
    } else {
        entries.store(entries.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
        bytes.store(bytes.load(std::memory_order_relaxed) - e->charge(), std::memory_order_relaxed);
    }
}

void Store::trackNamespaces(std::string prefix, std::vector<std::string> names, std::vector<StatsCounters*> counters)
{
    std::vector<std::pair<std::string, StatsCounters*>> byName;
    for (std::size_t i = 0; i < names.size(); ++i)
        byName.emplace_back(std::move(names[i]), i < counters.size() ? counters[i] : nullptr);
    std::sort(byName.begin(), byName.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    byName.erase(std::unique(byName.begin(), byName.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
                 byName.end());
    nsPrefix_ = std::move(prefix);
    nsNames_.clear();
    nsCounters_.clear();
    for (auto& [name, counter] : byName) {
        nsNames_.push_back(std::move(name));
        if (!counters.empty()) nsCounters_.push_back(counter);
    }
    for (unsigned i = 0; i < shardCount_; ++i) {
        std::lock_guard lock(shards_[i].mu);
        shards_[i].nsGauges = std::make_unique<std::atomic<std::size_t>[]>(2 * nsNames_.size());
    }
}

void Store::countNamespace(std::string_view key, Counter c, std::uint64_t n) noexcept
{
    const int i = namespaceOf(key);
    if (i >= 0 && nsCounters_[static_cast<std::size_t>(i)]) nsCounters_[static_cast<std::size_t>(i)]->add(c, n);
}

Store::NamespaceUsage Store::namespaceUsage(std::string_view name) const noexcept
{
    NamespaceUsage u;
    const auto it = std::lower_bound(nsNames_.begin(), nsNames_.end(), name,
                                     [](const std::string& a, std::string_view b) { return a < b; });
    if (it == nsNames_.end() || *it != name) return u;
    const auto i = static_cast<std::size_t>(it - nsNames_.begin());
    for (unsigned k = 0; k < shardCount_; ++k) {
        u.entries += shards_[k].nsGauges[2 * i].load(std::memory_order_relaxed);
        u.bytes += shards_[k].nsGauges[2 * i + 1].load(std::memory_order_relaxed);
    }
    return u;
}

void Store::evictLocked(Shard& s, Nanos now)
{
    for (;;) {
        const bool overEntries = s.maxEntries && s.table.size() > s.maxEntries;
        const bool overBytes = s.maxBytes && s.bytes > s.maxBytes;
        if (!overEntries && !overBytes) break;
        Entry* v = s.policy->victim();
        if (!v) break;
        const Counter cause = v->deadAt(now) ? Counter::Expirations
            : overEntries                    ? Counter::EvictionsCapacity
                                             : Counter::EvictionsMemory;
        count(v->key(), cause); // before removeLocked: the key's bytes stay valid until the retire list frees them
        removeLocked(s, v, hashBytes(v->key()));
    }
}

std::size_t Store::sweepLocked(Shard& s, std::size_t budget, Nanos now)
{
    if (s.withTtl == 0) return 0;
    const std::size_t cap = s.table.capacity();
    std::size_t removed = 0;
    // In batches: the batch's entries are prefetched together before their deadlines are read, so the cache
    // misses overlap instead of coming one after the other. Removing an entry never rehashes, so the batch's other
    // pointers stay valid (and removed entries are only retired). A batch never spans more slots than the table
    // has: going round twice would collect an entry twice.
    constexpr std::size_t kBatch = 32;
    Entry* batch[kBatch];
    while (budget > 0) {
        const std::size_t n = std::min({budget, kBatch, cap});
        budget -= n;
        std::size_t m = 0;
        for (std::size_t k = 0; k < n; ++k) {
            if (s.sweepCursor >= cap) s.sweepCursor = 0;
            if (Entry* e = s.table.slot(s.sweepCursor++)) {
                __builtin_prefetch(e);
                batch[m++] = e;
            }
        }
        for (std::size_t k = 0; k < m; ++k) {
            Entry* e = batch[k];
            if (e->deadAt(now)) {
                if (!nsCounters_.empty()) countNamespace(e->key(), Counter::Expirations, 1);
                removeLocked(s, e, hashBytes(e->key()));
                ++removed;
            }
        }
    }
    if (removed) stats_.add(Counter::Expirations, removed);
    return removed;
}

void Store::sweepAfterWriteLocked(Shard& s, Nanos now)
{
    if (s.withTtl == 0 || --s.sweepCountdown > 0) return;
    // Expiry work per write stays bounded (kSweepBatch slots every sweepEvery writes, at most 4 slots per write on
    // average) and follows what there is to find: a sweep that reclaimed something comes back twice as soon, one
    // that found nothing half as often, down to kSweepBatch slots every kSweepEveryMax writes. The background sweeper
    // and eviction reclaim the rest.
    const std::size_t removed = sweepLocked(s, kSweepBatch, now);
    s.sweepEvery = removed ? std::max(kSweepEveryMin, s.sweepEvery / 2) : std::min(kSweepEveryMax, s.sweepEvery * 2);
    s.sweepCountdown = s.sweepEvery;
}

Status Store::set(std::string_view key, std::string_view value, const EntryOptions& o, ValueRef* stored)
{
    if (key.size() > Entry::kMaxKey) {
        count(key, Counter::Rejected);
        return Error{Errc::KeyTooLarge, "key of " + fmtBytes(key.size()) + " is longer than the limit of "
                                            + fmtBytes(Entry::kMaxKey)};
    }
    if (value.size() > std::numeric_limits<std::uint32_t>::max()) {
        count(key, Counter::Rejected);
        return Error{Errc::ValueTooLarge, "values are limited to 4 GiB"};
    }
    const std::uint64_t h = hashBytes(key);
    Shard& s = shardFor(h);
    const auto graceSec = std::min<std::uint32_t>((o.graceMs + 999) / 1000, Entry::kMaxGraceSec);
    const std::size_t charge = Entry::chargeFor(key.size(), value.size(), o.expireAt != 0 || graceSec != 0);
    if (s.maxBytes && charge > s.maxBytes) {
        count(key, Counter::Rejected);
        return Error{Errc::ValueTooLarge,
                     "entry of " + fmtBytes(charge) + " (key + value + overhead) exceeds the per-shard byte bound of "
                         + fmtBytes(s.maxBytes) + " (maxBytes / " + std::to_string(shardCount_)
                         + " shards); nothing was evicted"};
    }
    std::uint8_t flags = 0;
    if (!o.tags.empty()) flags |= Entry::kHasTags;
    if (o.notFound) flags |= Entry::kNotFound;
    if (o.compressed) flags |= Entry::kCompressed;
    Entry* e = Entry::create(key, value, flags, o.expireAt, graceSec);
    if (stored) {
        e->ref();
        *stored = ValueRef::adopt(e);
    }

    std::lock_guard lock(s.mu);
    const Nanos now = (s.withTtl || o.expireAt) ? clock_.now() : 0;
    Entry* old = nullptr;
    try {
        old = s.table.insertOrReplace(e, h, s.retired);
        if (old) {
            s.policy->onReplace(old, e, h);
            if (old->has(Entry::kHasTags)) s.tags.remove(old);
            if (old->deadline() != 0) --s.withTtl;
            s.bytes -= old->charge();
            accountLocked(s, old, -1);
            s.retired.retire(old, &Entry::unrefErased);
        } else {
            s.policy->onInsert(e, h);
        }
        if (!o.tags.empty()) s.tags.add(e, o.tags);
    } catch (...) {
        // Out of memory half-way: leave the shard consistent (the new entry out) and report it.
        if (s.table.find(key, h) == e) {
            s.table.erase(e, h);
            if (e->queue() != Entry::kDetached) s.policy->onRemove(e);
            s.tags.remove(e);
        }
        s.retired.retire(e, &Entry::unrefErased);
        s.publishGauges();
        throw;
    }
    if (o.expireAt) ++s.withTtl;
    s.bytes += charge;
    accountLocked(s, e, +1);
    count(key, Counter::Sets);
    sweepAfterWriteLocked(s, now);
    evictLocked(s, now);
    if (s.retired.size() >= kRetireBatch || s.retired.pendingBytes() >= kRetireBytes) s.retired.collect();
    s.publishGauges();
    return {};
}

bool Store::del(std::string_view key, Counter cause)
{
    const std::uint64_t h = hashBytes(key);
    Shard& s = shardFor(h);
    std::lock_guard lock(s.mu);
    Entry* e = s.table.find(key, h);
    if (!e) return false;
    const bool live = !e->expiredAt(clock_.now());
    count(key, live ? cause : Counter::Expirations);
    removeLocked(s, e, h);
    if (s.retired.size() >= kRetireBatch || s.retired.pendingBytes() >= kRetireBytes) s.retired.collect();
    s.publishGauges();
    return live;
}

bool Store::exists(std::string_view key)
{
    const std::uint64_t h = hashBytes(key);
    EpochGuard guard;
    Entry* e = shardFor(h).table.find(key, h);
    return e && !e->expiredAt(clock_.now());
}

Nanos Store::ttl(std::string_view key)
{
    const std::uint64_t h = hashBytes(key);
    EpochGuard guard;
    Entry* e = shardFor(h).table.find(key, h);
    if (!e) return -2;
    const Nanos exp = e->deadline();
    if (exp == 0) return -1;
    const Nanos now = clock_.now();
    return now >= exp ? -2 : exp - now;
}

bool Store::expireAt(std::string_view key, Nanos deadline)
{
    const std::uint64_t h = hashBytes(key);
    Shard& s = shardFor(h);
    std::lock_guard lock(s.mu);
    Entry* e = s.table.find(key, h);
    const Nanos now = clock_.now();
    if (!e || e->expiredAt(now)) return false;
    if (deadline <= now) {
        count(key, Counter::Deletes);
        removeLocked(s, e, h);
        s.publishGauges();
        return true;
    }
    if (!e->timed()) {
        // No deadline slot (the entry was stored without a TTL): swap in a timed copy, as an overwrite would.
        Entry* fresh = Entry::create(e->key(), e->value(), e->flags, deadline, 0);
        s.table.insertOrReplace(fresh, h, s.retired); // a replacement: never rehashes, never throws
        s.policy->onReplace(e, fresh, h);
        if (e->has(Entry::kHasTags)) s.tags.moveRecords(e, fresh);
        s.bytes += fresh->charge() - e->charge();
        accountLocked(s, e, -1);
        accountLocked(s, fresh, +1);
        s.retired.retire(e, &Entry::unrefErased);
        ++s.withTtl;
        evictLocked(s, now);
        if (s.retired.size() >= kRetireBatch || s.retired.pendingBytes() >= kRetireBytes) s.retired.collect();
        s.publishGauges();
        return true;
    }
    if (e->deadline() == 0) ++s.withTtl;
    e->setDeadline(deadline);
    return true;
}

bool Store::persist(std::string_view key)
{
    const std::uint64_t h = hashBytes(key);
    Shard& s = shardFor(h);
    std::lock_guard lock(s.mu);
    Entry* e = s.table.find(key, h);
    if (!e || e->expiredAt(clock_.now()) || e->deadline() == 0) return false;
    e->setDeadline(0);
    --s.withTtl;
    return true;
}

Result<std::int64_t> Store::incrBy(std::string_view key, std::int64_t n, Nanos expireAtIfNew)
{
    const std::uint64_t h = hashBytes(key);
    Shard& s = shardFor(h);
    std::int64_t next = n;
    Nanos deadline = expireAtIfNew;
    {
        std::lock_guard lock(s.mu);
        Entry* e = s.table.find(key, h);
        if (e && !e->expiredAt(clock_.now())) {
            const std::string_view v = e->value();
            std::int64_t cur = 0;
            const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), cur);
            if (ec != std::errc{} || ptr != v.data() + v.size() || v.empty() || e->has(Entry::kNotFound))
                return Error{Errc::InvalidArgument, "value is not an integer or out of range"};
            if ((n > 0 && cur > std::numeric_limits<std::int64_t>::max() - n)
                || (n < 0 && cur < std::numeric_limits<std::int64_t>::min() - n))
                return Error{Errc::InvalidArgument, "increment or decrement would overflow"};
            next = cur + n;
            deadline = e->deadline();
        }
        // Still under the lock: a concurrent incrBy on this key waits, so no increment is lost.
        char buf[24];
        const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, next);
        (void)ec;
        Entry* fresh = Entry::create(key, std::string_view(buf, static_cast<std::size_t>(end - buf)), 0, deadline);
        Entry* old = s.table.insertOrReplace(fresh, h, s.retired);
        if (old) {
            s.policy->onReplace(old, fresh, h);
            if (old->has(Entry::kHasTags)) s.tags.remove(old);
            if (old->deadline() != 0) --s.withTtl;
            s.bytes -= old->charge();
            accountLocked(s, old, -1);
            s.retired.retire(old, &Entry::unrefErased);
        } else {
            s.policy->onInsert(fresh, h);
        }
        if (deadline) ++s.withTtl;
        s.bytes += fresh->charge();
        accountLocked(s, fresh, +1);
        count(key, Counter::Sets);
        evictLocked(s, clock_.now());
        if (s.retired.size() >= kRetireBatch || s.retired.pendingBytes() >= kRetireBytes) s.retired.collect();
        s.publishGauges();
    }
    return next;
}

template <class F>
std::uint32_t Store::scanStepLocked(Shard& s, std::uint32_t cursor, F&& onEntry)
{
    // The cursor is a position in the 32-bit hash space that homes keys (ShardTable::home is monotonic in it).
    // A step visits the keys homed in the cursor's slot whose hash position is at or past the cursor (they sit
    // between that slot and the next empty one), and returns the first position of the next slot. The space is
    // walked in order whatever the table's size, so a rehash between steps neither skips nor repeats a key that
    // was present for the whole scan (Redis's dictScan gets the same from reverse-binary cursors).
    const std::size_t cap = s.table.capacity();
    const std::size_t b = ShardTable::home(cursor, cap);
    for (std::size_t i = b;; i = i + 1 == cap ? 0 : i + 1) {
        if (s.table.slotEmpty(i)) break;
        Entry* e = s.table.slot(i);
        if (!e) continue;
        const std::uint64_t h = hashBytes(e->key());
        if (ShardTable::home(h, cap) != b || static_cast<std::uint32_t>(h) < cursor) continue;
        if (onEntry(e)) removeLocked(s, e, h);
    }
    const std::uint64_t next = ((static_cast<std::uint64_t>(b + 1) << 32) + cap - 1) / cap;
    return next > 0xFFFFFFFFu ? 0 : static_cast<std::uint32_t>(next);
}

ScanPage Store::scan(std::uint64_t cursor, std::string_view pattern, std::size_t count)
{
    ScanPage page;
    count = std::max<std::size_t>(count, 1);
    const bool all = pattern.empty() || globMatchesEverything(pattern);
    auto shard = static_cast<unsigned>(cursor >> 32);
    auto v = static_cast<std::uint32_t>(cursor);
    std::size_t budget = count * 10;
    while (shard < shardCount_ && page.keys.size() < count && budget > 0) {
        Shard& s = shards_[shard];
        {
            std::lock_guard lock(s.mu);
            const Nanos now = clock_.now();
            do {
                v = scanStepLocked(s, v, [&](Entry* e) {
                    if (!e->expiredAt(now) && (all || globMatch(pattern, e->key())))
                        page.keys.emplace_back(e->key());
                    return false;
                });
            } while (v != 0 && page.keys.size() < count && --budget > 0);
        }
        if (v == 0) ++shard;
    }
    page.cursor = shard >= shardCount_ ? 0 : (static_cast<std::uint64_t>(shard) << 32 | v);
    return page;
}

std::size_t Store::invalidatePattern(std::string_view pattern)
{
    const bool all = globMatchesEverything(pattern);
    std::size_t removed = 0;
    for (unsigned i = 0; i < shardCount_; ++i) {
        Shard& s = shards_[i];
        std::uint32_t v = 0;
        do {
            // Bounded batches so writers to this shard are never blocked for long.
            std::lock_guard lock(s.mu);
            const Nanos now = clock_.now();
            int steps = 256;
            do {
                v = scanStepLocked(s, v, [&](Entry* e) {
                    if (!all && !globMatch(pattern, e->key())) return false;
                    if (e->expiredAt(now)) count(e->key(), Counter::Expirations);
                    else ++removed, count(e->key(), Counter::InvalidationsPattern);
                    return true;
                });
            } while (v != 0 && --steps > 0);
            if (s.retired.size() >= kRetireBatch || s.retired.pendingBytes() >= kRetireBytes) s.retired.collect();
            s.publishGauges();
        } while (v != 0);
    }
    return removed;
}

std::size_t Store::invalidateTag(const std::string& tag)
{
    std::size_t removed = 0;
    for (unsigned i = 0; i < shardCount_; ++i) {
        Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        const Nanos now = clock_.now();
        for (Entry* e : s.tags.take(tag)) {
            const bool live = !e->expiredAt(now);
            count(e->key(), live ? Counter::InvalidationsTag : Counter::Expirations);
            removeLocked(s, e, hashBytes(e->key()));
            if (live) ++removed;
        }
        if (s.retired.size() >= kRetireBatch || s.retired.pendingBytes() >= kRetireBytes) s.retired.collect();
        s.publishGauges();
    }
    return removed;
}

std::map<std::string, std::size_t> Store::tagCounts() const
{
    std::map<std::string, std::size_t> out;
    for (unsigned i = 0; i < shardCount_; ++i) {
        Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        s.tags.forEachTag([&](const std::string& tag, std::size_t n) { out[tag] += n; });
    }
    return out;
}

std::size_t Store::countTagged(std::span<const std::string> tags) const
{
    std::size_t n = 0;
    for (unsigned i = 0; i < shardCount_; ++i) {
        Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        const Nanos now = clock_.now();
        std::unordered_set<const Entry*> seen;
        for (const std::string& tag : tags) {
            s.tags.forEachEntry(tag, [&](const Entry* e) {
                if (!e->expiredAt(now) && seen.insert(e).second) ++n;
            });
        }
    }
    return n;
}

std::size_t Store::clear()
{
    std::size_t removed = 0;
    for (unsigned i = 0; i < shardCount_; ++i) {
        Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        removed += s.table.size();
        s.table.clear([&](Entry* e) {
            s.policy->onRemove(e);
            accountLocked(s, e, -1);
            s.retired.retire(e, &Entry::unrefErased);
        });
        s.tags.clear();
        s.bytes = 0;
        s.withTtl = 0;
        s.retired.collect();
        s.publishGauges();
    }
    return removed;
}

std::size_t Store::sweep(std::size_t slotBudget)
{
    std::size_t removed = 0;
    const unsigned first = sweepShard_.fetch_add(1, std::memory_order_relaxed);
    for (unsigned k = 0; k < shardCount_ && slotBudget > 0; ++k) {
        Shard& s = shards_[(first + k) & (shardCount_ - 1)];
        std::lock_guard lock(s.mu);
        const std::size_t n = std::min(slotBudget, s.table.capacity());
        slotBudget -= n;
        removed += sweepLocked(s, n, clock_.now());
        s.retired.collect();
        s.publishGauges();
    }
    return removed;
}

std::size_t Store::entries() const noexcept
{
    std::size_t n = 0;
    for (unsigned i = 0; i < shardCount_; ++i) n += shards_[i].entriesGauge.load(std::memory_order_relaxed);
    return n;
}

std::size_t Store::bytes() const noexcept
{
    std::size_t n = 0;
    for (unsigned i = 0; i < shardCount_; ++i) n += shards_[i].bytesGauge.load(std::memory_order_relaxed);
    return n;
}

Store::Audit Store::audit()
{
    Audit a;
    for (unsigned i = 0; i < shardCount_; ++i) {
        Shard& s = shards_[i];
        std::lock_guard lock(s.mu);
        a.entries += s.table.size();
        a.tableSlots += s.table.capacity();
        a.longestProbe = std::max(a.longestProbe, s.table.longestProbe());
        a.bytes += s.bytes;
        a.taggedEntries += s.tags.taggedEntries();
        a.tags += s.tags.tagCount();
        a.retiredPending += s.retired.size();
        a.gaugesMatch = a.gaugesMatch && s.entriesGauge.load(std::memory_order_relaxed) == s.table.size()
            && s.bytesGauge.load(std::memory_order_relaxed) == s.bytes;
    }
    return a;
}

} // namespace cachelens::engine
