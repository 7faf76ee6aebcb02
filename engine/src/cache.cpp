#include <cachelens/cache.h>

#include "cache_internals.h"
#include "compression.h"
#include "hash.h"
#include "provider.h"
#include "single_flight.h"
#include "stats_counters.h"
#include "store.h"
#include "task_queue.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>

namespace cachelens::engine {

namespace {

Nanos ms(milliseconds d) { return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); }

// A value handed to callers without being cached (caching disabled, cacheIf said no, entry too large).
ValueRef detached(std::string_view key, std::string_view value, bool notFound)
{
    return ValueRef::adopt(Entry::create(key.substr(0, std::min(key.size(), Entry::kMaxKey)), value,
                                         notFound ? Entry::kNotFound : 0));
}

// The key of this thread's last read()/get() when it missed, so that the cache-aside idiom "read(); on a miss,
// wrap()" counts as the one access it is (see Cache::wrap). Cleared by the thread's next lookup (read, get, wrap)
// and by its writes (set, del, invalidate…, expire, persist, incrBy, clear).
struct LastMiss {
    const void* cache = nullptr;
    std::uint64_t hash = 0;
};
constinit thread_local LastMiss t_lastMiss;

std::string globEscaped(std::string_view literal)
{
    std::string p;
    for (char c : literal) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') p += '\\';
        p += c;
    }
    return p;
}

} // namespace

// The state of a Cache and the helpers of its operations, all inline here so that the public member functions below
// compile to what they did before the state moved behind a pointer.
struct Cache::Impl {
    explicit Impl(CacheOptions o)
        : options(std::move(o)),
          clock(options.clock ? options.clock : &SteadyClock::instance()),
          enabled(options.enabled),
          tasks(options.backgroundThread, options.sweepInterval, [this] { sweepTick(); })
    {
        auto p = makeProvider(options.provider, ProviderContext{options, *clock, stats});
        if (!p.ok()) throw std::invalid_argument(p.error().message);
        provider = std::move(p.value());
        memory = dynamic_cast<Store*>(provider.get());
        for (const auto& [name, ns] : options.namespaces) namespaceStats.emplace(name, std::make_unique<StatsCounters>());
        if (memory && !options.namespaces.empty()) {
            std::vector<std::string> names;
            std::vector<StatsCounters*> counters;
            for (const auto& [name, counter] : namespaceStats) {
                names.push_back(name);
                counters.push_back(counter.get());
            }
            memory->trackNamespaces(options.keyPrefix, std::move(names), std::move(counters));
        }
        providerReady.store(true, std::memory_order_release);
        observed.store(!namespaceStats.empty(), std::memory_order_relaxed);
    }
    ~Impl()
    {
        tasks.stop(); // before provider goes: the worker may be sweeping it
    }

    void sweepTick()
    {
        if (providerReady.load(std::memory_order_acquire)) provider->sweep(options.sweepSlotsPerTick);
    }

    std::string_view fullKey(std::string_view key) const
    {
        if (options.keyPrefix.empty()) return key;
        // One buffer per thread, reused: prefixing a key allocates only the first time a thread sees a longer key.
        thread_local std::string buffer;
        buffer.assign(options.keyPrefix);
        buffer.append(key);
        return buffer;
    }
    // The CacheOptions::namespaces entry of a key (without prefix), or nullptr.
    const NamespaceOptions* namespaceOf(std::string_view key) const
    {
        if (options.namespaces.empty()) return nullptr;
        const auto it = options.namespaces.find(key.substr(0, key.find(':')));
        return it == options.namespaces.end() ? nullptr : &it->second;
    }
    Nanos deadlineFor(std::string_view key, const std::optional<milliseconds>& ttl) const
    {
        std::optional<milliseconds> t = ttl;
        if (!t)
            if (const NamespaceOptions* ns = namespaceOf(key)) t = ns->defaultTtl;
        if (!t) t = options.defaultTtl;
        if (!t || t->count() <= 0) return 0;
        return clock->now() + ms(*t);
    }

