#pragma once
// PatternPurge: deletes (or expires with jitter, or only counts) every key matching a Redis glob on one server or on
// every master of a cluster, without KEYS and without one huge command: per master, SCAN pages feed UNLINK batches
// that are pipelined behind the next SCAN on the same connection, so the socket never idles. Masters run in
// parallel. Lives on the clients' thread; reports through signals on that thread.
//
// Exact counts: `deleted` sums UNLINK's integer replies (keys that existed and are gone). When a connection dies,
// the keys of batches sent but never answered are `unconfirmed` (the server may or may not have run them), never
// guessed into `deleted`. Before reporting, the purge waits for its client to be connected again — the client's own
// reconnect, or one more attempt of a client that gave up (cachelensctl's never reconnect by themselves) — and asks
// EXISTS about them: the ones gone were deleted by this run (a quiet server has nobody else deleting them), the
// others were not and stay for a resume to walk again. The wait ends on the server's answer, not on a clock: Ready,
// or kResolveAttempts failed attempts (each bounded by the client's connect timeout), or the client closed. Only what
// cannot be asked (the server stays away, or expiry, whose PEXPIRE leaves no trace EXISTS could see) stays
// unconfirmed; with a snapshot, those keys are named in its file (PurgeSnapshot::setUnconfirmed), and the run that
// resumes into it asks EXISTS about them before it deletes anything (InvalidationReport::earlierUnconfirmedDeleted).
// Per-master SCAN cursors are kept so that the purge can be resumed: a saved
// cursor is the one *before* the oldest page whose deletion was not confirmed, so resuming never skips a key. Saved
// cursors carry the server's run id; a server that restarted since (new run id, new hash seed) is walked from the
// start instead, which is exact too (what was deleted is gone) but slower (InvalidationReport::rescannedNodes).
//
// Cluster masters refuse multi-key commands across slots (CROSSSLOT), so there a batch is one UNLINK per slot group.
// Each key once: a standalone server's keyspace is walked in kChains segments of SCAN positions at once, and each
// chain reports exactly the keys of its own segment. A SCAN page stops wherever its COUNT runs out, so the page that
// would run past its segment's end (into the next chain's first pages) is thrown away and walked again with a
// quarter of the COUNT, down to COUNT 1, whose page holds one bucket's keys; when that page still crosses, its
// bucket is past the end and the chain is done. Segment ends lie on the bucket grid of any table of kChains
// buckets or more, so the segments never share a key; what this costs is a few short SCANs at each of the
// kChains - 1 ends, and it keeps nothing in memory. It is what makes a dry run (which deletes nothing) and expiry
// with jitter (whose keys stay) count and touch each key once; a delete would be exact without it (a key seen again
// is gone or still in `outstanding`). Within a segment, SCAN returns a key twice only when the server's table
// shrinks under the walk (to a tenth, as the purge's deletions or someone else's do): deletion then counts and
// sends it once (`outstanding`, below); a dry run or expiry on a keyspace that collapses meanwhile may count it
// twice, as SCAN itself would.
// New keys (InvalidateOptions::NewKeys): deletion follows the matching SCAN pass, page by page. A key created while
// that pass runs may or may not be seen by it (SCAN's guarantee covers only keys present throughout); one created
// after it is never touched (Exclude). Include adds one more SCAN pass at the end, whose deletions are the keys that
// appeared meanwhile (reported as newKeysDeleted).
// Latency budget: every SCAN's round trip is measured against the idle PING baseline; above baseline + budget the
// SCANs in flight halve, then the batch; well under it the batch grows back (up to 4× the configured size), then the
// SCANs in flight (up to 8 on a standalone server with enough keys). Without a budget, 8 SCANs run at once.
// Snapshot (optional): every batch goes through PurgeSnapshot first (DUMP + PTTL, one durable SQLite transaction),
// and only the keys it hands back are deleted; when it stops (size limit, file error) the purge stops like a cancel
// and the report carries the reason.
#include "connectors/SourceTypes.h"
#include "connectors/redis/RedisReply.h"
#include "connectors/support/Progress.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

#include <deque>
#include <memory>
#include <random>

namespace cachelens::redis {

class PurgeSnapshot;
class RedisClient;

class PatternPurge : public QObject
{
    Q_OBJECT
public:
    // `snapshot` (may be null): opened by the caller; the purge takes it over (reparents it) and finishes it.
    PatternPurge(quint64 requestId, const QList<RedisClient*>& masters, bool cluster, const QByteArray& glob,
                 const InvalidateOptions& options, PurgeSnapshot* snapshot = nullptr, QObject* parent = nullptr);
    ~PatternPurge() override;

