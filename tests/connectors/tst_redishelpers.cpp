// The panels' helpers over RedisClient, against a real redis-server: SCAN iteration, INFO parsing, pipelined key
// details, TTL changes, batched removal and paged value reads.
#include "connectors/redis/KeyCommands.h"
#include "connectors/redis/KeyScanner.h"
#include "connectors/redis/RedisClient.h"
#include "connectors/redis/ServerInfo.h"
#include "connectors/redis/ValueReader.h"

#include "RedisServer.h"

#include <QSet>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace cachelens;
using namespace cachelens::redis;
using cachelens::test::RedisServer;

namespace {

ConnectionUrl parseUrl(const QString& text) { return *ConnectionUrl::parse(text).url; }

std::unique_ptr<RedisClient> openClient(const QString& url)
{
    RedisClient::Options options;
    options.maxReconnectAttempts = 0;
    auto client = std::make_unique<RedisClient>(parseUrl(url), options);
    client->open();
    (void)QTest::qWaitFor([&] { return client->state() == ConnectionState::Ready || client->state() == ConnectionState::Failed; }, 10000);
    return client;
}

// Runs one command and waits for its reply (test convenience only).
RedisReply call(RedisClient& client, const QList<QByteArray>& args)
{
    QObject context;
    std::optional<RedisReply> reply;
    client.command(args, &context, [&](const RedisReply& r) { reply = r; });
    (void)QTest::qWaitFor([&] { return reply.has_value(); }, 20000);
    return reply.value_or(RedisReply::error(RedisError::client(RedisError::Kind::Timeout, QStringLiteral("test wait"))));
}

} // namespace

