#include "connectors/redis/KeyCommands.h"

#include "connectors/redis/RedisClient.h"

#include <QPointer>

#include <memory>

namespace cachelens::redis {
namespace {

constexpr int kWindow = 8;            // batches in flight for TTL/removal: enough to hide the round trip
constexpr int kTtlBatch = 500;        // PEXPIRE commands per batch

bool isUnknownCommand(const RedisError& e)
{
    return e.kind == RedisError::Kind::Err && e.message.contains(QLatin1String("unknown command"));
}

// Drives `batches` batch jobs with at most kWindow in flight; each job calls its completion exactly once.
struct BatchRunner : std::enable_shared_from_this<BatchRunner> {
    using Job = std::function<void(int index, std::function<void(quint64 affected, const RedisError& error)> finished)>;
    int batches = 0;
    int nextBatch = 0;
    int inFlight = 0;
    quint64 affected = 0;
    RedisError error;
    bool reported = false;
    Job job;
    QPointer<QObject> context;
    KeyOpDone done;

    void pump()
    {
        while (!error.isError() && inFlight < kWindow && nextBatch < batches) {
            ++inFlight;
            auto self = shared_from_this();
            job(nextBatch++, [self](quint64 n, const RedisError& e) {
                --self->inFlight;
                self->affected += n;
                if (e.isError() && !self->error.isError())
                    self->error = e;
                self->pump();
            });
        }
        if (inFlight == 0 && (error.isError() || nextBatch == batches) && !reported) {
            reported = true;
            if (context && done)
                done(affected, error);
        }
    }
};

} // namespace

KeyType keyTypeFromName(const QByteArray& name)
{
    if (name == "string") return KeyType::String;
    if (name == "list") return KeyType::List;
    if (name == "set") return KeyType::Set;
    if (name == "zset") return KeyType::ZSet;
    if (name == "hash") return KeyType::Hash;
    if (name == "stream") return KeyType::Stream;
    if (name == "none") return KeyType::None;
    return KeyType::Unknown;
}

void fetchKeyDetails(CommandSink& client, const QList<QByteArray>& keys, bool withMemory, QObject* context,
                     KeyDetailsDone done)
{
    struct State {
        QVector<KeyEntry> entries;
        RedisError firstError;
        qsizetype left = 0;
        KeyDetailsDone done;
        void note(const RedisReply& r)
        {
            if (r.isError() && !firstError.isError() && !isUnknownCommand(r.error()))
                firstError = r.error();
        }
        void step()
        {
            if (--left == 0)
                done(std::move(entries), firstError);
        }
    };
    auto state = std::make_shared<State>();
    state->entries.resize(keys.size());
    state->done = std::move(done);
    const int perKey = withMemory ? kKeyDetailsCommands : kKeyDetailsCommands - 1;
    state->left = keys.size() * perKey;
    if (keys.isEmpty()) {
        QMetaObject::invokeMethod(context, [state] { state->done({}, {}); }, Qt::QueuedConnection);
        return;
    }
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const QByteArray& key = keys.at(i);
        state->entries[i].key = key;
        client.command({QByteArrayLiteral("TYPE"), key}, context, [state, i](const RedisReply& r) {
            state->note(r);
            if (!r.isError())
                state->entries[i].type = keyTypeFromName(r.bytes());
            state->step();
        });
        client.command({QByteArrayLiteral("PTTL"), key}, context, [state, i](const RedisReply& r) {
            state->note(r);
            // PTTL: -1 no expiry, -2 no such key (Redis 2.8+); we keep -2 as "unknown" for a vanished key.
            if (r.isInteger())
                state->entries[i].ttlMs = r.toInteger();
            state->step();
        });
        if (withMemory) {
            client.command({QByteArrayLiteral("MEMORY"), QByteArrayLiteral("USAGE"), key}, context,
                           [state, i](const RedisReply& r) {
                               state->note(r);
                               state->entries[i].memoryBytes = r.isNil() ? -1 : r.toIntegerLenient(-1);
                               state->step();
                           });
        }
    }
}

void setKeysTtl(CommandSink& client, const QList<QByteArray>& keys, qint64 ttlMs, QObject* context, KeyOpDone done)
{
    auto runner = std::make_shared<BatchRunner>();
    runner->batches = int((keys.size() + kTtlBatch - 1) / kTtlBatch);
    runner->context = context;
    runner->done = std::move(done);
    // Jobs after the first run from reply callbacks, which the sink only calls while it is alive.
    CommandSink* target = &client;
    runner->job = [target, keys, ttlMs, context](int index, auto finished) {
        const qsizetype from = qsizetype(index) * kTtlBatch;
        const qsizetype to = qMin(keys.size(), from + kTtlBatch);
        struct Batch {
            quint64 affected = 0;
            qsizetype left = 0;
            RedisError error;
        };
        auto batch = std::make_shared<Batch>();
        batch->left = to - from;
        for (qsizetype i = from; i < to; ++i) {
            QList<QByteArray> args = ttlMs < 0 ? QList<QByteArray>{QByteArrayLiteral("PERSIST"), keys.at(i)}
                                               : QList<QByteArray>{QByteArrayLiteral("PEXPIRE"), keys.at(i), QByteArray::number(ttlMs)};
            target->command(args, context, [batch, finished](const RedisReply& r) {
                if (r.isError() && !batch->error.isError())
                    batch->error = r.error();
                else if (r.isInteger() && r.toInteger() == 1)
                    ++batch->affected;
                if (--batch->left == 0)
                    finished(batch->affected, batch->error);
            });
        }
    };
    if (runner->batches == 0) {
        QMetaObject::invokeMethod(context, [runner] { runner->pump(); }, Qt::QueuedConnection);
        return;
    }
    runner->pump();
}

