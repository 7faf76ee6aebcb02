#include <cachelens/cache.h>

#include "compression.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <stdexcept>
#include <thread>

namespace cachelens::engine {

namespace {

Nanos ms(milliseconds d) { return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); }

// A value handed to callers without being cached (caching disabled, cacheIf said no, entry too large).
ValueRef detached(std::string_view key, std::string_view value, bool notFound)
{
    return ValueRef::adopt(Entry::create(key.substr(0, std::min(key.size(), Entry::kMaxKey)), value,
                                         notFound ? Entry::kNotFound : 0));
}

} // namespace

const WrapOptions& Cache::defaultWrapOptions()
{
    static const WrapOptions defaults;
    return defaults;
}

Cache::Cache(CacheOptions options)
    : options_(std::move(options)),
      clock_(options_.clock ? options_.clock : &SteadyClock::instance()),
      enabled_(options_.enabled),
      tasks_(options_.backgroundThread, options_.sweepInterval, [this] { sweepTick(); })
{
    auto p = makeProvider(options_.provider, ProviderContext{options_, *clock_, stats_});
    if (!p.ok()) throw std::invalid_argument(p.error().message);
    provider_ = std::move(p.value());
    memory_ = dynamic_cast<Store*>(provider_.get());
    for (const auto& [name, ns] : options_.namespaces) namespaceStats_.emplace(name, std::make_unique<StatsCounters>());
    if (memory_ && !options_.namespaces.empty()) {
        std::vector<std::string> names;
        std::vector<StatsCounters*> counters;
        for (const auto& [name, counter] : namespaceStats_) {
            names.push_back(name);
            counters.push_back(counter.get());
        }
        memory_->trackNamespaces(options_.keyPrefix, std::move(names), std::move(counters));
    }
    providerReady_.store(true, std::memory_order_release);
    observed_.store(!namespaceStats_.empty(), std::memory_order_relaxed);
}

Cache::~Cache()
{
    tasks_.stop(); // before provider_ goes: the worker may be sweeping it
}

void Cache::sweepTick()
{
    if (providerReady_.load(std::memory_order_acquire)) provider_->sweep(options_.sweepSlotsPerTick);
}

Result<std::unique_ptr<Cache>> Cache::create(CacheOptions options)
{
    try {
        return std::make_unique<Cache>(std::move(options));
    } catch (const std::invalid_argument& e) {
        return Error{Errc::InvalidArgument, e.what()};
    }
}

StatsCounters* Cache::namespaceCounters(std::string_view key) const
{
    if (namespaceStats_.empty()) return nullptr;
    auto it = namespaceStats_.find(key.substr(0, key.find(':')));
    return it == namespaceStats_.end() ? nullptr : it->second.get();
}

void Cache::observe(std::string_view key, std::string_view full, TraceOp op)
{
    if (tap_.enabled()) tap_.record(clock_->now(), hashBytes(full), op);
    if (StatsCounters* ns = namespaceCounters(key)) {
        switch (op) {
        case TraceOp::Hit: ns->add(Counter::Hits); break;
        case TraceOp::Miss: ns->add(Counter::Misses); break;
        // The memory store counts what it stores and removes per namespace itself (wrap()'s stores, evictions,
        // expirations and invalidations included); other providers get sets and deletes counted here.
        case TraceOp::Set: if (!memory_) ns->add(Counter::Sets); break;
        case TraceOp::Delete: if (!memory_) ns->add(Counter::Deletes); break;
        }
    }
}

void Cache::count(std::string_view key, Counter c, std::uint64_t n)
{
    stats_.add(c, n);
    if (StatsCounters* ns = namespaceCounters(key)) ns->add(c, n);
}

void Cache::countFull(std::string_view full, Counter c, std::uint64_t n)
{
    stats_.add(c, n);
    if (!namespaceStats_.empty() && full.starts_with(options_.keyPrefix))
        if (StatsCounters* ns = namespaceCounters(full.substr(options_.keyPrefix.size()))) ns->add(c, n);
}

void Cache::setTraceEnabled(bool on, std::uint32_t sampleEvery) noexcept
{
    if (on) tap_.enable(sampleEvery == 0 ? 1 : sampleEvery);
    else tap_.disable();
    observed_.store(on || !namespaceStats_.empty(), std::memory_order_relaxed);
}

StatsSnapshot Cache::namespaceStats(std::string_view ns) const
{
    auto it = namespaceStats_.find(ns);
    if (it == namespaceStats_.end()) return StatsSnapshot{};
    StatsSnapshot snap = it->second->snapshot();
    if (memory_) {
        const auto usage = memory_->namespaceUsage(ns);
        snap.entries = usage.entries;
        snap.bytes = usage.bytes;
    }
    return snap;
}