    static void forgetMiss() noexcept { t_lastMiss.cache = nullptr; }
    // Remembers a read()/get() miss of fullKey by this thread (LastMiss).
    void noteMiss(std::string_view fullKey) const noexcept { t_lastMiss = {this, hashBytes(fullKey)}; }
    // Whether this thread's previous read()/get() on this cache missed fullKey; forgets it either way.
    bool continuesMiss(std::string_view fullKey) const noexcept
    {
        LastMiss& m = t_lastMiss;
        if (!m.cache) return false;
        const bool same = m.cache == this && m.hash == hashBytes(fullKey);
        m.cache = nullptr;
        return same;
    }
    static void noteHit() noexcept
    {
        if (t_lastMiss.cache) t_lastMiss.cache = nullptr;
    }

    // Compressed values: the original bytes in a per-thread buffer (read()) or a detached copy (get(), wrap()).
    static std::string_view inflate(std::string_view frame)
    {
        thread_local std::string buffer;
        if (!decompressValueInto(frame, buffer).ok()) buffer.clear(); // cannot happen with frames we wrote
        return buffer;
    }
    static ValueRef inflated(const ValueRef& compressed)
    {
        auto raw = decompressValue(compressed.value());
        return detached(compressed.key(), raw.ok() ? std::string_view(raw.value()) : std::string_view{}, false);
    }

    StatsCounters* namespaceCounters(std::string_view key) const
    {
        if (namespaceStats.empty()) return nullptr;
        auto it = namespaceStats.find(key.substr(0, key.find(':')));
        return it == namespaceStats.end() ? nullptr : it->second.get();
    }
    // Per-namespace counters and the trace tap; only called when either is on (observed).
    void observe(std::string_view key, std::string_view full, TraceOp op)
    {
        if (tap.enabled()) tap.record(clock->now(), hashBytes(full), op);
        if (StatsCounters* ns = namespaceCounters(key)) {
            switch (op) {
            case TraceOp::Hit: ns->add(Counter::Hits); break;
            case TraceOp::Miss: ns->add(Counter::Misses); break;
            // The memory store counts what it stores and removes per namespace itself (wrap()'s stores, evictions,
            // expirations and invalidations included); other providers get sets and deletes counted here.
            case TraceOp::Set: if (!memory) ns->add(Counter::Sets); break;
            case TraceOp::Delete: if (!memory) ns->add(Counter::Deletes); break;
            }
        }
    }
    // A counter of the cache and of the key's namespace (if it has one); key without / with the instance prefix.
    void count(std::string_view key, Counter c, std::uint64_t n = 1)
    {
        stats.add(c, n);
        if (StatsCounters* ns = namespaceCounters(key)) ns->add(c, n);
    }
    void countFull(std::string_view full, Counter c, std::uint64_t n = 1)
    {
        stats.add(c, n);
        if (!namespaceStats.empty() && full.starts_with(options.keyPrefix))
            if (StatsCounters* ns = namespaceCounters(full.substr(options.keyPrefix.size()))) ns->add(c, n);
    }

    // Adaptive TTL (see AdaptiveTtlOptions).
    void maybeExtend(std::string_view full)
    {
        const AdaptiveTtlOptions& a = options.adaptiveTtl;
        thread_local std::uint32_t tick = 0;
        if (a.sampleEvery > 1 && ++tick % a.sampleEvery != 0) return;
        const Nanos left = provider->ttl(full);
        if (left < 0 || left >= ms(a.extendWhenBelow)) return;
        const Nanos now = clock->now();
        const Nanos deadline = now + std::min(left + ms(a.extendBy), ms(a.maxTtl));
        if (provider->expireAt(full, deadline)) countFull(full, Counter::TtlAdjustments);
    }
    void noteInvalidated(std::string_view full)
    {
        std::lock_guard lock(adaptiveMu);
        if (invalidatedCount.size() >= options.adaptiveTtl.tracked) invalidatedCount.clear(); // crude, bounded
        ++invalidatedCount[std::string(full)];
    }
    Nanos shortenedDeadline(std::string_view full, Nanos deadline)
    {
        std::uint32_t n = 0;
        {
            std::lock_guard lock(adaptiveMu);
            auto it = invalidatedCount.find(std::string(full));
            if (it != invalidatedCount.end()) n = it->second;
        }
        if (n == 0 || deadline == 0) return deadline;
        const Nanos now = clock->now();
        const Nanos ttl = std::max((deadline - now) / (1 + static_cast<Nanos>(n)), ms(options.adaptiveTtl.minTtl));
        if (now + ttl >= deadline) return deadline;
        countFull(full, Counter::TtlAdjustments);
        return now + ttl;
    }