void removeKeys(CommandSink& client, const QList<QByteArray>& keys, int batchSize, QObject* context, KeyOpDone done)
{
    batchSize = qMax(1, batchSize);
    auto runner = std::make_shared<BatchRunner>();
    runner->batches = int((keys.size() + batchSize - 1) / batchSize);
    runner->context = context;
    runner->done = std::move(done);
    auto useDel = std::make_shared<bool>(false);
    CommandSink* target = &client;
    runner->job = [target, keys, batchSize, context, useDel](int index, auto finished) {
        QList<QByteArray> args{*useDel ? QByteArrayLiteral("DEL") : QByteArrayLiteral("UNLINK")};
        args.append(keys.mid(qsizetype(index) * batchSize, batchSize));
        target->command(args, context, [target, args, context, useDel, finished](const RedisReply& r) {
            if (r.isError() && isUnknownCommand(r.error()) && args.first() == "UNLINK") {
                // UNLINK came with Redis 4.0; older servers get the blocking DEL for this and later batches.
                *useDel = true;
                QList<QByteArray> del = args;
                del[0] = QByteArrayLiteral("DEL");
                target->command(del, context, [finished](const RedisReply& r2) {
                    finished(r2.isInteger() ? quint64(r2.toInteger()) : 0, r2.isError() ? r2.error() : RedisError{});
                });
                return;
            }
            finished(r.isInteger() ? quint64(r.toInteger()) : 0, r.isError() ? r.error() : RedisError{});
        });
    };
    if (runner->batches == 0) {
        QMetaObject::invokeMethod(context, [runner] { runner->pump(); }, Qt::QueuedConnection);
        return;
    }
    runner->pump();
}

// ---- Keys panel: element counts and access frequency (#7) ----

QByteArray elementCountCommand(KeyType type)
{
    switch (type) {
    case KeyType::String: return QByteArrayLiteral("STRLEN");
    case KeyType::List: return QByteArrayLiteral("LLEN");
    case KeyType::Set: return QByteArrayLiteral("SCARD");
    case KeyType::ZSet: return QByteArrayLiteral("ZCARD");
    case KeyType::Hash: return QByteArrayLiteral("HLEN");
    case KeyType::Stream: return QByteArrayLiteral("XLEN");
    default: return {};
    }
}

bool isLfuPolicy(const QByteArray& policy)
{
    return policy.endsWith("-lfu");
}

void fetchKeyStats(CommandSink& client, const QList<QByteArray>& keys, bool withElements, bool withFrequency,
                   QObject* context, KeyStatsDone done)
{
    struct State {
        QVector<KeyStat> stats;
        RedisError firstError;
        QString frequencyUnavailable;
        qsizetype left = 0;
        KeyStatsDone done;
        void note(const RedisReply& r)
        {
            if (r.isError() && !firstError.isError() && !isUnknownCommand(r.error()))
                firstError = r.error();
        }
        void finish() { done(std::move(stats), firstError, frequencyUnavailable); }
    };
    auto state = std::make_shared<State>();
    state->stats.resize(keys.size());
    state->done = std::move(done);
    if (keys.isEmpty()) {
        QMetaObject::invokeMethod(context, [state] { state->finish(); }, Qt::QueuedConnection);
        return;
    }
    CommandSink* target = &client;
    QPointer<QObject> guard = context;
    // Second pipeline: the count commands, once every TYPE is known (keys of unknown type or gone are skipped).
    auto counts = [state, target, guard] {
        if (!guard)
            return;
        qsizetype pending = 0;
        for (const KeyStat& s : std::as_const(state->stats))
            pending += elementCountCommand(s.type).isEmpty() ? 0 : 1;
        if (pending == 0) {
            state->finish();
            return;
        }
        state->left = pending;
        for (qsizetype i = 0; i < state->stats.size(); ++i) {
            const QByteArray command = elementCountCommand(state->stats[i].type);
            if (command.isEmpty())
                continue;
            target->command({command, state->stats[i].key}, guard, [state, i](const RedisReply& r) {
                // WRONGTYPE: the key was replaced by another type between the two pipelines; its count stays unknown.
                if (r.isInteger())
                    state->stats[i].elements = r.toInteger();
                else if (!(r.isError() && r.error().kind == RedisError::Kind::WrongType))
                    state->note(r);
                if (--state->left == 0)
                    state->finish();
            });
        }
    };
    state->left = keys.size() * (withFrequency ? 2 : 1);
    auto step = [state, withElements, counts] {
        if (--state->left > 0)
            return;
        if (withElements)
            counts();
        else
            state->finish();
    };
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const QByteArray& key = keys.at(i);
        state->stats[i].key = key;
        if (withFrequency) {
            client.command({QByteArrayLiteral("OBJECT"), QByteArrayLiteral("FREQ"), key}, context,
                           [state, i, step](const RedisReply& r) {
                               if (r.isInteger()) {
                                   state->stats[i].frequency = r.toInteger();
                               } else if (r.isError() && r.error().message.contains(QLatin1String("LFU"))) {
                                   // "An LFU maxmemory policy is not selected, access frequency not tracked. …"
                                   if (state->frequencyUnavailable.isEmpty())
                                       state->frequencyUnavailable = r.error().message;
                               } else if (!(r.isError() && r.error().message.contains(QLatin1String("no such key")))) {
                                   state->note(r);
                               }
                               step();
                           });
        }
        client.command({QByteArrayLiteral("TYPE"), key}, context, [state, i, step](const RedisReply& r) {
            state->note(r);
            if (!r.isError())
                state->stats[i].type = keyTypeFromName(r.bytes());
            step();
        });
    }
}

} // namespace cachelens::redis
