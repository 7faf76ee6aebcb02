#pragma once
// Plain value types that travel between a Source (on its worker thread) and the UI (GUI thread) in queued signals.
// No QObject, no pointers into another thread's data.
#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QPair>
#include <QString>
#include <QVector>

#include <cstdint>
#include <optional>

namespace cachelens {

enum class ConnectionState {
    Disconnected,   // not opened yet, or closed by the user
    Connecting,
    Ready,
    Reconnecting,   // lost; retrying with backoff
    Failed,         // gave up; errorText says why
};
QString connectionStateName(ConnectionState state);   // "ready", "reconnecting", … (for status bar and logs)

enum class KeyType : std::uint8_t { Unknown, String, List, Set, ZSet, Hash, Stream, None };
QString keyTypeName(KeyType type);

struct SourceError {
    enum class Kind { None, Connection, Timeout, Auth, WrongType, ReadOnly, Loading, Server, InvalidArgument, Cancelled,
                      Storage /* a local file (audit log, purge snapshot) could not be written, or a limit on it hit */,
                      Refused /* the connection's guard: read-only, or production without its typed name */ };
    Kind kind = Kind::None;
    QString message;   // one sentence a user can read, with the server's own text when it has one
    bool isError() const { return kind != Kind::None; }
};

// One key as found by a scan; ttlMs/memory/type are filled when the scan asked for details.
struct KeyEntry {
    QByteArray key;                 // exact bytes
    KeyType type = KeyType::Unknown;
    std::int64_t ttlMs = -2;        // -1 no expiry, -2 unknown/not fetched
    std::int64_t memoryBytes = -1;  // -1 not fetched
};

// What Source::keyDetails costs the server per key, so the Keys panel can say it before it measures many keys:
// commands sent, and how many of them are keyspace lookups the server counts in its hit rate. Zero for the local
// engine, whose details are peeks.
struct DetailCost {
    int commandsPerKey = 0;
    int lookupsPerKey = 0;
};

struct KeyBatch {
    quint64 requestId = 0;
    QVector<KeyEntry> keys;
    quint64 scannedSoFar = 0;       // keys delivered so far in this scan (including this batch)
    quint64 estimatedTotal = 0;     // DBSIZE-like estimate, 0 if unknown
    SourceError error;              // keyDetails: set when the source could not read them (`keys` holds what it did)
};

struct ScanSummary {
    quint64 requestId = 0;
    quint64 total = 0;
    bool cancelled = false;
    SourceError error;              // set when the scan stopped on an error; `total` is what was delivered
};

// One node's share of a cluster's sample (same meaning as StatsSample's fields; -1 = not available).
struct NodeStats {
    QString node;                   // "10.0.0.5:7001"
    std::int64_t hits = -1, misses = -1, evictions = -1, expirations = -1, commands = -1;
    std::int64_t keys = -1, memoryBytes = -1, clients = -1;
    double opsPerSecond = -1;
    std::int64_t ownHits = -1, ownMisses = -1, ownUncountable = -1;   // CacheLens's own lookups on this node
};

// Counters are monotonic totals since the source's start (or the server's, for Redis); the dashboard computes
// rates from deltas and treats a decrease as a reset. Gauges are instantaneous. -1 = not available.
struct StatsSample {
    QString sourceId;
    QDateTime time;                 // UTC, when the sample was taken
    // counters
    std::int64_t hits = -1, misses = -1, sets = -1, deletes = -1, evictions = -1, expirations = -1;
    std::int64_t commands = -1;     // total ops/commands processed
    // gauges
    std::int64_t keys = -1, memoryBytes = -1, clients = -1;
    double opsPerSecond = -1;       // server's own instantaneous figure, when it reports one
    // identity, for restart detection
    QString runId;
    std::int64_t uptimeSeconds = -1;
    // CacheLens's own load on this source ("CacheLens: 120 cmd/s, 0.4 ms p99"): counters since open(), latency over
    // the last few thousand replies. -1 where the source has no wire (the local engine).
    std::int64_t ownCommands = -1, ownBytesIn = -1, ownBytesOut = -1;
    double ownLatencyP50Ms = -1, ownLatencyP99Ms = -1;
    // CacheLens's own keyspace lookups, counters counted like hits and misses and included in them: the hits and
    // misses the server counted for CacheLens's commands, and its commands whose lookups could not be counted (Lua
    // scripts). The dashboard takes them out of the hit rate. -1: the source cannot tell; its figures are raw.
    std::int64_t ownHits = -1, ownMisses = -1, ownUncountable = -1;
    // A cluster: every answering master's own figures (the fields above are their sum); empty for one server.
    QVector<NodeStats> nodes;
    // The L1+L2 provider demo (ProviderDemoSource), summed over its two instances; -1 for every other source.
    // Counters: L1 hits/misses, L2 (Redis) hits/misses, invalidation-bus messages received from the other instance.
    std::int64_t l1Hits = -1, l1Misses = -1, l2Hits = -1, l2Misses = -1, busMessages = -1;
};

// One page of a key's value (Source::fetchValue). Strings come in byte ranges (a 100 MB value never arrives whole),
// collections in pages of elements. `nextCursor` is passed back to fetch the following page; empty = last page.
struct ValueItem {
    QByteArray name;                // hash field, set/zset member, list index (decimal), stream entry id
    QByteArray value;               // hash value, list element; empty for set/zset members
    double score = 0;               // zset
    QList<QByteArray> fields;       // stream entry: field, value, field, value, …
};

struct ValuePage {
    quint64 requestId = 0;
    QByteArray key;
    KeyType type = KeyType::Unknown;
    std::int64_t total = -1;        // string: length in bytes; collections: number of elements; -1 unknown
    std::int64_t ttlMs = -2;        // -1 no expiry, -2 unknown
    QByteArray cursor;              // the page that was asked for (empty: the first)
    QByteArray nextCursor;          // empty: this was the last page
    std::int64_t offset = 0;        // string: offset of `bytes` in the value
    QByteArray bytes;               // string chunk
    QVector<ValueItem> items;       // collections
    SourceError error;
};

// Result of a TTL change or a removal on a set of keys (Source::setTtl, Source::remove).
struct KeyOpResult {
    quint64 requestId = 0;
    quint64 requested = 0;          // keys asked for
    quint64 affected = 0;           // keys the server changed or removed (missing keys are not counted)
    SourceError error;              // set when the operation stopped early; `affected` is what was done until then
};

// How Source::invalidatePattern works (the Invalidate panel and `cachelensctl purge` fill it).
struct InvalidateOptions {
    enum class NewKeys {
        Exclude,    // keys created after the matching pass went by are left alone (they are most likely fresh)
        Include,    // keys that appear while the purge runs are deleted too: a final pass catches them
    };
    bool dryRun = false;            // count (exactly, by SCAN) and sample; delete nothing
    int sampleSize = 20;            // matches kept in the report (and measured with MEMORY USAGE in a dry run)
    qint64 maxKeysPerSecond = 0;    // throttle; 0 = as fast as the server answers
    NewKeys newKeys = NewKeys::Exclude;
    int batchSize = 1000;           // SCAN COUNT and keys per UNLINK to start with; adapted to the latency budget
    double latencyBudgetMs = 2.0;   // round trips above the idle baseline + this shrink the batches; <= 0: fixed
    qint64 expireJitterSeconds = 0; // > 0: give each match a random TTL in [0, N s] instead of deleting it
    // Resume: per-master SCAN cursors saved by an interrupted purge ("host:port" → cursor); empty = from the start.
    QList<QPair<QString, QByteArray>> resumeCursors;
    // Snapshot (Redis only): DUMP + PTTL of every key, written durably to a SQLite file before the key is deleted, so
    // that Source::restoreSnapshot can put them back. snapshotPath empty: a new file named by time and connection
    // in snapshotDirectory (empty: SnapshotFile::defaultDirectory()); an existing file is appended to (a resumed
    // purge). When the keys and values in the file would pass snapshotLimitBytes, the purge stops before deleting
    // any key it could not snapshot (InvalidationReport::snapshotLimitReached).
    bool snapshot = false;
    QString snapshotPath;
    QString snapshotDirectory;
    qint64 snapshotLimitBytes = 512ll << 20;
};

// Live figures of a running invalidation, at most ~10 per second.
struct InvalidationProgress {
    quint64 requestId = 0;
    quint64 matched = 0;            // matching keys found so far
    quint64 deleted = 0;            // confirmed deleted (or expired) so far
    quint64 estimatedMatches = 0;   // running estimate of the final match count (exact once the scan is done)
    quint64 keyspace = 0;           // keys in the database(s) when it started (DBSIZE)
    double keysPerSecond = 0;       // deletions per second, or matches per second in a dry run
    double etaSeconds = -1;         // -1 unknown
    int batchSize = 0;              // current SCAN COUNT / UNLINK batch (adapts to the latency budget)
    double latencyMs = -1;          // last measured round trip
    double baselineMs = -1;         // idle round trip measured before starting
};

struct InvalidationReport {
    quint64 requestId = 0;
    QString what;                   // "pattern user:*" or "tag catalog"
    quint64 matched = 0;
    quint64 deleted = 0;
    bool dryRun = false;
    bool cancelled = false;
    SourceError error;
    double seconds = 0;
    QString summary() const;        // "deleted 41,233 of 50,000 keys, cancelled"

