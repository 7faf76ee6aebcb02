#pragma once
// Source: the UI's one API to a cache — the local engine (LocalSource) or a Redis connection (RedisSource).
//
// Threading contract: a Source lives on its own worker thread (moveToThread). Callers on the GUI thread invoke its
// request slots through queued calls (QMetaObject::invokeMethod(source, &Source::scan, Qt::QueuedConnection, …)) or
// queued signal connections; requests return at once and results arrive as queued signals carrying the value types
// of SourceTypes.h. Every request carries a caller-chosen requestId that is echoed back, so a stale result (the user
// changed connection or filter) can be dropped. Long operations report progress at most ~10 Hz and are cancelled
// with cancel(requestId); cancellation is checked between batches.
//
// Changing data: every request that changes keys (setTtl, remove, writeValue, invalidatePattern, invalidateTags,
// restoreSnapshot) is a non-virtual slot here that passes the source's ChangeGuard first (read-only refuses,
// production needs the typed name in `confirmation`, the audit row is written before anything runs) and only then
// calls the implementation, which takes the AuditTicket as proof. A refusal arrives as the request's usual result
// (keysChanged, invalidationFinished, restoreFinished) carrying a SourceError of kind Refused or Storage.
//
// What a source cannot do: a source implements only what it can; every request it leaves to the defaults here is
// answered one way — on the request's own result signal (keyDetailsReady, valueReady, keyStatsReady, tagsListed,
// tagMembersReady, keysChanged, invalidationFinished, restoreFinished), with its requestId and nothing else in it but
// a SourceError of kind InvalidArgument saying "<displayName()> cannot <do this>". error(requestId, …) is not used for
// it, so a caller waiting for a request's result always gets one. A guarded request passes its guard first, as every
// change does (a refusal wins; an admitted one has its audit row finished with that error). open, close, sample,
// scan and cancel have no default: every source implements them.
#include "connectors/SourceTypes.h"
#include "connectors/guard/ChangeGuard.h"

#include <QObject>

namespace cachelens {

class Source : public QObject
{
    Q_OBJECT
public:
    enum class Kind { Local, Redis };

    explicit Source(QObject* parent = nullptr) : QObject(parent) {}
    explicit Source(ChangeGuard guard, QObject* parent = nullptr) : QObject(parent), m_guard(std::move(guard)) {}
    ~Source() override = default;

    // Thread-safe, immutable after construction: who may change what here (read-only, production, audit log).
    const ChangeGuard& guard() const { return m_guard; }

    // Thread-safe, immutable after construction.
    virtual Kind kind() const = 0;
    virtual QString id() const = 0;            // stable id ("local", or the profile id)
    virtual QString displayName() const = 0;   // "Local engine", "prod-cache (redis://…:6379)"
    virtual DetailCost detailCost() const { return {}; }   // what keyDetails costs the server per key
    // What keyStats costs the server per key (at most: a key of a type without an element count sends one less).
    virtual DetailCost keyStatsCost(bool withElements, bool withFrequency) const
    {
        Q_UNUSED(withElements);
        Q_UNUSED(withFrequency);
        return {};
    }

public Q_SLOTS:
    virtual void open() = 0;                   // connect; stateChanged reports progress
    virtual void close() = 0;
    virtual void sample() = 0;                 // → statsSample
    virtual void scan(quint64 requestId, const QByteArray& glob, int pageSize) = 0;   // → keysFound… scanFinished
    virtual void cancel(quint64 requestId) = 0;

    // Key browsing and editing (the defaults answer that this source cannot, as said at the top of this file).
    virtual void keyDetails(quint64 requestId, const QList<QByteArray>& keys);                 // → keyDetailsReady
    virtual void fetchValue(quint64 requestId, const QByteArray& key, const QByteArray& cursor, int pageSize);   // → valueReady
    // Guarded (see the top of this file). ttlMs < 0: persist. → keysChanged
    void setTtl(quint64 requestId, const QList<QByteArray>& keys, qint64 ttlMs,
                const cachelens::Confirmation& confirmation = {});
    void remove(quint64 requestId, const QList<QByteArray>& keys, const cachelens::Confirmation& confirmation = {});
    // Writes a string (field empty: SET … KEEPTTL, the TTL is kept) or one hash field (HSET). → keysChanged with
    // requested = affected = 1, or the error (WRONGTYPE when the key holds another type). Guarded.
    void writeValue(quint64 requestId, const QByteArray& key, const QByteArray& field, const QByteArray& value,
                    const cachelens::Confirmation& confirmation = {});
    // Pattern invalidation (Redis glob, engine/glob.h): a dry run counts and samples; otherwise SCAN + UNLINK in
    // batches on every master, guarded first (see InvalidateOptions). → invalidationProgress… invalidationFinished.
    // cancel(requestId) stops it between batches; the report then says exactly how many keys were deleted.
    void invalidatePattern(quint64 requestId, const QByteArray& glob, const cachelens::InvalidateOptions& options,
                           const cachelens::Confirmation& confirmation = {});

