#pragma once
// RedisSource: Source for one Redis server (standalone, TLS or unix socket) or a Redis Cluster, detected on
// connect (INFO server says redis_mode:cluster) and then served through a ClusterClient: scans walk every master
// in turn, samples sum INFO over the masters, key operations are routed by slot. Construct it on any thread, move it to
// its worker thread (moveToThread), then drive it with queued calls; it creates its RedisClient in open(), on that
// thread. Destroy it on its thread too (deleteLater before quitting the thread).
//
// Scans stream keys in batches at most ~10 per second (each holding every key found since the last one), with a
// DBSIZE estimate for progress; scanFinished carries the exact count delivered, and on a lost connection the error
// and the partial count. Results of requests carry the caller's requestId.
#include "connectors/ConnectionUrl.h"
#include "connectors/Source.h"
#include "connectors/redis/KeyScanner.h"
#include "connectors/redis/RedisClient.h"

#include <QElapsedTimer>
#include <QHash>
#include <QPointer>

#include <memory>

namespace cachelens {

namespace redis {
class ClusterClient;
class CommandSink;
class KeyScanner;
class PatternPurge;
class RedisSnapshotRestore;
class RedisTagInvalidation;
class RedisTagLister;
}

class RedisSource : public Source
{
    Q_OBJECT
public:
    struct Options {
        redis::RedisClient::Options client;
        int batchIntervalMs = 100;     // keysFound at most this often (the last batch of a scan comes at once)
        int removeBatchSize = 500;     // keys per UNLINK
        GuardPolicy guard;             // who may change what here; an empty connection name: displayName
    };

    RedisSource(const QString& id, const QString& displayName, const ConnectionUrl& url, QObject* parent = nullptr);
    RedisSource(const QString& id, const QString& displayName, const ConnectionUrl& url, const Options& options,
                QObject* parent = nullptr);
    ~RedisSource() override;

    Kind kind() const override { return Kind::Redis; }
    QString id() const override { return m_id; }
    QString displayName() const override { return m_displayName; }
    DetailCost detailCost() const override;
    DetailCost keyStatsCost(bool withElements, bool withFrequency) const override;

    static SourceError toSourceError(const redis::RedisError& error);

public Q_SLOTS:
    void open() override;
    void close() override;
    void sample() override;
    void scan(quint64 requestId, const QByteArray& glob, int pageSize) override;
    void cancel(quint64 requestId) override;
    void keyDetails(quint64 requestId, const QList<QByteArray>& keys) override;
    void fetchValue(quint64 requestId, const QByteArray& key, const QByteArray& cursor, int pageSize) override;
    // Tags: the redis provider's tag sets (connectors/invalidate/RedisTagInvalidation.h).
    void listTags(quint64 requestId, const QByteArray& prefix) override;
    void tagMembers(quint64 requestId, const QByteArray& prefix, const QByteArray& tag, int count) override;
    // ---- Keys panel (#7) ----
    void keyStats(quint64 requestId, const QList<QByteArray>& keys, bool withElements, bool withFrequency) override;

protected:
    void changeTtl(quint64 requestId, const QList<QByteArray>& keys, qint64 ttlMs, const cachelens::AuditTicket& ticket) override;
    void removeKeys(quint64 requestId, const QList<QByteArray>& keys, const cachelens::AuditTicket& ticket) override;
    void storeValue(quint64 requestId, const QByteArray& key, const QByteArray& field, const QByteArray& value,
                    const cachelens::AuditTicket& ticket) override;
    void runPatternInvalidation(quint64 requestId, const QByteArray& glob, const cachelens::InvalidateOptions& options,
                                const cachelens::AuditTicket& ticket) override;
    // Tags: the redis provider's tag sets (connectors/invalidate/RedisTagInvalidation.h).
    void runTagInvalidation(quint64 requestId, const QByteArray& prefix, const QList<QByteArray>& tags,
                            const cachelens::InvalidateOptions& options, const cachelens::AuditTicket& ticket) override;
    // Snapshots: connectors/invalidate/RedisSnapshotRestore.h.
    void runRestore(quint64 requestId, const QString& path, const cachelens::RestoreOptions& options,
                    const cachelens::AuditTicket& ticket) override;

private:
    static GuardPolicy policyOf(GuardPolicy policy, const QString& displayName);
    // A modifying request on a source that is not open: its ticket finished as failed, error() says why.
    bool ensureClient(quint64 requestId, const cachelens::AuditTicket& ticket, quint64 requested);
    struct ScanJob {
        redis::KeyScanner* scanner = nullptr;
        KeyBatch pending;
        QElapsedTimer sinceEmit;
        QList<QPointer<redis::RedisClient>> nodes;   // nodes still to scan after the current one (cluster)
        quint64 totalBefore = 0;                      // keys delivered by nodes already scanned
        int sizesPending = 0;                         // DBSIZE replies still due: the first batch waits for them
        redis::KeyScanner::Options options;
    };
    enum class Mode { Unknown, Standalone, Cluster };
    bool ensureClient(quint64 requestId);
    redis::CommandSink* sink() const;
    void onProbeState(ConnectionState state, const QString& detail);
    void startScanner(quint64 requestId, redis::RedisClient* node);
    void onScanKeys(quint64 requestId, const QList<QByteArray>& keys);
    void onScanFinished(quint64 requestId, quint64 total, bool cancelled, const redis::RedisError& error);
    void flush(ScanJob& job);

    const QString m_id;
    const QString m_displayName;
    const ConnectionUrl m_url;
    const Options m_options;
    QPointer<redis::RedisClient> m_client;          // standalone connection, or the probe that found a cluster
    QPointer<redis::ClusterClient> m_cluster;
    Mode m_mode = Mode::Unknown;
    QHash<quint64, ScanJob> m_scans;
    QHash<quint64, QPointer<redis::PatternPurge>> m_purges;
    QHash<quint64, QPointer<redis::RedisTagInvalidation>> m_tagPurges;
    QHash<quint64, QPointer<redis::RedisTagLister>> m_tagListers;
    QHash<quint64, QPointer<redis::RedisSnapshotRestore>> m_restores;
    redis::CommandSink* nodeForKey(const QByteArray& key) const;   // the master owning key's slot, or the server
};

} // namespace cachelens
