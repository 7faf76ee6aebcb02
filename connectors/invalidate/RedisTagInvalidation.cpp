#include "connectors/invalidate/RedisTagInvalidation.h"

#include "connectors/provider/InvalidationBus.h"
#include "connectors/provider/TagKeys.h"
#include "connectors/provider/Scripts.h"
#include "connectors/redis/RedisClient.h"

#include <QCoreApplication>
#include <QTimer>

#include <algorithm>
#include <map>

namespace cachelens::redis {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("cachelens::RedisTagInvalidation", text); }

QByteArray setPrefixOf(const QByteArray& keyPrefix)
{
    return QByteArray::fromStdString(provider::tagSetPrefix(std::string_view(keyPrefix.constData(), size_t(keyPrefix.size()))));
}

SourceError toSourceError(const RedisError& e)
{
    const bool connection = e.kind == RedisError::Kind::Connection || e.kind == RedisError::Kind::Timeout
                            || e.kind == RedisError::Kind::Cancelled;
    return SourceError{connection ? SourceError::Kind::Connection : SourceError::Kind::Server, e.message};
}

std::string_view view(const QByteArray& b) { return std::string_view(b.constData(), size_t(b.size())); }

constexpr int kWindow = 8;            // batch scripts in flight (on different sets: a cluster's slots, several tags)

struct ResolvedSet {
    QByteArray key;
    QByteArray tagPrefix;
};

// The sets holding `tag`'s members: its one set, or on a cluster the per-slot sets its slot index names (in slot
// order). Answers on `context`'s thread, synchronously for a standalone server.
void tagSets(const NodeForKey& nodeFor, bool cluster, const QByteArray& keyPrefix, const QByteArray& tag,
             QObject* context, std::function<void(const QList<ResolvedSet>&, const RedisError&)> done)
{
    if (!cluster) {
        done({ResolvedSet{setPrefixOf(keyPrefix) + tag, setPrefixOf(keyPrefix)}}, {});
        return;
    }
    const QByteArray index = QByteArray::fromStdString(provider::tagSlotsKey(view(keyPrefix), view(tag)));
    CommandSink* node = nodeFor(index);
    if (!node) {
        done({}, RedisError::client(RedisError::Kind::Connection, tr("no server owns the tag's slot index")));
        return;
    }
    node->command({QByteArrayLiteral("SMEMBERS"), index}, context, [keyPrefix, tag, done](const RedisReply& r) {
        if (r.isError())
            return done({}, r.error());
        QList<int> slotList;
        for (const RedisReply& e : r.elements()) {
            bool ok = false;
            const int slot = e.bytes().toInt(&ok);
            if (ok && slot >= 0 && slot < 16384)
                slotList << slot;
        }
        std::sort(slotList.begin(), slotList.end());
        QList<ResolvedSet> sets;
        for (const int slot : std::as_const(slotList))
            sets << ResolvedSet{QByteArray::fromStdString(provider::clusterTagSetKey(view(keyPrefix), view(tag), slot)),
                                QByteArray::fromStdString(provider::clusterTagSetPrefix(view(keyPrefix), slot))};
        done(sets, {});
    });
}

} // namespace

QString clusterPrefixProblem(const QByteArray& keyPrefix)
{
    // The provider's own rule: a tag's per-slot set must hash by its `{h}`, which a '{' in the prefix without a
    // non-empty `{…}` pair ahead of it takes over. "{app}:" is fine: the application then lives in one slot.
    const qsizetype open = keyPrefix.indexOf('{');
    if (open < 0 || keyPrefix.indexOf('}', open + 1) > open + 1)
        return {};
    return tr("on a Redis Cluster, tags need a key prefix without an unmatched '{'");
}

QByteArray tagSetGlob(const QByteArray& keyPrefix)
{
    QByteArray glob;
    for (const char c : setPrefixOf(keyPrefix)) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            glob += '\\';
        glob += c;
    }
    return glob + '*';
}

// ---- listing ------------------------------------------------------------------------------------------------------

