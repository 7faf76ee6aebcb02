#include "RedisProvider.h"

#include "InvalidationBus.h"
#include "Scripts.h"
#include "TagKeys.h"
#include "compression.h"

#include <algorithm>
#include <charconv>
#include <random>
#include <thread>

namespace cachelens::provider {

using namespace engine;
namespace S = scripts;

namespace {

constexpr std::size_t kHeader = 16;
constexpr std::uint8_t kFormat = 1;
enum : std::uint8_t { kFlagNotFound = 1, kFlagCompressed = 2 };

std::int64_t steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void putBE(std::string& s, std::uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

std::uint64_t getBE(std::string_view s, std::size_t at, int bytes)
{
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + static_cast<std::size_t>(i)]);
    return v;
}

std::string header(std::uint8_t flags, std::uint32_t graceMs, std::span<const std::string> tags, bool& ok)
{
    std::string tagBlock;
    for (const auto& t : tags) {
        if (t.size() > 0xFFFF) ok = false;
        putBE(tagBlock, t.size(), 2);
        tagBlock += t;
    }
    if (tagBlock.size() > 0xFFFF) ok = false;
    std::string h;
    h.reserve(kHeader + tagBlock.size());
    h.push_back(static_cast<char>(kFormat));
    h.push_back(static_cast<char>(flags));
    const auto created = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    putBE(h, static_cast<std::uint64_t>(created), 8);
    putBE(h, graceMs, 4);
    putBE(h, tagBlock.size(), 2);
    h += tagBlock;
    return h;
}

struct Decoded {
    std::uint8_t flags = 0;
    std::uint32_t graceMs = 0;
    std::vector<std::string> tags;
    std::string_view value;
};

bool decode(std::string_view v, Decoded& d)
{
    if (v.size() < kHeader || static_cast<std::uint8_t>(v[0]) != kFormat) return false;
    d.flags = static_cast<std::uint8_t>(v[1]);
    d.graceMs = static_cast<std::uint32_t>(getBE(v, 10, 4));
    const std::size_t tl = getBE(v, 14, 2);
    if (v.size() < kHeader + tl) return false;
    for (std::size_t pos = kHeader; pos + 2 <= kHeader + tl;) {
        const std::size_t n = getBE(v, pos, 2);
        if (pos + 2 + n > kHeader + tl) return false;
        d.tags.emplace_back(v.substr(pos + 2, n));
        pos += 2 + n;
    }
    d.value = v.substr(kHeader + tl);
    return true;
}

// A Get script reply ({value, pttl}): false on a miss (absent, not ours, malformed).
bool decodeGet(const Reply& r, Decoded& d, long long& pttl)
{
    if (r.type != Reply::Type::Array || r.elements.size() != 2) return false;
    pttl = r.elements[1].integer;
    return pttl != -2 && decode(r.elements[0].str, d);
}

bool fresh(long long pttl, const Decoded& d) { return pttl == -1 || pttl > static_cast<long long>(d.graceMs); }

constexpr int kCursorShift = 48; // scan cursors: master index above, that master's SCAN cursor below

std::uint8_t entryFlags(std::uint8_t f)
{
    std::uint8_t e = 0;
    if (f & kFlagNotFound) e |= Entry::kNotFound;
    if (f & kFlagCompressed) e |= Entry::kCompressed;
    return e;
}

// The entry a decoded value makes, with its bytes as stored (a compressed value stays compressed).
ValueRef entryOf(std::string_view key, const Decoded& d)
{
    return ValueRef::adopt(Entry::create(key.substr(0, std::min(key.size(), Entry::kMaxKey)), d.value, entryFlags(d.flags)));
}

std::string globEscape(std::string_view s)
{
    std::string p;
    for (char c : s) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') p += '\\';
        p += c;
    }
    return p;
}

std::string randomHex(std::size_t chars)
{
    thread_local std::mt19937_64 rng{std::random_device{}() ^ static_cast<std::uint64_t>(steadyNs())};
    static const char* hex = "0123456789abcdef";
    std::string s;
    while (s.size() < chars) {
        std::uint64_t v = rng();
        for (int i = 0; i < 16 && s.size() < chars; ++i, v >>= 4) s.push_back(hex[v & 15]);
    }
    return s;
}