    // Impact forecast (dry run) and details of a real run.
    QList<QByteArray> sample;       // up to InvalidateOptions::sampleSize matches, exact bytes
    qint64 estimatedMemoryBytes = -1;   // matched × mean MEMORY USAGE of the sample; -1 unknown
    quint64 keyspace = 0;           // keys in the database(s) (DBSIZE), for "38% of the cache"
    double hitShare = -1;           // share of recent reads on the matches (the local engine's W-TinyLFU sketch, dry
                                    // run); -1 unknown (Redis does not tell, other policies keep no frequency)
    bool expired = false;           // keys were given a jittered TTL instead of being deleted
    InvalidateOptions::NewKeys newKeys = InvalidateOptions::NewKeys::Exclude;
    quint64 newKeysDeleted = 0;     // Include: keys deleted by the final sweep (they appeared during the purge)
    quint64 unconfirmed = 0;        // keys sent for deletion whose reply never came and that could not be asked
                                    // about afterwards (the server stayed away; expiry): maybe deleted
    // Resumed into the earlier part's snapshot, whose file names that part's unconfirmed keys: before deleting
    // anything this run asked EXISTS about them. Gone: the earlier part deleted them; still there: it did not (this
    // run walked their pages again). withEarlierPart() moves them out of the earlier part's `unconfirmed`.
    quint64 earlierUnconfirmedDeleted = 0;
    quint64 earlierUnconfirmedKept = 0;
    bool interrupted = false;       // the connection was lost; resumeCursors lets it continue
    QList<QPair<QString, QByteArray>> resumeCursors;
    int rescannedNodes = 0;         // resumed on a server that restarted since: its cursors were void, walked again
    // Snapshot (InvalidateOptions::snapshot): the file, and the keys and bytes (keys + DUMP payloads) it holds, a
    // resumed purge's earlier parts included; every deleted key is in it. Limit reached: the purge stopped there
    // (error says so).
    QString snapshotPath;
    quint64 snapshotKeys = 0;
    qint64 snapshotBytes = 0;
    bool snapshotLimitReached = false;
    double keyspaceShare() const { return keyspace ? double(matched) / double(keyspace) : -1; }

