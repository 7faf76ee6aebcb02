#include "connectors/sim/WorkloadJson.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <cmath>

namespace cachelens::sim {

using engine::sim::DistributionKind;
using engine::sim::DistributionSpec;
using engine::sim::WorkloadSpec;

namespace {

QString tr(const char* s) { return QCoreApplication::translate("WorkloadJson", s); }

// Reads fields of one JSON object, remembering the first problem and refusing keys nobody read.
class Reader {
public:
    Reader(const QJsonObject& o, QString where, QString& error) : m_o(o), m_where(std::move(where)), m_error(error) {}
    bool ok() const { return m_error.isEmpty(); }
    void fail(const QString& message)
    {
        if (m_error.isEmpty()) m_error = m_where.isEmpty() ? message : m_where + QStringLiteral(": ") + message;
    }
    bool has(const char* key) const { return m_o.contains(QLatin1String(key)); }
    QJsonValue take(const char* key)
    {
        m_seen.insert(QLatin1String(key));
        return m_o.value(QLatin1String(key));
    }
    template <class T>
    void number(const char* key, T& out, double min, double max)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined()) return;
        if (!v.isDouble()) return fail(tr("\"%1\" must be a number").arg(QLatin1String(key)));
        const double d = v.toDouble();
        if (!(d >= min && d <= max))
            return fail(tr("\"%1\" must be between %2 and %3").arg(QLatin1String(key)).arg(min).arg(max));
        if constexpr (std::is_integral_v<T>) {
            if (d != std::floor(d)) return fail(tr("\"%1\" must be a whole number").arg(QLatin1String(key)));
        }
        out = static_cast<T>(d);
    }
    void boolean(const char* key, bool& out)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined()) return;
        if (!v.isBool()) return fail(tr("\"%1\" must be true or false").arg(QLatin1String(key)));
        out = v.toBool();
    }
    void string(const char* key, std::string& out)
    {
        const QJsonValue v = take(key);
        if (v.isUndefined()) return;
        if (!v.isString()) return fail(tr("\"%1\" must be a string").arg(QLatin1String(key)));
        out = v.toString().toStdString();
    }
    QJsonObject object(const char* key)
    {
        const QJsonValue v = take(key);
        if (!v.isUndefined() && !v.isObject()) fail(tr("\"%1\" must be an object").arg(QLatin1String(key)));
        return v.toObject();
    }
    void finish()
    {
        for (auto it = m_o.begin(); it != m_o.end(); ++it)
            if (!m_seen.contains(it.key())) return fail(tr("unknown key \"%1\"").arg(it.key()));
    }

private:
    const QJsonObject& m_o;
    QString m_where;
    QString& m_error;
    QSet<QString> m_seen;
};

constexpr double kMaxCount = 1e15;

void readDistribution(const QJsonObject& o, const QString& where, DistributionSpec& d, QString& error, bool inMix)
{
    Reader r(o, where, error);
    std::string type;
    r.string("type", type);
    if (type.empty()) return r.fail(tr("\"type\" is missing (uniform, zipf, hotspot, scan, mixed or trace)"));
    if (!engine::sim::parseDistribution(type, d.kind))
        return r.fail(tr("unknown distribution \"%1\" (uniform, zipf, hotspot, scan, mixed or trace)").arg(QString::fromStdString(type)));
    if (inMix) {
        r.number("weight", d.weight, 1e-12, 1e12);
        r.number("keys", d.keys, 1, kMaxCount);
        r.number("ttlSeconds", d.ttlSeconds, 0, 1e9);
    }
    switch (d.kind) {
    case DistributionKind::Zipf: r.number("s", d.s, 0, 10); break;
    case DistributionKind::Hotspot:
        r.number("hotKeys", d.hotKeys, 1e-9, 1);
        r.number("hotTraffic", d.hotTraffic, 0, 1);
        break;
    case DistributionKind::Scan: r.number("length", d.scanLength, 1, kMaxCount); break;
    case DistributionKind::Trace:
        r.string("path", d.tracePath);
        r.string("format", d.traceFormat);
        if (d.tracePath.empty()) r.fail(tr("a trace distribution needs \"path\""));
        if (!d.traceFormat.empty() && d.traceFormat != "text" && d.traceFormat != "u64le")
            r.fail(tr("\"format\" must be text or u64le"));
        break;
    case DistributionKind::Mixed: {
        const QJsonValue parts = r.take("parts");
        if (!parts.isArray() || parts.toArray().isEmpty()) return r.fail(tr("a mixed distribution needs a non-empty \"parts\" array"));
        int i = 0;
        for (const QJsonValue& p : parts.toArray()) {
            const QString partWhere = where + QStringLiteral(".parts[%1]").arg(i++);
            if (!p.isObject()) return r.fail(tr("each part must be an object"));
            DistributionSpec part;
            readDistribution(p.toObject(), partWhere, part, error, true);
            if (!error.isEmpty()) return;
            d.parts.push_back(std::move(part));
        }
        break;
    }
    case DistributionKind::Uniform: break;
    }
    r.finish();
}