std::string_view Cache::fullKey(std::string_view key) const
{
    if (options_.keyPrefix.empty()) return key;
    // One buffer per thread, reused: prefixing a key allocates only the first time a thread sees a longer key.
    thread_local std::string buffer;
    buffer.assign(options_.keyPrefix);
    buffer.append(key);
    return buffer;
}

const NamespaceOptions* Cache::namespaceOf(std::string_view key) const
{
    if (options_.namespaces.empty()) return nullptr;
    const auto it = options_.namespaces.find(key.substr(0, key.find(':')));
    return it == options_.namespaces.end() ? nullptr : &it->second;
}

Nanos Cache::deadlineFor(std::string_view key, const std::optional<milliseconds>& ttl) const
{
    std::optional<milliseconds> t = ttl;
    if (!t)
        if (const NamespaceOptions* ns = namespaceOf(key)) t = ns->defaultTtl;
    if (!t) t = options_.defaultTtl;
    if (!t || t->count() <= 0) return 0;
    return clock_->now() + ms(*t);
}

std::string_view Cache::inflate(std::string_view frame)
{
    thread_local std::string buffer;
    if (!decompressValueInto(frame, buffer).ok()) buffer.clear(); // cannot happen with frames we wrote
    return buffer;
}

ValueRef Cache::inflated(const ValueRef& compressed)
{
    auto raw = decompressValue(compressed.value());
    return detached(compressed.key(), raw.ok() ? std::string_view(raw.value()) : std::string_view{}, false);
}

Status Cache::store(std::string_view full, std::string_view value, EntryOptions& e, ValueRef* stored)
{
    if (options_.adaptiveTtl.enabled) e.expireAt = shortenedDeadline(full, e.expireAt);
    if (options_.compressAbove && value.size() >= options_.compressAbove) {
        if (auto frame = compressValue(value, options_.compressionLevel)) {
            e.compressed = true;
            ValueRef raw;
            Status st = provider_->set(full, *frame, e, stored ? &raw : nullptr);
            if (st.ok()) {
                countFull(full, Counter::BytesSavedByCompression, value.size() - frame->size());
                if (stored) *stored = detached(full, value, false); // callers get the original bytes
            }
            return st;
        }
    }
    return provider_->set(full, value, e, stored);
}

void Cache::maybeExtend(std::string_view full)
{
    const AdaptiveTtlOptions& a = options_.adaptiveTtl;
    thread_local std::uint32_t tick = 0;
    if (a.sampleEvery > 1 && ++tick % a.sampleEvery != 0) return;
    const Nanos left = provider_->ttl(full);
    if (left < 0 || left >= ms(a.extendWhenBelow)) return;
    const Nanos now = clock_->now();
    const Nanos deadline = now + std::min(left + ms(a.extendBy), ms(a.maxTtl));
    if (provider_->expireAt(full, deadline)) countFull(full, Counter::TtlAdjustments);
}

void Cache::noteInvalidated(std::string_view full)
{
    std::lock_guard lock(adaptiveMu_);
    if (invalidatedCount_.size() >= options_.adaptiveTtl.tracked) invalidatedCount_.clear(); // crude, bounded
    ++invalidatedCount_[std::string(full)];
}

Nanos Cache::shortenedDeadline(std::string_view full, Nanos deadline)
{
    std::uint32_t n = 0;
    {
        std::lock_guard lock(adaptiveMu_);
        auto it = invalidatedCount_.find(std::string(full));
        if (it != invalidatedCount_.end()) n = it->second;
    }
    if (n == 0 || deadline == 0) return deadline;
    const Nanos now = clock_->now();
    const Nanos ttl = std::max((deadline - now) / (1 + static_cast<Nanos>(n)), ms(options_.adaptiveTtl.minTtl));
    if (now + ttl >= deadline) return deadline;
    countFull(full, Counter::TtlAdjustments);
    return now + ttl;
}

ValueRef Cache::get(std::string_view key)
{
    if (!enabled_) {
        stats_.add(Counter::Misses);
        return {};
    }
    const std::string_view k = fullKey(key);
    ValueRef v = provider_->get(k);
    if (!v) noteMiss(k);
    else if (detail::t_lastMiss.cache) detail::t_lastMiss.cache = nullptr;
    if (observed_.load(std::memory_order_relaxed)) observe(key, k, v ? TraceOp::Hit : TraceOp::Miss);
    if (v && options_.adaptiveTtl.enabled) maybeExtend(k);
    if (v.isCompressed()) return inflated(v);
    return v; // moved out (a conditional expression here would copy: one more refcount round trip per hit)
}