    void start();
    void cancel();            // stops issuing at once; finished() follows when the batches in flight have answered

Q_SIGNALS:
    void progress(const cachelens::InvalidationProgress& progress);
    void finished(const cachelens::InvalidationReport& report);

private:
    struct Chunk {
        QList<QByteArray> keys;
        int chain = 0;
        QByteArray cursorBefore;          // SCAN cursor (of that chain) that produced these keys
    };
    // One SCAN walk over a segment of the keyspace. SCAN visits buckets in reverse-binary order, so the bit-reversed
    // cursor is a position that only grows; a standalone server's keyspace is split into segments by position and
    // walked by several chains at once, which keeps several SCANs in flight on the one connection.
    struct Chain {
        QByteArray cursor;
        quint64 start = 0;                // position (bit-reversed cursor) where the segment begins
        quint64 end = 0;                  // stop once the reversed cursor reaches this; 0 = run until the cursor wraps
        bool done = false;
        bool inFlight = false;
        int narrowCount = 0;              // > 0: COUNT of the pages that close in on `end` (its last page crossed it)
    };
    struct Node {
        QPointer<RedisClient> client;
        QString label;
        std::vector<Chain> chains;
        std::deque<Chunk> pending;        // matches waiting for deletion (Exclude: everything matched)
        std::deque<QList<QPair<int, QByteArray>>> inflightCursors;   // per batch in flight: (chain, cursorBefore)
        QList<QPair<int, QByteArray>> failedCursors;   // of batches that failed (connection lost): never confirmed
        QList<QList<QByteArray>> unconfirmed;          // the keys of each UNLINK sent but never answered (ask EXISTS)
        bool resolving = false;                        // waiting for the client to reconnect, or for EXISTS
        int failedAttempts = 0;                        // reconnect attempts that failed while resolving
        QMetaObject::Connection waitForClient;
        QMetaObject::Connection clientGone;
        // Keys matched whose deletion has not been answered yet. SCAN returns a key twice when the table shrinks
        // under it (it does, as the purge deletes); a key it returns again after its UNLINK ran cannot exist, so the
        // only duplicates are keys still in here, and they are neither counted nor sent twice.
        QSet<QByteArray> outstanding;
        int batchesInFlight = 0;
        quint64 dbsize = 0;
        QByteArray runId;                 // INFO server run_id: saved with the resume cursors
        quint64 matched = 0;
        bool failed = false;
        bool scanDone() const;
        bool scanInFlight() const;
        QByteArray resumeCursor() const;  // "cursor/end,cursor/end,…" per chain; "-" for a finished chain
        void setChains(int count, const QByteArray& resume);
    };
    enum class Phase { Prepare, Match, Delete, Sweep, Measure, Resolve, Done };

    void prepared();
    void startPhase(Phase phase);
    void pump();
    void pumpNode(int index);
    void scanNext(int index, int chain);
    void onScanReply(int index, int chain, int count, const RedisReply& reply, qint64 sentUs);
    void sendBatch(int index, int maxKeys);
    struct Batch;
    void deleteBatch(int index, const QList<QByteArray>& matched, const QList<QByteArray>& keys, const RedisError& error);
    void batchDone(int index, const Batch& batch);
    bool stopped() const;             // cancelled, or the snapshot stopped the purge
    void nodeFailed(int index, const RedisError& error);
    void adapt(double rttMs);
    bool idle() const;
    void maybeAdvance();
    void measureSample();
    void finish();
    bool resolveUnconfirmed();        // true: finish() is called again once the unconfirmed keys were asked about
    void askEarlierUnconfirmed();
    void awaitClient(int index);
    void askExists(int index);
    void resolved(int index);
    void emitProgress();
    quint64 estimatedMatches() const;
    bool deleting() const;

    const quint64 m_requestId;
    const QByteArray m_glob;
    const InvalidateOptions m_options;
    const bool m_cluster;
    std::vector<Node> m_nodes;
    Phase m_phase = Phase::Prepare;
    int m_prepareLeft = 0;
    bool m_cancelled = false;
    RedisError m_error;
    InvalidationReport m_report;
    QList<QPair<int, QByteArray>> m_sampleKeys;   // node, key
    quint64 m_issued = 0;                       // keys sent for deletion (throttle)
    int m_batch = 1000;
    int m_maxBatch = 4000;
    int m_parallel = 1;             // SCANs in flight per server, up to its number of chains (adapted to the budget)
    double m_baselineMs = -1;
    double m_lastRttMs = -1;
    QElapsedTimer m_clock;
    ProgressMeter m_progress;   // rate and time left of the progress signals
    QTimer m_progressTimer;
    QTimer m_throttleTimer;
    std::mt19937_64 m_random;
    bool m_finishing = false;
    bool m_resolveAsked = false;
    PurgeSnapshot* m_snapshot = nullptr;
    QList<QPair<QString, QByteArray>> m_earlierUnknown;   // the earlier part's unconfirmed keys still unasked (node, key)
};

} // namespace cachelens::redis
