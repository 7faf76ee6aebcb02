#pragma once
// Tag invalidation on Redis with the cache provider's convention (connectors/provider/TagKeys.h): tag <name> of an
// application with key prefix P is the set `P tag:<name>` of the full keys carrying it.
//
//   RedisTagLister        SCAN MATCH `P tag:*` TYPE set on every master, SCARD of each set found → TagList
//   previewTagMembers     SSCAN of one set (and SCARD) → TagMembers
//   RedisTagInvalidation  per tag, the provider's own TagBatch script (SPOP a batch of members, UNLINK those whose
//                         value header still carries the tag, untag them from their other sets) — one atomic script
//                         per batch — then one `tag` message on the invalidation bus (`1|instance|tag|<name>`,
//                         the provider's formatter), so running applications drop the keys from their L1 too.
//
// Counts: `matched` is the members of the sets when the run started (SCARD; it may include keys that expired since),
// `deleted` the live keys the scripts removed. Every object lives on the Source's thread and answers there.
#include "connectors/SourceTypes.h"
#include "connectors/redis/RedisReply.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <functional>

namespace cachelens::redis {

class CommandSink;
class RedisClient;

// Where a command about `key` goes: the one server, or the cluster master owning the key's slot.
using NodeForKey = std::function<CommandSink*(const QByteArray& key)>;

// `prefix` escaped for a Redis glob (so "app[1]:" matches itself), followed by "tag:*".
QByteArray tagSetGlob(const QByteArray& keyPrefix);

class RedisTagLister : public QObject
{
    Q_OBJECT
public:
    RedisTagLister(quint64 requestId, const QList<RedisClient*>& masters, const QByteArray& keyPrefix,
                   QObject* parent = nullptr);
    void start();
    void cancel();

Q_SIGNALS:
    void finished(const cachelens::TagList& list);

private:
    void scanNext(int node);
    void maybeFinish();

    TagList m_list;
    QByteArray m_setPrefix;
    QList<QPointer<RedisClient>> m_masters;
    QList<QByteArray> m_cursors;
    int m_outstanding = 0;       // SCANs and SCARDs in flight
    bool m_cancelled = false;
    bool m_done = false;
};

// Up to `count` members of one tag set, then `done` (on `context`'s thread).
void previewTagMembers(const NodeForKey& nodeFor, quint64 requestId, const QByteArray& keyPrefix, const QByteArray& tag,
                       int count, QObject* context, std::function<void(const TagMembers&)> done);

class RedisTagInvalidation : public QObject
{
    Q_OBJECT
public:
    struct Bus {
        QByteArray channel;          // the provider's default, "cachelens:invalidate"
        QByteArray instance;         // our instance id in the message (the providers ignore only their own)
    };
    RedisTagInvalidation(quint64 requestId, NodeForKey nodeFor, const QByteArray& keyPrefix, const QList<QByteArray>& tags,
                         const InvalidateOptions& options, Bus bus, QObject* parent = nullptr);
    void start();
    void cancel();                   // stops before the next batch; finished() follows

Q_SIGNALS:
    void progress(const cachelens::InvalidationProgress& progress);
    void finished(const cachelens::InvalidationReport& report);

private:
    void counted();
    void nextBatch();
    void onBatch(const RedisReply& reply);
    void publish(int tag);
    void fail(const RedisError& error);
    void finish();
    void emitProgress();
    QByteArray setKey(int tag) const;

    const quint64 m_requestId;
    NodeForKey m_nodeFor;
    const QByteArray m_prefix;
    const QList<QByteArray> m_tags;
    const InvalidateOptions m_options;
    const Bus m_bus;
    InvalidationReport m_report;
    int m_current = 0;               // tag being invalidated
    int m_countsLeft = 0;
    bool m_cancelled = false;
    bool m_finished = false;
    bool m_evalText = false;         // NOSCRIPT seen: send the script's text
    quint64 m_popped = 0;            // members popped so far (progress; matched is the SCARD total)
    QElapsedTimer m_clock;
};

} // namespace cachelens::redis