    // ---- Keys panel: element counts and access frequency (#7) ----
    // For each key: its type, and its element count (HLEN/LLEN/SCARD/ZCARD/XLEN, STRLEN for a string) when
    // `withElements`, and its access frequency when `withFrequency` (Redis: OBJECT FREQ, answered only under an LFU
    // maxmemory-policy; the local engine: its W-TinyLFU sketch) — then KeyStatsBatch::frequency says whether it was
    // available and why not. An empty `keys` with `withFrequency` only asks that question. Pipelined. → keyStatsReady
    virtual void keyStats(quint64 requestId, const QList<QByteArray>& keys, bool withElements, bool withFrequency);

Q_SIGNALS:
    void stateChanged(cachelens::ConnectionState state, const QString& detail);
    void statsSample(const cachelens::StatsSample& sample);
    void keysFound(const cachelens::KeyBatch& batch);
    void scanFinished(const cachelens::ScanSummary& summary);
    void error(quint64 requestId, const cachelens::SourceError& error);
    void keyDetailsReady(const cachelens::KeyBatch& batch);      // type, ttlMs, memoryBytes filled
    void valueReady(const cachelens::ValuePage& page);
    void keysChanged(const cachelens::KeyOpResult& result);
    void invalidationProgress(const cachelens::InvalidationProgress& progress);
    void invalidationFinished(const cachelens::InvalidationReport& report);
    // ---- Keys panel (#7) ----
    void keyStatsReady(const cachelens::KeyStatsBatch& batch);

    // ---- Tags (#9, Invalidate panel) ---------------------------------------------------------------------------
    // A tag is named as the application gave it. On Redis, tags are the cache provider's sets `<prefix>tag:<name>`
    // (connectors/provider/TagKeys.h), `prefix` being the application's key prefix; the local engine ignores it.
public Q_SLOTS:
    // Every tag with its member count (Redis: SCAN MATCH + SCARD on every master). → tagsListed
    virtual void listTags(quint64 requestId, const QByteArray& prefix);
    // Up to `count` members of one tag (Redis: SSCAN). → tagMembersReady
    virtual void tagMembers(quint64 requestId, const QByteArray& prefix, const QByteArray& tag, int count);
    // Deletes every key carrying any of `tags`, guarded like a purge (dry run: counts and samples). Redis: one
    // atomic Lua script per batch of members (the provider's), then a `tag` message on the invalidation bus so the
    // L1 caches of running applications drop them too. → invalidationProgress… invalidationFinished
    void invalidateTags(quint64 requestId, const QByteArray& prefix, const QList<QByteArray>& tags,
                        const cachelens::InvalidateOptions& options, const cachelens::Confirmation& confirmation = {});
Q_SIGNALS:
    void tagsListed(const cachelens::TagList& list);
    void tagMembersReady(const cachelens::TagMembers& members);
    // ---- end of tags --------------------------------------------------------------------------------------------

    // ---- Snapshots (#9, Invalidate panel) ------------------------------------------------------------------------
public Q_SLOTS:
    // Puts the keys of a purge snapshot (InvalidateOptions::snapshot, connectors/invalidate/SnapshotFile.h) back with
    // RESTORE, never over a key that exists again; guarded like a purge. Redis only: the default answers that
    // snapshots are for Redis connections. → restoreProgress… restoreFinished; cancel(requestId) stops between pages.
    void restoreSnapshot(quint64 requestId, const QString& path, const cachelens::RestoreOptions& options,
                         const cachelens::Confirmation& confirmation = {});
Q_SIGNALS:
    void restoreProgress(const cachelens::RestoreProgress& progress);
    void restoreFinished(const cachelens::RestoreReport& report);
    // ---- end of snapshots ---------------------------------------------------------------------------------------

protected:
    // The implementations of the guarded requests above. Called only after guard().admit() let the change through,
    // with its ticket (finish it with the result); for a dry run (options.dryRun) the ticket is invalid and nothing
    // may change. A source that cannot do one keeps the default, which answers that it is not supported.
    virtual void changeTtl(quint64 requestId, const QList<QByteArray>& keys, qint64 ttlMs, const cachelens::AuditTicket& ticket);
    virtual void removeKeys(quint64 requestId, const QList<QByteArray>& keys, const cachelens::AuditTicket& ticket);
    virtual void storeValue(quint64 requestId, const QByteArray& key, const QByteArray& field, const QByteArray& value,
                            const cachelens::AuditTicket& ticket);
    virtual void runPatternInvalidation(quint64 requestId, const QByteArray& glob, const cachelens::InvalidateOptions& options,
                                        const cachelens::AuditTicket& ticket);
    virtual void runTagInvalidation(quint64 requestId, const QByteArray& prefix, const QList<QByteArray>& tags,
                                    const cachelens::InvalidateOptions& options, const cachelens::AuditTicket& ticket);
    virtual void runRestore(quint64 requestId, const QString& path, const cachelens::RestoreOptions& options,
                            const cachelens::AuditTicket& ticket);

private:
    SourceError unsupported(const QString& what) const;   // "<displayName()> cannot <what>"
    ChangeGuard m_guard;
};

} // namespace cachelens