thread_local bool t_lastCallFailed = false;
// Set while wrap() runs the loader because Redis is down (fail-open): storing the result would only wait for Redis a
// second time within one wrap(), so set() does not try.
thread_local bool t_failingOpen = false;

} // namespace

void registerRedisProvider(RedisProviderOptions defaults, const std::string& name)
{
    registerProvider(name, [defaults](const ProviderContext& ctx) { return RedisProvider::create(ctx, defaults); });
}

std::optional<RedisProviderStats> redisProviderStats(Cache& cache)
{
    if (auto* r = dynamic_cast<RedisProvider*>(&CacheInternals::provider(cache))) return r->providerStats();
    return std::nullopt;
}

bool waitForInvalidationBus(Cache& cache, milliseconds timeout)
{
    auto* r = dynamic_cast<RedisProvider*>(&CacheInternals::provider(cache));
    return r && r->waitForBus(timeout);
}

Result<std::unique_ptr<Provider>> RedisProvider::create(const ProviderContext& ctx, RedisProviderOptions options)
{
    std::string url = options.url.empty() ? ctx.options.providerUrl : options.url;
    if (url.empty()) url = "redis://127.0.0.1:6379";
    const bool urlHasTimeout = url.find("timeout=") != std::string::npos;
    auto ep = parseRedisUrl(url);
    if (!ep.ok()) return ep.error();
    if (!urlHasTimeout) ep.value().timeout = options.timeout;
    // A wrap() makes several calls; once one has waited the timeout, the rest must fail at once for wrap() to wait
    // no longer than the timeout in all.
    options.retryAfter = std::max(options.retryAfter, ep.value().timeout);
    if (!options.sentinelPassword.empty()) {   // the options win over the URL's sentinel_user/sentinel_password
        ep.value().sentinelUser = options.sentinelUser;
        ep.value().sentinelPassword = options.sentinelPassword;
    }
    if (options.instanceId.empty()) options.instanceId = randomHex(16);
    if (options.instanceId.find('|') != std::string::npos)
        return Error{Errc::InvalidArgument, "instanceId must not contain '|' (it separates the bus message fields)"};
    return std::unique_ptr<Provider>(new RedisProvider(ctx, std::move(options), std::move(ep.value())));
}

RedisProvider::RedisProvider(const ProviderContext& ctx, RedisProviderOptions options, RedisEndpoint ep)
    : ctx_(ctx), opt_(std::move(options)), router_(ep, opt_.pool)
{
    if (opt_.l1) {
        StoreOptions s;
        s.maxBytes = opt_.l1MaxBytes;
        s.policy = opt_.l1Policy;
        l1_ = std::make_unique<Store>(s, ctx_.clock, l1Counters_);
        bus_ = std::make_unique<InvalidationBus>(
            [this] { return router_.nodes(); }, opt_.busChannel, [this](std::string_view m) { onBusMessage(m); },
            [this](bool up) { onBusState(up); }, opt_.busPingInterval);
    }
}

RedisProvider::~RedisProvider()
{
    bus_.reset(); // joins the subscriber before the L1 it writes to goes
}

RedisProvider::Stats RedisProvider::providerStats() const
{
    Stats s;
    auto at = [&](P p) { return counters_[static_cast<unsigned>(p)].load(std::memory_order_relaxed); };
    s.redisErrors = at(P::redisErrors);
    s.failOpenLoads = at(P::failOpenLoads);
    s.failClosedRefusals = at(P::failClosedRefusals);
    // The L1 store counts its own hits and misses (once per lookup, which is exactly when L1 is consulted): no
    // second atomic on the hit path.
    s.l1Hits = l1Counters_.sum(engine::Counter::Hits);
    s.l1Misses = l1Counters_.sum(engine::Counter::Misses);
    s.l2Hits = at(P::l2Hits);
    s.l2Misses = at(P::l2Misses);
    s.busPublished = at(P::busPublished);
    s.busReceived = at(P::busReceived);
    s.busIgnoredOwn = at(P::busIgnoredOwn);
    s.busMalformed = at(P::busMalformed);
    s.l1ClearsOnReconnect = at(P::l1ClearsOnReconnect);
    s.lockAcquired = at(P::lockAcquired);
    s.lockWaits = at(P::lockWaits);
    s.lockWaitHits = at(P::lockWaitHits);
    s.lockTimeouts = at(P::lockTimeouts);
    s.tagMembersSwept = at(P::tagMembersSwept);
    s.busConnected = busUp_.load();
    return s;
}