RedisTagLister::RedisTagLister(quint64 requestId, const QList<RedisClient*>& masters, bool cluster,
                               const QByteArray& keyPrefix, QObject* parent)
    : QObject(parent), m_setPrefix(setPrefixOf(keyPrefix)), m_cluster(cluster)
{
    m_list.requestId = requestId;
    m_list.prefix = keyPrefix;
    for (RedisClient* m : masters) {
        m_masters << m;
        m_cursors << QByteArrayLiteral("0");
    }
}

void RedisTagLister::start()
{
    for (int i = 0; i < m_masters.size(); ++i)
        scanNext(i);
    maybeFinish();
}

void RedisTagLister::cancel()
{
    m_cancelled = true;
    m_list.cancelled = true;
}

void RedisTagLister::scanNext(int node)
{
    RedisClient* client = m_masters.at(node);
    if (!client || m_cancelled || m_list.error.isError())
        return;
    ++m_outstanding;
    // TYPE set (Redis 6+) keeps values that happen to start with "tag:" out of the list.
    client->command({QByteArrayLiteral("SCAN"), m_cursors.at(node), QByteArrayLiteral("MATCH"),
                     tagSetGlob(m_list.prefix), QByteArrayLiteral("COUNT"), QByteArrayLiteral("1000"),
                     QByteArrayLiteral("TYPE"), QByteArrayLiteral("set")},
                    this, [this, node, client](const RedisReply& reply) {
        --m_outstanding;
        if (reply.isError() || !reply.isArray() || reply.elements().size() != 2) {
            if (!m_list.error.isError())
                m_list.error = reply.isError() ? toSourceError(reply.error())
                                               : SourceError{SourceError::Kind::Server, tr("unexpected SCAN reply")};
            return maybeFinish();
        }
        m_cursors[node] = reply.elements().at(0).bytes();
        for (const RedisReply& k : reply.elements().at(1).elements()) {
            const QByteArray key = k.bytes();
            QByteArray name = key.mid(m_setPrefix.size());
            if (m_cluster) {
                // `P tag:{h}name`: one of the tag's per-slot sets; anything else under `P tag:` is not the provider's.
                const auto tag = provider::tagOfSetKey(view(m_list.prefix), view(key), true);
                if (!tag)
                    continue;
                name = QByteArray::fromStdString(*tag);
            }
            int index = m_index.value(name, -1);
            if (index < 0) {
                index = int(m_list.tags.size());
                m_index.insert(name, index);
                m_list.tags.append(TagInfo{name, 0});
            }
            ++m_outstanding;
            client->command({QByteArrayLiteral("SCARD"), key}, this, [this, index](const RedisReply& r) {
                --m_outstanding;
                if (r.isInteger())
                    m_list.tags[index].members += r.toInteger();
                maybeFinish();
            });
        }
        if (m_cursors.at(node) != "0")
            scanNext(node);
        maybeFinish();
    });
}

void RedisTagLister::maybeFinish()
{
    if (m_done || m_outstanding > 0)
        return;
    m_done = true;
    std::sort(m_list.tags.begin(), m_list.tags.end(), [](const TagInfo& a, const TagInfo& b) { return a.name < b.name; });
    Q_EMIT finished(m_list);
}

// ---- preview ------------------------------------------------------------------------------------------------------

