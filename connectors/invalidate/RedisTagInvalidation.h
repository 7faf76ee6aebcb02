#pragma once
// Tag invalidation on Redis with the cache provider's convention (connectors/provider/TagKeys.h): tag <name> of an
// application with key prefix P is the set `P tag:<name>` of the full keys carrying it on a standalone server; on a
// Redis Cluster it is split by slot — `P tag:{<h>}<name>` holds the members in slot s (h = slotHashTag(s)) and
// `P tagslots:<name>` lists the slots that have had members.
//
//   RedisTagLister        SCAN MATCH `P tag:*` TYPE set on every master, SCARD of each set found → TagList (on a
//                         cluster the per-slot sets of one tag are summed into one entry)
//   previewTagMembers     SSCAN of the tag's set(s) (and SCARD) → TagMembers
//   RedisTagInvalidation  per set, the provider's own TagBatch script (SPOP a batch of members, UNLINK those whose
//                         value header still carries the tag, untag them from their other sets) — one atomic script
//                         per batch, several sets' batches in flight on a cluster — then one `tag` message per tag on
//                         the invalidation bus (`1|instance|tag|<name>`, the provider's formatter), so running
//                         applications drop the keys from their L1 too (classic pub/sub reaches every cluster node).
//
// Counts: `deleted` is the live keys the scripts removed, each once. A dry run's `matched` is exactly what a run
// would delete on a quiet server: the provider's TagCount script walks each set by SSCAN and counts the members
// TagBatch would count (live values whose header carries the tag; not a plain key, nor one whose header lost the
// tag, nor a leftover of an expired key) that no earlier tag of the run takes. A real run's `matched` is the members
// of the sets when it started (SCARD; it may include such keys). A dry run's sample is keys it counted.
// `keyspace` is DBSIZE summed over the masters.
// Every object lives on the Source's thread and answers there.
#include "connectors/SourceTypes.h"
#include "connectors/redis/RedisReply.h"
#include "connectors/support/Progress.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

namespace cachelens::redis {

class CommandSink;
class RedisClient;

// Where a command about `key` goes: the one server, or the cluster master owning the key's slot.
using NodeForKey = std::function<CommandSink*(const QByteArray& key)>;

// `prefix` escaped for a Redis glob (so "app[1]:" matches itself), followed by "tag:*".
QByteArray tagSetGlob(const QByteArray& keyPrefix);

// The refusal for a key prefix whose tag sets cannot live in their members' slots on a cluster (empty: usable).
QString clusterPrefixProblem(const QByteArray& keyPrefix);

class RedisTagLister : public QObject
{
    Q_OBJECT
public:
    RedisTagLister(quint64 requestId, const QList<RedisClient*>& masters, bool cluster, const QByteArray& keyPrefix,
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
    bool m_cluster = false;
    QHash<QByteArray, int> m_index;   // tag name → its row in m_list.tags (a cluster's per-slot sets share one)
    QList<QPointer<RedisClient>> m_masters;
    QList<QByteArray> m_cursors;
    int m_outstanding = 0;       // SCANs and SCARDs in flight
    bool m_cancelled = false;
    bool m_done = false;
};

// Up to `count` members of one tag (its set, or on a cluster its per-slot sets in turn), then `done` (on `context`'s
// thread).
void previewTagMembers(const NodeForKey& nodeFor, bool cluster, quint64 requestId, const QByteArray& keyPrefix,
                       const QByteArray& tag, int count, QObject* context, std::function<void(const TagMembers&)> done);

class RedisTagInvalidation : public QObject
{
    Q_OBJECT
public:
    struct Bus {
        QByteArray channel;          // the provider's default, "cachelens:invalidate"
        QByteArray instance;         // our instance id in the message (the providers ignore only their own)
    };
    // `masters`: every master, for DBSIZE (InvalidationReport::keyspace).
    RedisTagInvalidation(quint64 requestId, NodeForKey nodeFor, const QList<CommandSink*>& masters, bool cluster,
                         const QByteArray& keyPrefix, const QList<QByteArray>& tags, const InvalidateOptions& options,
                         Bus bus, QObject* parent = nullptr);
    void start();
    void cancel();                   // stops before the next batch; finished() follows

Q_SIGNALS:
    void progress(const cachelens::InvalidationProgress& progress);
    void finished(const cachelens::InvalidationReport& report);

private:
    struct TagSet {
        int tag = 0;                 // index into m_tags
        QByteArray key;              // the set
        QByteArray tagPrefix;        // the prefix of its slot's tag sets (the script untags members from the others)
        QByteArray cursor = "0";     // dry run: where its SSCAN count goes on
    };
    void resolved(int tag, const QList<TagSet>& sets);
    void counted();
    void pump();
    void sendBatch(int set);
    void onCount(int set, const RedisReply& reply);
    void publish(int tag);
    void fail(const RedisError& error);
    void maybeFinish();
    void finish();
    void emitProgress();

    const quint64 m_requestId;
    NodeForKey m_nodeFor;
    const QList<CommandSink*> m_masters;
    const bool m_cluster;
    const QByteArray m_prefix;
    const QList<QByteArray> m_tags;
    const InvalidateOptions m_options;
    const Bus m_bus;
    InvalidationReport m_report;
    QList<TagSet> m_sets;            // every set of every tag
    QList<int> m_queue;              // sets (indexes into m_sets) with a batch to send next
    QVector<int> m_setsLeft;         // per tag: its sets not yet emptied
    QVector<bool> m_touched;         // per tag: a batch was sent (a stopped run still tells the L1 caches)
    QVector<bool> m_published;
    int m_pending = 0;               // counting requests (SMEMBERS, SCARD, DBSIZE) in flight
    int m_inFlight = 0;              // batch (or, in a dry run, count) scripts in flight
    bool m_counted = false;
    bool m_cancelled = false;
    bool m_stopped = false;          // an error: send nothing more
    bool m_finished = false;
    bool m_evalText = false;         // NOSCRIPT seen: send the script's text
    quint64 m_popped = 0;            // members popped so far (progress; matched is the SCARD total)
    QElapsedTimer m_clock;
    ProgressMeter m_progress;   // rate and time left of the progress signals
    QTimer m_throttleTimer;
};

} // namespace cachelens::redis
