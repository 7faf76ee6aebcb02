// Every cachelensctl subcommand that can change data, enumerated from ctl::commands() (Command::changesData), against
// a real redis-server through saved connections: refused on a read-only one, on a production one without --confirm
// NAME or with a wrong name, and when the audit log cannot be written — exit 1, the reason on stderr, the server
// unchanged, no audit row. With --confirm NAME it runs and its audit row is there. Every other connecting subcommand
// leaves the server as it was. A new subcommand that changes data without a row here fails the first test.
// Also: --password-stdin and $CACHELENS_PASSWORD authenticate every connecting command.
#include "IsolatedEnvironment.h"

#include "AuditRows.h"
#include "CtlRun.h"
#include "RedisServer.h"
#include "connectors/audit/AuditStore.h"
#include "connectors/ctl/Commands.h"
#include "connectors/provider/RedisProvider.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <functional>
#include <map>

using namespace cachelens;
using test::RedisServer;
using test::runCtl;

class TestCtlGuard : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;
    QTemporaryDir m_dir;
    QString m_snapshot;

    // How to ask each subcommand that changes data to change something on connection `target`.
    std::map<QString, std::function<QStringList(const QString& target)>> changing() const
    {
        return {
            {QStringLiteral("ttl"), [](const QString& t) { return QStringList{QStringLiteral("ttl"), t, QStringLiteral("k:1"), QStringLiteral("1h")}; }},
            {QStringLiteral("purge"), [](const QString& t) { return QStringList{QStringLiteral("purge"), t, QStringLiteral("--match"), QStringLiteral("k:*"), QStringLiteral("--yes")}; }},
            {QStringLiteral("restore"), [this](const QString& t) { return QStringList{QStringLiteral("restore"), t, m_snapshot, QStringLiteral("--yes")}; }},
            {QStringLiteral("simulate"), [this](const QString& t) { return QStringList{QStringLiteral("simulate"), spec(), QStringLiteral("--target"), t}; }},
        };
    }
    // And each connecting subcommand that only reads.
    std::map<QString, std::function<QStringList(const QString& target)>> reading() const
    {
        return {
            {QStringLiteral("ping"), [](const QString& t) { return QStringList{QStringLiteral("ping"), t}; }},
            {QStringLiteral("stats"), [](const QString& t) { return QStringList{QStringLiteral("stats"), t, QStringLiteral("--json")}; }},
            {QStringLiteral("scan"), [](const QString& t) { return QStringList{QStringLiteral("scan"), t, QStringLiteral("--match"), QStringLiteral("k:*")}; }},
            {QStringLiteral("record"), [this](const QString& t) { return QStringList{QStringLiteral("record"), t, QStringLiteral("--seconds"), QStringLiteral("0.2"), QStringLiteral("--out"), m_dir.filePath(QStringLiteral("trace.txt"))}; }},
        };
    }
    QString spec() const { return m_dir.filePath(QStringLiteral("spec.json")); }
    // A reading subcommand that connected and did its job (a recording of an idle server records nothing: that
    // is its job done, with exit 1).
    static bool connectedAndRead(const test::CtlRun& r)
    {
        return r.code == 0
            || (r.err.contains(QStringLiteral("Recorded no requests")) && r.err.endsWith(QStringLiteral("nothing was saved.\n")));
    }

    void fill()
    {
        m_server->cli({QStringLiteral("FLUSHALL")});
        for (int i = 1; i <= 5; ++i)
            m_server->cli({QStringLiteral("SET"), QStringLiteral("k:%1").arg(i), QStringLiteral("v")});
    }