bool RedisProvider::down() const { return steadyNs() < downUntil_.load(std::memory_order_relaxed); }

void RedisProvider::noteFailure(const std::string& error)
{
    t_lastCallFailed = true;
    downUntil_.store(steadyNs() + std::chrono::duration_cast<std::chrono::nanoseconds>(opt_.retryAfter).count(),
                     std::memory_order_relaxed);
    add(P::redisErrors);
    std::lock_guard lock(statsMu_);
    lastError_ = error;
}

template <class Call>
bool RedisProvider::attempt(Call&& call)
{
    if (down()) {
        t_lastCallFailed = true;
        add(P::redisErrors);
        return false;
    }
    std::string error;
    if (!call(error)) {
        noteFailure(error);
        return false;
    }
    t_lastCallFailed = false;
    return true;
}

bool RedisProvider::run(const std::vector<Args>& commands, std::vector<Reply>& replies)
{
    if (!attempt([&](std::string& e) { return router_.run(commands, replies, e); })) return false;
    std::vector<Args> again;
    std::vector<std::size_t> at;
    for (std::size_t i = 0; i < commands.size(); ++i) {
        if (commands[i][0] != "EVALSHA" || !replies[i].isError() || replies[i].str.rfind("NOSCRIPT", 0) != 0) continue;
        const S::Script* script = S::bySha(commands[i][1]);
        if (!script) continue;
        Args eval = commands[i];
        eval[0] = "EVAL";
        eval[1] = script->text;
        again.push_back(std::move(eval));
        at.push_back(i);
    }
    if (again.empty()) return true;
    std::vector<Reply> r;
    if (!attempt([&](std::string& e) { return router_.run(again, r, e); })) return false;
    for (std::size_t j = 0; j < at.size(); ++j) replies[at[j]] = std::move(r[j]);
    return true;
}

bool RedisProvider::runOnMaster(std::size_t master, const std::vector<Args>& commands, std::vector<Reply>& replies)
{
    return attempt([&](std::string& e) { return router_.runOnMaster(master, commands, replies, e); });
}

std::size_t RedisProvider::masterCount()
{
    std::size_t n = 0;
    return attempt([&](std::string& e) { return router_.masters(n, e); }) ? n : 0;
}

bool RedisProvider::eval(int id, const std::vector<std::string_view>& keys, const std::vector<std::string_view>& argv,
                         Reply& reply, const std::vector<Args>& after, const std::vector<Args>& before)
{
    const S::Script& s = S::get(static_cast<S::Id>(id));
    const std::string nkeys = std::to_string(keys.size());
    Args cmd{"EVALSHA", s.sha, nkeys};
    cmd.insert(cmd.end(), keys.begin(), keys.end());
    cmd.insert(cmd.end(), argv.begin(), argv.end());
    std::vector<Args> all(before);
    all.push_back(std::move(cmd));
    all.insert(all.end(), after.begin(), after.end());
    std::vector<Reply> replies;
    if (!run(all, replies)) return false;
    reply = std::move(replies[before.size()]);
    return true;
}

bool RedisProvider::scanAll(const std::string& match, const char* count, const char* type,
                            const std::function<bool(std::vector<Reply>& keys)>& each)
{
    const std::size_t masters = masterCount();
    if (masters == 0) return false;
    for (std::size_t m = 0; m < masters; ++m) {
        std::string cursor = "0";
        do {
            Args scan{"SCAN", cursor, "MATCH", match, "COUNT", count};
            if (type) {
                scan.push_back("TYPE");
                scan.push_back(type);
            }
            std::vector<Reply> r;
            if (!runOnMaster(m, {scan}, r) || r[0].type != Reply::Type::Array || r[0].elements.size() != 2)
                return false;
            cursor = r[0].elements[0].str;
            if (!r[0].elements[1].elements.empty() && !each(r[0].elements[1].elements)) return false;
        } while (cursor != "0");
    }
    return true;
}

std::string RedisProvider::tagPrefixFor(std::string_view fullKey)
{
    if (router_.isCluster()) return clusterTagSetPrefix(ctx_.options.keyPrefix, keySlot(fullKey));
    return ctx_.options.keyPrefix + std::string(kTagInfix);
}

