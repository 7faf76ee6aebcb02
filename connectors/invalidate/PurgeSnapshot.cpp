#include "connectors/invalidate/PurgeSnapshot.h"

#include "connectors/redis/RedisClient.h"

#include <QDateTime>
#include <QLocale>

#include <memory>

namespace cachelens::redis {
namespace {

QString size(qint64 bytes) { return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat); }

} // namespace

PurgeSnapshot::PurgeSnapshot(QObject* parent) : QObject(parent) {}

bool PurgeSnapshot::open(const QString& path, const SnapshotInfo& meta, qint64 limitBytes, QString* error)
{
    m_limit = limitBytes;
    if (m_file.create(path, meta))
        return true;
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
    if (m_stop.isError() || keys.isEmpty() || !client) {
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
    if (g.error.isError())
        return g.done({}, g.error);
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
    if (m_stop.isError())
        return done({}, {});   // an earlier batch hit the limit or could not be written
    QVector<SnapshotRow> rows;
    rows.reserve(keys.size());
    qint64 bytes = m_file.bytes();
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const qint64 rowBytes = keys[i].size() + payloads[i].size();
        if (m_limit > 0 && bytes + rowBytes > m_limit) {
            m_limitReached = true;
            break;
        }
        bytes += rowBytes;
        rows.append(SnapshotRow{0, keys[i], pttls[i], payloads[i], takenMs, node});
    }
    if (!m_file.append(rows)) {
        m_stop = SourceError{SourceError::Kind::Storage,
                             tr("the snapshot could not be written, so no more keys were deleted: %1").arg(m_file.errorString())};
        return done({}, {});
    }
    m_keysTaken += quint64(rows.size());
    for (const SnapshotRow& r : std::as_const(rows))
        m_bytesTaken += r.key.size() + r.payload.size();
    if (m_limitReached) {
        m_stop = SourceError{SourceError::Kind::Storage,
                             tr("the snapshot reached its limit of %1 after %2 keys (%3); the purge stopped before "
                                "deleting keys it could not snapshot. Raise the limit and purge again to delete the rest.")
                                 .arg(size(m_limit), QLocale().toString(m_file.keys()), size(m_file.bytes()))};
    }
    done(keys.mid(0, rows.size()), {});
}

void PurgeSnapshot::discard()
{
    const QString path = m_file.path();
    m_file.close();
    SnapshotFile::remove(path, nullptr);
}

void PurgeSnapshot::finish(const QString& state)
{
    if (!m_file.isOpen())
        return;
    m_file.setState(state);
    m_file.close();
}

} // namespace cachelens::redis