    // set()'s and load()'s way into the provider: compresses when configured.
    Status store(std::string_view full, std::string_view value, EntryOptions& e, ValueRef* stored)
    {
        if (options.adaptiveTtl.enabled) e.expireAt = shortenedDeadline(full, e.expireAt);
        if (options.compressAbove && value.size() >= options.compressAbove) {
            if (auto frame = compressValue(value, options.compressionLevel)) {
                e.compressed = true;
                ValueRef raw;
                Status st = provider->set(full, *frame, e, stored ? &raw : nullptr);
                if (st.ok()) {
                    countFull(full, Counter::BytesSavedByCompression, value.size() - frame->size());
                    if (stored) *stored = detached(full, value, false); // callers get the original bytes
                }
                return st;
            }
        }
        return provider->set(full, value, e, stored);
    }

    Result<ValueRef> load(std::string_view key, const Loader& loader, const WrapOptions& o);
    void scheduleRefresh(std::string_view key, Loader loader, const WrapOptions& o);
    std::size_t invalidate(std::span<const std::string> keys);
    bool exists(std::string_view key) { return enabled && provider->exists(fullKey(key)); }
    std::size_t invalidateTag(const std::string& tag)
    {
        forgetMiss();
        return enabled ? provider->invalidateTag(tag) : 0;
    }
    std::size_t invalidatePattern(std::string_view pattern)
    {
        forgetMiss();
        if (!enabled) return 0;
        if (options.keyPrefix.empty()) return provider->invalidatePattern(pattern);
        return provider->invalidatePattern(globEscaped(options.keyPrefix).append(pattern));
    }

    CacheOptions options;
    const Clock* clock;
    bool enabled;
    mutable StatsCounters stats;
    std::map<std::string, std::unique_ptr<StatsCounters>, std::less<>> namespaceStats; // fixed after construction
    TraceTap tap;
    std::atomic<bool> observed{false}; // namespaces configured or tap on: only then does the hot path do more
    std::mutex adaptiveMu;
    std::unordered_map<std::string, std::uint32_t> invalidatedCount; // adaptive TTL, guarded by adaptiveMu
    std::unique_ptr<Provider> provider;
    Store* memory = nullptr; // provider when it is the memory Store: enables zero-copy read()
    SingleFlight flights;
    std::mutex refreshMu;
    std::vector<std::string> refreshing; // keys with a background refresh queued or running (guarded by refreshMu)
    std::atomic<bool> providerReady{false}; // the worker may tick before the constructor body has run
    TaskQueue tasks;                        // its worker is stopped first thing in ~Impl
};