void RedisProvider::publish(char kind, std::string_view payload, std::vector<Args>& into, std::string& buffer)
{
    if (!opt_.l1) return;
    const char* k = kind == 'k' ? "key" : kind == 't' ? "tag" : kind == 'p' ? "pattern" : "clear";
    buffer = encodeBusMessage(opt_.instanceId, k, payload);
    into.push_back({"PUBLISH", opt_.busChannel, buffer});
    add(P::busPublished);
}

std::string RedisProvider::lockKey(std::string_view full) const
{
    const std::string& p = ctx_.options.keyPrefix;
    std::string k = p + std::string(kLockInfix);
    k.append(full.substr(std::min(p.size(), full.size())));
    return k;
}

bool RedisProvider::internalKey(std::string_view full) const
{
    const std::string& p = ctx_.options.keyPrefix;
    if (full.size() < p.size() || full.substr(0, p.size()) != p) return false;
    const auto rest = full.substr(p.size());
    return rest.rfind(kTagInfix, 0) == 0 || rest.rfind(kLockInfix, 0) == 0 || rest.rfind(kTagSlotsInfix, 0) == 0;
}

ValueRef RedisProvider::peek(std::string_view key, bool& stale, bool record)
{
    stale = false;
    if (l1_ && busUp_.load(std::memory_order_acquire)) {
        if (ValueRef v = l1_->get(key)) {
            if (record) ctx_.stats.add(Counter::Hits);
            return v;
        }
    }
    const std::uint64_t gen = gen_.load(std::memory_order_acquire);
    Reply r;
    Decoded d;
    long long pttl = -2;
    if (!eval(S::Get, {key}, {}, r) || !decodeGet(r, d, pttl)) {
        if (record) ctx_.stats.add(Counter::Misses);
        add(P::l2Misses);
        return {};
    }
    stale = !fresh(pttl, d);
    if (record) ctx_.stats.add(stale ? Counter::Misses : Counter::Hits);
    add(stale ? P::l2Misses : P::l2Hits);
    ValueRef v = entryOf(key, d);
    if (!stale && l1_ && busUp_.load(std::memory_order_acquire)) {
        const Nanos now = ctx_.clock.now();
        Nanos left = std::chrono::duration_cast<std::chrono::nanoseconds>(opt_.l1MaxTtl).count();
        if (pttl >= 0) left = std::min<Nanos>(left, (pttl - static_cast<long long>(d.graceMs)) * 1'000'000);
        EntryOptions e;
        e.expireAt = now + std::max<Nanos>(left, 1);
        e.tags = d.tags;
        e.notFound = d.flags & kFlagNotFound;
        e.compressed = d.flags & kFlagCompressed;
        std::lock_guard lock(l1FillMu_);
        // Fill only if no invalidation arrived since we read L2: otherwise we could cache what it just invalidated.
        if (gen_.load(std::memory_order_acquire) == gen) (void)l1_->set(key, d.value, e);
    }
    return v;
}

ValueRef RedisProvider::get(std::string_view key)
{
    bool stale = false;
    ValueRef v = peek(key, stale, true);
    return stale ? ValueRef{} : v;
}

