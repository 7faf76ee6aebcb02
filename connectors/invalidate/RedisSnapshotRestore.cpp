#include "connectors/invalidate/RedisSnapshotRestore.h"

#include "connectors/RedisSource.h"
#include "connectors/redis/CommandSink.h"

#include <QDateTime>

#include <memory>

namespace cachelens::redis {
namespace {

constexpr int kPagesInFlight = 4;     // hides the round trip; bounds what is unconfirmed when the server dies
constexpr int kProgressMs = 100;

bool isLost(const RedisError& e)
{
    return e.kind == RedisError::Kind::Connection || e.kind == RedisError::Kind::Timeout
           || e.kind == RedisError::Kind::Cancelled || e.kind == RedisError::Kind::Tls
           || e.kind == RedisError::Kind::Protocol;
}

} // namespace

RedisSnapshotRestore::RedisSnapshotRestore(quint64 requestId, CommandSink* sink, const QString& path,
                                           const RestoreOptions& options, QObject* parent)
    : QObject(parent), m_requestId(requestId), m_sink(sink), m_options(options)
{
    m_report.requestId = requestId;
    m_report.path = path;
    m_report.dryRun = options.dryRun;
    m_progressTimer.setInterval(kProgressMs);
    connect(&m_progressTimer, &QTimer::timeout, this, &RedisSnapshotRestore::emitProgress);
    m_throttleTimer.setSingleShot(true);
    connect(&m_throttleTimer, &QTimer::timeout, this, &RedisSnapshotRestore::pump);
}

bool RedisSnapshotRestore::open()
{
    if (!m_file.open(m_report.path, m_options.dryRun)) {
        m_report.error = SourceError{SourceError::Kind::Storage, m_file.errorString()};
        return false;
    }
    const qint64 pending = m_file.pendingCount();
    m_report.total = quint64(qMax<qint64>(0, pending));
    m_report.restoredBefore = quint64(qMax<qint64>(0, m_file.keys() - pending));
    return true;
}

void RedisSnapshotRestore::start()
{
    m_clock.start();
    m_progress.start();
    m_progressTimer.start();
    emitProgress();
    pump();
}

void RedisSnapshotRestore::cancel()
{
    m_cancelled = true;
    m_throttleTimer.stop();
    maybeFinish();
}

int RedisSnapshotRestore::pageSize() const
{
    const int size = qMax(1, m_options.batchSize);
    // Small pages under a throttle, so the rate is smooth rather than one burst a second.
    return m_options.maxKeysPerSecond > 0 ? int(qBound(qint64(1), m_options.maxKeysPerSecond / 10, qint64(size))) : size;
}

void RedisSnapshotRestore::pump()
{
    while (!m_finished && !m_cancelled && !m_report.interrupted && !m_exhausted && m_pagesInFlight < kPagesInFlight) {
        if (const qint64 rate = m_options.maxKeysPerSecond; rate > 0) {
            const qint64 dueMs = qint64(double(m_sent) * 1000.0 / double(rate));
            if (dueMs > m_clock.elapsed()) {
                if (!m_throttleTimer.isActive())
                    m_throttleTimer.start(int(qMin<qint64>(1000, dueMs - m_clock.elapsed())));
                break;
            }
        }
        sendPage();
    }
    maybeFinish();
}

void RedisSnapshotRestore::sendPage()
{
    const QVector<SnapshotRow> rows = m_file.pending(m_lastId, pageSize());
    if (rows.isEmpty()) {
        if (!m_file.errorString().isEmpty() && !m_report.error.isError())
            m_report.error = SourceError{SourceError::Kind::Storage, m_file.errorString()};
        m_exhausted = true;
        return;
    }
    m_lastId = rows.constLast().id;
    m_sent += quint64(rows.size());
    auto page = std::make_shared<Page>();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const SnapshotRow& row : rows) {
        qint64 ttl = 0;   // RESTORE's 0: no expiry
        if (row.pttlMs >= 0) {
            ttl = row.pttlMs - (now - row.takenMs);
            if (ttl <= 0) {
                ++m_report.skippedExpired;
                ++m_done;
                continue;
            }
        }
        ++page->left;
        const qint64 id = row.id;
        const QList<QByteArray> args = m_options.dryRun
            ? QList<QByteArray>{QByteArrayLiteral("EXISTS"), row.key}
            : QList<QByteArray>{QByteArrayLiteral("RESTORE"), row.key, QByteArray::number(ttl), row.payload};
        m_sink->command(args, this, [this, page, id](const RedisReply& reply) { onReply(page, id, reply); });
    }
    if (page->left == 0)
        return;   // every row of the page had expired: nothing in flight
    ++m_pagesInFlight;
}

void RedisSnapshotRestore::onReply(const std::shared_ptr<Page>& page, qint64 id, const RedisReply& reply)
{
    ++m_done;
    if (reply.isError()) {
        const RedisError& e = reply.error();
        if (e.message.startsWith(QLatin1String("BUSYKEY"))) {
            ++m_report.skippedExisting;
        } else if (isLost(e)) {
            ++m_report.unconfirmed;
            m_report.interrupted = true;
            if (!m_report.error.isError())
                m_report.error = RedisSource::toSourceError(e);
        } else {
            ++m_report.failed;
            if (!m_report.error.isError())
                m_report.error = RedisSource::toSourceError(e);
        }
    } else if (m_options.dryRun) {
        if (reply.toInteger() > 0)
            ++m_report.skippedExisting;
        else
            ++m_report.restored;
    } else {
        ++m_report.restored;
        page->restoredIds << id;
    }
    if (--page->left == 0)
        pageDone(*page);
}

void RedisSnapshotRestore::pageDone(const Page& page)
{
    --m_pagesInFlight;
    // The keys are back on the server; marking them only spares a later restore from counting them as re-created.
    if (!m_options.dryRun && !m_file.markRestored(page.restoredIds) && !m_report.error.isError())
        m_report.error = SourceError{SourceError::Kind::Storage,
                                     tr("restored keys could not be marked in the snapshot (restoring it again would "
                                        "count them as re-created): %1").arg(m_file.errorString())};
    pump();
}

void RedisSnapshotRestore::maybeFinish()
{
    if (m_finished || m_pagesInFlight > 0)
        return;
    if (!m_cancelled && !m_report.interrupted && !m_exhausted)
        return;
    m_finished = true;
    m_progressTimer.stop();
    m_throttleTimer.stop();
    m_report.cancelled = m_cancelled;
    // The remaining rows are neither restored nor skipped: total - (everything counted) is what was not tried.
    m_report.seconds = double(m_clock.nsecsElapsed()) / 1e9;
    m_file.close();
    emitProgress();
    Q_EMIT finished(m_report);
}

void RedisSnapshotRestore::emitProgress()
{
    RestoreProgress p;
    p.requestId = m_requestId;
    p.done = m_done;
    p.total = m_report.total;
    p.restored = m_report.restored;
    m_progress.setTotal(qint64(p.total));
    m_progress.update(qint64(m_done));
    p.keysPerSecond = m_progress.rate();
    p.etaSeconds = m_progress.etaSeconds();
    Q_EMIT progress(p);
}

} // namespace cachelens::redis
