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

} // namespace

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

RedisTagLister::RedisTagLister(quint64 requestId, const QList<RedisClient*>& masters, const QByteArray& keyPrefix,
                               QObject* parent)
    : QObject(parent), m_setPrefix(setPrefixOf(keyPrefix))
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
            const int index = int(m_list.tags.size());
            m_list.tags.append(TagInfo{key.mid(m_setPrefix.size()), -1});
            ++m_outstanding;
            client->command({QByteArrayLiteral("SCARD"), key}, this, [this, index](const RedisReply& r) {
                --m_outstanding;
                if (r.isInteger())
                    m_list.tags[index].members = r.toInteger();
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

void previewTagMembers(const NodeForKey& nodeFor, quint64 requestId, const QByteArray& keyPrefix, const QByteArray& tag,
                       int count, QObject* context, std::function<void(const TagMembers&)> done)
{
    struct State {
        TagMembers result;
        QByteArray set;
        int count = 0;
        NodeForKey nodeFor;
        std::function<void(const TagMembers&)> done;
        QPointer<QObject> context;
        std::function<void(const QByteArray&)> next;
    };
    auto s = std::make_shared<State>();
    s->result.requestId = requestId;
    s->result.tag = tag;
    s->set = setPrefixOf(keyPrefix) + tag;
    s->count = std::max(1, count);
    s->nodeFor = nodeFor;
    s->done = std::move(done);
    s->context = context;
    CommandSink* sink = nodeFor(s->set);
    if (!sink) {
        s->result.error = SourceError{SourceError::Kind::Connection, tr("no server owns the tag's set")};
        return s->done(s->result);
    }
    sink->command({QByteArrayLiteral("SCARD"), s->set}, context, [s](const RedisReply& r) {
        if (r.isInteger())
            s->result.total = r.toInteger();
    });
    // SSCAN pages until `count` members or the end; the callback chain owns the state (broken when it finishes).
    s->next = [s](const QByteArray& cursor) {
        CommandSink* node = s->nodeFor(s->set);
        if (!node || !s->context)
            return;
        node->command({QByteArrayLiteral("SSCAN"), s->set, cursor, QByteArrayLiteral("COUNT"),
                       QByteArray::number(std::min(s->count, 1000))},
                      s->context, [s](const RedisReply& r) {
            if (r.isError() || !r.isArray() || r.elements().size() != 2) {
                s->result.error = r.isError() ? toSourceError(r.error())
                                              : SourceError{SourceError::Kind::WrongType, tr("the tag's key is not a set")};
            } else {
                for (const RedisReply& m : r.elements().at(1).elements()) {
                    if (s->result.members.size() < s->count)
                        s->result.members << m.bytes();
                }
                const QByteArray cursor = r.elements().at(0).bytes();
                if (cursor != "0" && s->result.members.size() < s->count)
                    return s->next(cursor);
            }
            auto keep = s;            // the chain ends here: break the cycle, then answer
            keep->next = nullptr;
            keep->done(keep->result);
        });
    };
    s->next(QByteArrayLiteral("0"));
}

// ---- invalidation -------------------------------------------------------------------------------------------------

RedisTagInvalidation::RedisTagInvalidation(quint64 requestId, NodeForKey nodeFor, const QByteArray& keyPrefix,
                                           const QList<QByteArray>& tags, const InvalidateOptions& options, Bus bus,
                                           QObject* parent)
    : QObject(parent), m_requestId(requestId), m_nodeFor(std::move(nodeFor)), m_prefix(keyPrefix), m_tags(tags),
      m_options(options), m_bus(std::move(bus))
{
    m_report.requestId = requestId;
    m_report.dryRun = options.dryRun;
    QStringList names;
    for (const QByteArray& t : tags)
        names << QString::fromUtf8(t);
    m_report.what = QStringLiteral("tag ") + names.join(QStringLiteral(", "));
}

QByteArray RedisTagInvalidation::setKey(int tag) const { return setPrefixOf(m_prefix) + m_tags.at(tag); }

void RedisTagInvalidation::start()
{
    m_clock.start();
    m_countsLeft = int(m_tags.size());
    for (int i = 0; i < m_tags.size(); ++i) {
        CommandSink* node = m_nodeFor(setKey(i));
        if (!node) {
            fail(RedisError::client(RedisError::Kind::Connection, tr("no server owns the tag's set")));
            return;
        }
        node->command({QByteArrayLiteral("SCARD"), setKey(i)}, this, [this](const RedisReply& r) {
            if (r.isError())
                fail(r.error());
            else
                m_report.matched += quint64(std::max(0LL, r.toInteger()));
            if (--m_countsLeft == 0 && !m_finished)
                counted();
        });
        if (m_options.dryRun) {
            ++m_countsLeft;
            previewTagMembers(m_nodeFor, m_requestId, m_prefix, m_tags.at(i), m_options.sampleSize, this,
                              [this](const TagMembers& m) {
                for (const QByteArray& k : m.members) {
                    if (m_report.sample.size() < m_options.sampleSize && !m_report.sample.contains(k))
                        m_report.sample << k;
                }
                if (--m_countsLeft == 0 && !m_finished)
                    counted();
            });
        }
    }
}

void RedisTagInvalidation::counted()
{
    if (m_options.dryRun) {
        finish();
        return;
    }
    emitProgress();
    nextBatch();
}

void RedisTagInvalidation::cancel() { m_cancelled = true; }

void RedisTagInvalidation::nextBatch()
{
    if (m_finished)
        return;
    if (m_cancelled) {
        m_report.cancelled = true;
        return finish();
    }
    if (m_current >= m_tags.size())
        return finish();
    qint64 batch = std::max(1, m_options.batchSize);
    if (m_options.maxKeysPerSecond > 0) {
        batch = std::clamp<qint64>(m_options.maxKeysPerSecond / 10, 1, batch);
        // Keep popped/elapsed at or under the rate: wait until the keys already removed are "paid for".
        const qint64 dueMs = qint64(double(m_popped) * 1000.0 / double(m_options.maxKeysPerSecond));
        if (dueMs > m_clock.elapsed()) {
            QTimer::singleShot(int(dueMs - m_clock.elapsed()), this, &RedisTagInvalidation::nextBatch);
            return;
        }
    }
    const QByteArray set = setKey(m_current);
    CommandSink* node = m_nodeFor(set);
    if (!node)
        return fail(RedisError::client(RedisError::Kind::Connection, tr("no server owns the tag's set")));
    const provider::scripts::Script& script = provider::scripts::get(provider::scripts::TagBatch);
    const QByteArray body = m_evalText ? QByteArray::fromStdString(script.text) : QByteArray::fromStdString(script.sha);
    node->command({m_evalText ? QByteArrayLiteral("EVAL") : QByteArrayLiteral("EVALSHA"), body, QByteArrayLiteral("1"), set,
                   setPrefixOf(m_prefix), QByteArray::number(batch), m_tags.at(m_current)},
                  this, [this](const RedisReply& r) { onBatch(r); });
}

void RedisTagInvalidation::onBatch(const RedisReply& r)
{
    if (r.isError() && !m_evalText && r.error().message.startsWith(QLatin1String("NOSCRIPT"))) {
        m_evalText = true;
        return nextBatch();
    }
    if (r.isError())
        return fail(r.error());
    if (!r.isArray() || r.elements().size() != 2)
        return fail(RedisError::client(RedisError::Kind::Protocol, tr("unexpected reply from the tag script")));
    m_report.deleted += quint64(std::max(0LL, r.elements().at(0).toInteger()));
    const long long popped = r.elements().at(1).toInteger();
    m_popped += quint64(std::max(0LL, popped));
    emitProgress();
    if (popped == 0) {
        publish(m_current);
        ++m_current;
    }
    nextBatch();
}

void RedisTagInvalidation::publish(int tag)
{
    if (m_bus.channel.isEmpty())
        return;
    const QByteArray t = m_tags.at(tag);
    const std::string message = provider::encodeBusMessage(
        std::string_view(m_bus.instance.constData(), size_t(m_bus.instance.size())), "tag",
        std::string_view(t.constData(), size_t(t.size())));
    CommandSink* node = m_nodeFor(setKey(tag));
    if (node)   // fire and forget: a lost PUBLISH is covered by the providers clearing L1 after a reconnect
        node->command({QByteArrayLiteral("PUBLISH"), m_bus.channel, QByteArray::fromStdString(message)}, this, {});
}

void RedisTagInvalidation::fail(const RedisError& error)
{
    if (m_finished)
        return;
    m_report.error = toSourceError(error);
    m_report.interrupted = m_report.error.kind == SourceError::Kind::Connection;
    finish();
}

void RedisTagInvalidation::emitProgress()
{
    InvalidationProgress p;
    p.requestId = m_requestId;
    p.matched = m_report.matched;
    p.deleted = m_report.deleted;
    p.estimatedMatches = m_report.matched;
    const double seconds = double(m_clock.nsecsElapsed()) / 1e9;
    p.keysPerSecond = seconds > 0 ? double(m_popped) / seconds : 0;
    p.etaSeconds = p.keysPerSecond > 0 && m_report.matched > m_popped ? double(m_report.matched - m_popped) / p.keysPerSecond : -1;
    p.batchSize = m_options.batchSize;
    Q_EMIT progress(p);
}

void RedisTagInvalidation::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    m_report.seconds = double(m_clock.nsecsElapsed()) / 1e9;
    if (!m_options.dryRun) {
        emitProgress();
        // A cancelled or failed run may have emptied part of the current tag's set: its L1 entries go too.
        if (m_current < m_tags.size() && !m_report.interrupted)
            publish(m_current);
    }
    Q_EMIT finished(m_report);
}

} // namespace cachelens::redis
