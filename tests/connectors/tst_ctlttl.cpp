// cachelensctl ttl URL KEY [SECONDS|persist], through ctl::run against a real redis-server: shows, sets and removes a
// TTL, names binary keys in their escaped form, and refuses a TTL that would delete the key.
#include "IsolatedEnvironment.h"   // the audit log and snapshots go to a temporary home

#include "connectors/ctl/Command.h"

#include "ChildProcess.h"
#include "CtlRun.h"
#include "RedisServer.h"

#include <QTest>

#include <memory>

using namespace cachelens;
using cachelens::test::RedisServer;

namespace {

using Run = test::CtlRun;
using test::runCtl;

const QByteArray kBinaryKey("bin:\xff\x00\n", 7);

} // namespace

class TestCtlTtl : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    }
    void cleanupTestCase() { m_server.reset(); }
    void init()
    {
        m_server->cli({QStringLiteral("FLUSHALL")});
        m_server->cli({QStringLiteral("SET"), QStringLiteral("user:42"), QStringLiteral("v")});
        const QByteArray wire = "*3\r\n$3\r\nSET\r\n$" + QByteArray::number(kBinaryKey.size()) + "\r\n" + kBinaryKey + "\r\n$1\r\n1\r\n";
        const auto piped = test::ChildProcess::run(QStringLiteral("redis-cli"),
                                                   {QStringLiteral("-p"), QString::number(m_server->port()), QStringLiteral("--pipe")}, wire);
        QVERIFY2(piped.finished && piped.exitCode == 0, piped.output.constData());
    }

    void showsSetsAndPersists()
    {
        Run r = runCtl({QStringLiteral("ttl"), m_server->url(), QStringLiteral("user:42")});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("user:42: no expiry\n"));
        r = runCtl({QStringLiteral("ttl"), m_server->url(), QStringLiteral("user:42"), QStringLiteral("2h")});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("user:42: TTL set to 7200 s\n"));
        const qint64 ttl = m_server->cli({QStringLiteral("TTL"), QStringLiteral("user:42")}).toLongLong();
        QVERIFY(ttl > 7190 && ttl <= 7200);
        r = runCtl({QStringLiteral("ttl"), m_server->url(), QStringLiteral("user:42")});
        QVERIFY2(r.out.startsWith(QStringLiteral("user:42: 7")) && r.out.endsWith(QStringLiteral(" s remaining\n")), qPrintable(r.out));
        r = runCtl({QStringLiteral("ttl"), m_server->url(), QStringLiteral("user:42"), QStringLiteral("persist")});
        QCOMPARE(r.out, QStringLiteral("user:42: expiry removed\n"));
        QCOMPARE(m_server->cli({QStringLiteral("TTL"), QStringLiteral("user:42")}), QByteArray("-1"));
        r = runCtl({QStringLiteral("ttl"), m_server->url(), QStringLiteral("user:42"), QStringLiteral("persist")});
        QCOMPARE(r.out, QStringLiteral("user:42: already had no expiry\n"));
    }

    void binaryKeyByItsEscapedName()
    {
        const Run r = runCtl({QStringLiteral("ttl"), m_server->url(), QStringLiteral("bin:\\xff\\x00\\n"), QStringLiteral("90")});
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, QStringLiteral("bin:\\xff\\x00\\n: TTL set to 90 s\n"));
        QCOMPARE(m_server->cli({QStringLiteral("EVAL"), QStringLiteral("return redis.call('TTL', string.char(98,105,110,58,255,0,10))"),
                                QStringLiteral("0")}),
                 QByteArray("90"));
    }

    void refusals_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::addRow("zero") << QStringList{QStringLiteral("user:42"), QStringLiteral("0")} << 2
                              << QStringLiteral("cachelensctl ttl: a TTL of 0 s would delete the key at once; give a positive TTL (nothing was changed)\n");
        QTest::addRow("negative") << QStringList{QStringLiteral("user:42"), QStringLiteral("-5m")} << 2
                                  << QStringLiteral("cachelensctl ttl: a TTL of -300 s would delete the key at once; give a positive TTL (nothing was changed)\n");
        QTest::addRow("not a number") << QStringList{QStringLiteral("user:42"), QStringLiteral("soon")} << 2
                                      << QStringLiteral("cachelensctl ttl: 'soon' is not a TTL: give whole seconds, or 15m, 2h, 7d, or persist\n");
        QTest::addRow("bad escape") << QStringList{QStringLiteral("bin:\\xZZ")} << 2
                                    << QStringLiteral("cachelensctl ttl: KEY has a bad escape at byte 4 (use \\\\, \\n, \\r, \\t or \\xHH)\n");
        QTest::addRow("missing key") << QStringList{QStringLiteral("nope"), QStringLiteral("60")} << 1
                                     << QStringLiteral("cachelensctl ttl: no key nope (nothing was changed)\n");
    }
    void refusals()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        const Run r = runCtl(QStringList{QStringLiteral("ttl"), m_server->url()} + args);
        QCOMPARE(r.code, code);
        QCOMPARE(r.err, message);
        QCOMPARE(m_server->cli({QStringLiteral("TTL"), QStringLiteral("user:42")}), QByteArray("-1"));
    }
};

QTEST_GUILESS_MAIN(TestCtlTtl)
#include "tst_ctlttl.moc"