QJsonObject distributionToJson(const DistributionSpec& d, bool inMix)
{
    QJsonObject o{{QStringLiteral("type"), QLatin1String(engine::sim::distributionName(d.kind))}};
    if (inMix) {
        o.insert(QStringLiteral("weight"), d.weight);
        if (d.keys) o.insert(QStringLiteral("keys"), double(d.keys));
        if (d.ttlSeconds >= 0) o.insert(QStringLiteral("ttlSeconds"), d.ttlSeconds);
    }
    switch (d.kind) {
    case DistributionKind::Zipf: o.insert(QStringLiteral("s"), d.s); break;
    case DistributionKind::Hotspot:
        o.insert(QStringLiteral("hotKeys"), d.hotKeys);
        o.insert(QStringLiteral("hotTraffic"), d.hotTraffic);
        break;
    case DistributionKind::Scan:
        if (d.scanLength) o.insert(QStringLiteral("length"), double(d.scanLength));
        break;
    case DistributionKind::Trace:
        o.insert(QStringLiteral("path"), QString::fromStdString(d.tracePath));
        if (!d.traceFormat.empty()) o.insert(QStringLiteral("format"), QString::fromStdString(d.traceFormat));
        break;
    case DistributionKind::Mixed: {
        QJsonArray parts;
        for (const auto& p : d.parts) parts.append(distributionToJson(p, true));
        o.insert(QStringLiteral("parts"), parts);
        break;
    }
    case DistributionKind::Uniform: break;
    }
    return o;
}

} // namespace

std::optional<WorkloadSpec> parseWorkload(const QByteArray& json, QString& error)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError) {
        const int line = int(json.left(pe.offset).count('\n')) + 1;
        error = tr("line %1: %2").arg(line).arg(pe.errorString());
        return std::nullopt;
    }
    if (!doc.isObject()) {
        error = tr("the workload must be a JSON object");
        return std::nullopt;
    }
    return parseWorkload(doc.object(), error);
}

std::optional<WorkloadSpec> parseWorkload(const QJsonObject& json, QString& error)
{
    error.clear();
    WorkloadSpec s;
    Reader r(json, QString(), error);
    r.string("name", s.name);
    r.number("keys", s.keys, 1, kMaxCount);
    const QJsonObject dist = r.object("distribution");
    if (!dist.isEmpty() && r.ok()) readDistribution(dist, QStringLiteral("distribution"), s.distribution, error, false);
    r.number("requests", s.requests, 0, kMaxCount);
    r.number("readRatio", s.readRatio, 0, 1);
    r.number("rate", s.rate, 0, 1e12);
    const QJsonObject value = r.object("valueSize");
    if (r.ok()) {
        Reader v(value, QStringLiteral("valueSize"), error);
        v.number("min", s.valueMin, 0, 512 << 20);
        v.number("max", s.valueMax, 0, 512 << 20);
        v.finish();
        if (v.ok() && s.valueMax < s.valueMin) v.fail(tr("\"max\" is below \"min\""));
    }
    r.number("ttlSeconds", s.ttlSeconds, 0, 1e9);
    std::string mode;
    r.string("writeMode", mode);
    if (!mode.empty() && !engine::sim::parseWriteMode(mode, s.writeMode))
        r.fail(tr("\"writeMode\" must be invalidate, update or ttl"));
    r.boolean("singleFlight", s.singleFlight);
    r.number("threads", s.threads, 1, 256);
    const QJsonObject cache = r.object("cache");
    if (r.ok()) {
        Reader c(cache, QStringLiteral("cache"), error);
        c.string("target", s.target);
        std::string policy;
        c.string("policy", policy);
        if (!policy.empty() && !engine::parsePolicy(policy, s.policy))
            c.fail(tr("unknown policy \"%1\" (lru, wtinylfu, s3fifo or sieve)").arg(QString::fromStdString(policy)));
        c.number("maxEntries", s.maxEntries, 0, kMaxCount);
        c.number("maxBytes", s.maxBytes, 0, kMaxCount);
        c.finish();
        if (c.ok() && s.target.empty())
            c.fail(tr("target must be \"local\", a Redis URL (redis://host:port) or the name of a saved connection"));
    }
    const QJsonObject backing = r.object("backing");
    if (r.ok()) {
        Reader b(backing, QStringLiteral("backing"), error);
        b.string("type", s.backingType);
        b.number("latencyMs", s.latencyMs, 0, 60000);
        b.finish();
        if (b.ok() && s.backingType != "sqlite" && s.backingType != "memory")
            b.fail(tr("backing type must be sqlite or memory"));
    }
    r.number("seed", s.seed, 0, 9007199254740992.0);
    if (r.ok()) r.finish();
    if (!error.isEmpty()) return std::nullopt;
    return s;
}

