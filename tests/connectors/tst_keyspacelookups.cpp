// KeyspaceLookups against a real redis-server: for every command CacheLens sends, the keyspace hits and misses
// RedisClient counts from its reply are the ones the server added to INFO stats (read by redis-cli, which counts
// none), on a key that exists and on one that does not; a reply read after its timeout still counts; and the count
// read when an INFO reply arrives on the same connection covers exactly the commands before it.
#include "connectors/redis/KeyspaceLookups.h"
#include "connectors/redis/RedisClient.h"
#include "connectors/redis/ServerInfo.h"

#include "RedisServer.h"

#include <QTest>

#include <memory>

using namespace cachelens;
using namespace cachelens::redis;
using cachelens::test::RedisServer;

Q_DECLARE_METATYPE(QList<QByteArray>)

namespace {

struct Stats {
    qint64 hits = 0, misses = 0;
};

} // namespace

class TestKeyspaceLookups : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;
    std::unique_ptr<RedisClient> m_client;

    Stats serverStats() const
    {
        const ServerInfo info = ServerInfo::parse(m_server->cli({QStringLiteral("INFO"), QStringLiteral("stats")}));
        return {info.keyspaceHits, info.keyspaceMisses};
    }

    RedisReply call(const QList<QByteArray>& args, int timeoutMs = 0)
    {
        std::optional<RedisReply> reply;
        m_client->command(args, this, [&](const RedisReply& r) { reply = r; }, timeoutMs);
        if (!QTest::qWaitFor([&] { return reply.has_value(); }, 10000))
            return RedisReply::error(RedisError::client(RedisError::Kind::Timeout, QStringLiteral("no reply in the test")));
        return *reply;
    }

