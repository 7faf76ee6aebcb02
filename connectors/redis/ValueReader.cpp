#include "connectors/redis/ValueReader.h"

#include "connectors/redis/KeyCommands.h"
#include "connectors/redis/RedisClient.h"

#include <QPointer>

#include <memory>

namespace cachelens::redis {
namespace {

struct PageState {
    ValuePage page;
    int left = 0;
    ValuePageDone done;
    void fail(const RedisReply& r)
    {
        if (r.isError() && !page.error.isError()) {
            page.error.kind = r.error().kind == RedisError::Kind::WrongType ? SourceError::Kind::WrongType
                              : r.error().isServerError()                    ? SourceError::Kind::Server
                                                                              : SourceError::Kind::Connection;
            page.error.message = r.error().message;
        }
    }
    void step()
    {
        if (--left == 0)
            done(std::move(page));
    }
};

QByteArray sizeCommand(KeyType type)
{
    switch (type) {
    case KeyType::String: return QByteArrayLiteral("STRLEN");
    case KeyType::List: return QByteArrayLiteral("LLEN");
    case KeyType::Hash: return QByteArrayLiteral("HLEN");
    case KeyType::Set: return QByteArrayLiteral("SCARD");
    case KeyType::ZSet: return QByteArrayLiteral("ZCARD");
    case KeyType::Stream: return QByteArrayLiteral("XLEN");
    default: return {};
    }
}

void parseScanPage(const RedisReply& r, ValuePage& page, KeyType type)
{
    if (!r.isArray() || r.elements().size() != 2)
        return;
    const QByteArray cursor = r.elements().at(0).bytes();
    page.nextCursor = cursor == "0" ? QByteArray() : cursor;
    const QVector<RedisReply>& items = r.elements().at(1).elements();
    if (type == KeyType::Set) {
        for (const RedisReply& member : items)
            page.items.append(ValueItem{member.bytes(), {}, 0, {}});
        return;
    }
    for (qsizetype i = 0; i + 1 < items.size(); i += 2) {
        ValueItem item{items.at(i).bytes(), {}, 0, {}};
        if (type == KeyType::ZSet)
            item.score = items.at(i + 1).bytes().toDouble();
        else
            item.value = items.at(i + 1).bytes();
        page.items.append(std::move(item));
    }
}

void readTyped(CommandSink& client, const QByteArray& key, KeyType type, const QByteArray& cursor, int pageSize,
               QObject* context, ValuePageDone done)
{
    auto state = std::make_shared<PageState>();
    state->page.key = key;
    state->page.type = type;
    state->page.cursor = cursor;
    state->done = std::move(done);
    const QByteArray size = sizeCommand(type);
    if (size.isEmpty()) {
        state->page.error = SourceError{type == KeyType::None ? SourceError::Kind::InvalidArgument : SourceError::Kind::Server,
                                        type == KeyType::None ? QStringLiteral("the key does not exist (any more)")
                                                              : QStringLiteral("this key type cannot be read")};
        QMetaObject::invokeMethod(context, [state] { state->done(std::move(state->page)); }, Qt::QueuedConnection);
        return;
    }
    pageSize = qMax(1, pageSize);
    state->left = 3;
    client.command({size, key}, context, [state](const RedisReply& r) {
        state->fail(r);
        if (r.isInteger())
            state->page.total = r.toInteger();
        state->step();
    });
    client.command({QByteArrayLiteral("PTTL"), key}, context, [state](const RedisReply& r) {
        if (r.isInteger())
            state->page.ttlMs = r.toInteger();
        state->step();
    });
    const QByteArray n = QByteArray::number(pageSize);
    QList<QByteArray> args;
    switch (type) {
    case KeyType::String: {
        const qint64 offset = cursor.isEmpty() ? 0 : cursor.toLongLong();
        state->page.offset = offset;
        args = {QByteArrayLiteral("GETRANGE"), key, QByteArray::number(offset), QByteArray::number(offset + pageSize - 1)};
        break;
    }
    case KeyType::List: {
        const qint64 start = cursor.isEmpty() ? 0 : cursor.toLongLong();
        state->page.offset = start;
        args = {QByteArrayLiteral("LRANGE"), key, QByteArray::number(start), QByteArray::number(start + pageSize - 1)};
        break;
    }
    case KeyType::Hash:
    case KeyType::Set:
    case KeyType::ZSet: {
        const QByteArray command = type == KeyType::Hash ? QByteArrayLiteral("HSCAN")
                                   : type == KeyType::Set ? QByteArrayLiteral("SSCAN")
                                                          : QByteArrayLiteral("ZSCAN");
        args = {command, key, cursor.isEmpty() ? QByteArrayLiteral("0") : cursor, QByteArrayLiteral("COUNT"), n};
        break;
    }
    case KeyType::Stream:
        args = {QByteArrayLiteral("XRANGE"), key, cursor.isEmpty() ? QByteArrayLiteral("-") : QByteArrayLiteral("(") + cursor,
                QByteArrayLiteral("+"), QByteArrayLiteral("COUNT"), n};
        break;
    default:
        break;
    }
    client.command(args, context, [state, type, pageSize](const RedisReply& r) {
        state->fail(r);
        ValuePage& page = state->page;
        if (!r.isError()) {
            switch (type) {
            case KeyType::String:
                page.bytes = r.bytes();
                // STRLEN arrives before this reply (pipelined in order), so total is known here.
                if (page.offset + page.bytes.size() < page.total)
                    page.nextCursor = QByteArray::number(page.offset + page.bytes.size());
                break;
            case KeyType::List:
                for (qsizetype i = 0; i < r.elements().size(); ++i)
                    page.items.append(ValueItem{QByteArray::number(page.offset + i), r.elements().at(i).bytes(), 0, {}});
                if (page.offset + r.elements().size() < page.total && r.elements().size() == pageSize)
                    page.nextCursor = QByteArray::number(page.offset + r.elements().size());
                break;
            case KeyType::Stream:
                for (const RedisReply& entry : r.elements()) {
                    if (entry.elements().size() != 2)
                        continue;
                    ValueItem item{entry.elements().at(0).bytes(), {}, 0, {}};
                    for (const RedisReply& f : entry.elements().at(1).elements())
                        item.fields.append(f.bytes());
                    page.items.append(std::move(item));
                }
                if (r.elements().size() == pageSize && !page.items.isEmpty())
                    page.nextCursor = page.items.last().name;
                break;
            default:
                parseScanPage(r, page, type);
                break;
            }
        }
        state->step();
    });
}

} // namespace

void readValuePage(CommandSink& client, const QByteArray& key, KeyType type, const QByteArray& cursor, int pageSize,
                   QObject* context, ValuePageDone done)
{
    if (type != KeyType::Unknown) {
        readTyped(client, key, type, cursor, pageSize, context, std::move(done));
        return;
    }
    CommandSink* target = &client;
    client.command({QByteArrayLiteral("TYPE"), key}, context,
                   [target, key, cursor, pageSize, context, done = std::move(done)](const RedisReply& r) mutable {
                       if (r.isError()) {
                           ValuePage page;
                           page.key = key;
                           page.cursor = cursor;
                           page.error = SourceError{SourceError::Kind::Connection,
                                                    r.error().message};
                           done(std::move(page));
                           return;
                       }
                       readTyped(*target, key, keyTypeFromName(r.bytes()), cursor, pageSize, context, std::move(done));
                   });
}

} // namespace cachelens::redis
