// cachelensctl ping / stats / scan, called through ctl::run with in-memory streams against a real redis-server.
#include "IsolatedEnvironment.h"   // the audit log and snapshots go to a temporary home

#include "connectors/ctl/Command.h"
#include "connectors/invalidate/GlobCheck.h"

#include <cachelens/key_escape.h>

#include "ChildProcess.h"
#include "CtlRun.h"
#include "RedisServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

#include <memory>

using namespace cachelens;
using cachelens::test::RedisServer;

namespace {

using Run = test::CtlRun;
using test::runCtl;

} // namespace

class TestCtlRedis : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;
    QList<QByteArray> m_binaryKeys{QByteArray("bin:\0nul", 8), QByteArray("bin:new\nline"), QByteArray("bin:\xff\xfe bad utf8"),
                                   QByteArray("bin:back\\slash"), QByteArray("bin:quote\"")};

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("1000"), QStringLiteral("key")});
        m_server->cli({QStringLiteral("HSET"), QStringLiteral("h:1"), QStringLiteral("f"), QStringLiteral("v")});
        // Binary keys go in through our own client path: redis-cli arguments cannot carry NUL.
        QByteArray wire;
        for (const QByteArray& k : m_binaryKeys)
            wire += "*3\r\n$3\r\nSET\r\n$" + QByteArray::number(k.size()) + "\r\n" + k + "\r\n$1\r\n1\r\n";
        const auto piped = test::ChildProcess::run(QStringLiteral("redis-cli"),
                                                   {QStringLiteral("-p"), QString::number(m_server->port()), QStringLiteral("--pipe")}, wire);
        QVERIFY2(piped.finished && piped.exitCode == 0, piped.output.constData());
        QCOMPARE(m_server->cli({QStringLiteral("DBSIZE")}), QByteArray::number(1000 + 1 + m_binaryKeys.size()));
    }
    void cleanupTestCase() { m_server.reset(); }

    void pingPrintsRoundTripAndVersion()
    {
        const Run r = runCtl({QStringLiteral("ping"), m_server->url()});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("PONG from 127.0.0.1:%1 in ").arg(m_server->port())), qPrintable(r.out));
        QVERIFY2(r.out.contains(QLatin1String("(redis 7.")), qPrintable(r.out));
    }

    void failuresSayWhatToFix_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const QString refused = QStringLiteral("redis://127.0.0.1:%1").arg(RedisServer::freePort());
        QTest::addRow("bad URL") << QStringList{QStringLiteral("ping"), QStringLiteral("redis://host:99999")} << 2
                                 << QStringLiteral("out of range");
        QTest::addRow("no URL") << QStringList{QStringLiteral("stats")} << 2 << QStringLiteral("expects exactly one URL");
        QTest::addRow("refused") << QStringList{QStringLiteral("ping"), refused} << 1 << QStringLiteral("refused");
        QTest::addRow("unknown option") << QStringList{QStringLiteral("scan"), refused, QStringLiteral("--bogus")} << 2
                                        << QStringLiteral("bogus");
        QTest::addRow("bad type") << QStringList{QStringLiteral("scan"), refused, QStringLiteral("--type"), QStringLiteral("blob")}
                                  << 2 << QStringLiteral("--type must be one of");
        QTest::addRow("bad watch") << QStringList{QStringLiteral("stats"), refused, QStringLiteral("--watch"), QStringLiteral("0")}
                                   << 2 << QStringLiteral("--watch needs");
    }
    void failuresSayWhatToFix()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        const Run r = runCtl(args);
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QVERIFY(r.out.isEmpty());
    }

    void wrongPasswordFails()
    {
        RedisServer::Options options;
        options.extraArgs = {QStringLiteral("--requirepass"), QStringLiteral("right")};
        RedisServer secured(options);
        QVERIFY2(secured.start(), qPrintable(secured.errorString()));
        const Run r = runCtl({QStringLiteral("ping"), QStringLiteral("redis://:wrong@127.0.0.1:%1").arg(secured.port())});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(QLatin1String("WRONGPASS")), qPrintable(r.err));
        QVERIFY(!r.err.contains(QLatin1String("wrong@")));
        QCOMPARE(runCtl({QStringLiteral("ping"), QStringLiteral("redis://:right@127.0.0.1:%1").arg(secured.port())}).code, 0);
    }

    void statsPrintsTheDashboardFigures()
    {
        const Run r = runCtl({QStringLiteral("stats"), m_server->url()});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("keys      %1").arg(1000 + 1 + m_binaryKeys.size())), qPrintable(r.out));
        QVERIFY(r.out.contains(QLatin1String("hits ")));
        // Memory in binary units, as the GUI shows it, with a C-locale number: "memory    1.2 MiB".
        QVERIFY2(QRegularExpression(QStringLiteral("\\nmemory    \\d+(\\.\\d)? (B|KiB|MiB|GiB)\\n")).match(r.out).hasMatch(),
                 qPrintable(r.out));
    }

    void statsJsonWatchPrintsOneObjectPerSample()
    {
        m_server->cli({QStringLiteral("GET"), QStringLiteral("key:1")});
        const Run r = runCtl({QStringLiteral("stats"), m_server->url(), QStringLiteral("--json"), QStringLiteral("--watch"),
                           QStringLiteral("0.05"), QStringLiteral("--count"), QStringLiteral("3")});
        QCOMPARE(r.code, 0);
        const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        for (const QString& line : lines) {
            QJsonParseError error;
            const QJsonObject o = QJsonDocument::fromJson(line.toUtf8(), &error).object();
            QCOMPARE(error.error, QJsonParseError::NoError);
            QCOMPARE(o.value(QLatin1String("keys")).toInteger(), 1000 + 1 + m_binaryKeys.size());
            QVERIFY(o.value(QLatin1String("keyspace_hits")).toInteger() >= 1);
            QCOMPARE(o.value(QLatin1String("run_id")).toString().size(), 40);
            QVERIFY(o.value(QLatin1String("keyspace")).toObject().contains(QLatin1String("db0")));
        }
    }

    void scanPrintsEveryKeyEscapedOnePerLine()
    {
        const Run r = runCtl({QStringLiteral("scan"), m_server->url(), QStringLiteral("--page"), QStringLiteral("100")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.endsWith(QLatin1Char('\n')));
        QSet<QByteArray> keys;
        for (const QString& line : r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const auto raw = engine::unescapeKey(line.toStdString());
            QVERIFY2(raw.has_value(), qPrintable(line));
            keys.insert(QByteArray::fromStdString(*raw));
        }
        QCOMPARE(keys.size(), 1000 + 1 + m_binaryKeys.size());
        for (const QByteArray& k : m_binaryKeys)
            QVERIFY2(keys.contains(k), k.toHex().constData());
    }

    void scanFilters_data()
    {
        QTest::addColumn<QStringList>("options");
        QTest::addColumn<QString>("expected");
        QTest::addRow("count only") << QStringList{QStringLiteral("--count-only")} << QStringLiteral("1006\n");
        QTest::addRow("match") << QStringList{QStringLiteral("--match"), QStringLiteral("key:99*"), QStringLiteral("--count-only")}
                               << QStringLiteral("11\n");
        QTest::addRow("type") << QStringList{QStringLiteral("--type"), QStringLiteral("hash")} << QStringLiteral("h:1\n");
        QTest::addRow("count-only json") << QStringList{QStringLiteral("--count-only"), QStringLiteral("--json")}
                                         << QStringLiteral("{\"count\":1006}\n");
    }
    void scanFilters()
    {
        QFETCH(QStringList, options);
        QFETCH(QString, expected);
        const Run r = runCtl(QStringList{QStringLiteral("scan"), m_server->url()} + options);
        QCOMPARE(r.code, 0);
        QCOMPARE(r.out, expected);
    }

    // A glob Redis would read otherwise than typed is refused before anything runs, by scan, purge and match alike:
    // the same sentence, exit 2, nothing on stdout (scan used to list nothing and exit 0 where purge refused).
    void aBadGlobIsRefusedAlikeByScanPurgeAndMatch_data()
    {
        QTest::addColumn<QString>("glob");
        QTest::addRow("unclosed class") << QStringLiteral("user:[");
        QTest::addRow("trailing backslash") << QStringLiteral("key:\\");
        QTest::addRow("empty class") << QStringLiteral("key:[]");
        QTest::addRow("range up to ]") << QStringLiteral("key:[a-]");
        QTest::addRow("empty") << QString();
    }
    void aBadGlobIsRefusedAlikeByScanPurgeAndMatch()
    {
        QFETCH(QString, glob);
        const QString problem = globProblem(glob.toUtf8());
        QVERIFY(!problem.isEmpty());
        QStringList messages;
        for (const QStringList& args : {QStringList{QStringLiteral("scan"), m_server->url(), QStringLiteral("--match"), glob},
                                        QStringList{QStringLiteral("purge"), m_server->url(), QStringLiteral("--match"), glob,
                                                    QStringLiteral("--dry-run")},
                                        QStringList{QStringLiteral("match"), glob}}) {
            const Run r = runCtl(args);
            QCOMPARE(r.code, 2);
            QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
            QVERIFY2(r.err.contains(problem), qPrintable(r.err));
            messages << r.err.section(QStringLiteral(": "), 1);
        }
        QCOMPARE(messages.at(1), messages.at(0));
        QCOMPARE(messages.at(2), messages.at(0));
    }

    void scanJsonListsEscapedKeys()
    {
        const Run r = runCtl({QStringLiteral("scan"), m_server->url(), QStringLiteral("--match"), QStringLiteral("bin:*"),
                           QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        QJsonParseError error;
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8(), &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(o.value(QLatin1String("count")).toInteger(), m_binaryKeys.size());
        QSet<QByteArray> keys;
        for (const QJsonValue& v : o.value(QLatin1String("keys")).toArray())
            keys.insert(QByteArray::fromStdString(engine::unescapeKey(v.toString().toStdString()).value_or("?")));
        QCOMPARE(keys, QSet<QByteArray>(m_binaryKeys.cbegin(), m_binaryKeys.cend()));
    }
};

QTEST_GUILESS_MAIN(TestCtlRedis)
#include "tst_ctlredis.moc"