Status RedisProvider::set(std::string_view key, std::string_view value, const EntryOptions& o, ValueRef* stored)
{
    if (key.size() > Entry::kMaxKey) {
        ctx_.stats.add(Counter::Rejected);
        return Error{Errc::KeyTooLarge, "keys are limited to 65,535 bytes"};
    }
    if (t_failingOpen) return Error{Errc::Unavailable, "redis: " + lastError()};
    std::string px = "0";
    if (o.expireAt != 0) {
        const Nanos left = o.expireAt - ctx_.clock.now();
        if (left <= 0) {
            delInternal(key);
            return {};
        }
        px = std::to_string((left + 999'999) / 1'000'000 + o.graceMs);
    }
    std::uint8_t flags = 0;
    if (o.notFound) flags |= kFlagNotFound;
    if (o.compressed) flags |= kFlagCompressed;
    bool ok = true;
    std::string payload = header(flags, o.graceMs, o.tags, ok);
    if (!ok) return Error{Errc::InvalidArgument, "tags are limited to 65,535 bytes in all"};
    payload.append(value);
    const std::string prefix = tagPrefixFor(key);
    std::vector<std::string_view> argv{payload, px, prefix};
    for (const auto& t : o.tags) argv.push_back(t);
    // Cluster: each tag's slot index learns this slot before the member lands (so it is a superset, TagKeys.h).
    std::vector<std::string> indexKeys;
    std::vector<Args> before;
    std::string slot;
    if (!o.tags.empty() && router_.isCluster()) {
        const int s = keySlot(key);
        if (keySlot(prefix + o.tags.front()) != s)
            return Error{Errc::InvalidArgument, "on a Redis Cluster, tags need a key prefix without an unmatched '{'"};
        slot = std::to_string(s);
        indexKeys.reserve(o.tags.size());
        for (const auto& t : o.tags) indexKeys.push_back(tagSlotsKey(ctx_.options.keyPrefix, t));
        for (const auto& k : indexKeys) before.push_back({"SADD", k, slot});
    }
    std::vector<Args> extra;
    std::string message;
    publish('k', key, extra, message);
    std::uint64_t mine = 0;
    if (l1_) {
        std::lock_guard lock(l1FillMu_);
        mine = gen_.fetch_add(1, std::memory_order_acq_rel) + 1;
    }
    Reply r;
    const bool sent = eval(S::Set, {key}, argv, r, extra, before);
    if (l1_) {
        std::lock_guard lock(l1FillMu_);
        const bool alone = gen_.fetch_add(1, std::memory_order_acq_rel) == mine;
        l1_->del(key);
        if (sent && !r.isError() && alone && busUp_.load(std::memory_order_acquire)) {
            EntryOptions e = o;
            e.graceMs = 0; // L1 holds fresh values only: its deadline is L2's soft one, or sooner
            const Nanos cap = ctx_.clock.now() + std::chrono::duration_cast<std::chrono::nanoseconds>(opt_.l1MaxTtl).count();
            e.expireAt = o.expireAt == 0 ? cap : std::min(o.expireAt, cap);
            (void)l1_->set(key, value, e);
        }
    }
    if (!sent) return Error{Errc::Unavailable, "redis: " + lastError()};
    if (r.isError()) return Error{Errc::InvalidArgument, "redis: " + r.str};
    ctx_.stats.add(Counter::Sets);
    if (stored) *stored = ValueRef::adopt(Entry::create(key, value, entryFlags(flags)));
    return {};
}

bool RedisProvider::delInternal(std::string_view key)
{
    const std::string prefix = tagPrefixFor(key);
    std::vector<Args> extra;
    std::string message;
    publish('k', key, extra, message);
    Reply r;
    const bool sent = eval(S::Del, {key}, {prefix}, r, extra);
    dropL1(key);
    return sent && r.integer == 1;
}

void RedisProvider::dropL1(const std::function<void(Store&)>& drop)
{
    if (!l1_) return;
    std::lock_guard lock(l1FillMu_);
    gen_.fetch_add(1, std::memory_order_acq_rel);
    drop(*l1_);
}

void RedisProvider::dropL1(std::string_view key)
{
    dropL1([key](Store& l1) { l1.del(key); });
}

bool RedisProvider::del(std::string_view key, Counter cause)
{
    const bool removed = delInternal(key);
    if (removed) ctx_.stats.add(cause);
    return removed;
}

RedisProvider::Meta RedisProvider::meta(std::string_view key)
{
    Meta m;
    Reply r;
    if (!eval(S::Meta, {key}, {}, r) || r.type != Reply::Type::Array || r.elements.size() != 2) return m;
    m.pttl = r.elements[0].integer;
    m.graceMs = static_cast<std::uint32_t>(r.elements[1].integer);
    m.exists = m.pttl != -2;
    return m;
}

bool RedisProvider::exists(std::string_view key)
{
    if (l1_ && busUp_.load(std::memory_order_acquire) && l1_->exists(key)) return true;
    return meta(key).live();
}

Nanos RedisProvider::ttl(std::string_view key)
{
    const Meta m = meta(key);
    if (!m.live()) return -2;
    if (m.pttl == -1) return -1;
    return (m.pttl - static_cast<long long>(m.graceMs)) * 1'000'000;
}

bool RedisProvider::expireAt(std::string_view key, Nanos deadline)
{
    const Nanos left = deadline - ctx_.clock.now();
    if (left <= 0) {
        const bool removed = delInternal(key);
        if (removed) ctx_.stats.add(Counter::Deletes);
        return removed;
    }
    const std::string ms = std::to_string((left + 999'999) / 1'000'000);
    std::vector<Args> extra;
    std::string message;
    publish('k', key, extra, message);
    Reply r;
    const bool sent = eval(S::Expire, {key}, {ms}, r, extra);
    dropL1(key);
    return sent && r.integer == 1;
}

bool RedisProvider::persist(std::string_view key)
{
    std::vector<Args> extra;
    std::string message;
    publish('k', key, extra, message);
    Reply r;
    const bool sent = eval(S::Persist, {key}, {}, r, extra);
    dropL1(key);
    return sent && r.integer == 1;
}

Result<std::int64_t> RedisProvider::incrBy(std::string_view key, std::int64_t n, Nanos expireAtIfNew)
{
    std::string px = "0";
    if (expireAtIfNew != 0) px = std::to_string(std::max<Nanos>(1, (expireAtIfNew - ctx_.clock.now() + 999'999) / 1'000'000));
    bool ok = true;
    const std::string hdr = header(0, 0, {}, ok);
    const std::string prefix = tagPrefixFor(key);
    const std::string by = std::to_string(n);
    std::vector<Args> extra;
    std::string message;
    publish('k', key, extra, message);
    Reply r;
    const bool sent = eval(S::Incr, {key}, {by, px, hdr, prefix}, r, extra);
    dropL1(key);
    if (!sent) return Error{Errc::Unavailable, "redis: " + lastError()};
    if (r.isError()) {
        std::string msg = r.str;
        if (auto p = msg.find("value is not"); p != std::string::npos) msg = msg.substr(p);
        else if (auto q = msg.find("increment or"); q != std::string::npos) msg = msg.substr(q);
        return Error{Errc::InvalidArgument, msg};
    }
    std::int64_t v = 0;
    std::from_chars(r.str.data(), r.str.data() + r.str.size(), v);
    return v;
}

ScanPage RedisProvider::scan(std::uint64_t cursor, std::string_view pattern, std::size_t count)
{
    ScanPage page;
    const std::size_t masters = masterCount();
    const std::size_t m = static_cast<std::size_t>(cursor >> kCursorShift);
    if (m >= masters) return page;
    const std::string c = std::to_string(cursor & ((std::uint64_t(1) << kCursorShift) - 1));
    const std::string n = std::to_string(std::max<std::size_t>(count, 1));
    const std::string p(pattern.empty() ? "*" : pattern);
    std::vector<Reply> r;
    if (!runOnMaster(m, {{"SCAN", c, "MATCH", p, "COUNT", n}}, r) || r[0].type != Reply::Type::Array
        || r[0].elements.size() != 2)
        return page;
    const std::uint64_t next = std::stoull(r[0].elements[0].str);
    if (next != 0) page.cursor = (std::uint64_t(m) << kCursorShift) | next;
    else if (m + 1 < masters) page.cursor = std::uint64_t(m + 1) << kCursorShift;
    for (auto& k : r[0].elements[1].elements)
        if (!internalKey(k.str)) page.keys.push_back(std::move(k.str));
    return page;
}

void RedisProvider::publishNow(char kind, std::string_view payload)
{
    std::vector<Args> extra;
    std::string message;
    publish(kind, payload, extra, message);
    if (!extra.empty()) {
        std::vector<Reply> ignored;
        run(extra, ignored);
    }
}

std::size_t RedisProvider::invalidateTag(const std::string& tag)
{
    const std::string& prefix = ctx_.options.keyPrefix;
    // The sets to empty, each with the tag-set prefix of its slot: one on a standalone server, one per slot that
    // has had members on a cluster (each batch is one script in that slot).
    std::vector<std::pair<std::string, std::string>> sets; // {set key, tag prefix}
    if (router_.isCluster()) {
        std::vector<Reply> r;
        if (run({{"SMEMBERS", tagSlotsKey(prefix, tag)}}, r) && r[0].type == Reply::Type::Array)
            for (const auto& e : r[0].elements) {
                const int slot = std::atoi(e.str.c_str());
                if (slot < 0 || slot >= 16384) continue;
                sets.emplace_back(clusterTagSetKey(prefix, tag, slot), clusterTagSetPrefix(prefix, slot));
            }
    } else {
        sets.emplace_back(tagSetKey(prefix, tag), prefix + std::string(kTagInfix));
    }
    const S::Script& batch = S::get(S::TagBatch);
    constexpr const char* kBatch = "500";
    std::size_t removed = 0;
    while (!sets.empty()) {
        std::vector<Args> calls;
        for (const auto& [set, tagPrefix] : sets) calls.push_back({"EVALSHA", batch.sha, "1", set, tagPrefix, kBatch, tag});
        std::vector<Reply> r;
        if (!run(calls, r)) break;
        std::vector<std::pair<std::string, std::string>> more;
        for (std::size_t i = 0; i < sets.size(); ++i) {
            if (r[i].type != Reply::Type::Array || r[i].elements.size() != 2) continue;
            removed += static_cast<std::size_t>(r[i].elements[0].integer);
            if (r[i].elements[1].integer >= std::atoi(kBatch)) more.push_back(std::move(sets[i]));
        }
        sets = std::move(more);
    }
    publishNow('t', tag);
    dropL1([&](Store& l1) { l1.invalidateTag(tag); });
    ctx_.stats.add(Counter::InvalidationsTag, removed);
    return removed;
}

std::size_t RedisProvider::invalidatePattern(std::string_view pattern)
{
    const S::Script& del = S::get(S::Del);
    std::size_t removed = 0;
    scanAll(std::string(pattern), "500", nullptr, [&](std::vector<Reply>& keys) {
        std::vector<std::string> prefixes;
        prefixes.reserve(keys.size());
        std::vector<Args> batch;
        for (const auto& k : keys) {
            if (internalKey(k.str)) continue;
            prefixes.push_back(tagPrefixFor(k.str));
            batch.push_back({"EVALSHA", del.sha, "1", k.str, prefixes.back()});
        }
        if (batch.empty()) return true;
        std::vector<Reply> replies;
        if (!run(batch, replies)) return false;
        for (const auto& r : replies)
            if (r.type == Reply::Type::Integer && r.integer == 1) ++removed;
        return true;
    });
    publishNow('p', pattern);
    dropL1([&](Store& l1) { l1.invalidatePattern(pattern); });
    ctx_.stats.add(Counter::InvalidationsPattern, removed);
    return removed;
}

std::size_t RedisProvider::clear()
{
    const std::string match = globEscape(ctx_.options.keyPrefix) + "*";
    std::size_t removed = 0;
    // One UNLINK per key: a cluster refuses keys of several slots in one command (CROSSSLOT).
    scanAll(match, "1000", nullptr, [&](std::vector<Reply>& keys) {
        std::vector<Args> unlink;
        for (const auto& k : keys) {
            unlink.push_back({"UNLINK", k.str});
            if (!internalKey(k.str)) ++removed;
        }
        std::vector<Reply> ignored;
        return run(unlink, ignored);
    });
    publishNow('c', {});
    dropL1([](Store& l1) { l1.clear(); });
    return removed;
}

std::size_t RedisProvider::sweepTags()
{
    const std::string& prefix = ctx_.options.keyPrefix;
    const std::string match = globEscape(prefix + std::string(kTagInfix)) + "*";
    const bool cluster = router_.isCluster();
    std::size_t removed = 0;
    scanAll(match, "500", "set", [&](std::vector<Reply>& sets) {
        for (const auto& set : sets) {
            const auto tag = tagOfSetKey(prefix, set.str, cluster);
            if (!tag) continue;
            std::string inner = "0";
            do {
                Reply s;
                if (!eval(S::TagSweep, {set.str}, {inner, "200", *tag}, s) || s.type != Reply::Type::Array
                    || s.elements.size() != 2)
                    return false;
                inner = s.elements[0].str;
                removed += static_cast<std::size_t>(s.elements[1].integer);
            } while (inner != "0");
        }
        return true;
    });
    if (removed) add(P::tagMembersSwept, removed);
    return removed;
}

std::size_t RedisProvider::sweep(std::size_t)
{
    if (opt_.tagSweepInterval.count() <= 0) return 0;
    const std::int64_t now = steadyNs();
    std::int64_t last = lastTagSweep_.load();
    const std::int64_t every = std::chrono::duration_cast<std::chrono::nanoseconds>(opt_.tagSweepInterval).count();
    if (last != 0 && now - last < every) return 0;
    if (!lastTagSweep_.compare_exchange_strong(last, now)) return 0;
    if (last == 0) return 0; // the first tick only starts the interval
    sweepTags();
    return 0;
}

std::string RedisProvider::lastError() const
{
    std::lock_guard lock(statsMu_);
    return lastError_.empty() ? std::string("unreachable") : lastError_;
}

Result<ValueRef> RedisProvider::loadThrough(std::string_view key, const std::function<Result<ValueRef>()>& load)
{
    auto unavailable = [&]() -> Result<ValueRef> {
        if (opt_.failOpen) {
            add(P::failOpenLoads);
            t_failingOpen = true;
            struct Reset {
                ~Reset() { t_failingOpen = false; }
            } reset;
            return load();
        }
        add(P::failClosedRefusals);
        return Error{Errc::Unavailable, "redis is unreachable (" + lastError()
                                            + "); the cache is fail-closed, so the loader was not called"};
    };
    if (t_lastCallFailed || down()) return unavailable();
    if (!opt_.distributedSingleFlight) return load();

    const std::string lock = lockKey(key);
    const std::string token = opt_.instanceId + ":" + randomHex(16);
    const std::string ttl = std::to_string(opt_.lockTtl.count());
    const auto deadline = std::chrono::steady_clock::now() + opt_.lockWait;
    bool counted = false;
    const S::Script& get = S::get(S::Get);
    for (;;) {
        std::vector<Reply> r;
        if (!run({{"SET", lock, token, "NX", "PX", ttl}}, r)) return unavailable();
        if (r[0].type == Reply::Type::Status) { // OK: we hold the lock
            add(P::lockAcquired);
            Result<ValueRef> result = load();
            Reply ignored;
            eval(S::Unlock, {lock}, {token}, ignored);
            return result;
        }
        if (!counted) {
            counted = true;
            add(P::lockWaits);
        }
        // Wait for the holder's value to land, or for its lock to go (released or expired), or for our patience.
        for (;;) {
            if (std::chrono::steady_clock::now() >= deadline) {
                add(P::lockTimeouts);
                return load();
            }
            std::this_thread::sleep_for(opt_.lockPoll);
            std::vector<Reply> w;
            if (!run({{"EVALSHA", get.sha, "1", key}, {"EXISTS", lock}}, w)) return unavailable();
            {
                Decoded d;
                long long pttl = -2;
                if (decodeGet(w[0], d, pttl) && fresh(pttl, d)) {
                    add(P::lockWaitHits);
                    ValueRef v = entryOf(key, d);
                    if (!v.isCompressed()) return v;
                    auto raw = decompressValue(d.value); // wrap() hands out the original bytes
                    if (raw.ok()) return ValueRef::adopt(Entry::create(v.key(), raw.value(), 0));
                    return load();
                }
            }
            if (w[1].integer == 0) break; // the lock is gone without a value: try to take it ourselves
        }
    }
}

void RedisProvider::onBusMessage(std::string_view payload)
{
    BusMessage m;
    if (!decodeBusMessage(payload, m)) {
        add(P::busMalformed);
        return;
    }
    if (m.instance == opt_.instanceId) {
        add(P::busIgnoredOwn);
        return;
    }
    add(P::busReceived);
    dropL1([&](Store& l1) {
        if (m.kind == "key") l1.del(m.payload);
        else if (m.kind == "tag") l1.invalidateTag(m.payload);
        else if (m.kind == "pattern") l1.invalidatePattern(m.payload);
        else l1.clear();
    });
}

void RedisProvider::onBusState(bool subscribed)
{
    {
        std::lock_guard lock(l1FillMu_);
        gen_.fetch_add(1, std::memory_order_acq_rel);
        if (subscribed && everSubscribed_) {
            l1_->clear();
            add(P::l1ClearsOnReconnect);
        }
        if (subscribed) everSubscribed_ = true;
        busUp_.store(subscribed, std::memory_order_release);
    }
    busCv_.notify_all();
}

bool RedisProvider::waitForBus(milliseconds timeout)
{
    if (!l1_) return false;
    std::unique_lock lock(l1FillMu_);
    return busCv_.wait_for(lock, timeout, [&] { return busUp_.load(); });
}

} // namespace cachelens::provider