void previewTagMembers(const NodeForKey& nodeFor, bool cluster, quint64 requestId, const QByteArray& keyPrefix,
                       const QByteArray& tag, int count, QObject* context, std::function<void(const TagMembers&)> done)
{
    struct State {
        TagMembers result;
        QList<ResolvedSet> sets;
        int set = 0;                  // the set being read
        int count = 0;
        int scards = 0;
        bool scanned = false;
        NodeForKey nodeFor;
        std::function<void(const TagMembers&)> done;
        QPointer<QObject> context;
        std::function<void(const QByteArray&)> next;
        void finish()
        {
            if (scards > 0 || !scanned || !next)
                return;
            auto keep = next;         // the chain ends here: break the cycle, then answer
            next = nullptr;
            done(result);
        }
    };
    auto s = std::make_shared<State>();
    s->result.requestId = requestId;
    s->result.tag = tag;
    s->count = std::max(1, count);
    s->nodeFor = nodeFor;
    s->done = std::move(done);
    s->context = context;
    // SSCAN pages of each set in turn until `count` members or the end; the callback chain owns the state.
    s->next = [s](const QByteArray& cursor) {
        if (!s->context)
            return;
        if (s->set >= s->sets.size() || s->result.members.size() >= s->count || s->result.error.isError()) {
            s->scanned = true;
            return s->finish();
        }
        const QByteArray set = s->sets.at(s->set).key;
        CommandSink* node = s->nodeFor(set);
        if (!node) {
            s->result.error = SourceError{SourceError::Kind::Connection, tr("no server owns the tag's set")};
            s->scanned = true;
            return s->finish();
        }
        node->command({QByteArrayLiteral("SSCAN"), set, cursor, QByteArrayLiteral("COUNT"),
                       QByteArray::number(std::min(s->count, 1000))},
                      s->context, [s](const RedisReply& r) {
            if (r.isError() || !r.isArray() || r.elements().size() != 2) {
                s->result.error = r.isError() ? toSourceError(r.error())
                                              : SourceError{SourceError::Kind::WrongType, tr("the tag's key is not a set")};
                s->scanned = true;
                return s->finish();
            }
            for (const RedisReply& m : r.elements().at(1).elements()) {
                if (s->result.members.size() < s->count)
                    s->result.members << m.bytes();
            }
            QByteArray cursor = r.elements().at(0).bytes();
            if (cursor == "0") {
                ++s->set;
                cursor = QByteArrayLiteral("0");
            }
            s->next(cursor);
        });
    };
    tagSets(nodeFor, cluster, keyPrefix, tag, context, [s](const QList<ResolvedSet>& sets, const RedisError& error) {
        if (error.isError()) {
            s->result.error = toSourceError(error);
            s->scanned = true;
            return s->finish();
        }
        s->sets = sets;
        s->result.total = 0;
        for (const ResolvedSet& set : sets) {
            CommandSink* node = s->nodeFor(set.key);
            if (!node)
                continue;
            ++s->scards;
            node->command({QByteArrayLiteral("SCARD"), set.key}, s->context, [s](const RedisReply& r) {
                --s->scards;
                if (r.isInteger())
                    s->result.total += r.toInteger();
                s->finish();
            });
        }
        s->next(QByteArrayLiteral("0"));
    });
}

// ---- invalidation -------------------------------------------------------------------------------------------------

RedisTagInvalidation::RedisTagInvalidation(quint64 requestId, NodeForKey nodeFor, const QList<CommandSink*>& masters,
                                           bool cluster, const QByteArray& keyPrefix, const QList<QByteArray>& tags,
                                           const InvalidateOptions& options, Bus bus, QObject* parent)
    : QObject(parent), m_requestId(requestId), m_nodeFor(std::move(nodeFor)), m_masters(masters), m_cluster(cluster),
      m_prefix(keyPrefix), m_tags(tags), m_options(options), m_bus(std::move(bus))
{
    m_report.requestId = requestId;
    m_report.dryRun = options.dryRun;
    QStringList names;
    for (const QByteArray& t : tags)
        names << QString::fromUtf8(t);
    m_report.what = QStringLiteral("tag ") + names.join(QStringLiteral(", "));
    m_setsLeft.fill(0, tags.size());
    m_touched.fill(false, tags.size());
    m_published.fill(false, tags.size());
    m_throttleTimer.setSingleShot(true);
    connect(&m_throttleTimer, &QTimer::timeout, this, &RedisTagInvalidation::pump);
}

void RedisTagInvalidation::start()
{
    m_clock.start();
    m_progress.start();
    // Every tag's sets and their sizes (SCARD) first: `matched` (a dry run counts them next), and the sets to empty.
    m_pending = int(m_tags.size() + m_masters.size());
    for (CommandSink* master : m_masters) {
        master->command({QByteArrayLiteral("DBSIZE")}, this, [this](const RedisReply& r) {
            if (r.isInteger())
                m_report.keyspace += quint64(std::max(0LL, r.toInteger()));
            if (--m_pending == 0)
                counted();
        });
    }
    for (int i = 0; i < m_tags.size(); ++i) {
        tagSets(m_nodeFor, m_cluster, m_prefix, m_tags.at(i), this, [this, i](const QList<ResolvedSet>& sets, const RedisError& e) {
            if (e.isError())
                fail(e);
            QList<TagSet> tagged;
            for (const ResolvedSet& set : sets)
                tagged << TagSet{i, set.key, set.tagPrefix};
            resolved(i, tagged);
        });
    }
}