QJsonObject workloadToJson(const WorkloadSpec& s)
{
    QJsonObject o;
    if (!s.name.empty()) o.insert(QStringLiteral("name"), QString::fromStdString(s.name));
    o.insert(QStringLiteral("keys"), double(s.keys));
    o.insert(QStringLiteral("distribution"), distributionToJson(s.distribution, false));
    o.insert(QStringLiteral("requests"), double(s.requests));
    o.insert(QStringLiteral("readRatio"), s.readRatio);
    o.insert(QStringLiteral("rate"), s.rate);
    o.insert(QStringLiteral("valueSize"), QJsonObject{{QStringLiteral("min"), double(s.valueMin)}, {QStringLiteral("max"), double(s.valueMax)}});
    o.insert(QStringLiteral("ttlSeconds"), s.ttlSeconds);
    o.insert(QStringLiteral("writeMode"), QLatin1String(engine::sim::writeModeName(s.writeMode)));
    o.insert(QStringLiteral("singleFlight"), s.singleFlight);
    o.insert(QStringLiteral("threads"), double(s.threads));
    o.insert(QStringLiteral("cache"), QJsonObject{{QStringLiteral("target"), QString::fromStdString(s.target)},
                                                  {QStringLiteral("policy"), QLatin1String(engine::policyName(s.policy))},
                                                  {QStringLiteral("maxEntries"), double(s.maxEntries)},
                                                  {QStringLiteral("maxBytes"), double(s.maxBytes)}});
    o.insert(QStringLiteral("backing"), QJsonObject{{QStringLiteral("type"), QString::fromStdString(s.backingType)},
                                                    {QStringLiteral("latencyMs"), s.latencyMs}});
    o.insert(QStringLiteral("seed"), double(s.seed));
    return o;
}

QJsonObject resultsToJson(const engine::sim::SimResults& r)
{
    auto pct = [](const engine::sim::LatencyPercentiles& p) {
        return QJsonObject{{QStringLiteral("p50"), p.p50}, {QStringLiteral("p95"), p.p95}, {QStringLiteral("p99"), p.p99}};
    };
    return QJsonObject{
        {QStringLiteral("requests"), double(r.requests)},
        {QStringLiteral("reads"), double(r.reads)},
        {QStringLiteral("writes"), double(r.writes)},
        {QStringLiteral("hits"), double(r.hits)},
        {QStringLiteral("misses"), double(r.misses)},
        {QStringLiteral("hitRate"), r.hitRate},
        {QStringLiteral("backingQueries"), double(r.backingQueries)},
        {QStringLiteral("backingWrites"), double(r.backingWrites)},
        {QStringLiteral("dbLoadReduction"), r.dbLoadReduction},
        {QStringLiteral("staleReads"), double(r.staleReads)},
        {QStringLiteral("stampedes"), double(r.stampedes)},
        {QStringLiteral("evictions"), double(r.evictions)},
        {QStringLiteral("expirations"), double(r.expirations)},
        {QStringLiteral("invalidations"), double(r.invalidations)},
        {QStringLiteral("loadFailures"), double(r.loadFailures)},
        {QStringLiteral("latencyUs"), pct(r.latency)},
        {QStringLiteral("hitLatencyUs"), pct(r.hitLatency)},
        {QStringLiteral("missLatencyUs"), pct(r.missLatency)},
        {QStringLiteral("simulatedSeconds"), r.simulatedSeconds},
        {QStringLiteral("wallSeconds"), r.wallSeconds},
        {QStringLiteral("requestsPerSecond"), r.requestsPerSecond},
        {QStringLiteral("cancelled"), r.cancelled},
        {QStringLiteral("target"), QString::fromStdString(r.target)},
        {QStringLiteral("keysCleanedUp"), double(r.keysCleanedUp)},
    };
}