Result<ValueRef> Cache::Impl::load(std::string_view key, const Loader& loader, const WrapOptions& o)
{
    count(key, Counter::Loads);
    const Nanos start = clock->now();
    auto loadTime = [&] { return static_cast<std::uint64_t>(std::max<Nanos>(0, clock->now() - start)); };
    std::optional<std::string> value;
    try {
        value = loader();
    } catch (const std::exception& e) {
        count(key, Counter::LoadTimeNs, loadTime());
        count(key, Counter::LoadFailures);
        return Error{Errc::LoaderFailed, e.what()};
    } catch (...) {
        count(key, Counter::LoadTimeNs, loadTime());
        count(key, Counter::LoadFailures);
        return Error{Errc::LoaderFailed, "the loader threw a non-standard exception"};
    }
    count(key, Counter::LoadTimeNs, loadTime());

    const std::string full(fullKey(key));
    if (!value) {
        if (!enabled || !o.notFoundTtl || o.notFoundTtl->count() <= 0) return detached(full, {}, true);
        EntryOptions e;
        e.expireAt = clock->now() + ms(*o.notFoundTtl);
        e.notFound = true;
        ValueRef stored;
        if (provider->set(full, {}, e, &stored)) return stored;
        return detached(full, {}, true);
    }
    if (!enabled) return detached(full, *value, false);
    const std::function<bool(std::string_view)>* cacheIf = &o.cacheIf; // the call's own, else its namespace's
    if (!*cacheIf)
        if (const NamespaceOptions* nsOptions = namespaceOf(key)) cacheIf = &nsOptions->cacheIf;
    if (*cacheIf && !(*cacheIf)(*value)) {
        count(key, Counter::NotCachedByPredicate);
        return detached(full, *value, false);
    }
    EntryOptions e;
    e.expireAt = deadlineFor(key, o.ttl);
    e.graceMs = static_cast<std::uint32_t>(std::clamp<std::int64_t>(o.grace.count(), 0, Entry::kMaxGraceSec * 1000));
    e.tags = o.tags;
    ValueRef stored;
    if (store(full, *value, e, &stored)) return stored;
    return detached(full, *value, false); // too large to cache: the caller still gets its value
}

void Cache::Impl::scheduleRefresh(std::string_view key, Loader loader, const WrapOptions& o)
{
    std::string k(key);
    {
        std::lock_guard lock(refreshMu);
        if (std::find(refreshing.begin(), refreshing.end(), k) != refreshing.end()) return;
        refreshing.push_back(k);
    }
    count(key, Counter::BackgroundRefreshes);
    tasks.post([this, k, loader = std::move(loader), o]() {
        (void)load(k, loader, o); // a failed refresh leaves the stale value in place until its grace ends
        std::lock_guard lock(refreshMu);
        refreshing.erase(std::find(refreshing.begin(), refreshing.end(), k));
    });
}

std::size_t Cache::Impl::invalidate(std::span<const std::string> keys)
{
    forgetMiss();
    std::size_t n = 0;
    for (const auto& k : keys) {
        if (!enabled) break;
        const std::string_view full = fullKey(k);
        if (provider->del(full, Counter::InvalidationsKey)) {
            ++n;
            if (options.adaptiveTtl.enabled) noteInvalidated(full);
        }
    }
    return n;
}

// ---- Cache ------------------------------------------------------------------------------------------------------

const WrapOptions& Cache::defaultWrapOptions()
{
    static const WrapOptions defaults;
    return defaults;
}

Cache::Cache(CacheOptions options) : d_(std::make_unique<Impl>(std::move(options))) {}

Cache::~Cache() = default;

Result<std::unique_ptr<Cache>> Cache::create(CacheOptions options)
{
    try {
        return std::make_unique<Cache>(std::move(options));
    } catch (const std::invalid_argument& e) {
        return Error{Errc::InvalidArgument, e.what()};
    }
}

bool Cache::readWith(std::string_view key, ReadCallback callback, void* f)
{
    Impl& d = *d_;
    if (!d.enabled) return false;
    const std::string_view k = d.fullKey(key);
    bool hit;
    if (d.memory) {
        hit = d.memory->visit(k, [&](std::string_view v, const Entry& e) {
            callback(f, e.has(Entry::kCompressed) ? Impl::inflate(v) : v);
        });
    } else {
        ValueRef v = d.provider->get(k);
        if ((hit = static_cast<bool>(v))) callback(f, v.isCompressed() ? Impl::inflate(v.value()) : v.value());
    }
    if (!hit) d.noteMiss(k); // f did not run: k is still this call's key
    else Impl::noteHit();
    // fullKey() again: f may have used the cache, and with it this thread's key buffer.
    if (d.observed.load(std::memory_order_relaxed)) d.observe(key, d.fullKey(key), hit ? TraceOp::Hit : TraceOp::Miss);
    if (hit && d.options.adaptiveTtl.enabled) d.maybeExtend(d.fullKey(key));
    return hit;
}