void RedisTagInvalidation::resolved(int tag, const QList<TagSet>& sets)
{
    for (const TagSet& set : sets) {
        CommandSink* node = m_nodeFor(set.key);
        if (!node) {
            fail(RedisError::client(RedisError::Kind::Connection, tr("no server owns the tag's set")));
            break;
        }
        ++m_pending;
        node->command({QByteArrayLiteral("SCARD"), set.key}, this, [this, set, tag](const RedisReply& r) {
            if (r.isError()) {
                fail(r.error());
            } else if (r.toInteger() > 0) {
                if (!m_options.dryRun)
                    m_report.matched += quint64(r.toInteger());
                m_queue << int(m_sets.size());
                m_sets << set;
                ++m_setsLeft[tag];
            }
            if (--m_pending == 0)
                counted();
        });
    }
    if (--m_pending == 0)
        counted();
}

void RedisTagInvalidation::counted()
{
    if (m_counted || m_finished)
        return;
    m_counted = true;
    if (m_stopped)
        return maybeFinish();
    if (m_options.dryRun)
        return pump();   // count what each set's batches would delete
    emitProgress();
    // A tag with nothing in its sets is done already; tell the L1 caches anyway (they may hold keys Redis expired).
    for (int t = 0; t < m_tags.size(); ++t) {
        if (m_setsLeft[t] == 0)
            publish(t);
    }
    pump();
}

void RedisTagInvalidation::cancel()
{
    m_cancelled = true;
    m_throttleTimer.stop();
    maybeFinish();
}

void RedisTagInvalidation::pump()
{
    while (!m_finished && !m_cancelled && !m_stopped && !m_queue.isEmpty() && m_inFlight < kWindow) {
        if (m_options.maxKeysPerSecond > 0 && !m_options.dryRun) {
            // Keep popped/elapsed at or under the rate: wait until the keys already removed are "paid for".
            const qint64 dueMs = qint64(double(m_popped) * 1000.0 / double(m_options.maxKeysPerSecond));
            if (dueMs > m_clock.elapsed() || m_inFlight > 0) {
                if (dueMs > m_clock.elapsed() && !m_throttleTimer.isActive())
                    m_throttleTimer.start(int(qMin<qint64>(1000, dueMs - m_clock.elapsed())));
                break;
            }
        }
        sendBatch(m_queue.takeFirst());
    }
    maybeFinish();
}

void RedisTagInvalidation::sendBatch(int set)
{
    const TagSet& s = m_sets.at(set);
    CommandSink* node = m_nodeFor(s.key);
    if (!node)
        return fail(RedisError::client(RedisError::Kind::Connection, tr("no server owns the tag's set")));
    qint64 batch = std::max(1, m_options.batchSize);
    if (m_options.maxKeysPerSecond > 0 && !m_options.dryRun)
        batch = std::clamp<qint64>(m_options.maxKeysPerSecond / 10, 1, batch);
    const provider::scripts::Script& script =
        provider::scripts::get(m_options.dryRun ? provider::scripts::TagCount : provider::scripts::TagBatch);
    const QByteArray body = m_evalText ? QByteArray::fromStdString(script.text) : QByteArray::fromStdString(script.sha);
    QList<QByteArray> args{m_evalText ? QByteArrayLiteral("EVAL") : QByteArrayLiteral("EVALSHA"), body,
                           QByteArrayLiteral("1"), s.key};
    if (m_options.dryRun)
        args << s.cursor << QByteArray::number(batch)
             << QByteArray::number(std::max<qsizetype>(0, m_options.sampleSize - m_report.sample.size())) << s.tagPrefix
             << m_tags.at(s.tag) << m_tags.mid(0, s.tag);
    else
        args << s.tagPrefix << QByteArray::number(batch) << m_tags.at(s.tag);
    if (!m_options.dryRun)
        m_touched[s.tag] = true;
    ++m_inFlight;
    node->command(args, this, [this, set, batch](const RedisReply& r) {
        --m_inFlight;
        if (r.isError() && r.error().message.startsWith(QLatin1String("NOSCRIPT"))) {
            m_evalText = true;   // this node has not seen the script: send its text from now on
            m_queue.prepend(set);
            return pump();
        }
        if (r.isError())
            return fail(r.error());
        if (m_options.dryRun)
            return onCount(set, r);
        if (!r.isArray() || r.elements().size() != 2)
            return fail(RedisError::client(RedisError::Kind::Protocol, tr("unexpected reply from the tag script")));
        m_report.deleted += quint64(std::max(0LL, r.elements().at(0).toInteger()));
        const long long popped = r.elements().at(1).toInteger();
        m_popped += quint64(std::max(0LL, popped));
        emitProgress();
        if (popped >= batch) {
            m_queue << set;   // more to pop
        } else if (--m_setsLeft[m_sets.at(set).tag] == 0) {
            publish(m_sets.at(set).tag);
        }
        pump();
    });
}