class TestRedisHelpers : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;
    std::unique_ptr<RedisClient> m_client;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_client = openClient(m_server->url());
        QCOMPARE(m_client->state(), ConnectionState::Ready);
    }
    void cleanupTestCase()
    {
        m_client.reset();
        m_server.reset();
    }
    void init() { QCOMPARE(call(*m_client, {"FLUSHALL"}).bytes(), QByteArray("OK")); }

    void scanFindsEveryKeyInPages_data()
    {
        QTest::addColumn<QByteArray>("match");
        QTest::addColumn<QByteArray>("type");
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("expected");
        QTest::addRow("all keys") << QByteArray() << QByteArray() << 100 << 3000 + 20 + 3;
        QTest::addRow("match prefix") << QByteArray("key:1*") << QByteArray() << 500 << 1111;
        QTest::addRow("type hash") << QByteArray() << QByteArray("hash") << 1000 << 20;
        QTest::addRow("binary keys by glob") << QByteArray("bin\\?*") << QByteArray() << 10 << 3;
    }
    void scanFindsEveryKeyInPages()
    {
        QFETCH(QByteArray, match);
        QFETCH(QByteArray, type);
        QFETCH(int, count);
        QFETCH(int, expected);
        QCOMPARE(call(*m_client, {"DEBUG", "POPULATE", "3000", "key"}).bytes(), QByteArray("OK"));
        for (int i = 0; i < 20; ++i)
            call(*m_client, {"HSET", "h:" + QByteArray::number(i), "f", "v"});
        const QList<QByteArray> binary{QByteArray("bin?\0nul", 8), QByteArray("bin?\nline"), QByteArray("bin?\xff\xfe")};
        for (const QByteArray& k : binary)
            call(*m_client, {"SET", k, "1"});

        KeyScanner scanner(m_client.get(), {match, count, type});
        QSet<QByteArray> seen;
        int pages = 0;
        connect(&scanner, &KeyScanner::keysFound, this, [&](const QList<QByteArray>& keys) {
            ++pages;
            for (const QByteArray& k : keys)
                seen.insert(k);
        });
        QSignalSpy finished(&scanner, &KeyScanner::finished);
        scanner.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20000);
        QCOMPARE(finished.first().at(0).toULongLong(), quint64(expected));
        QCOMPARE(finished.first().at(1).toBool(), false);
        QVERIFY(!finished.first().at(2).value<RedisError>().isError());
        QCOMPARE(seen.size(), expected);
        if (expected > count)
            QVERIFY(pages > 1);
        if (match.startsWith("bin")) {
            for (const QByteArray& k : binary)
                QVERIFY2(seen.contains(k), k.toHex().constData());
        }
    }

    void scanCanBeCancelledBetweenPages()
    {
        call(*m_client, {"DEBUG", "POPULATE", "5000", "key"});
        KeyScanner scanner(m_client.get(), {{}, 100, {}});
        connect(&scanner, &KeyScanner::keysFound, &scanner, &KeyScanner::cancel);
        QSignalSpy finished(&scanner, &KeyScanner::finished);
        scanner.start();
        QTRY_COMPARE(finished.size(), 1);
        QCOMPARE(finished.first().at(1).toBool(), true);
        const quint64 total = finished.first().at(0).toULongLong();
        QVERIFY(total > 0 && total < 5000);
        QCOMPARE(scanner.delivered(), total);
    }

    void scanReportsPartialCountWhenTheServerDies()
    {
        RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        auto client = openClient(server.url());
        call(*client, {"DEBUG", "POPULATE", "20000", "key"});
        KeyScanner scanner(client.get(), {{}, 10, {}});
        int pages = 0;
        connect(&scanner, &KeyScanner::keysFound, this, [&] {
            if (++pages == 3)
                server.kill();
        });
        QSignalSpy finished(&scanner, &KeyScanner::finished);
        scanner.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 10000);
        const auto error = finished.first().at(2).value<RedisError>();
        QCOMPARE(error.kind, RedisError::Kind::Connection);
        const quint64 partial = finished.first().at(0).toULongLong();
        QVERIFY2(partial >= 20 && partial < 20000, QByteArray::number(partial).constData());
    }

    void infoTextIsParsed()
    {
        const QByteArray text = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\nrun_id:abc\r\n"
                                "uptime_in_seconds:42\r\n# Clients\r\nconnected_clients:3\r\n# Memory\r\nused_memory:1024\r\n"
                                "# Stats\r\ntotal_commands_processed:99\r\ninstantaneous_ops_per_sec:12\r\n"
                                "keyspace_hits:7\r\nkeyspace_misses:2\r\nexpired_keys:5\r\nevicted_keys:1\r\n"
                                "# Keyspace\r\ndb0:keys=10,expires=2,avg_ttl=300\r\ndb3:keys=5,expires=0,avg_ttl=0\r\n";
        const ServerInfo info = ServerInfo::parse(text);
        QCOMPARE(info.version, QStringLiteral("7.0.15"));
        QCOMPARE(info.runId, QStringLiteral("abc"));
        QCOMPARE(info.uptimeSeconds, 42);
        QCOMPARE(info.connectedClients, 3);
        QCOMPARE(info.usedMemory, 1024);
        QCOMPARE(info.totalCommandsProcessed, 99);
        QCOMPARE(info.instantaneousOpsPerSec, 12.0);
        QCOMPARE(info.keyspaceHits, 7);
        QCOMPARE(info.keyspaceMisses, 2);
        QCOMPARE(info.expiredKeys, 5);
        QCOMPARE(info.evictedKeys, 1);
        QCOMPARE(info.keyspace.value(0).keys, 10);
        QCOMPARE(info.keyspace.value(0).expires, 2);
        QCOMPARE(info.keyspace.value(3).keys, 5);
        QCOMPARE(info.totalKeys(), 15);
        QCOMPARE(ServerInfo::parse("").keyspaceHits, -1);   // missing stays "unknown"
    }

    void infoFromALiveServerCountsHitsAndMisses()
    {
        call(*m_client, {"CONFIG", "RESETSTAT"});
        call(*m_client, {"SET", "a", "1"});
        call(*m_client, {"GET", "a"});
        call(*m_client, {"GET", "a"});
        call(*m_client, {"GET", "missing"});
        const ServerInfo info = ServerInfo::parse(call(*m_client, {"INFO", "everything"}).bytes());
        QCOMPARE(info.keyspaceHits, 2);
        QCOMPARE(info.keyspaceMisses, 1);
        QCOMPARE(info.runId.size(), 40);
        QCOMPARE(info.mode, QStringLiteral("standalone"));
        QCOMPARE(info.keyspace.value(0).keys, 1);
        QVERIFY(info.usedMemory > 0);
        QVERIFY(info.connectedClients >= 1);
    }

    void keyDetailsComeFromOnePipeline()
    {
        call(*m_client, {"SET", "s", "hello", "PX", "60000"});
        call(*m_client, {"HSET", "h", "f", "v"});
        call(*m_client, {"RPUSH", "l", "a", "b"});
        call(*m_client, {"XADD", "x", "*", "f", "v"});
        std::optional<QVector<KeyEntry>> result;
        QObject context;
        fetchKeyDetails(*m_client, {"s", "h", "l", "x", "missing"}, true, &context,
                        [&](QVector<KeyEntry> entries, RedisError error) {
                            QVERIFY(!error.isError());
                            result = entries;
                        });
        QTRY_VERIFY(result.has_value());
        const QVector<KeyEntry>& e = *result;
        QCOMPARE(e.size(), 5);
        QCOMPARE(e[0].type, KeyType::String);
        QVERIFY(e[0].ttlMs > 50000 && e[0].ttlMs <= 60000);
        QVERIFY(e[0].memoryBytes > 0);
        QCOMPARE(e[1].type, KeyType::Hash);
        QCOMPARE(e[1].ttlMs, -1);
        QCOMPARE(e[2].type, KeyType::List);
        QCOMPARE(e[3].type, KeyType::Stream);
        QCOMPARE(e[4].type, KeyType::None);
        QCOMPARE(e[4].memoryBytes, -1);
    }

    void ttlIsSetAndRemoved()
    {
        QList<QByteArray> keys;
        for (int i = 0; i < 1200; ++i) {
            keys << "t:" + QByteArray::number(i);
            m_client->command({"SET", keys.last(), "v"}, nullptr, {});
        }
        keys << "t:missing";
        QObject context;
        std::optional<quint64> affected;
        setKeysTtl(*m_client, keys, 90000, &context, [&](quint64 n, RedisError e) {
            QVERIFY(!e.isError());
            affected = n;
        });
        QTRY_VERIFY(affected.has_value());
        QCOMPARE(*affected, quint64(1200));   // the missing key is not counted
        const qint64 ttl = call(*m_client, {"PTTL", "t:777"}).toInteger();
        QVERIFY(ttl > 80000 && ttl <= 90000);

        affected.reset();
        setKeysTtl(*m_client, keys.mid(0, 10), -1, &context, [&](quint64 n, RedisError) { affected = n; });
        QTRY_VERIFY(affected.has_value());
        QCOMPARE(*affected, quint64(10));
        QCOMPARE(call(*m_client, {"PTTL", "t:5"}).toInteger(), -1);
    }

    void keysAreRemovedInBatches_data()
    {
        QTest::addColumn<bool>("withoutUnlink");
        QTest::addRow("UNLINK") << false;
        QTest::addRow("server without UNLINK falls back to DEL") << true;
    }
    void keysAreRemovedInBatches()
    {
        QFETCH(bool, withoutUnlink);
        std::unique_ptr<RedisServer> old;
        RedisClient* client = m_client.get();
        std::unique_ptr<RedisClient> oldClient;
        if (withoutUnlink) {
            RedisServer::Options options;
            options.extraArgs = {QStringLiteral("--rename-command"), QStringLiteral("UNLINK"), QString()};
            old = std::make_unique<RedisServer>(options);
            QVERIFY2(old->start(), qPrintable(old->errorString()));
            oldClient = openClient(old->url());
            client = oldClient.get();
            QCOMPARE(call(*client, {"UNLINK", "x"}).error().kind, RedisError::Kind::Err);
        }
        call(*client, {"DEBUG", "POPULATE", "2500", "k"});
        QList<QByteArray> keys;
        for (int i = 0; i < 2500; ++i)
            keys << "k:" + QByteArray::number(i);
        keys << "k:missing";
        QObject context;
        std::optional<quint64> removed;
        RedisError error;
        removeKeys(*client, keys, 100, &context, [&](quint64 n, RedisError e) {
            removed = n;
            error = e;
        });
        QTRY_VERIFY(removed.has_value());
        QVERIFY2(!error.isError(), qPrintable(error.message));
        QCOMPARE(*removed, quint64(2500));
        QCOMPARE(call(*client, {"DBSIZE"}).toInteger(), 0);
    }

    void valuesAreReadInPages_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<int>("pageSize");
        QTest::addColumn<int>("elements");   // expected elements over all pages (strings: bytes)
        QTest::addRow("list") << QByteArray("list") << 100 << 250;
        QTest::addRow("hash") << QByteArray("hash") << 50 << 600;
        QTest::addRow("set") << QByteArray("set") << 50 << 300;
        QTest::addRow("zset") << QByteArray("zset") << 50 << 300;
        QTest::addRow("stream") << QByteArray("stream") << 40 << 101;
        QTest::addRow("string") << QByteArray("string") << 4096 << 10000;
    }
    void valuesAreReadInPages()
    {
        QFETCH(QByteArray, key);
        QFETCH(int, pageSize);
        QFETCH(int, elements);
        for (int i = 0; i < 250; ++i)
            m_client->command({"RPUSH", "list", QByteArray::number(i)}, nullptr, {});
        // 600 fields: above hash-max-listpack-entries (512), where HSCAN really pages; smaller hashes come whole.
        for (int i = 0; i < 600; ++i)
            m_client->command({"HSET", "hash", "f" + QByteArray::number(i), "v"}, nullptr, {});
        for (int i = 0; i < 300; ++i) {
            m_client->command({"SADD", "set", "m" + QByteArray::number(i)}, nullptr, {});
            m_client->command({"ZADD", "zset", QByteArray::number(i) + ".5", "m" + QByteArray::number(i)}, nullptr, {});
        }
        for (int i = 0; i < 101; ++i)
            m_client->command({"XADD", "stream", "*", "n", QByteArray::number(i)}, nullptr, {});
        call(*m_client, {"SET", "string", QByteArray(10000, 's')});

        QObject context;
        QByteArray cursor;
        QSet<QByteArray> names;
        qint64 bytes = 0;
        int pages = 0;
        do {
            std::optional<ValuePage> page;
            readValuePage(*m_client, key, KeyType::Unknown, cursor, pageSize, &context, [&](ValuePage p) { page = p; });
            QTRY_VERIFY(page.has_value());
            QVERIFY2(!page->error.isError(), qPrintable(page->error.message));
            QCOMPARE(page->total, qint64(elements));
            for (const ValueItem& item : page->items)
                names.insert(item.name);
            bytes += page->bytes.size();
            if (key == "zset" && !page->items.isEmpty())
                QCOMPARE(page->items.first().score, page->items.first().name.mid(1).toDouble() + 0.5);
            if (key == "stream" && !page->items.isEmpty())
                QCOMPARE(page->items.first().fields.first(), QByteArray("n"));
            cursor = page->nextCursor;
            QVERIFY(++pages < 1000);
        } while (!cursor.isEmpty());
        QVERIFY(pages > 1);
        QCOMPARE(key == "string" ? bytes : qint64(names.size()), qint64(elements));
    }

    void hugeStringIsReadInChunks()
    {
        // 100 MB made on the server side (SETRANGE pads with zero bytes); only the first 64 KiB cross the wire.
        QCOMPARE(call(*m_client, {"SETRANGE", "huge", QByteArray::number(100 * 1000 * 1000 - 1), "!"}).toInteger(), 100000000);
        QObject context;
        std::optional<ValuePage> page;
        readValuePage(*m_client, "huge", KeyType::String, QByteArray::number(100 * 1000 * 1000 - 10), 64 * 1024, &context,
                      [&](ValuePage p) { page = p; });
        QTRY_VERIFY(page.has_value());
        QCOMPARE(page->total, 100000000);
        QCOMPARE(page->bytes.size(), 10);
        QVERIFY(page->bytes.endsWith('!'));
        QVERIFY(page->nextCursor.isEmpty());
        page.reset();
        const quint64 before = m_client->load().bytesIn;
        readValuePage(*m_client, "huge", KeyType::String, {}, 64 * 1024, &context, [&](ValuePage p) { page = p; });
        QTRY_VERIFY(page.has_value());
        QCOMPARE(page->bytes.size(), 64 * 1024);
        QCOMPARE(page->nextCursor, QByteArray::number(64 * 1024));
        QVERIFY(m_client->load().bytesIn - before < 70 * 1024);
    }

    void readingAMissingKeySaysSo()
    {
        QObject context;
        std::optional<ValuePage> page;
        readValuePage(*m_client, "nope", KeyType::Unknown, {}, 10, &context, [&](ValuePage p) { page = p; });
        QTRY_VERIFY(page.has_value());
        QCOMPARE(page->type, KeyType::None);
        QVERIFY(page->error.message.contains(QLatin1String("does not exist")));
    }
};

QTEST_GUILESS_MAIN(TestRedisHelpers)
#include "tst_redishelpers.moc"