bool Cache::wrapLookup(std::string_view key, ValueRef& v, bool& stale)
{
    Impl& d = *d_;
    if (!d.enabled) return false;
    const std::string_view k = d.fullKey(key);
    const bool record = !d.continuesMiss(k);
    v = d.provider->peek(k, stale, record);
    const bool hit = v && !stale;
    if (record && d.observed.load(std::memory_order_relaxed)) d.observe(key, k, hit ? TraceOp::Hit : TraceOp::Miss);
    if (!hit) return false;
    if (d.options.adaptiveTtl.enabled) d.maybeExtend(d.fullKey(key));
    if (v.isCompressed()) v = Impl::inflated(v);
    return true;
}

ValueRef Cache::get(std::string_view key)
{
    Impl& d = *d_;
    if (!d.enabled) {
        d.stats.add(Counter::Misses);
        return {};
    }
    const std::string_view k = d.fullKey(key);
    ValueRef v = d.provider->get(k);
    if (!v) d.noteMiss(k);
    else Impl::noteHit();
    if (d.observed.load(std::memory_order_relaxed)) d.observe(key, k, v ? TraceOp::Hit : TraceOp::Miss);
    if (v && d.options.adaptiveTtl.enabled) d.maybeExtend(k);
    if (v.isCompressed()) return Impl::inflated(v);
    return v; // moved out (a conditional expression here would copy: one more refcount round trip per hit)
}

Status Cache::set(std::string_view key, std::string_view value, const SetOptions& o)
{
    Impl& d = *d_;
    Impl::forgetMiss();
    if (!d.enabled) return {};
    if (o.ttl && o.ttl->count() <= 0) { // like SET with an already-past expiry: the key ends up absent
        d.provider->del(d.fullKey(key));
        return {};
    }
    EntryOptions e;
    e.expireAt = d.deadlineFor(key, o.ttl);
    e.graceMs = static_cast<std::uint32_t>(std::clamp<std::int64_t>(o.grace.count(), 0, Entry::kMaxGraceSec * 1000));
    e.tags = o.tags;
    const std::string_view k = d.fullKey(key);
    Status st = d.store(k, value, e, nullptr);
    if (st.ok() && d.observed.load(std::memory_order_relaxed)) d.observe(key, k, TraceOp::Set);
    return st;
}

bool Cache::del(std::string_view key)
{
    Impl& d = *d_;
    Impl::forgetMiss();
    if (!d.enabled) return false;
    const std::string_view k = d.fullKey(key);
    const bool removed = d.provider->del(k);
    if (removed && d.options.adaptiveTtl.enabled) d.noteInvalidated(k);
    if (removed && d.observed.load(std::memory_order_relaxed)) d.observe(key, k, TraceOp::Delete);
    return removed;
}

std::size_t Cache::invalidate(std::span<const std::string> keys) { return d_->invalidate(keys); }

bool Cache::exists(std::string_view key) { return d_->exists(key); }

std::int64_t Cache::peekValueSize(std::string_view key)
{
    Impl& d = *d_;
    if (!d.enabled) return -1;
    bool stale = false;
    const ValueRef v = d.provider->peek(d.fullKey(key), stale, /*record*/ false);
    if (!v || stale) return -1;
    return std::int64_t(v.isCompressed() ? Impl::inflate(v.value()).size() : v.value().size());
}

bool Cache::peekValue(std::string_view key, const std::function<void(std::string_view)>& f)
{
    Impl& d = *d_;
    if (!d.enabled) return false;
    bool stale = false;
    const ValueRef v = d.provider->peek(d.fullKey(key), stale, /*record*/ false);
    if (!v || stale) return false;
    if (v.isCompressed()) f(Impl::inflate(v.value()));
    else f(v.value());
    return true;
}

int Cache::accessFrequency(std::string_view key) const
{
    return d_->memory ? d_->memory->accessFrequency(d_->fullKey(key)) : -1;
}