Status Cache::set(std::string_view key, std::string_view value, const SetOptions& o)
{
    forgetMiss();
    if (!enabled_) return {};
    if (o.ttl && o.ttl->count() <= 0) { // like SET with an already-past expiry: the key ends up absent
        provider_->del(fullKey(key));
        return {};
    }
    EntryOptions e;
    e.expireAt = deadlineFor(key, o.ttl);
    e.graceMs = static_cast<std::uint32_t>(std::clamp<std::int64_t>(o.grace.count(), 0, Entry::kMaxGraceSec * 1000));
    e.tags = o.tags;
    const std::string_view k = fullKey(key);
    Status st = store(k, value, e, nullptr);
    if (st.ok() && observed_.load(std::memory_order_relaxed)) observe(key, k, TraceOp::Set);
    return st;
}

bool Cache::del(std::string_view key)
{
    forgetMiss();
    if (!enabled_) return false;
    const std::string_view k = fullKey(key);
    const bool removed = provider_->del(k);
    if (removed && options_.adaptiveTtl.enabled) noteInvalidated(k);
    if (removed && observed_.load(std::memory_order_relaxed)) observe(key, k, TraceOp::Delete);
    return removed;
}

std::size_t Cache::invalidate(std::span<const std::string> keys)
{
    forgetMiss();
    std::size_t n = 0;
    for (const auto& k : keys) {
        if (!enabled_) break;
        const std::string_view full = fullKey(k);
        if (provider_->del(full, Counter::InvalidationsKey)) {
            ++n;
            if (options_.adaptiveTtl.enabled) noteInvalidated(full);
        }
    }
    return n;
}

bool Cache::exists(std::string_view key) { return enabled_ && provider_->exists(fullKey(key)); }

std::int64_t Cache::peekValueSize(std::string_view key)
{
    if (!enabled_) return -1;
    bool stale = false;
    const ValueRef v = provider_->peek(fullKey(key), stale, /*record*/ false);
    if (!v || stale) return -1;
    return std::int64_t(v.isCompressed() ? inflate(v.value()).size() : v.value().size());
}

bool Cache::peekValue(std::string_view key, const std::function<void(std::string_view)>& f)
{
    if (!enabled_) return false;
    bool stale = false;
    const ValueRef v = provider_->peek(fullKey(key), stale, /*record*/ false);
    if (!v || stale) return false;
    if (v.isCompressed()) f(inflate(v.value()));
    else f(v.value());
    return true;
}

int Cache::accessFrequency(std::string_view key) const
{
    return memory_ ? memory_->accessFrequency(fullKey(key)) : -1;
}

