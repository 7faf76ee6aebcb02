#pragma once
// LocalSource: Source for the embedded engine (a cachelens::engine::Cache in this process). The cache is shared
// with whatever drives it (the demo workload, an embedding application, the simulator); this source only reads
// its stats, scans it and edits keys on request. Lives on its own worker thread like every Source; long scans run
// in slices so cancel() and other requests are served between them.
#include "connectors/Source.h"

#include <QElapsedTimer>
#include <QHash>

#include <memory>

namespace cachelens::engine {
class Cache;
}

namespace cachelens {

class LocalSource : public Source
{
    Q_OBJECT
public:
    // Guarded as "Local engine": never read-only nor production, every change audited in the default audit log.
    explicit LocalSource(std::shared_ptr<engine::Cache> cache, QObject* parent = nullptr);
    LocalSource(std::shared_ptr<engine::Cache> cache, GuardPolicy policy, QObject* parent = nullptr);
    ~LocalSource() override;

    Kind kind() const override { return Kind::Local; }
    QString id() const override { return QStringLiteral("local"); }
    QString displayName() const override { return tr("Local engine"); }
    const std::shared_ptr<engine::Cache>& cache() const { return m_cache; }
    QString runId() const { return m_runId; }

public Q_SLOTS:
    void open() override;
    void close() override;
    void sample() override;
    void scan(quint64 requestId, const QByteArray& glob, int pageSize) override;
    void cancel(quint64 requestId) override;
    void keyDetails(quint64 requestId, const QList<QByteArray>& keys) override;
    void fetchValue(quint64 requestId, const QByteArray& key, const QByteArray& cursor, int pageSize) override;
    // Tags: the engine's own (Cache::tagCounts); `prefix` is ignored (the engine's tags are not prefixed).
    void listTags(quint64 requestId, const QByteArray& prefix) override;
    // ---- Keys panel (#7) ----
    // Every value is a string: elements = its length. Frequency: the W-TinyLFU sketch's estimate; other policies
    // keep none (the reason says so). Neither counts a hit nor tells the policy of an access.
    void keyStats(quint64 requestId, const QList<QByteArray>& keys, bool withElements, bool withFrequency) override;

protected:
    void changeTtl(quint64 requestId, const QList<QByteArray>& keys, qint64 ttlMs, const cachelens::AuditTicket& ticket) override;
    void removeKeys(quint64 requestId, const QList<QByteArray>& keys, const cachelens::AuditTicket& ticket) override;
    void storeValue(quint64 requestId, const QByteArray& key, const QByteArray& field, const QByteArray& value,
                    const cachelens::AuditTicket& ticket) override;
    void runPatternInvalidation(quint64 requestId, const QByteArray& glob, const cachelens::InvalidateOptions& options,
                                const cachelens::AuditTicket& ticket) override;
    void runTagInvalidation(quint64 requestId, const QByteArray& prefix, const QList<QByteArray>& tags,
                            const cachelens::InvalidateOptions& options, const cachelens::AuditTicket& ticket) override;

private:
    struct PurgeJob;
    void purgeSlice(quint64 requestId);
    void finishPurge(quint64 requestId);
    struct ScanJob {
        QByteArray glob;
        int pageSize = 1000;
        std::uint64_t cursor = 0;
        KeyBatch pending;
        quint64 delivered = 0;
        QElapsedTimer sinceEmit;
    };
    void scanSlice(quint64 requestId);
    void flush(quint64 requestId, ScanJob& job);

    std::shared_ptr<engine::Cache> m_cache;
    const QString m_runId;          // new for every engine instance, so the dashboard can tell a restart
    QElapsedTimer m_uptime;
    QHash<quint64, ScanJob> m_scans;
    QHash<quint64, std::shared_ptr<PurgeJob>> m_purges;
    bool m_open = false;
};

} // namespace cachelens