private Q_SLOTS:
    void initTestCase()
    {
        RedisServer::Options options;
        options.extraArgs = {QStringLiteral("--enable-debug-command"), QStringLiteral("local")};   // DEBUG SLEEP (Redis 7)
        m_server = std::make_unique<RedisServer>(options);
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_client = std::make_unique<RedisClient>(*ConnectionUrl::parse(m_server->url()).url);
        m_client->open();
        QTRY_COMPARE_WITH_TIMEOUT(m_client->state(), ConnectionState::Ready, 10000);
    }
    void cleanupTestCase()
    {
        m_client.reset();
        m_server.reset();
    }
    void init()
    {
        m_server->cli({QStringLiteral("FLUSHALL")});
        m_server->cli({QStringLiteral("EVAL"),
                       QStringLiteral("redis.call('SET', 's', 'value') redis.call('SET', 'empty', '') "
                                      "redis.call('HSET', 'h', 'f', 'v') redis.call('RPUSH', 'l', 'a', 'b') "
                                      "redis.call('SADD', 'set', 'm') redis.call('ZADD', 'z', 1, 'm') "
                                      "redis.call('XADD', 'x', '*', 'f', 'v')"),
                       QStringLiteral("0")});
    }

    void everyCommandCountsWhatTheServerCounts_data()
    {
        QTest::addColumn<QList<QByteArray>>("args");
        QTest::addColumn<int>("hits");     // what the server counts (checked too, so each row says what it covers)
        QTest::addColumn<int>("misses");
        const auto row = [](const char* name, QList<QByteArray> args, int hits, int misses) {
            QTest::addRow("%s", name) << args << hits << misses;
        };
        // Keys panel details (KeyCommands::fetchKeyDetails) and stats (fetchKeyStats).
        row("TYPE of a key", {"TYPE", "s"}, 1, 0);
        row("TYPE of no key", {"TYPE", "nokey"}, 0, 1);
        row("PTTL of a key", {"PTTL", "s"}, 1, 0);
        row("PTTL of no key", {"PTTL", "nokey"}, 0, 1);
        row("TTL of a key", {"TTL", "s"}, 1, 0);
        row("MEMORY USAGE", {"MEMORY", "USAGE", "s"}, 0, 0);
        row("MEMORY USAGE of no key", {"MEMORY", "USAGE", "nokey"}, 0, 0);
        row("OBJECT FREQ refused without an LFU policy", {"OBJECT", "FREQ", "s"}, 1, 0);
        row("OBJECT FREQ of no key", {"OBJECT", "FREQ", "nokey"}, 0, 1);
        row("OBJECT ENCODING", {"OBJECT", "ENCODING", "s"}, 1, 0);
        row("STRLEN", {"STRLEN", "s"}, 1, 0);
        row("STRLEN of no key", {"STRLEN", "nokey"}, 0, 1);
        row("STRLEN of a hash (WRONGTYPE)", {"STRLEN", "h"}, 1, 0);
        row("HLEN", {"HLEN", "h"}, 1, 0);
        row("HLEN of no key", {"HLEN", "nokey"}, 0, 1);
        row("LLEN", {"LLEN", "l"}, 1, 0);
        row("SCARD", {"SCARD", "set"}, 1, 0);
        row("SCARD of no key", {"SCARD", "nokey"}, 0, 1);
        row("ZCARD", {"ZCARD", "z"}, 1, 0);
        row("XLEN", {"XLEN", "x"}, 1, 0);
        row("XLEN of no key", {"XLEN", "nokey"}, 0, 1);
        // Value viewer (ValueReader).
        row("GETRANGE", {"GETRANGE", "s", "0", "9"}, 1, 0);
        row("GETRANGE of no key", {"GETRANGE", "nokey", "0", "9"}, 0, 1);
        row("LRANGE", {"LRANGE", "l", "0", "9"}, 1, 0);
        row("LRANGE of no key", {"LRANGE", "nokey", "0", "9"}, 0, 1);
        row("HSCAN", {"HSCAN", "h", "0", "COUNT", "10"}, 1, 0);
        row("HSCAN of no key", {"HSCAN", "nokey", "0", "COUNT", "10"}, 0, 1);
        row("SSCAN", {"SSCAN", "set", "0", "COUNT", "10"}, 1, 0);
        row("ZSCAN", {"ZSCAN", "z", "0", "COUNT", "10"}, 1, 0);
        row("ZSCAN of no key", {"ZSCAN", "nokey", "0", "COUNT", "10"}, 0, 1);
        row("XRANGE", {"XRANGE", "x", "-", "+", "COUNT", "10"}, 1, 0);
        row("XRANGE of no key", {"XRANGE", "nokey", "-", "+", "COUNT", "10"}, 0, 1);
        row("HLEN lower case", {"hlen", "h"}, 1, 0);
        // Purge snapshots and restores, tags, cachelensctl ttl.
        row("DUMP", {"DUMP", "s"}, 1, 0);
        row("DUMP of no key", {"DUMP", "nokey"}, 0, 1);
        row("EXISTS counts every key", {"EXISTS", "s", "nokey", "h"}, 2, 1);
        row("SMEMBERS", {"SMEMBERS", "set"}, 1, 0);
        row("SMEMBERS of no key", {"SMEMBERS", "nokey"}, 0, 1);
        row("GET", {"GET", "s"}, 1, 0);
        row("GET of no key", {"GET", "nokey"}, 0, 1);
        row("SET … GET reads the old value", {"SET", "s", "new", "GET"}, 1, 0);
        // Commands that count nothing: scans, server questions, writes.
        row("SCAN", {"SCAN", "0", "MATCH", "*", "COUNT", "10"}, 0, 0);
        row("DBSIZE", {"DBSIZE"}, 0, 0);
        row("INFO", {"INFO"}, 0, 0);
        row("PING", {"PING"}, 0, 0);
        row("CONFIG GET", {"CONFIG", "GET", "maxmemory-policy"}, 0, 0);
        row("SET KEEPTTL", {"SET", "s", "new", "KEEPTTL"}, 0, 0);
        row("HSET", {"HSET", "h", "f", "w"}, 0, 0);
        row("PEXPIRE", {"PEXPIRE", "s", "100000"}, 0, 0);
        row("PERSIST", {"PERSIST", "s"}, 0, 0);
        row("UNLINK", {"UNLINK", "s", "nokey"}, 0, 0);
        row("DEL", {"DEL", "h"}, 0, 0);
        row("PUBLISH", {"PUBLISH", "channel", "message"}, 0, 0);
        row("CLIENT SETNAME", {"CLIENT", "SETNAME", "cachelens"}, 0, 0);
    }
    void everyCommandCountsWhatTheServerCounts()
    {
        QFETCH(QList<QByteArray>, args);
        QFETCH(int, hits);
        QFETCH(int, misses);
        const Stats before = serverStats();
        const LookupCounts counted = m_client->lookups();
        const RedisReply reply = call(args);
        QVERIFY2(!reply.isError() || reply.error().isServerError(), qPrintable(reply.error().message));
        const Stats after = serverStats();
        QCOMPARE(after.hits - before.hits, qint64(hits));
        QCOMPARE(after.misses - before.misses, qint64(misses));
        QCOMPARE(m_client->lookups().hits - counted.hits, quint64(hits));
        QCOMPARE(m_client->lookups().misses - counted.misses, quint64(misses));
        QCOMPARE(m_client->lookups().uncountable, counted.uncountable);
    }

    void restoreCountsNothing()
    {
        const RedisReply dump = call({"DUMP", "s"});
        QVERIFY(dump.isString());
        const Stats before = serverStats();
        const LookupCounts counted = m_client->lookups();
        QVERIFY(!call({"RESTORE", "restored", "0", dump.bytes()}).isError());
        const Stats after = serverStats();
        QCOMPARE(after.hits - before.hits, qint64(0));
        QCOMPARE(after.misses - before.misses, qint64(0));
        QCOMPARE(m_client->lookups(), counted);
    }

    void scriptsAndUnknownCommandsAreUncountable_data()
    {
        QTest::addColumn<QList<QByteArray>>("args");
        QTest::addRow("EVAL") << QList<QByteArray>{"EVAL", "return redis.call('GET', KEYS[1])", "1", "s"};
        QTest::addRow("a command the table does not know") << QList<QByteArray>{"HSTRLEN", "h", "f"};
    }
    void scriptsAndUnknownCommandsAreUncountable()
    {
        QFETCH(QList<QByteArray>, args);
        const Stats before = serverStats();
        const LookupCounts counted = m_client->lookups();
        QVERIFY(!call(args).isError());
        QCOMPARE(serverStats().hits - before.hits, qint64(1));   // the server counted a lookup nobody can see in the reply
        QCOMPARE(m_client->lookups().uncountable, counted.uncountable + 1);
        QCOMPARE(m_client->lookups().hits, counted.hits);
    }

    void aReplyAfterItsTimeoutStillCounts()
    {
        const Stats before = serverStats();
        const LookupCounts counted = m_client->lookups();
        // The server is busy for 300 ms, so TYPE's reply comes after its 50 ms timeout: the caller heard "timeout",
        // the server counted the lookup anyway.
        m_client->command({"DEBUG", "SLEEP", "0.3"}, this, {});
        const RedisReply type = call({"TYPE", "s"}, 50);
        QCOMPARE(type.error().kind, RedisError::Kind::Timeout);
        QTRY_COMPARE(serverStats().hits - before.hits, qint64(1));
        QTRY_COMPARE(m_client->lookups().hits - counted.hits, quint64(1));
    }

    void theCountAtAnInfoReplyMatchesThatInfo()
    {
        // Pipelined on one connection: the INFO reply comes after the replies of every command sent before it, and
        // the server ran none sent after it, so what the client has counted when INFO arrives is what INFO includes.
        const RedisReply first = call({"INFO", "stats"});
        const ServerInfo start = ServerInfo::parse(first.bytes());
        const LookupCounts atStart = m_client->lookups();
        for (int i = 0; i < 200; ++i) {
            m_client->command({"TYPE", i % 4 ? QByteArray("s") : QByteArray("nokey")}, this, {});
            m_client->command({"PTTL", i % 5 ? QByteArray("h") : QByteArray("gone")}, this, {});
        }
        std::optional<ServerInfo> info;
        LookupCounts atInfo;
        m_client->command({"INFO", "stats"}, this, [&](const RedisReply& r) {
            info = ServerInfo::parse(r.bytes());
            atInfo = m_client->lookups();
        });
        for (int i = 0; i < 100; ++i)   // sent after INFO: not in it
            m_client->command({"TYPE", "s"}, this, {});
        QTRY_VERIFY(info.has_value());
        QCOMPARE(qint64(atInfo.hits - atStart.hits), info->keyspaceHits - start.keyspaceHits);
        QCOMPARE(qint64(atInfo.misses - atStart.misses), info->keyspaceMisses - start.keyspaceMisses);
        QCOMPARE(atInfo.hits - atStart.hits, quint64(150 + 160));
        QCOMPARE(atInfo.misses - atStart.misses, quint64(50 + 40));
    }
};

QTEST_MAIN(TestKeyspaceLookups)
#include "tst_keyspacelookups.moc"
