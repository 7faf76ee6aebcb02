// `cachelensctl purge` through ctl::run against a real redis-server: refuses without --yes (and says what it would
// delete), deletes exactly with --yes, prints matched/deleted/seconds or JSON, refuses read-only profiles and
// unconfirmed production ones, writes the audit log, exits non-zero on misuse and failures.
#include "IsolatedEnvironment.h"
#include "RedisServer.h"
#include "connectors/audit/AuditStore.h"
#include "connectors/ctl/Command.h"

#include <QBuffer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QTest>

using namespace cachelens;

namespace {

struct Out {
    int code = -1;
    QString out, err;
};

Out runCtl(const QStringList& args)
{
    Out r;
    QTextStream o(&r.out), e(&r.err);
    QBuffer in;
    in.open(QIODevice::ReadOnly);
    r.code = ctl::run(args, o, e, in);
    return r;
}

} // namespace

class TestPurgeCtl : public QObject
{
    Q_OBJECT
    test::RedisServer m_server;

    qint64 dbsize() { return m_server.cli({QStringLiteral("DBSIZE")}).toLongLong(); }
    void populate(int n, const QString& prefix)
    {
        m_server.cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QString::number(n), prefix});
    }
    QVector<AuditEntry> audit()
    {
        AuditStore store;
        return store.open(AuditStore::defaultPath()) ? store.entries() : QVector<AuditEntry>{};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("CacheLensTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_purge_ctl"));
        QVERIFY(m_server.start());
    }
    void init()
    {
        QSettings().clear();
        m_server.cli({QStringLiteral("FLUSHALL")});
    }

    void refusesToDeleteWithoutYesAndSaysWhatItWould()
    {
        populate(300, QStringLiteral("user"));
        const Out r = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("user:*")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.out.startsWith(QStringLiteral("matched=300 keyspace=300")), qPrintable(r.out));
        QVERIFY(r.err.contains(QStringLiteral("--yes")));
        QCOMPARE(dbsize(), 300);
        const Out dry = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("user:*"),
                                QStringLiteral("--dry-run"), QStringLiteral("--yes")});
        QCOMPARE(dry.code, 0);
        QCOMPARE(dbsize(), 300);
    }

    void deletesWithYesPrintsFiguresAndAudits()
    {
        populate(2000, QStringLiteral("user"));
        populate(100, QStringLiteral("other"));
        const qint64 before = audit().size();
        Out r = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("user:*"),
                        QStringLiteral("--yes"), QStringLiteral("--rate"), QStringLiteral("100000")});
        QCOMPARE(r.code, 0);
        QVERIFY2(QRegularExpression(QStringLiteral("^matched=2000 deleted=2000 seconds=\\d+\\.\\d{3}\n$")).match(r.out).hasMatch(),
                 qPrintable(r.out + r.err));
        QCOMPARE(dbsize(), 100);
        const auto rows = audit();
        QCOMPARE(rows.size(), before + 1);
        QCOMPARE(rows.first().deleted, 2000);
        QCOMPARE(rows.first().outcome, QStringLiteral("completed"));

        populate(50, QStringLiteral("user"));
        r = runCtl({QStringLiteral("purge"), m_server.url(), QStringLiteral("--match"), QStringLiteral("user:*"),
                    QStringLiteral("--yes"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject json = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(json.value(QStringLiteral("matched")).toInt(), 50);
        QCOMPARE(json.value(QStringLiteral("deleted")).toInt(), 50);
        QVERIFY(json.contains(QStringLiteral("seconds")));
    }

    void refusesReadOnlyAndUnconfirmedProductionProfiles()
    {
        populate(10, QStringLiteral("user"));
        QCOMPARE(runCtl({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("ro"), m_server.url(),
                         QStringLiteral("--read-only")}).code, 0);
        QCOMPARE(runCtl({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("prod"), m_server.url(),
                         QStringLiteral("--production")}).code, 0);
        Out r = runCtl({QStringLiteral("purge"), QStringLiteral("ro"), QStringLiteral("--match"), QStringLiteral("*"), QStringLiteral("--yes")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains(QStringLiteral("read-only")));
        r = runCtl({QStringLiteral("purge"), QStringLiteral("prod"), QStringLiteral("--match"), QStringLiteral("*"), QStringLiteral("--yes")});
        QCOMPARE(r.code, 2);
        QVERIFY(r.err.contains(QStringLiteral("--confirm")));
        QCOMPARE(dbsize(), 10);
        r = runCtl({QStringLiteral("purge"), QStringLiteral("prod"), QStringLiteral("--match"), QStringLiteral("*"), QStringLiteral("--yes"),
                    QStringLiteral("--confirm"), QStringLiteral("prod")});
        QCOMPARE(r.code, 0);
        QCOMPARE(dbsize(), 0);
        QCOMPARE(audit().first().connection, QStringLiteral("prod"));
    }

    void misuseAndFailures_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        const QString url = QStringLiteral("redis://127.0.0.1:%1");
        QTest::addRow("no pattern") << QStringList{QStringLiteral("URL")} << 2;
        QTest::addRow("both") << QStringList{QStringLiteral("URL"), QStringLiteral("--match"), QStringLiteral("a"), QStringLiteral("--tag"), QStringLiteral("t")} << 2;
        QTest::addRow("invalid pattern") << QStringList{QStringLiteral("URL"), QStringLiteral("--match"), QStringLiteral("a[b"), QStringLiteral("--yes")} << 2;
        QTest::addRow("bad rate") << QStringList{QStringLiteral("URL"), QStringLiteral("--match"), QStringLiteral("a"), QStringLiteral("--rate"), QStringLiteral("x")} << 2;
        QTest::addRow("server down") << QStringList{QStringLiteral("DOWN"), QStringLiteral("--match"), QStringLiteral("a"), QStringLiteral("--yes")} << 1;
    }
    void misuseAndFailures()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        args.replaceInStrings(QStringLiteral("URL"), m_server.url());
        args.replaceInStrings(QStringLiteral("DOWN"), QStringLiteral("redis://127.0.0.1:%1").arg(test::RedisServer::freePort()));
        const Out r = runCtl(QStringList{QStringLiteral("purge")} + args);
        QCOMPARE(r.code, code);
        QVERIFY(!r.err.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPurgeCtl)
#include "tst_purge_ctl.moc"