QList<WorkloadPreset> workloadPresets()
{
    auto preset = [](const QString& name, const QString& description, const char* json) {
        return WorkloadPreset{name, description, QJsonDocument::fromJson(json).toJson(QJsonDocument::Indented)};
    };
    return {
        preset(tr("Issue example: Zipf 0.9, 30 s TTL"), tr("100,000 keys, 95% reads at 5,000 requests/s, W-TinyLFU with 10,000 entries"),
               R"({"name": "zipf 0.9", "keys": 100000, "distribution": {"type": "zipf", "s": 0.9}, "requests": 2000000,
                   "readRatio": 0.95, "rate": 5000, "valueSize": {"min": 100, "max": 1000}, "ttlSeconds": 30,
                   "cache": {"target": "local", "policy": "wtinylfu", "maxEntries": 10000, "maxBytes": 0},
                   "backing": {"type": "sqlite", "latencyMs": 2}, "seed": 42})"),
        preset(tr("Chat with published characters (5 min TTL)"),
               tr("Character cards read on every message; a few popular characters dominate; edits invalidate"),
               R"({"name": "chat characters", "keys": 50000, "distribution": {"type": "zipf", "s": 1.0}, "requests": 1000000,
                   "readRatio": 0.99, "rate": 2000, "valueSize": {"min": 500, "max": 4000}, "ttlSeconds": 300,
                   "writeMode": "invalidate",
                   "cache": {"target": "local", "policy": "wtinylfu", "maxEntries": 5000, "maxBytes": 0},
                   "backing": {"type": "sqlite", "latencyMs": 3}, "seed": 42})"),
        preset(tr("Polling endpoints every 2 s (messages 5 s TTL)"),
               tr("2,000 clients poll their conversation every 2 s (1,000 requests/s); 20% of conversations get 90% "
                  "of the polls; new messages are writes"),
               R"({"name": "polling", "keys": 5000, "distribution": {"type": "hotspot", "hotKeys": 0.2, "hotTraffic": 0.9},
                   "requests": 600000, "readRatio": 0.95, "rate": 1000, "valueSize": {"min": 200, "max": 2000},
                   "ttlSeconds": 5, "writeMode": "invalidate",
                   "cache": {"target": "local", "policy": "wtinylfu", "maxEntries": 2000, "maxBytes": 0},
                   "backing": {"type": "sqlite", "latencyMs": 2}, "seed": 42})"),
        preset(tr("Discord lookups (guilds 60 s, bot guilds 300 s, members 30 s)"),
               tr("Three namespaces with their own key ranges and the TTL table: guilds, the bot's guilds, members"),
               R"({"name": "discord lookups", "keys": 111000, "distribution": {"type": "mixed", "parts": [
                     {"weight": 0.3, "keys": 10000, "ttlSeconds": 60, "type": "zipf", "s": 0.9},
                     {"weight": 0.1, "keys": 1000, "ttlSeconds": 300, "type": "uniform"},
                     {"weight": 0.6, "keys": 100000, "ttlSeconds": 30, "type": "zipf", "s": 0.8}]},
                   "requests": 1000000, "readRatio": 0.97, "rate": 3000, "valueSize": {"min": 200, "max": 3000},
                   "ttlSeconds": 60, "writeMode": "invalidate",
                   "cache": {"target": "local", "policy": "wtinylfu", "maxEntries": 20000, "maxBytes": 0},
                   "backing": {"type": "sqlite", "latencyMs": 2}, "seed": 42})"),
        preset(tr("Scan over a hot set (LRU's weak spot)"), tr("Zipf reads mixed with a sequential scan of the whole table"),
               R"({"name": "zipf + scan", "keys": 100000, "distribution": {"type": "mixed", "parts": [
                     {"weight": 0.7, "type": "zipf", "s": 0.9}, {"weight": 0.3, "type": "scan"}]},
                   "requests": 1000000, "readRatio": 1, "rate": 5000, "valueSize": {"min": 100, "max": 1000},
                   "ttlSeconds": 0, "cache": {"target": "local", "policy": "lru", "maxEntries": 10000, "maxBytes": 0},
                   "backing": {"type": "sqlite", "latencyMs": 2}, "seed": 42})"),
    };
}

} // namespace cachelens::sim
