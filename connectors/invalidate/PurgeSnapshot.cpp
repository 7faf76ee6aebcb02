#include "connectors/invalidate/PurgeSnapshot.h"

#include "connectors/redis/RedisClient.h"
#include "connectors/support/Units.h"

#include <QDateTime>
#include <QLocale>

#include <memory>

namespace cachelens::redis {
namespace {

QString size(qint64 bytes) { return formatBytes(bytes); }

} // namespace

PurgeSnapshot::PurgeSnapshot(QObject* parent) : QObject(parent) {}

bool PurgeSnapshot::open(const QString& path, const SnapshotInfo& meta, qint64 limitBytes, QString* error)
{
    m_limit = limitBytes;
    m_path = path;
    if (m_file.create(path, meta)) {
        m_keysQueued = m_file.keys();
        m_bytesQueued = m_file.bytes();
        m_earlierUnconfirmed = m_file.unconfirmed();
        return true;
    }
    if (error)
        *error = tr("nothing was changed: %1").arg(m_file.errorString());
    return false;
}

// What one batch's DUMP + PTTL replies gather; each reply's callback holds only this (shared) and its index.
struct PurgeSnapshot::Gather {
    QString node;
    qint64 takenMs = 0;
    QList<QByteArray> keys;
    Done done;
    QVector<QByteArray> payloads;
    QVector<qint64> pttls;
    QVector<bool> present;
    qsizetype left = 0;
    RedisError error;
};

void PurgeSnapshot::take(RedisClient* client, const QString& node, const QList<QByteArray>& keys, Done done)
{
    if (m_stop.isError())
        return write(node, 0, {}, {}, {}, done);   // in its turn, after the batches being written
    if (keys.isEmpty() || !client) {
        QMetaObject::invokeMethod(this, [done] { done({}, {}); }, Qt::QueuedConnection);
        return;
    }
    auto g = std::make_shared<Gather>();
    g->node = node;
    // The client's clock when the batch goes out: a restore counts the TTL down from here, so a key can come back a
    // round trip early, never late.
    g->takenMs = QDateTime::currentMSecsSinceEpoch();
    g->keys = keys;
    g->done = std::move(done);
    g->payloads.resize(keys.size());
    g->pttls.resize(keys.size());
    g->present.fill(false, keys.size());
    g->left = keys.size() * 2;
    for (qsizetype i = 0; i < keys.size(); ++i) {
        client->command({QByteArrayLiteral("DUMP"), keys[i]}, this, [this, g, i](const RedisReply& r) {
            if (r.isError() && !g->error.isError())
                g->error = r.error();
            else if (r.isString()) {
                g->payloads[i] = r.bytes();
                g->present[i] = true;
            }
            answered(*g);
        });
        client->command({QByteArrayLiteral("PTTL"), keys[i]}, this, [this, g, i](const RedisReply& r) {
            if (r.isError() && !g->error.isError())
                g->error = r.error();
            else if (r.isInteger())
                g->pttls[i] = r.toInteger();
            answered(*g);
        });
    }
}

void PurgeSnapshot::answered(Gather& g)
{
    if (--g.left > 0)
        return;
    if (g.error.isError()) {   // in its turn too: a batch that failed must not overtake one being written
        Job job;
        job.done = g.done;
        job.error = g.error;
        return enqueue(std::move(job));
    }
    QList<QByteArray> present;
    QVector<QByteArray> payloads;
    QVector<qint64> pttls;
    present.reserve(g.keys.size());
    payloads.reserve(g.keys.size());
    pttls.reserve(g.keys.size());
    for (qsizetype i = 0; i < g.keys.size(); ++i) {
        if (!g.present[i] || g.pttls[i] == -2)
            continue;   // gone before it could be snapshotted: not ours to delete
        present << g.keys[i];
        payloads << g.payloads[i];
        pttls << g.pttls[i];
    }
    write(g.node, g.takenMs, present, payloads, pttls, g.done);
}

void PurgeSnapshot::write(const QString& node, qint64 takenMs, const QList<QByteArray>& keys,
                          const QVector<QByteArray>& payloads, const QVector<qint64>& pttls, const Done& done)
{
    // Every batch goes through the queue, even one with nothing to write: batches finish in the order they were taken.
    Job job;
    job.done = done;
    if (!m_stop.isError()) {   // else an earlier batch hit the limit or could not be written: nothing more is deleted
        job.rows.reserve(keys.size());
        for (qsizetype i = 0; i < keys.size(); ++i) {
            const qint64 rowBytes = keys[i].size() + payloads[i].size();
            if (m_limit > 0 && m_bytesQueued + rowBytes > m_limit) {
                m_limitReached = true;
                break;
            }
            m_bytesQueued += rowBytes;
            job.bytes += rowBytes;
            job.rows.append(SnapshotRow{0, keys[i], pttls[i], payloads[i], takenMs, node});
        }
        m_keysQueued += job.rows.size();
        job.keys = keys.mid(0, job.rows.size());
        if (m_limitReached) {
            m_stop = SourceError{SourceError::Kind::Storage,
                                 tr("the snapshot reached its limit of %1 after %2 keys (%3); the purge stopped before "
                                    "deleting keys it could not snapshot. Raise the limit and purge again to delete the rest.")
                                     .arg(size(m_limit), QLocale().toString(m_keysQueued), size(m_bytesQueued))};
        }
    }
    enqueue(std::move(job));
}

void PurgeSnapshot::enqueue(Job job)
{
    if (!m_writer)
        m_writer = std::make_unique<Worker>(QStringLiteral("snapshot writer"));
    m_writer->post([this, w = m_writer.get(), rows = job.rows](const std::atomic<bool>& cancelled) {
        if (!cancelled)   // else the purge went away: a batch not yet written is not handed back
            writeRows(*w, rows);
    });
    m_writing.push_back(std::move(job));
}

// On the writer thread. Group commit: the rows of every batch queued meanwhile go in one transaction (one fsync),
// written by the last of them.
void PurgeSnapshot::writeRows(Worker& writer, const QVector<SnapshotRow>& rows)
{
    m_unwritten.append(rows);
    ++m_unwrittenBatches;
    if (writer.hasQueuedJobs())
        return;
    if (m_writeFailed.isEmpty() && !m_file.append(m_unwritten))
        m_writeFailed = m_file.errorString();   // and nothing is written after it
    writer.reply([this, batches = m_unwrittenBatches, error = m_writeFailed] { written(batches, error); });
    m_unwritten.clear();
    m_unwrittenBatches = 0;
}

void PurgeSnapshot::written(size_t count, const QString& error)
{
    if (!error.isEmpty() && !m_stop.isError()) {
        m_stop = SourceError{SourceError::Kind::Storage,
                             tr("the snapshot could not be written, so no more keys were deleted: %1").arg(error)};
    }
    for (size_t i = 0; i < count && !m_writing.empty(); ++i) {
        Job job = std::move(m_writing.front());
        m_writing.pop_front();
        if (job.error.isError() || !error.isEmpty()) {
            job.done({}, job.error);
            continue;
        }
        m_keysTaken += quint64(job.rows.size());
        m_bytesTaken += job.bytes;
        job.done(job.keys, {});
    }
}

PurgeSnapshot::~PurgeSnapshot() { stopWriter(); }

// Once no write is queued (finish(), discard()) the thread has nothing left to do and ends at once; when the purge
// goes away with writes queued, this waits for the transaction being written (milliseconds) on the purge's thread.
void PurgeSnapshot::stopWriter()
{
    m_writer.reset();
}

void PurgeSnapshot::discard()
{
    stopWriter();
    m_file.close();
    SnapshotFile::remove(m_path, nullptr);
}

void PurgeSnapshot::finish(const QString& state)
{
    stopWriter();
    m_fileKeys = m_keysTaken;   // unless the file can say
    m_fileBytes = m_bytesTaken;
    if (!m_file.isOpen())
        return;
    m_file.setUnconfirmed(m_unconfirmed);
    m_file.setState(state);
    if (m_file.countRows()) {
        m_fileKeys = quint64(m_file.keys());
        m_fileBytes = m_file.bytes();
    }
    m_file.close();
}

} // namespace cachelens::redis