void RedisTagInvalidation::onCount(int set, const RedisReply& reply)
{
    if (!reply.isArray() || reply.elements().size() != 3)
        return fail(RedisError::client(RedisError::Kind::Protocol, tr("unexpected reply from the tag script")));
    m_report.matched += quint64(std::max(0LL, reply.elements().at(1).toIntegerLenient(0)));
    for (const RedisReply& key : reply.elements().at(2).elements()) {
        if (m_report.sample.size() < m_options.sampleSize)
            m_report.sample << key.bytes();
    }
    m_sets[set].cursor = reply.elements().at(0).bytes();
    if (m_sets.at(set).cursor != "0")
        m_queue << set;
    emitProgress();
    pump();
}

void RedisTagInvalidation::publish(int tag)
{
    if (m_bus.channel.isEmpty() || m_published[tag])
        return;
    m_published[tag] = true;
    const QByteArray t = m_tags.at(tag);
    const std::string message = provider::encodeBusMessage(view(m_bus.instance), "tag", view(t));
    // Any node reaches every subscriber (classic pub/sub is cluster-wide); the tag's first set's node will do.
    CommandSink* node = m_nodeFor(setPrefixOf(m_prefix) + t);
    if (node)   // fire and forget: a lost PUBLISH is covered by the providers clearing L1 after a reconnect
        node->command({QByteArrayLiteral("PUBLISH"), m_bus.channel, QByteArray::fromStdString(message)}, this, {});
}

void RedisTagInvalidation::fail(const RedisError& error)
{
    if (m_finished)
        return;
    if (!m_report.error.isError()) {
        m_report.error = toSourceError(error);
        m_report.interrupted = m_report.error.kind == SourceError::Kind::Connection;
    }
    m_stopped = true;
    maybeFinish();
}

void RedisTagInvalidation::maybeFinish()
{
    if (m_finished || m_inFlight > 0)
        return;
    if (!m_counted && !m_stopped && !m_cancelled)
        return;
    if (!m_counted && m_pending > 0 && !m_cancelled)
        return;   // a failed count: let the others answer before reporting
    if (m_counted && !m_stopped && !m_cancelled && !m_queue.isEmpty())
        return;   // a throttle timer is due (or, in a dry run, the count goes on)
    finish();
}

void RedisTagInvalidation::emitProgress()
{
    InvalidationProgress p;
    p.requestId = m_requestId;
    p.matched = m_report.matched;
    p.deleted = m_report.deleted;
    p.estimatedMatches = m_report.matched;
    m_progress.setTotal(qint64(m_report.matched));
    m_progress.update(qint64(m_popped));
    p.keysPerSecond = m_progress.rate();
    p.etaSeconds = m_progress.etaSeconds();
    p.batchSize = m_options.batchSize;
    Q_EMIT progress(p);
}

void RedisTagInvalidation::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_throttleTimer.stop();
    m_report.cancelled = m_cancelled;
    m_report.seconds = double(m_clock.nsecsElapsed()) / 1e9;
    if (!m_options.dryRun) {
        emitProgress();
        // A cancelled or failed run may have emptied part of a tag's sets: its L1 entries go too.
        if (!m_report.interrupted) {
            for (int t = 0; t < m_tags.size(); ++t) {
                if (m_touched[t])
                    publish(t);
            }
        }
    }
    Q_EMIT finished(m_report);
}

} // namespace cachelens::redis