    // What an interrupted purge had done, kept for the run that resumes it (the Invalidate panel keeps it,
    // cachelensctl's --resume token carries it) so that the resumed run reports the whole purge.
    struct EarlierPart {
        quint64 deleted = 0;
        quint64 unconfirmed = 0;    // sent without an answer the interrupted run could not resolve: maybe deleted
        double seconds = 0;
    };
    EarlierPart asEarlierPart() const { return {deleted, unconfirmed, seconds}; }
    // This resumed run's report with the earlier part added: deleted, unconfirmed and seconds add up. Keys the
    // earlier part matched but did not delete are matched again after its saved cursors, so the whole matched what
    // the earlier part deleted plus what this run matched. The earlier part's unconfirmed keys that this run asked
    // about (earlierUnconfirmedDeleted/Kept) are no longer unconfirmed; those found gone count as deleted.
    // (The snapshot figures are the file's, both parts already.)
    InvalidationReport withEarlierPart(const EarlierPart& earlier) const;
};

// ---- Snapshots (#9): Source::restoreSnapshot ----------------------------------------------------------------------
struct RestoreOptions {
    bool dryRun = false;            // count what would be restored (EXISTS per key); change nothing
    int batchSize = 1000;           // RESTOREs per pipelined batch
    qint64 maxKeysPerSecond = 0;    // throttle, as a purge's; 0 = as fast as the server answers
};

struct RestoreProgress {
    quint64 requestId = 0;
    quint64 done = 0;               // rows answered so far (restored, skipped or failed)
    quint64 total = 0;              // rows this run tries (those no earlier restore put back)
    quint64 restored = 0;
    double keysPerSecond = 0;
    double etaSeconds = -1;
};

struct RestoreReport {
    quint64 requestId = 0;
    QString path;
    bool dryRun = false;
    quint64 total = 0;              // rows this run tried
    quint64 restored = 0;           // RESTORE answered OK (dry run: would be restored)
    quint64 skippedExisting = 0;    // the key exists again (re-created since the purge): left as it is
    quint64 skippedExpired = 0;     // its TTL would have run out by now: not restored
    quint64 failed = 0;             // the server refused the RESTORE (e.g. a payload from a newer Redis)
    quint64 unconfirmed = 0;        // sent, never answered (connection lost): may or may not be restored
    quint64 restoredBefore = 0;     // rows an earlier restore of this file put back (not tried again)
    bool cancelled = false;
    bool interrupted = false;       // the connection was lost; restoring again continues with the rest
    SourceError error;
    double seconds = 0;
    QString summary() const;        // "restored 1,200 of 1,500 keys, skipped 250 re-created meanwhile, 50 expired"
};
// ---- end of snapshots -----------------------------------------------------------------------------------------

// ---- Tags (Invalidate panel, #9): Source::listTags, tagMembers, invalidateTags ----------------------------------
struct TagInfo {
    QByteArray name;                // the tag as the application gave it (without the key prefix)
    qint64 members = -1;            // keys carrying it (Redis: SCARD of its set, which may hold expired keys)
};

struct TagList {
    quint64 requestId = 0;
    QByteArray prefix;              // the key prefix the tags were listed under (Redis); empty on the local engine
    QVector<TagInfo> tags;          // by name
    bool cancelled = false;
    SourceError error;              // set when listing stopped early; `tags` is what was found until then
};

struct TagMembers {
    quint64 requestId = 0;
    QByteArray tag;
    QList<QByteArray> members;      // full keys, exact bytes
    qint64 total = -1;              // members in all (SCARD); -1 unknown
    SourceError error;
};
// ---- end of tags ---------------------------------------------------------------------------------------------


// ---- Keys panel: element counts and access frequency (Source::keyStats) ------------------------------------------
// Whether a source can tell how often keys are read, and why not when it cannot.
struct FrequencySupport {
    bool available = false;
    QString policy;                 // "allkeys-lfu", "wtinylfu", … (empty: unknown)
    QString reason;                 // when !available: one sentence saying why ("maxmemory-policy is allkeys-lru; …")
    QString scale;                  // when available: what the number means ("LFU counter 0–255, logarithmic, decays")
};

struct KeyStat {
    QByteArray key;                 // exact bytes
    KeyType type = KeyType::Unknown;   // None: the key no longer exists
    std::int64_t elements = -1;     // HLEN/LLEN/SCARD/ZCARD/XLEN, STRLEN for strings; -1 not asked or unknown
    std::int64_t frequency = -1;    // OBJECT FREQ (Redis LFU) or the engine's sketch estimate; -1 not available
};

struct KeyStatsBatch {
    quint64 requestId = 0;
    QVector<KeyStat> keys;          // in the order asked
    FrequencySupport frequency;     // filled when frequencies were asked for
    SourceError error;              // the first error other than "no frequency" (the other keys are still filled)
};

} // namespace cachelens

Q_DECLARE_METATYPE(cachelens::TagList)
Q_DECLARE_METATYPE(cachelens::TagMembers)
Q_DECLARE_METATYPE(cachelens::ConnectionState)
Q_DECLARE_METATYPE(cachelens::SourceError)
Q_DECLARE_METATYPE(cachelens::KeyBatch)
Q_DECLARE_METATYPE(cachelens::ScanSummary)
Q_DECLARE_METATYPE(cachelens::StatsSample)
Q_DECLARE_METATYPE(cachelens::InvalidationReport)
Q_DECLARE_METATYPE(cachelens::InvalidationProgress)
Q_DECLARE_METATYPE(cachelens::InvalidateOptions)
Q_DECLARE_METATYPE(cachelens::ValuePage)
Q_DECLARE_METATYPE(cachelens::KeyOpResult)
Q_DECLARE_METATYPE(cachelens::KeyStatsBatch)
Q_DECLARE_METATYPE(cachelens::RestoreOptions)
Q_DECLARE_METATYPE(cachelens::RestoreProgress)
Q_DECLARE_METATYPE(cachelens::RestoreReport)
Q_DECLARE_METATYPE(cachelens::FrequencySupport)
