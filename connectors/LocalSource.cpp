#include "connectors/LocalSource.h"

#include "connectors/support/Progress.h"

#include <algorithm>


#include <cachelens/cache.h>
#include <cachelens/glob.h>

#include <random>

#include <QTimer>
#include <QUuid>

namespace cachelens {
namespace {

constexpr int kBatchIntervalMs = 100;     // keysFound at most ~10 times a second
constexpr int kSliceMs = 20;              // one slice of scanning, then back to the event loop

std::string_view view(const QByteArray& bytes) { return {bytes.constData(), std::size_t(bytes.size())}; }

} // namespace

// One pattern invalidation in slices of the worker's event loop (like scans), so cancel() and the throttle are
// honoured between slices. Without throttle, jitter or the Exclude policy a real run is one call of the engine's
// own invalidatePattern (its shards are locked one at a time, so it is quick and counted as a pattern invalidation).
struct LocalSource::PurgeJob {
    QByteArray glob;
    InvalidateOptions options;
    InvalidationReport report;
    AuditTicket audit;                      // invalid for a dry run
    std::uint64_t cursor = 0;
    bool sweeping = false;                  // Include: the second pass, for keys that appeared during the first
    qint64 sampleBytes = 0;
    int sampleMeasured = 0;
    bool cancelled = false;
    // Dry run on a W-TinyLFU engine: the frequency sketch's recent reads of the matches and of every key, for
    // InvalidationReport::hitShare (the dry run then walks every key and matches them here).
    bool weigh = false;
    std::uint64_t readsMatched = 0, readsAll = 0;
    QElapsedTimer clock;
    ProgressMeter progress;   // rate of the progress signals
    QElapsedTimer sinceProgress;
    std::mt19937_64 random{std::random_device{}()};
};


LocalSource::LocalSource(std::shared_ptr<engine::Cache> cache, QObject* parent)
    : LocalSource(std::move(cache), GuardPolicy{tr("Local engine"), false, false, {}}, parent)
{
}

LocalSource::LocalSource(std::shared_ptr<engine::Cache> cache, GuardPolicy policy, QObject* parent)
    : Source(ChangeGuard(std::move(policy)), parent), m_cache(std::move(cache)), m_runId(QUuid::createUuid().toString(QUuid::Id128))
{
    m_uptime.start();
}

LocalSource::~LocalSource() = default;

void LocalSource::open()
{
    m_open = true;
    Q_EMIT stateChanged(ConnectionState::Ready, tr("in-process, no server needed"));
}

void LocalSource::close()
{
    for (auto it = m_scans.begin(); it != m_scans.end(); ++it) {
        ScanSummary summary;
        summary.requestId = it.key();
        summary.total = it->delivered;
        summary.cancelled = true;
        Q_EMIT scanFinished(summary);
    }
    m_scans.clear();
    m_open = false;
    Q_EMIT stateChanged(ConnectionState::Disconnected, QString());
}

void LocalSource::sample()
{
    const engine::StatsSnapshot s = m_cache->stats();
    using C = engine::Counter;
    StatsSample out;
    out.sourceId = id();
    out.time = QDateTime::currentDateTimeUtc();
    out.hits = std::int64_t(s.at(C::Hits));
    out.misses = std::int64_t(s.at(C::Misses));
    out.sets = std::int64_t(s.at(C::Sets));
    out.deletes = std::int64_t(s.at(C::Deletes) + s.invalidations());
    out.evictions = std::int64_t(s.evictions());
    out.expirations = std::int64_t(s.at(C::Expirations));
    out.commands = out.hits + out.misses + out.sets + out.deletes;
    out.keys = std::int64_t(s.entries);
    out.memoryBytes = std::int64_t(s.bytes);
    out.runId = m_runId;
    out.uptimeSeconds = m_uptime.elapsed() / 1000;
    // Everything CacheLens reads here is a peek: none of it is in the engine's hits and misses.
    out.ownHits = out.ownMisses = out.ownUncountable = 0;
    Q_EMIT statsSample(out);
}

void LocalSource::scan(quint64 requestId, const QByteArray& glob, int pageSize)
{
    ScanJob job;
    job.glob = glob.isEmpty() ? QByteArrayLiteral("*") : glob;
    job.pageSize = qBound(10, pageSize, 100000);
    job.pending.requestId = requestId;
    job.pending.estimatedTotal = m_cache->stats().entries;
    job.sinceEmit.start();
    m_scans.insert(requestId, job);
    QTimer::singleShot(0, this, [this, requestId] { scanSlice(requestId); });
}

void LocalSource::scanSlice(quint64 requestId)
{
    auto it = m_scans.find(requestId);
    if (it == m_scans.end())
        return;   // cancelled
    ScanJob& job = *it;
    QElapsedTimer slice;
    slice.start();
    do {
        const engine::ScanPage page = m_cache->scan(job.cursor, view(job.glob), std::size_t(job.pageSize));
        for (const std::string& key : page.keys) {
            KeyEntry e;
            e.key = QByteArray(key.data(), qsizetype(key.size()));
            e.type = KeyType::String;
            job.pending.keys.append(std::move(e));
        }
        job.delivered += page.keys.size();
        job.cursor = page.cursor;
    } while (job.cursor != 0 && slice.elapsed() < kSliceMs);

    if (job.cursor == 0) {
        flush(requestId, job);
        ScanSummary summary;
        summary.requestId = requestId;
        summary.total = job.delivered;
        m_scans.erase(it);
        Q_EMIT scanFinished(summary);
        return;
    }
    if (job.sinceEmit.elapsed() >= kBatchIntervalMs)
        flush(requestId, job);
    QTimer::singleShot(0, this, [this, requestId] { scanSlice(requestId); });
}

void LocalSource::flush(quint64 requestId, ScanJob& job)
{
    if (job.pending.keys.isEmpty())
        return;
    job.pending.requestId = requestId;
    job.pending.scannedSoFar = job.delivered;
    Q_EMIT keysFound(job.pending);
    job.pending.keys.clear();
    job.sinceEmit.restart();
}

void LocalSource::cancel(quint64 requestId)
{
    if (auto purge = m_purges.value(requestId)) {
        purge->cancelled = true;
        return;
    }
    auto it = m_scans.find(requestId);
    if (it == m_scans.end())
        return;
    flush(requestId, *it);
    ScanSummary summary;
    summary.requestId = requestId;
    summary.total = it->delivered;
    summary.cancelled = true;
    m_scans.erase(it);
    Q_EMIT scanFinished(summary);
}

void LocalSource::keyDetails(quint64 requestId, const QList<QByteArray>& keys)
{
    KeyBatch batch;
    batch.requestId = requestId;
    for (const QByteArray& key : keys) {
        KeyEntry e;
        e.key = key;
        const std::int64_t ttl = m_cache->pttl(view(key));
        // Looking at a key is not an access: no hit counted, nothing told to the eviction policy.
        const std::int64_t size = m_cache->peekValueSize(view(key));
        if (ttl == -2 || size < 0) {
            e.type = KeyType::None;
        } else {
            e.type = KeyType::String;
            e.ttlMs = ttl;
            e.memoryBytes = size + key.size();
        }
        batch.keys.append(e);
    }
    batch.scannedSoFar = quint64(batch.keys.size());
    Q_EMIT keyDetailsReady(batch);
}

void LocalSource::fetchValue(quint64 requestId, const QByteArray& key, const QByteArray& cursor, int pageSize)
{
    ValuePage page;
    page.requestId = requestId;
    page.key = key;
    page.cursor = cursor;
    bool ok = true;
    const qint64 offset = cursor.isEmpty() ? 0 : cursor.toLongLong(&ok);
    if (!ok || offset < 0) {
        page.error = SourceError{SourceError::Kind::InvalidArgument, tr("bad value cursor '%1'").arg(QString::fromLatin1(cursor))};
        Q_EMIT valueReady(page);
        return;
    }
    const qint64 chunk = pageSize > 0 ? pageSize : 64 * 1024;
    // A peek, like keyDetails: reading a value to show it is not an access the engine's hit rate should count.
    const bool present = m_cache->peekValue(view(key), [&](std::string_view value) {
        page.total = std::int64_t(value.size());
        const auto from = std::min<std::size_t>(std::size_t(offset), value.size());
        const auto len = std::min<std::size_t>(std::size_t(chunk), value.size() - from);
        page.bytes = QByteArray(value.data() + from, qsizetype(len));
        page.offset = qint64(from);
        if (from + len < value.size())
            page.nextCursor = QByteArray::number(qint64(from + len));
    });
    page.type = present ? KeyType::String : KeyType::None;
    page.ttlMs = present ? m_cache->pttl(view(key)) : -2;
    if (!present)
        page.error = SourceError{SourceError::Kind::InvalidArgument, tr("the key no longer exists")};
    Q_EMIT valueReady(page);
}

void LocalSource::changeTtl(quint64 requestId, const QList<QByteArray>& keys, qint64 ttlMs, const AuditTicket& ticket)
{
    KeyOpResult result;
    result.requestId = requestId;
    result.requested = quint64(keys.size());
    for (const QByteArray& key : keys) {
        const bool changed = ttlMs < 0 ? m_cache->persist(view(key))
                                       : m_cache->expire(view(key), std::chrono::milliseconds(ttlMs));
        result.affected += changed ? 1 : 0;
    }
    ticket.finish(result);
    Q_EMIT keysChanged(result);
}

void LocalSource::removeKeys(quint64 requestId, const QList<QByteArray>& keys, const AuditTicket& ticket)
{
    KeyOpResult result;
    result.requestId = requestId;
    result.requested = quint64(keys.size());
    for (const QByteArray& key : keys)
        result.affected += m_cache->del(view(key)) ? 1 : 0;
    ticket.finish(result);
    Q_EMIT keysChanged(result);
}

void LocalSource::storeValue(quint64 requestId, const QByteArray& key, const QByteArray& field, const QByteArray& value,
                             const AuditTicket& ticket)
{
    KeyOpResult result;
    result.requestId = requestId;
    result.requested = 1;
    if (!field.isEmpty()) {
        result.error = SourceError{SourceError::Kind::WrongType, tr("the local engine stores strings only: it has no hash fields")};
        ticket.finish(result);
        Q_EMIT keysChanged(result);
        return;
    }
    engine::SetOptions options;
    if (const std::int64_t left = m_cache->pttl(view(key)); left > 0)
        options.ttl = std::chrono::milliseconds(left);   // keep the remaining TTL, like SET … KEEPTTL
    const engine::Status status = m_cache->set(view(key), view(value), options);
    if (status.ok())
        result.affected = 1;
    else
        result.error = SourceError{SourceError::Kind::Server, QString::fromStdString(status.error().message)};
    ticket.finish(result);
    Q_EMIT keysChanged(result);
}

void LocalSource::runPatternInvalidation(quint64 requestId, const QByteArray& glob, const InvalidateOptions& options,
                                         const AuditTicket& ticket)
{
    auto job = std::make_shared<PurgeJob>();
    job->audit = ticket;
    job->glob = glob;
    job->options = options;
    job->report.requestId = requestId;
    job->report.what = QStringLiteral("pattern ") + QString::fromUtf8(glob);
    job->report.dryRun = options.dryRun;
    job->report.newKeys = options.newKeys;
    job->report.expired = options.expireJitterSeconds > 0 && !options.dryRun;
    job->report.keyspace = m_cache->stats().entries;
    job->weigh = options.dryRun && m_cache->accessFrequency({}) >= 0;   // only W-TinyLFU keeps a frequency
    job->clock.start();
    job->progress.start();
    job->sinceProgress.start();
    const auto refuse = [&](const QString& why) {
        job->report.error = SourceError{SourceError::Kind::InvalidArgument, why};
        ticket.finish(job->report);
        Q_EMIT invalidationFinished(job->report);
    };
    if (options.snapshot && !options.dryRun)   // #9: snapshots are DUMP payloads, a Redis format
        return refuse(tr("snapshots are for Redis connections only: the local engine keeps no DUMP/RESTORE form of "
                         "its entries; nothing was deleted"));
    if (m_purges.contains(requestId))
        return refuse(tr("invalidation %1 is already running").arg(requestId));
    m_purges.insert(requestId, job);
    if (!options.dryRun && options.maxKeysPerSecond <= 0 && options.expireJitterSeconds <= 0) {
        const std::size_t removed = m_cache->invalidatePattern(view(glob));
        job->report.matched = removed;
        job->report.deleted = removed;
        finishPurge(requestId);
        return;
    }
    QTimer::singleShot(0, this, [this, requestId] { purgeSlice(requestId); });
}

void LocalSource::purgeSlice(quint64 requestId)
{
    const auto job = m_purges.value(requestId);
    if (!job)
        return;
    if (job->cancelled) {
        job->report.cancelled = true;
        finishPurge(requestId);
        return;
    }
    const InvalidateOptions& o = job->options;
    const qint64 rate = o.maxKeysPerSecond;
    const std::size_t page = std::size_t(rate > 0 ? qBound<qint64>(1, rate / 10, qint64(qMax(1, o.batchSize))) : qMax(1, o.batchSize));
    QElapsedTimer slice;
    slice.start();
    auto act = [&](const std::vector<std::string>& keys) {
        if (o.expireJitterSeconds > 0) {
            std::uniform_int_distribution<qint64> ttl(1, o.expireJitterSeconds * 1000);
            for (const std::string& key : keys)
                job->report.deleted += m_cache->expire(key, std::chrono::milliseconds(ttl(job->random))) ? 1 : 0;
        } else {
            job->report.deleted += m_cache->invalidate(keys);
        }
    };
    bool more = true;
    while (more && slice.elapsed() < kSliceMs) {
        if (rate > 0 && double(job->report.deleted) >= double(rate) * double(job->clock.nsecsElapsed()) / 1e9)
            break;   // the throttle: wait for the next slice
        engine::ScanPage found = m_cache->scan(job->cursor, job->weigh ? std::string_view("*") : view(job->glob), page);
        job->cursor = found.cursor;
        if (job->weigh) {
            std::vector<std::string> matching;
            for (std::string& key : found.keys) {
                const auto reads = std::uint64_t(qMax(0, m_cache->accessFrequency(key)));
                job->readsAll += reads;
                if (engine::globMatch(view(job->glob), key)) {
                    job->readsMatched += reads;
                    matching.push_back(std::move(key));
                }
            }
            found.keys = std::move(matching);
        }
        job->report.matched += found.keys.size();
        for (const std::string& key : found.keys) {
            if (job->report.sample.size() >= o.sampleSize)
                break;
            job->report.sample.append(QByteArray(key.data(), qsizetype(key.size())));
            // A peek: measuring the forecast must not count as a read (a hit, and a bump in the policy's sketch).
            if (const std::int64_t size = m_cache->peekValueSize(key); size >= 0) {
                job->sampleBytes += size + qint64(key.size());
                ++job->sampleMeasured;
            }
        }
        if (!o.dryRun) {
            const quint64 before = job->report.deleted;
            act(found.keys);
            if (job->sweeping)
                job->report.newKeysDeleted += job->report.deleted - before;
        }
        if (job->cursor == 0) {
            if (!o.dryRun && o.newKeys == InvalidateOptions::NewKeys::Include && !job->sweeping
                && o.expireJitterSeconds <= 0) {
                job->sweeping = true;
                continue;
            }
            more = false;
        }
    }
    if (job->sinceProgress.elapsed() >= kBatchIntervalMs) {
        job->sinceProgress.restart();
        InvalidationProgress p;
        p.requestId = requestId;
        p.matched = job->report.matched;
        p.deleted = job->report.deleted;
        p.keyspace = job->report.keyspace;
        p.estimatedMatches = job->report.matched;
        job->progress.update(qint64(o.dryRun ? p.matched : p.deleted));
        p.keysPerSecond = job->progress.rate();
        p.batchSize = int(page);
        Q_EMIT invalidationProgress(p);
    }
    if (!more) {
        finishPurge(requestId);
        return;
    }
    QTimer::singleShot(rate > 0 ? 10 : 0, this, [this, requestId] { purgeSlice(requestId); });
}

void LocalSource::finishPurge(quint64 requestId)
{
    const auto job = m_purges.take(requestId);
    if (!job)
        return;
    if (job->sampleMeasured > 0)
        job->report.estimatedMemoryBytes = qint64(double(job->sampleBytes) / job->sampleMeasured * double(job->report.matched));
    if (job->weigh && job->readsAll > 0 && !job->report.cancelled)
        job->report.hitShare = double(job->readsMatched) / double(job->readsAll);
    job->report.seconds = double(job->clock.nsecsElapsed()) / 1e9;
    InvalidationProgress p;
    p.requestId = requestId;
    p.matched = job->report.matched;
    p.deleted = job->report.deleted;
    p.estimatedMatches = job->report.matched;
    p.keyspace = job->report.keyspace;
    Q_EMIT invalidationProgress(p);
    job->audit.finish(job->report);
    Q_EMIT invalidationFinished(job->report);
}

void LocalSource::listTags(quint64 requestId, const QByteArray& prefix)
{
    TagList list;
    list.requestId = requestId;
    list.prefix = prefix;
    for (const auto& [name, members] : m_cache->tagCounts())
        list.tags.append(TagInfo{QByteArray::fromStdString(name), qint64(members)});
    Q_EMIT tagsListed(list);
}

void LocalSource::runTagInvalidation(quint64 requestId, const QByteArray&, const QList<QByteArray>& tags,
                                     const InvalidateOptions& options, const AuditTicket& ticket)
{
    InvalidationReport report;
    report.requestId = requestId;
    QStringList names;
    for (const QByteArray& t : tags)
        names << QString::fromUtf8(t);
    report.what = QStringLiteral("tag ") + names.join(QStringLiteral(", "));
    report.dryRun = options.dryRun;
    report.keyspace = m_cache->stats().entries;
    QElapsedTimer clock;
    clock.start();
    // What invalidating the tags in turn removes: live entries carrying any of them, each once.
    std::vector<std::string> tagNames;
    for (const QByteArray& t : tags)
        tagNames.push_back(t.toStdString());
    report.matched = m_cache->countTagged(tagNames);
    if (!options.dryRun) {
        for (const QByteArray& t : tags)
            report.deleted += m_cache->invalidateTag(t.toStdString());
        report.seconds = double(clock.nsecsElapsed()) / 1e9;
        ticket.finish(report);
    }
    report.seconds = double(clock.nsecsElapsed()) / 1e9;
    Q_EMIT invalidationFinished(report);
}

// ---- Keys panel: element counts and access frequency (#7) ----

void LocalSource::keyStats(quint64 requestId, const QList<QByteArray>& keys, bool withElements, bool withFrequency)
{
    KeyStatsBatch batch;
    batch.requestId = requestId;
    const bool sketch = m_cache->accessFrequency({}) >= 0;   // only W-TinyLFU keeps a frequency
    if (withFrequency) {
        batch.frequency.policy = std::string_view(m_cache->providerName()) == "memory" ? QString::fromLatin1(engine::policyName(m_cache->options().policy))
                                                        : QString::fromStdString(m_cache->options().provider);
        batch.frequency.available = sketch;
        if (sketch)
            batch.frequency.scale = tr("the W-TinyLFU frequency sketch's estimate (0–16): recent accesses, halved "
                                       "every 5 × capacity accesses");
        else
            batch.frequency.reason = tr("the engine's %1 policy keeps no access frequency; only W-TinyLFU has a "
                                        "frequency sketch.").arg(batch.frequency.policy);
    }
    batch.keys.reserve(keys.size());
    for (const QByteArray& key : keys) {
        KeyStat s;
        s.key = key;
        const std::int64_t size = m_cache->peekValueSize(view(key));
        s.type = size < 0 ? KeyType::None : KeyType::String;
        if (size >= 0 && withElements)
            s.elements = size;
        if (size >= 0 && withFrequency && sketch)
            s.frequency = m_cache->accessFrequency(view(key));
        batch.keys.append(s);
    }
    Q_EMIT keyStatsReady(batch);
}

} // namespace cachelens