std::int64_t Cache::pttl(std::string_view key)
{
    if (!enabled_) return -2;
    const Nanos t = provider_->ttl(fullKey(key));
    if (t < 0) return t;
    return (t + 999'999) / 1'000'000; // round up: a key with 0.4 ms left still exists
}

bool Cache::expire(std::string_view key, milliseconds ttl)
{
    forgetMiss();
    if (!enabled_) return false;
    const Nanos now = clock_->now();
    return provider_->expireAt(fullKey(key), ttl.count() <= 0 ? now : now + ms(ttl));
}

bool Cache::persist(std::string_view key)
{
    forgetMiss();
    return enabled_ && provider_->persist(fullKey(key));
}

Result<std::int64_t> Cache::incrBy(std::string_view key, std::int64_t n, std::optional<milliseconds> ttlIfNew)
{
    forgetMiss();
    if (!enabled_) return Error{Errc::Disabled, "the cache is disabled"};
    const Nanos deadline = ttlIfNew && ttlIfNew->count() > 0 ? clock_->now() + ms(*ttlIfNew) : 0;
    return provider_->incrBy(fullKey(key), n, deadline);
}

Result<ValueRef> Cache::load(std::string_view key, const Loader& loader, const WrapOptions& o)
{
    count(key, Counter::Loads);
    const Nanos start = clock_->now();
    auto loadTime = [&] { return static_cast<std::uint64_t>(std::max<Nanos>(0, clock_->now() - start)); };
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
        if (!enabled_ || !o.notFoundTtl || o.notFoundTtl->count() <= 0) return detached(full, {}, true);
        EntryOptions e;
        e.expireAt = clock_->now() + ms(*o.notFoundTtl);
        e.notFound = true;
        ValueRef stored;
        if (provider_->set(full, {}, e, &stored)) return stored;
        return detached(full, {}, true);
    }
    if (!enabled_) return detached(full, *value, false);
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

void Cache::scheduleRefresh(std::string_view key, Loader loader, const WrapOptions& o)
{
    std::string k(key);
    {
        std::lock_guard lock(refreshMu_);
        if (std::find(refreshing_.begin(), refreshing_.end(), k) != refreshing_.end()) return;
        refreshing_.push_back(k);
    }
    count(key, Counter::BackgroundRefreshes);
    tasks_.post([this, k, loader = std::move(loader), o]() {
        (void)load(k, loader, o); // a failed refresh leaves the stale value in place until its grace ends
        std::lock_guard lock(refreshMu_);
        refreshing_.erase(std::find(refreshing_.begin(), refreshing_.end(), k));
    });
}

Result<ValueRef> Cache::wrapSlow(std::string_view keyView, Loader loader, const WrapOptions& o, ValueRef stale,
                                 bool isStale)
{
    const std::string key(keyView); // the loader may use this thread's key buffer: keep our own copy
    if (!enabled_) return load(key, loader, o);
    if (stale.isCompressed()) stale = inflated(stale);
    if (stale && isStale && o.staleWhileRevalidate) {
        count(key, Counter::StaleServed);
        scheduleRefresh(key, std::move(loader), o);
        return stale;
    }
    auto ticket = flights_.join(fullKey(key));
    const std::string full(fullKey(key));
    if (!ticket.leader) {
        count(key, Counter::DedupeJoins);
        Result<ValueRef> r = SingleFlight::wait(*ticket.flight);
        if (!r.ok() && stale && o.failSafe) {
            count(key, Counter::StaleServed);
            count(key, Counter::StaleOnFailure);
            return stale;
        }
        return r;
    }
    // Leader. A flight that finished between our miss and our join may already have cached the value.
    bool nowStale = false;
    ValueRef again = provider_->peek(full, nowStale, /*record=*/false);
    if (again.isCompressed()) again = inflated(again);
    Result<ValueRef> r = (again && !nowStale)
        ? Result<ValueRef>(again)
        : provider_->loadThrough(full, [&]() { return load(key, loader, o); });
    flights_.finish(full, ticket.flight, r);
    if (!r.ok() && stale && o.failSafe) {
        count(key, Counter::StaleServed);
        count(key, Counter::StaleOnFailure);
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
            count(k, Counter::WriteThroughs);
        } else {
            ++r.failed;
        }
    }
    return r;
}

ScanPage Cache::scan(std::uint64_t cursor, std::string_view pattern, std::size_t count)
{
    if (!enabled_) return {};
    if (options_.keyPrefix.empty()) return provider_->scan(cursor, pattern, count);
    // Match against the prefixed form by escaping the prefix into the pattern, then strip it from the results.
    std::string p;
    for (char c : options_.keyPrefix) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') p += '\\';
        p += c;
    }
    p.append(pattern.empty() ? std::string_view("*") : pattern);
    ScanPage page = provider_->scan(cursor, p, count);
    for (auto& k : page.keys) k.erase(0, options_.keyPrefix.size());
    return page;
}

std::size_t Cache::invalidateTag(const std::string& tag)
{
    forgetMiss();
    return enabled_ ? provider_->invalidateTag(tag) : 0;
}
std::map<std::string, std::size_t> Cache::tagCounts() const { return memory_ ? memory_->tagCounts() : std::map<std::string, std::size_t>{}; }
std::size_t Cache::countTagged(std::span<const std::string> tags) const
{
    return enabled_ && memory_ ? memory_->countTagged(tags) : 0;
}

std::size_t Cache::invalidatePattern(std::string_view pattern)
{
    forgetMiss();
    if (!enabled_) return 0;
    if (options_.keyPrefix.empty()) return provider_->invalidatePattern(pattern);
    std::string p;
    for (char c : options_.keyPrefix) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') p += '\\';
        p += c;
    }
    p.append(pattern);
    return provider_->invalidatePattern(p);
}

std::size_t Cache::clear()
{
    forgetMiss();
    return provider_->clear();
}

StatsSnapshot Cache::stats() const
{
    StatsSnapshot s = stats_.snapshot();
    s.entries = provider_->entries();
    s.bytes = provider_->bytes();
    return s;
}

void Cache::resetStats() { stats_.reset(); }

std::size_t Cache::runMaintenance()
{
    tasks_.runPending();
    return provider_->sweep(options_.sweepSlotsPerTick);
}

} // namespace cachelens::engine