private Q_SLOTS:
    void initTestCase()
    {
        provider::registerRedisProvider();   // as app/cachelensctl does, for simulate on Redis
        m_server = std::make_unique<RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        for (const auto& [name, flag] : {std::pair{"ro", "--read-only"}, std::pair{"prod", "--production"}}) {
            const auto r = runCtl({QStringLiteral("connections"), QStringLiteral("add"), QString::fromLatin1(name),
                                   m_server->url(), QString::fromLatin1(flag)});
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
        QFile f(spec());
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"keys": 50, "requests": 300, "rate": 0, "cache": {"target": "local", "policy": "lru", "maxEntries": 20},
                    "backing": {"type": "memory", "latencyMs": 0}})");
        f.close();
        // A snapshot of snap:1, taken by a purge on the plain URL (not guarded).
        m_server->cli({QStringLiteral("SET"), QStringLiteral("snap:1"), QStringLiteral("saved")});
        m_snapshot = m_dir.filePath(QStringLiteral("snap.snapshot.db"));
        const auto r = runCtl({QStringLiteral("purge"), m_server->url(), QStringLiteral("--match"), QStringLiteral("snap:*"),
                               QStringLiteral("--yes"), QStringLiteral("--snapshot=") + m_snapshot});
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }
    void init()
    {
        fill();
        QFile::remove(AuditStore::defaultPath());
    }
    void cleanupTestCase() { m_server.reset(); }

    void everySubcommandThatChangesDataHasARowHere()
    {
        const auto rows = changing();
        const auto reads = reading();
        for (const ctl::Command& c : ctl::commands()) {
            if (c.changesData)
                QVERIFY2(rows.count(c.name), qPrintable(QStringLiteral("add a guard row for '%1'").arg(c.name)));
            else if (c.connects)
                QVERIFY2(reads.count(c.name), qPrintable(QStringLiteral("add a read row for '%1'").arg(c.name)));
        }
        for (const auto& [name, args] : rows) {
            const auto it = std::find_if(ctl::commands().begin(), ctl::commands().end(),
                                         [&](const ctl::Command& c) { return c.name == name; });
            QVERIFY(it != ctl::commands().end() && it->changesData);
        }
    }

    void changesAreRefusedWithoutTheGuardsConsent_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QStringList>("extra");
        QTest::addColumn<bool>("auditUnwritable");
        QTest::addColumn<QString>("says");
        for (const auto& [name, args] : changing()) {
            const QByteArray n = name.toUtf8();
            QTest::addRow("%s: read-only", n.constData()) << name << QStringLiteral("ro") << QStringList{} << false << QStringLiteral("read-only");
            QTest::addRow("%s: production, no --confirm", n.constData()) << name << QStringLiteral("prod") << QStringList{} << false << QStringLiteral("--confirm 'prod'");
            QTest::addRow("%s: production, wrong name", n.constData()) << name << QStringLiteral("prod")
                                                                       << QStringList{QStringLiteral("--confirm"), QStringLiteral("PROD")} << false << QStringLiteral("does not match");
            QTest::addRow("%s: audit log unwritable", n.constData()) << name << QStringLiteral("prod")
                                                                     << QStringList{QStringLiteral("--confirm"), QStringLiteral("prod")} << true << QStringLiteral("audit log could not be written");
        }
    }

    void changesAreRefusedWithoutTheGuardsConsent()
    {
        QFETCH(QString, command);
        QFETCH(QString, target);
        QFETCH(QStringList, extra);
        QFETCH(bool, auditUnwritable);
        QFETCH(QString, says);
        if (auditUnwritable)
            QVERIFY(QDir().mkpath(AuditStore::defaultPath()));   // a directory where the database should be
        const QByteArray before = m_server->fingerprint();
        const auto r = runCtl(changing().at(command)(target) + extra);
        if (auditUnwritable)
            QVERIFY(QDir(AuditStore::defaultPath()).removeRecursively());
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains(says), qPrintable(r.err));
        QCOMPARE(m_server->fingerprint(), before);
        QVERIFY(test::auditRows(AuditStore::defaultPath()).isEmpty());
    }

    void withTheTypedNameTheChangeRunsAuditedFirst_data()
    {
        QTest::addColumn<QString>("command");
        for (const auto& [name, args] : changing())
            QTest::addRow("%s", name.toUtf8().constData()) << name;
    }

    void withTheTypedNameTheChangeRunsAuditedFirst()
    {
        QFETCH(QString, command);
        const QByteArray before = m_server->fingerprint();
        const auto r = runCtl(changing().at(command)(QStringLiteral("prod")) + QStringList{QStringLiteral("--confirm"), QStringLiteral("prod")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        if (command != QLatin1String("simulate"))   // a simulation deletes its own keys afterwards
            QVERIFY(m_server->fingerprint() != before);
        const QVector<AuditEntry> rows = test::auditRows(AuditStore::defaultPath());
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().connection, QStringLiteral("prod"));
        QCOMPARE(rows.first().outcome, QStringLiteral("completed"));
    }

    void readingSubcommandsLeaveTheServerAsItWas_data()
    {
        QTest::addColumn<QString>("command");
        for (const auto& [name, args] : reading())
            QTest::addRow("%s", name.toUtf8().constData()) << name;
    }

    void readingSubcommandsLeaveTheServerAsItWas()
    {
        QFETCH(QString, command);
        const QByteArray before = m_server->fingerprint();
        const auto r = runCtl(reading().at(command)(QStringLiteral("ro")));
        QVERIFY2(connectedAndRead(r), qPrintable(r.err));
        QCOMPARE(m_server->fingerprint(), before);
        QVERIFY(test::auditRows(AuditStore::defaultPath()).isEmpty());
    }

    // A password never has to be on the command line: --password-stdin and $CACHELENS_PASSWORD, for every connecting
    // subcommand, and a wrong one is refused without being printed.
    void passwordsComeFromStandardInputOrTheEnvironment_data()
    {
        QTest::addColumn<QString>("command");
        for (const auto& [name, args] : reading())
            QTest::addRow("%s", name.toUtf8().constData()) << name;
    }

    void passwordsComeFromStandardInputOrTheEnvironment()
    {
        QFETCH(QString, command);
        RedisServer locked(RedisServer::Options::requiringPassword(QStringLiteral("s3cret-pw")));
        QVERIFY2(locked.start(), qPrintable(locked.errorString()));
        const QStringList args = reading().at(command)(locked.url());
        auto r = runCtl(args);
        QCOMPARE(r.code, 1);   // no password: NOAUTH
        QVERIFY(!connectedAndRead(r));
        r = runCtl(args + QStringList{QStringLiteral("--password-stdin")}, "s3cret-pw\n");
        QVERIFY2(connectedAndRead(r), qPrintable(r.err));
        qputenv("CACHELENS_PASSWORD", "s3cret-pw");
        r = runCtl(args);
        QVERIFY2(connectedAndRead(r), qPrintable(r.err));
        qputenv("CACHELENS_PASSWORD", "wrong-one");
        r = runCtl(args);
        qunsetenv("CACHELENS_PASSWORD");
        QCOMPARE(r.code, 1);
        QVERIFY(!r.err.contains(QStringLiteral("wrong-one")) && !r.out.contains(QStringLiteral("wrong-one")));
        r = runCtl(args + QStringList{QStringLiteral("--password-stdin")}, "");
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("--password-stdin")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCtlGuard)
#include "tst_ctlguard.moc"