std::int64_t Cache::pttl(std::string_view key)
{
    Impl& d = *d_;
    if (!d.enabled) return -2;
    const Nanos t = d.provider->ttl(d.fullKey(key));
    if (t < 0) return t;
    return (t + 999'999) / 1'000'000; // round up: a key with 0.4 ms left still exists
}

bool Cache::expire(std::string_view key, milliseconds ttl)
{
    Impl& d = *d_;
    Impl::forgetMiss();
    if (!d.enabled) return false;
    const Nanos now = d.clock->now();
    return d.provider->expireAt(d.fullKey(key), ttl.count() <= 0 ? now : now + ms(ttl));
}

bool Cache::persist(std::string_view key)
{
    Impl::forgetMiss();
    return d_->enabled && d_->provider->persist(d_->fullKey(key));
}

Result<std::int64_t> Cache::incrBy(std::string_view key, std::int64_t n, std::optional<milliseconds> ttlIfNew)
{
    Impl& d = *d_;
    Impl::forgetMiss();
    if (!d.enabled) return Error{Errc::Disabled, "the cache is disabled"};
    const Nanos deadline = ttlIfNew && ttlIfNew->count() > 0 ? d.clock->now() + ms(*ttlIfNew) : 0;
    return d.provider->incrBy(d.fullKey(key), n, deadline);
}

Result<ValueRef> Cache::wrapSlow(std::string_view keyView, Loader loader, const WrapOptions& o, ValueRef stale,
                                 bool isStale)
{
    Impl& d = *d_;
    const std::string key(keyView); // the loader may use this thread's key buffer: keep our own copy
    if (!d.enabled) return d.load(key, loader, o);
    if (stale.isCompressed()) stale = Impl::inflated(stale);
    if (stale && isStale && o.staleWhileRevalidate) {
        d.count(key, Counter::StaleServed);
        d.scheduleRefresh(key, std::move(loader), o);
        return stale;
    }
    auto ticket = d.flights.join(d.fullKey(key));
    const std::string full(d.fullKey(key));
    if (!ticket.leader) {
        d.count(key, Counter::DedupeJoins);
        Result<ValueRef> r = SingleFlight::wait(*ticket.flight);
        if (!r.ok() && stale && o.failSafe) {
            d.count(key, Counter::StaleServed);
            d.count(key, Counter::StaleOnFailure);
            return stale;
        }
        return r;
    }
    // Leader. A flight that finished between our miss and our join may already have cached the value.
    bool nowStale = false;
    ValueRef again = d.provider->peek(full, nowStale, /*record=*/false);
    if (again.isCompressed()) again = Impl::inflated(again);
    Result<ValueRef> r = (again && !nowStale)
        ? Result<ValueRef>(again)
        : d.provider->loadThrough(full, [&]() { return d.load(key, loader, o); });
    d.flights.finish(full, ticket.flight, r);
    if (!r.ok() && stale && o.failSafe) {
        d.count(key, Counter::StaleServed);
        d.count(key, Counter::StaleOnFailure);
        return stale;
    }
    return r;
}

WarmReport Cache::warm(std::span<const std::string> keys,
                       const std::function<std::optional<std::string>(std::string_view)>& loader, unsigned concurrency,
                       const WrapOptions& options)
{
    WarmReport report;
    std::atomic<std::size_t> next{0}, loaded{0}, cached{0}, notFound{0}, failed{0};
    auto worker = [&] {
        for (std::size_t i; (i = next.fetch_add(1)) < keys.size();) {
            const std::string& k = keys[i];
            if (exists(k)) {
                cached.fetch_add(1);
                continue;
            }
            // By value: a stale-while-revalidate refresh may run after warm() has returned.
            auto r = wrap(k, [loader, k] { return loader(k); }, options);
            if (!r.ok()) failed.fetch_add(1);
            else if (r.value().isNotFound()) notFound.fetch_add(1);
            else loaded.fetch_add(1);
        }
    };
    concurrency = std::clamp(concurrency, 1u, 64u);
    std::vector<std::thread> threads;
    for (unsigned t = 1; t < concurrency && t < keys.size(); ++t) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
    report.loaded = loaded;
    report.alreadyCached = cached;
    report.notFound = notFound;
    report.failed = failed;
    return report;
}

MutationReport Cache::afterWrite(const Mutation& m)
{
    MutationReport r;
    r.keys = invalidate(m.keys);
    for (const auto& t : m.tags) r.tagged += invalidateTag(t);
    for (const auto& p : m.patterns) r.matched += invalidatePattern(p);
    for (const auto& [k, v] : m.writeThrough) {
        if (set(k, v, m.writeOptions).ok()) {
            ++r.written;
            d_->count(k, Counter::WriteThroughs);
        } else {
            ++r.failed;
        }
    }
    return r;
}

ScanPage Cache::scan(std::uint64_t cursor, std::string_view pattern, std::size_t count)
{
    Impl& d = *d_;
    if (!d.enabled) return {};
    if (d.options.keyPrefix.empty()) return d.provider->scan(cursor, pattern, count);
    // Match against the prefixed form by escaping the prefix into the pattern, then strip it from the results.
    std::string p = globEscaped(d.options.keyPrefix);
    p.append(pattern.empty() ? std::string_view("*") : pattern);
    ScanPage page = d.provider->scan(cursor, p, count);
    for (auto& k : page.keys) k.erase(0, d.options.keyPrefix.size());
    return page;
}

std::size_t Cache::invalidateTag(const std::string& tag) { return d_->invalidateTag(tag); }

std::map<std::string, std::size_t> Cache::tagCounts() const
{
    return d_->memory ? d_->memory->tagCounts() : std::map<std::string, std::size_t>{};
}

std::size_t Cache::countTagged(std::span<const std::string> tags) const
{
    return d_->enabled && d_->memory ? d_->memory->countTagged(tags) : 0;
}

std::size_t Cache::invalidatePattern(std::string_view pattern) { return d_->invalidatePattern(pattern); }

std::size_t Cache::clear()
{
    Impl::forgetMiss();
    return d_->provider->clear();
}

StatsSnapshot Cache::stats() const
{
    StatsSnapshot s = d_->stats.snapshot();
    s.entries = d_->provider->entries();
    s.bytes = d_->provider->bytes();
    return s;
}

StatsSnapshot Cache::namespaceStats(std::string_view ns) const
{
    auto it = d_->namespaceStats.find(ns);
    if (it == d_->namespaceStats.end()) return StatsSnapshot{};
    StatsSnapshot snap = it->second->snapshot();
    if (d_->memory) {
        const auto usage = d_->memory->namespaceUsage(ns);
        snap.entries = usage.entries;
        snap.bytes = usage.bytes;
    }
    return snap;
}

void Cache::resetStats() { d_->stats.reset(); }

TraceTap& Cache::traceTap() noexcept { return d_->tap; }

void Cache::setTraceEnabled(bool on, std::uint32_t sampleEvery) noexcept
{
    if (on) d_->tap.enable(sampleEvery == 0 ? 1 : sampleEvery);
    else d_->tap.disable();
    d_->observed.store(on || !d_->namespaceStats.empty(), std::memory_order_relaxed);
}

std::size_t Cache::runMaintenance()
{
    d_->tasks.runPending();
    return d_->provider->sweep(d_->options.sweepSlotsPerTick);
}

std::size_t Cache::pendingBackgroundTasks() const { return d_->tasks.pending(); }
const CacheOptions& Cache::options() const noexcept { return d_->options; }
bool Cache::enabled() const noexcept { return d_->enabled; }
const Clock& Cache::clock() const noexcept { return *d_->clock; }
const char* Cache::providerName() const noexcept { return d_->provider->name(); }

// ---- the engine's own access ------------------------------------------------------------------------------------

Store* CacheInternals::memoryStore(Cache& cache) noexcept { return cache.d_->memory; }
Provider& CacheInternals::provider(Cache& cache) noexcept { return *cache.d_->provider; }

} // namespace cachelens::engine
