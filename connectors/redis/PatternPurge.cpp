#include "connectors/redis/PatternPurge.h"

#include "connectors/redis/ServerInfo.h"

#include "connectors/RedisSource.h"
#include "connectors/invalidate/PurgeSnapshot.h"
#include "connectors/redis/ClusterSlots.h"
#include "connectors/redis/RedisClient.h"

#include <QHash>

#include <algorithm>
#include <bit>
#include <cmath>

namespace cachelens::redis {
namespace {

constexpr int kWindow = 4;            // deletion batches in flight per master: hides the round trip, bounds the queue
constexpr int kMinBatch = 50;
constexpr int kProgressMs = 100;
// Failed reconnect attempts after which a purge whose connection dropped reports what it could not ask about.
constexpr int kResolveAttempts = 3;

bool isLost(const RedisError& e)
{
    return e.kind == RedisError::Kind::Connection || e.kind == RedisError::Kind::Timeout
           || e.kind == RedisError::Kind::Cancelled || e.kind == RedisError::Kind::Tls
           || e.kind == RedisError::Kind::Protocol;
}

constexpr int kChains = 8;            // segments of a standalone keyspace walked at once (a power of two)
constexpr quint64 kChainMinKeys = 65536;   // below this the table may be smaller than the segments: one chain

quint64 reverseBits(quint64 v)
{
    quint64 r = 0;
    for (int i = 0; i < 64; ++i) {
        r = (r << 1) | (v & 1);
        v >>= 1;
    }
    return r;
}

// Position of a SCAN cursor in the walk: Redis increments the bit-reversed cursor, so this only grows.
quint64 position(const QByteArray& cursor) { return reverseBits(cursor.toULongLong()); }

// Whether a cursor returned by a crossing page of COUNT 1 may come from a table of fewer than kChains buckets, whose
// one bucket can hold keys on both sides of a segment's end. Such a table has at most a few keys (Redis shrinks a
// table to the power of two above its size), and its page is kept: counting a key twice there is better than never.
bool mayStraddle(const QByteArray& cursor) { return cursor.toULongLong() < quint64(kChains); }

} // namespace

bool PatternPurge::Node::scanDone() const
{
    for (const Chain& c : chains)
        if (!c.done)
            return false;
    return true;
}

bool PatternPurge::Node::scanInFlight() const
{
    for (const Chain& c : chains)
        if (c.inFlight)
            return true;
    return false;
}

void PatternPurge::Node::setChains(int count, const QByteArray& resume)
{
    chains.clear();
    if (!resume.isEmpty()) {
        for (const QByteArray& part : resume.split(',')) {
            Chain c;
            if (part == "-") {
                c.done = true;
            } else {
                const QList<QByteArray> fields = part.split('/');
                c.cursor = fields.value(0);
                c.start = position(c.cursor);
                c.end = fields.value(1).toULongLong();
            }
            chains.push_back(c);
        }
        return;
    }
    const int bits = std::countr_zero(unsigned(count));
    for (int k = 0; k < count; ++k) {
        Chain c;
        c.start = bits == 0 ? 0 : quint64(k) << (64 - bits);
        c.cursor = QByteArray::number(reverseBits(c.start));
        c.end = k + 1 < count ? quint64(k + 1) << (64 - bits) : 0;
        chains.push_back(c);
    }
}

QByteArray PatternPurge::Node::resumeCursor() const
{
    // Per chain, the cursor before its oldest page whose deletion is not confirmed: resuming never skips a key.
    QList<QByteArray> parts;
    bool allDone = true;
    for (int i = 0; i < int(chains.size()); ++i) {
        std::optional<QByteArray> from;
        for (const auto& [chain, cursor] : failedCursors) {   // the oldest: batches fail in the order they were sent
            if (chain == i && !from)
                from = cursor;
        }
        for (const auto& batch : inflightCursors) {
            for (const auto& [chain, cursor] : batch) {
                if (chain == i && !from)
                    from = cursor;
            }
        }
        for (const Chunk& chunk : pending) {
            if (chunk.chain == i && !from)
                from = chunk.cursorBefore;
        }
        const Chain& c = chains[size_t(i)];
        if (!from && c.done) {
            parts << QByteArrayLiteral("-");
            continue;
        }
        allDone = false;
        const QByteArray cursor = from.value_or(c.cursor);
        parts << (chains.size() == 1 && c.end == 0 ? cursor : cursor + '/' + QByteArray::number(c.end));
    }
    // The server's run id goes with the cursors: SCAN positions hash the keys with a seed the server picks at start,
    // so after a restart they point nowhere and the resumed run has to walk from the beginning again.
    const QByteArray cursors = allDone ? QByteArrayLiteral("-") : parts.join(',');
    return runId.isEmpty() ? cursors : runId + '@' + cursors;
}

PatternPurge::PatternPurge(quint64 requestId, const QList<RedisClient*>& masters, bool cluster, const QByteArray& glob,
                           const InvalidateOptions& options, PurgeSnapshot* snapshot, QObject* parent)
    : QObject(parent), m_requestId(requestId), m_glob(glob.isEmpty() ? QByteArrayLiteral("*") : glob),
      m_options(options), m_cluster(cluster), m_random(std::random_device{}()), m_snapshot(snapshot)
{
    if (m_snapshot)
        m_snapshot->setParent(this);
    for (RedisClient* client : masters) {
        Node n;
        n.client = client;
        n.label = client->endpoint().label();
        m_nodes.push_back(std::move(n));
    }
    m_batch = qMax(kMinBatch, options.batchSize > 0 ? options.batchSize : 1000);
    m_maxBatch = m_batch * 4;
    m_progressTimer.setInterval(kProgressMs);
    connect(&m_progressTimer, &QTimer::timeout, this, &PatternPurge::emitProgress);
    m_throttleTimer.setSingleShot(true);
    connect(&m_throttleTimer, &QTimer::timeout, this, &PatternPurge::pump);
}

PatternPurge::~PatternPurge() = default;

bool PatternPurge::deleting() const
{
    return !m_options.dryRun && (m_phase == Phase::Delete || m_phase == Phase::Sweep);
}

void PatternPurge::start()
{
    m_clock.start();
    m_progress.start();
    m_report.requestId = m_requestId;
    m_report.what = QStringLiteral("pattern ") + QString::fromUtf8(m_glob);
    m_report.dryRun = m_options.dryRun;
    m_report.newKeys = m_options.newKeys;
    m_report.expired = m_options.expireJitterSeconds > 0 && !m_options.dryRun;
    m_progressTimer.start();
    if (m_nodes.empty()) {
        m_error = RedisError::client(RedisError::Kind::Connection, tr("no server to purge"));
        finish();
        return;
    }
    // Idle round trip (the latency budget's baseline) and DBSIZE (the keyspace, for shares and estimates).
    m_prepareLeft = int(m_nodes.size()) * 3;
    for (int i = 0; i < int(m_nodes.size()); ++i) {
        RedisClient* client = m_nodes[size_t(i)].client;
        const qint64 sentUs = m_clock.nsecsElapsed() / 1000;
        client->command({QByteArrayLiteral("PING")}, this, [this, i, sentUs](const RedisReply& r) {
            if (r.isError())
                nodeFailed(i, r.error());
            else {
                const double rtt = double(m_clock.nsecsElapsed() / 1000 - sentUs) / 1000.0;
                m_baselineMs = m_baselineMs < 0 ? rtt : qMin(m_baselineMs, rtt);
            }
            if (--m_prepareLeft == 0)
                prepared();
        });
        client->command({QByteArrayLiteral("DBSIZE")}, this, [this, i](const RedisReply& r) {
            if (r.isInteger())
                m_nodes[size_t(i)].dbsize = quint64(r.toInteger());
            if (--m_prepareLeft == 0)
                prepared();
        });
        client->command({QByteArrayLiteral("INFO"), QByteArrayLiteral("server")}, this, [this, i](const RedisReply& r) {
            if (!r.isError())
                m_nodes[size_t(i)].runId = ServerInfo::parse(r.bytes()).runId.toLatin1();
            if (--m_prepareLeft == 0)
                prepared();
        });
    }
}

void PatternPurge::prepared()
{
    for (Node& n : m_nodes)
        m_report.keyspace += n.dbsize;
    m_parallel = m_options.latencyBudgetMs > 0 ? 1 : kChains;
    for (Node& n : m_nodes) {
        QByteArray resume;
        for (const auto& [label, cursor] : m_options.resumeCursors) {
            if (label == n.label)
                resume = cursor;
        }
        if (const qsizetype at = resume.indexOf('@'); at >= 0) {
            // Cursors of another server process (it restarted): start over; the keys already deleted are gone anyway.
            if (resume.left(at) != n.runId) {
                resume.clear();
                ++m_report.rescannedNodes;
            } else {
                resume = resume.mid(at + 1);
            }
        }
        n.setChains(m_cluster || n.dbsize < kChainMinKeys ? 1 : kChains, resume);
    }
    if (m_snapshot && !m_snapshot->earlierUnconfirmed().isEmpty())
        askEarlierUnconfirmed();
    else
        startPhase(m_options.dryRun ? Phase::Match : Phase::Delete);
}

// Resumed into a snapshot whose earlier part could not ask about its unanswered deletions: ask now, before this run
// deletes anything, so that what is gone can only have been deleted by that part.
void PatternPurge::askEarlierUnconfirmed()
{
    QHash<QString, int> nodeOf;
    for (int i = 0; i < int(m_nodes.size()); ++i)
        nodeOf.insert(m_nodes[size_t(i)].label, i);
    // EXISTS per group of keys: a cluster master takes a multi-key command only within one slot.
    std::vector<QHash<int, QList<QByteArray>>> groups(m_nodes.size());
    for (const auto& [label, key] : m_snapshot->earlierUnconfirmed()) {
        const int index = nodeOf.value(label, -1);
        if (index < 0 || !m_nodes[size_t(index)].client) {
            m_earlierUnknown.append({label, key});   // a master this run does not reach (the cluster changed)
            continue;
        }
        QList<QByteArray>& group = groups[size_t(index)][m_cluster ? keySlot(key) : 0];
        group.append(key);
    }
    auto left = std::make_shared<int>(0);
    for (const auto& byNode : groups)
        for (const QList<QByteArray>& keys : byNode)
            *left += int((keys.size() + m_batch - 1) / m_batch);
    if (*left == 0) {
        startPhase(Phase::Delete);   // a snapshot means a real purge, never a dry run
        return;
    }
    for (int i = 0; i < int(m_nodes.size()); ++i) {
        for (const QList<QByteArray>& group : std::as_const(groups[size_t(i)])) {
            for (qsizetype at = 0; at < group.size(); at += m_batch) {
                const QList<QByteArray> keys = group.mid(at, m_batch);
                m_nodes[size_t(i)].client->command(QList<QByteArray>{QByteArrayLiteral("EXISTS")} + keys, this,
                                                   [this, i, left, keys](const RedisReply& r) {
                    if (r.isInteger()) {
                        const quint64 present = quint64(qBound<qint64>(0, r.toInteger(), keys.size()));
                        m_report.earlierUnconfirmedKept += present;
                        m_report.earlierUnconfirmedDeleted += quint64(keys.size()) - present;
                    } else {
                        for (const QByteArray& key : keys)
                            m_earlierUnknown.append({m_nodes[size_t(i)].label, key});
                    }
                    if (--*left == 0)
                        startPhase(Phase::Delete);
                });
            }
        }
    }
}

void PatternPurge::startPhase(Phase phase)
{
    m_phase = phase;
    if (phase == Phase::Sweep) {
        for (Node& n : m_nodes) {
            n.setChains(m_cluster || n.dbsize < kChainMinKeys ? 1 : kChains, {});
            if (n.failed) {
                for (Chain& c : n.chains)
                    c.done = true;
            }
        }
    }
    if (phase == Phase::Measure) {
        measureSample();
        return;
    }
    pump();
}

void PatternPurge::cancel()
{
    m_cancelled = true;
    m_throttleTimer.stop();
    pump();
}

void PatternPurge::pump()
{
    if (m_phase == Phase::Prepare || m_phase == Phase::Measure || m_phase == Phase::Resolve || m_phase == Phase::Done)
        return;
    if (!stopped()) {
        for (int i = 0; i < int(m_nodes.size()); ++i)
            pumpNode(i);
    }
    maybeAdvance();
}

bool PatternPurge::stopped() const { return m_cancelled || (m_snapshot && m_snapshot->stopReason().isError()); }

void PatternPurge::pumpNode(int index)
{
    Node& n = m_nodes[size_t(index)];
    if (n.failed || !n.client)
        return;
    auto pendingKeys = [&n] {
        qsizetype total = 0;
        for (const Chunk& c : n.pending)
            total += c.keys.size();
        return total;
    };
    if (deleting()) {
        const qint64 rate = m_options.maxKeysPerSecond;
        while (n.batchesInFlight < kWindow + m_parallel && !n.pending.empty()) {
            int take = m_batch;
            if (rate > 0) {
                // Small batches under a throttle, so the rate is smooth rather than one burst a second.
                take = int(qBound(qint64(1), rate / 10, qint64(m_batch)));
                const double allowed = double(rate) * double(m_clock.nsecsElapsed()) / 1e9 + take;
                if (double(m_issued + quint64(take)) > allowed) {
                    if (!m_throttleTimer.isActive()) {
                        const double dueSec = double(m_issued) / double(rate);
                        const qint64 waitMs = qint64(std::ceil(dueSec * 1000.0)) - m_clock.elapsed();
                        m_throttleTimer.start(int(qBound(qint64(1), waitMs, qint64(1000))));
                    }
                    break;
                }
            }
            sendBatch(index, take);
        }
    }
    const bool scanning = m_phase == Phase::Match || m_phase == Phase::Sweep || m_phase == Phase::Delete;
    if (!scanning)
        return;
    int inFlight = 0;
    for (const Chain& c : n.chains)
        inFlight += c.inFlight ? 1 : 0;
    for (int k = 0; k < int(n.chains.size()) && inFlight < m_parallel; ++k) {
        if (n.chains[size_t(k)].done || n.chains[size_t(k)].inFlight)
            continue;
        if (deleting() && pendingKeys() >= (kWindow + m_parallel) * m_batch)
            break;   // deletion is behind: let it catch up before matching more
        scanNext(index, k);
        ++inFlight;
    }
}

void PatternPurge::scanNext(int index, int chain)
{
    Node& n = m_nodes[size_t(index)];
    Chain& c = n.chains[size_t(chain)];
    const int count = c.narrowCount > 0 ? c.narrowCount : m_batch;
    QList<QByteArray> args{QByteArrayLiteral("SCAN"), c.cursor};
    if (m_glob != "*")
        args << QByteArrayLiteral("MATCH") << m_glob;
    args << QByteArrayLiteral("COUNT") << QByteArray::number(count);
    c.inFlight = true;
    const qint64 sentUs = m_clock.nsecsElapsed() / 1000;
    n.client->command(args, this, [this, index, chain, count, sentUs](const RedisReply& reply) {
        onScanReply(index, chain, count, reply, sentUs);
    });
}

void PatternPurge::onScanReply(int index, int chain, int count, const RedisReply& reply, qint64 sentUs)
{
    Node& n = m_nodes[size_t(index)];
    Chain& c = n.chains[size_t(chain)];
    c.inFlight = false;
    if (reply.isError()) {
        nodeFailed(index, reply.error());
        return;
    }
    if (!reply.isArray() || reply.elements().size() != 2 || !reply.elements().at(1).isArray()) {
        nodeFailed(index, RedisError::client(RedisError::Kind::Protocol, tr("unexpected SCAN reply")));
        return;
    }
    adapt(double(m_clock.nsecsElapsed() / 1000 - sentUs) / 1000.0);
    const QByteArray next = reply.elements().at(0).bytes();
    const bool crossed = c.end != 0 && (next == "0" || position(next) > c.end);
    if (crossed && count > 1) {
        // The page ran past the segment's end into the next chain's: walk it again in smaller pages.
        c.narrowCount = qMax(1, count / 4);
        pump();
        return;
    }
    if (crossed && !mayStraddle(next)) {
        // A page of COUNT 1 holds the keys of one bucket, the first non-empty one it reached. It crossed, so that
        // bucket lies at or past the end (a position on the grid of every table of kChains buckets or more): its
        // keys are the next chain's to report.
        c.done = true;
        pump();
        return;
    }
    const QByteArray cursorBefore = c.cursor;
    c.cursor = next;
    if (crossed || c.cursor == "0" || (c.end != 0 && position(c.cursor) >= c.end))
        c.done = true;
    const QVector<RedisReply>& items = reply.elements().at(1).elements();
    if (!items.isEmpty()) {
        Chunk chunk;
        chunk.chain = chain;
        chunk.cursorBefore = cursorBefore;
        chunk.keys.reserve(items.size());
        quint64 fresh = 0;
        for (const RedisReply& item : items) {
            if (!m_options.dryRun) {
                const qsizetype before = n.outstanding.size();
                n.outstanding.insert(item.bytes());
                if (n.outstanding.size() == before)
                    continue;   // returned again before its deletion was answered
                chunk.keys.append(item.bytes());
            }
            ++fresh;
            if (m_sampleKeys.size() < m_options.sampleSize) {
                m_sampleKeys.append({index, item.bytes()});
                m_report.sample.append(item.bytes());
            }
        }
        n.matched += fresh;
        m_report.matched += fresh;
        if (!chunk.keys.isEmpty())
            n.pending.push_back(std::move(chunk));
    }
    pump();
}

void PatternPurge::sendBatch(int index, int maxKeys)
{
    Node& n = m_nodes[size_t(index)];
    QList<QByteArray> keys;
    QList<QPair<int, QByteArray>> cursors;   // the first page of each chain in this batch
    while (keys.size() < maxKeys && !n.pending.empty()) {
        Chunk& front = n.pending.front();
        bool seen = false;
        for (const auto& entry : std::as_const(cursors))
            seen = seen || entry.first == front.chain;
        if (!seen)
            cursors.append({front.chain, front.cursorBefore});
        const qsizetype want = maxKeys - keys.size();
        if (front.keys.size() <= want) {
            keys.append(front.keys);
            n.pending.pop_front();
        } else {
            keys.append(front.keys.mid(0, want));
            front.keys.remove(0, want);
        }
    }
    ++n.batchesInFlight;
    n.inflightCursors.push_back(cursors);
    m_issued += quint64(keys.size());
    if (!m_snapshot)
        return deleteBatch(index, keys, keys, {});
    m_snapshot->take(n.client, n.label, keys, [this, index, keys](const QList<QByteArray>& durable, const RedisError& error) {
        deleteBatch(index, keys, durable, error);
    });
}

struct PatternPurge::Batch {
    QList<QByteArray> matched;        // the keys taken from `pending` (all leave `outstanding` when it is done)
    int left = 0;
    quint64 affected = 0;
    quint64 unanswered = 0;
    QList<QList<QByteArray>> lost;    // the keys of each UNLINK whose answer was lost (EXISTS tells later)
    RedisError error;
};

// Deletes (or expires) `keys`, the part of the batch `matched` that may go (all of it without a snapshot).
void PatternPurge::deleteBatch(int index, const QList<QByteArray>& matched, const QList<QByteArray>& keys,
                               const RedisError& error)
{
    Node& n = m_nodes[size_t(index)];
    // The commands of this batch, each with the number of keys it carries (its last ones).
    QList<QPair<QList<QByteArray>, int>> commands;
    if (keys.isEmpty() || error.isError() || !n.client) {
        // nothing to send
    } else if (m_options.expireJitterSeconds > 0) {
        std::uniform_int_distribution<qint64> ttl(0, m_options.expireJitterSeconds * 1000);
        for (const QByteArray& key : keys)
            commands.append({{QByteArrayLiteral("PEXPIRE"), key, QByteArray::number(ttl(m_random))}, 1});
    } else if (m_cluster) {
        QHash<int, QList<QByteArray>> bySlot;
        for (const QByteArray& key : keys)
            bySlot[keySlot(key)].append(key);
        for (auto it = bySlot.cbegin(); it != bySlot.cend(); ++it)
            commands.append({QList<QByteArray>{QByteArrayLiteral("UNLINK")} + it.value(), int(it.value().size())});
    } else {
        commands.append({QList<QByteArray>{QByteArrayLiteral("UNLINK")} + keys, int(keys.size())});
    }
    auto batch = std::make_shared<Batch>();
    batch->left = int(commands.size());
    batch->matched = matched;
    batch->error = error;
    if (commands.isEmpty())
        return batchDone(index, *batch);
    const bool unlinking = m_options.expireJitterSeconds <= 0;
    for (const auto& [args, count] : commands) {
        const int carried = count;
        n.client->command(args, this, [this, index, batch, carried, args, unlinking](const RedisReply& r) {
            if (r.isError()) {
                if (isLost(r.error())) {
                    batch->unanswered += quint64(carried);
                    if (unlinking)
                        batch->lost.append(args.mid(args.size() - carried));
                }
                if (!batch->error.isError())
                    batch->error = r.error();
            } else if (r.isInteger()) {
                batch->affected += quint64(r.toInteger());
            }
            if (--batch->left == 0)
                batchDone(index, *batch);
        });
    }
}

void PatternPurge::batchDone(int index, const Batch& batch)
{
    Node& node = m_nodes[size_t(index)];
    --node.batchesInFlight;
    if (batch.error.isError())   // a resume must walk its pages again: what it carried may still be there
        node.failedCursors.append(node.inflightCursors.front());
    node.inflightCursors.pop_front();
    for (const QByteArray& key : std::as_const(batch.matched))
        node.outstanding.remove(key);
    m_report.deleted += batch.affected;
    m_report.unconfirmed += batch.unanswered;
    node.unconfirmed.append(batch.lost);
    if (m_phase == Phase::Sweep)
        m_report.newKeysDeleted += batch.affected;
    if (batch.error.isError())
        nodeFailed(index, batch.error);
    else
        pump();
}

void PatternPurge::nodeFailed(int index, const RedisError& error)
{
    Node& n = m_nodes[size_t(index)];
    n.failed = true;
    if (!m_error.isError()) {
        m_error = error;
        if (m_cluster)
            m_error.message = n.label + QStringLiteral(": ") + error.message;
    }
    pump();
}

void PatternPurge::adapt(double rttMs)
{
    m_lastRttMs = rttMs;
    if (m_options.latencyBudgetMs <= 0 || m_baselineMs < 0)
        return;
    const double limit = m_baselineMs + m_options.latencyBudgetMs;
    if (rttMs > limit) {
        if (m_parallel > 1)
            m_parallel = qMax(1, m_parallel / 2);
        else
            m_batch = qMax(kMinBatch, m_batch / 2);
    } else if (rttMs < m_baselineMs + m_options.latencyBudgetMs / 2) {
        if (m_batch < m_maxBatch)
            m_batch = qMin(m_maxBatch, m_batch + qMax(1, m_batch / 4));
        else if (m_parallel < kChains)
            ++m_parallel;
    }
}

bool PatternPurge::idle() const
{
    if (m_prepareLeft > 0)
        return false;
    for (const Node& n : m_nodes) {
        if (n.scanInFlight() || n.batchesInFlight > 0)
            return false;
    }
    return true;
}

void PatternPurge::maybeAdvance()
{
    if (m_finishing || m_phase == Phase::Measure || !idle())
        return;
    bool allFailed = true, anyFailed = false, complete = true;
    for (const Node& n : m_nodes) {
        allFailed = allFailed && n.failed;
        anyFailed = anyFailed || n.failed;
        if (!n.failed && (!n.scanDone() || (deleting() && !n.pending.empty())))
            complete = false;
    }
    if (stopped() || allFailed) {
        finish();
        return;
    }
    if (!complete)
        return;   // a throttle timer is due, or a phase change below
    switch (m_phase) {
    case Phase::Match:
        startPhase(Phase::Measure);
        return;
    case Phase::Delete:
        // Expiring keys leaves them in place, so a sweep would find (and re-time) the same keys again.
        if (m_options.newKeys == InvalidateOptions::NewKeys::Include && !anyFailed && m_options.expireJitterSeconds <= 0)
            startPhase(Phase::Sweep);
        else
            finish();
        return;
    default:
        finish();
    }
}

void PatternPurge::measureSample()
{
    if (m_sampleKeys.isEmpty()) {
        finish();
        return;
    }
    struct Gather {
        int left = 0;
        qint64 bytes = 0;
        int measured = 0;
    };
    auto gather = std::make_shared<Gather>();
    gather->left = int(m_sampleKeys.size());
    for (const auto& [index, key] : std::as_const(m_sampleKeys)) {
        RedisClient* client = m_nodes[size_t(index)].client;
        if (!client) {
            --gather->left;
            continue;
        }
        client->command({QByteArrayLiteral("MEMORY"), QByteArrayLiteral("USAGE"), key}, this, [this, gather](const RedisReply& r) {
            const long long bytes = r.isNil() || r.isError() ? -1 : r.toIntegerLenient(-1);
            if (bytes >= 0) {
                gather->bytes += bytes;
                ++gather->measured;
            }
            if (--gather->left == 0) {
                if (gather->measured > 0)
                    m_report.estimatedMemoryBytes =
                        qint64(double(gather->bytes) / gather->measured * double(m_report.matched));
                finish();
            }
        });
    }
    if (gather->left == 0)
        finish();
}

quint64 PatternPurge::estimatedMatches() const
{
    double total = 0;
    for (const Node& n : m_nodes) {
        if (n.scanDone() || n.failed || m_phase == Phase::Sweep) {
            total += double(n.matched);
            continue;
        }
        double done = 0;   // share of the walk done, summed over the chains' segments
        for (const Chain& c : n.chains) {
            const double segmentEnd = c.end ? double(c.end) : std::ldexp(1.0, 64);
            const double at = c.done ? segmentEnd : (c.cursor == "0" ? double(c.start) : double(position(c.cursor)));
            done += (at - double(c.start)) / std::ldexp(1.0, 64);
        }
        total += done > 0.02 ? double(n.matched) / done : double(n.matched);
    }
    return qMax(m_report.matched, quint64(std::llround(total)));
}

void PatternPurge::emitProgress()
{
    InvalidationProgress p;
    p.requestId = m_requestId;
    p.matched = m_report.matched;
    p.deleted = m_report.deleted;
    p.estimatedMatches = estimatedMatches();
    p.keyspace = m_report.keyspace;
    m_progress.setTotal(qint64(p.estimatedMatches));
    m_progress.update(qint64(m_options.dryRun ? m_report.matched : m_report.deleted));
    p.keysPerSecond = m_progress.rate();
    p.etaSeconds = m_progress.etaSeconds();
    p.batchSize = m_batch;
    p.latencyMs = m_lastRttMs;
    p.baselineMs = m_baselineMs;
    Q_EMIT progress(p);
}

bool PatternPurge::resolveUnconfirmed()
{
    if (m_resolveAsked)
        return false;
    m_resolveAsked = true;
    for (int i = 0; i < int(m_nodes.size()); ++i)
        m_nodes[size_t(i)].resolving = !m_nodes[size_t(i)].unconfirmed.isEmpty() && m_nodes[size_t(i)].client;
    if (std::none_of(m_nodes.begin(), m_nodes.end(), [](const Node& n) { return n.resolving; }))
        return false;
    m_phase = Phase::Resolve;
    m_progressTimer.stop();
    m_throttleTimer.stop();
    for (int i = 0; i < int(m_nodes.size()); ++i) {
        if (m_nodes[size_t(i)].resolving)
            awaitClient(i);
    }
    return true;
}

// Asks as soon as the client is connected again. What bounds the wait is the server's answer to connecting, not a
// clock: a server that is up lets a loopback or LAN connection in however busy the machine is, so only failed
// attempts count (kResolveAttempts; each one is bounded by the client's connect timeout).
void PatternPurge::awaitClient(int index)
{
    Node& n = m_nodes[size_t(index)];
    disconnect(n.waitForClient);
    disconnect(n.clientGone);
    RedisClient* client = n.client;
    if (!client || !n.resolving)
        return resolved(index);
    switch (client->state()) {
    case ConnectionState::Ready:
        askExists(index);
        return;
    case ConnectionState::Disconnected:   // closed by its owner: not ours to open again
        return resolved(index);
    case ConnectionState::Failed:
        // The client gave up (cachelensctl's clients make one attempt and never reconnect by themselves): one more
        // attempt each time, from the event loop rather than from inside the client's own state change.
        if (n.failedAttempts >= kResolveAttempts)
            return resolved(index);
        QMetaObject::invokeMethod(client, &RedisClient::open, Qt::QueuedConnection);
        break;
    case ConnectionState::Connecting:
    case ConnectionState::Reconnecting:
        break;   // the client's own reconnect is under way
    }
    n.clientGone = connect(client, &QObject::destroyed, this, [this, index] { resolved(index); });
    n.waitForClient = connect(client, &RedisClient::stateChanged, this, [this, index](ConnectionState state) {
        Node& node = m_nodes[size_t(index)];
        switch (state) {
        case ConnectionState::Ready:
            disconnect(node.waitForClient);
            askExists(index);
            return;
        case ConnectionState::Reconnecting:   // an attempt failed; the client schedules the next one
        case ConnectionState::Failed:         // an attempt failed and the client stopped
            if (++node.failedAttempts >= kResolveAttempts)
                resolved(index);
            else if (state == ConnectionState::Failed)
                awaitClient(index);
            return;
        case ConnectionState::Disconnected:
            resolved(index);
            return;
        case ConnectionState::Connecting:
            return;
        }
    });
}

void PatternPurge::askExists(int index)
{
    Node& n = m_nodes[size_t(index)];
    disconnect(n.waitForClient);
    disconnect(n.clientGone);
    struct Round {
        int left = 0;
        bool lost = false;   // the connection dropped again before every answer came
    };
    auto round = std::make_shared<Round>();
    round->left = int(n.unconfirmed.size());
    const QList<QList<QByteArray>> groups = std::exchange(n.unconfirmed, {});
    for (const QList<QByteArray>& keys : groups) {
        // One UNLINK's keys: one slot on a cluster, so EXISTS may take them all.
        n.client->command(QList<QByteArray>{QByteArrayLiteral("EXISTS")} + keys, this,
                          [this, index, round, keys](const RedisReply& r) {
            Node& node = m_nodes[size_t(index)];
            if (!node.resolving)
                return;
            if (r.isInteger()) {
                const quint64 present = quint64(qBound<qint64>(0, r.toInteger(), keys.size()));
                m_report.deleted += quint64(keys.size()) - present;
                m_report.unconfirmed -= quint64(keys.size());
            } else {
                node.unconfirmed.append(keys);   // still unknown
                round->lost = round->lost || isLost(r.error());
            }
            if (--round->left > 0)
                return;
            if (round->lost && !node.unconfirmed.isEmpty() && ++node.failedAttempts < kResolveAttempts)
                awaitClient(index);   // dropped again: ask the rest once it is back
            else
                resolved(index);
        });
    }
}

void PatternPurge::resolved(int index)
{
    Node& n = m_nodes[size_t(index)];
    if (!n.resolving)
        return;
    n.resolving = false;
    disconnect(n.waitForClient);
    disconnect(n.clientGone);
    if (std::none_of(m_nodes.begin(), m_nodes.end(), [](const Node& node) { return node.resolving; }))
        finish();
}

void PatternPurge::finish()
{
    if (m_finishing || resolveUnconfirmed())
        return;
    m_finishing = true;
    m_phase = Phase::Done;
    m_progressTimer.stop();
    m_throttleTimer.stop();
    m_report.cancelled = m_cancelled;
    m_report.error = RedisSource::toSourceError(m_error);
    if (m_cancelled && m_error.kind == RedisError::Kind::Cancelled)
        m_report.error = {};
    m_report.interrupted = m_error.isError() && isLost(m_error) && !m_cancelled;
    if (!m_options.dryRun && (m_report.interrupted || m_cancelled)) {
        for (const Node& n : m_nodes)
            m_report.resumeCursors.append({n.label, n.resumeCursor()});
    }
    if (m_snapshot) {
        // What still could not be asked about, named in the file for the run that resumes into it.
        QList<QPair<QString, QByteArray>> unconfirmed = m_earlierUnknown;
        for (const Node& n : m_nodes) {
            for (const QList<QByteArray>& keys : n.unconfirmed)
                for (const QByteArray& key : keys)
                    unconfirmed.append({n.label, key});
        }
        m_snapshot->setUnconfirmed(unconfirmed);
        if (!m_report.error.isError() && m_snapshot->stopReason().isError())
            m_report.error = m_snapshot->stopReason();
        m_report.snapshotPath = m_snapshot->path();
        m_report.snapshotLimitReached = m_snapshot->limitReached();
        m_snapshot->finish(m_report.snapshotLimitReached ? QStringLiteral("limit")
                           : m_report.interrupted       ? QStringLiteral("interrupted")
                           : m_cancelled                ? QStringLiteral("cancelled")
                           : m_report.error.isError()   ? QStringLiteral("failed")
                                                        : QStringLiteral("complete"));
        // What the file holds: a resumed purge's file holds both parts, each key once.
        m_report.snapshotKeys = m_snapshot->fileKeys();
        m_report.snapshotBytes = m_snapshot->fileBytes();
    }
    m_report.seconds = double(m_clock.nsecsElapsed()) / 1e9;
    emitProgress();
    Q_EMIT finished(m_report);
}

} // namespace cachelens::redis
