#include "connectors/LocalSource.h"

#include "engine/cache.h"

#include <QTimer>
#include <QUuid>

namespace cachelens {
namespace {

constexpr int kBatchIntervalMs = 100;     // keysFound at most ~10 times a second
constexpr int kSliceMs = 20;              // one slice of scanning, then back to the event loop

std::string_view view(const QByteArray& bytes) { return {bytes.constData(), std::size_t(bytes.size())}; }

} // namespace

LocalSource::LocalSource(std::shared_ptr<engine::Cache> cache, QObject* parent)
    : Source(parent), m_cache(std::move(cache)), m_runId(QUuid::createUuid().toString(QUuid::Id128))
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
        std::int64_t size = -1;
        const bool present = m_cache->read(view(key), [&](std::string_view value) { size = std::int64_t(value.size()); });
        if (ttl == -2 || !present) {
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
    const bool present = m_cache->read(view(key), [&](std::string_view value) {
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

void LocalSource::setTtl(quint64 requestId, const QList<QByteArray>& keys, qint64 ttlMs)
{
    KeyOpResult result;
    result.requestId = requestId;
    result.requested = quint64(keys.size());
    for (const QByteArray& key : keys) {
        const bool changed = ttlMs < 0 ? m_cache->persist(view(key))
                                       : m_cache->expire(view(key), std::chrono::milliseconds(ttlMs));
        result.affected += changed ? 1 : 0;
    }
    Q_EMIT keysChanged(result);
}

void LocalSource::remove(quint64 requestId, const QList<QByteArray>& keys)
{
    KeyOpResult result;
    result.requestId = requestId;
    result.requested = quint64(keys.size());
    for (const QByteArray& key : keys)
        result.affected += m_cache->del(view(key)) ? 1 : 0;
    Q_EMIT keysChanged(result);
}

void LocalSource::writeValue(quint64 requestId, const QByteArray& key, const QByteArray& field, const QByteArray& value)
{
    KeyOpResult result;
    result.requestId = requestId;
    result.requested = 1;
    if (!field.isEmpty()) {
        result.error = SourceError{SourceError::Kind::WrongType, tr("the local engine stores strings only: it has no hash fields")};
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
    Q_EMIT keysChanged(result);
}

} // namespace cachelens
