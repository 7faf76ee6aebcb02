#include "IsolatedEnvironment.h"
#include "UrlsWithSecrets.h"

#include <QDirIterator>
#include <QImage>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

#include <sys/types.h>

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run run(const QString& program, const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment(),
        const QByteArray& input = {})
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForStarted(10000))
        return {};
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return {};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

const QString gui = QStringLiteral(CACHELENS_GUI);
const QString ctl = QStringLiteral(CACHELENSCTL);

QProcessEnvironment offscreen()
{
    auto env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    return env;
}

} // namespace

class ExecutablesTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void guiPrintsVersionAndHelp()
    {
        const Run v = run(gui, {QStringLiteral("--version")});
        QCOMPARE(v.exitCode, 0);
        QVERIFY2(v.out.startsWith(QStringLiteral("cachelens 0.")), qPrintable(v.out));
        const Run h = run(gui, {QStringLiteral("--help")});
        QCOMPARE(h.exitCode, 0);
        for (const char* option : {"--connect", "--panel", "--screenshot", "--screenshot-after", "--version"})
            QVERIFY2(h.out.contains(QLatin1String(option)), option);
    }

    void guiHelpNamesTheProgram()
    {
        const Run h = run(gui, {QStringLiteral("--help")});
        QCOMPARE(h.exitCode, 0);
        QVERIFY2(h.out.startsWith(QStringLiteral("Usage: cachelens [options]")), qPrintable(h.out));
        QVERIFY(!h.out.contains(QStringLiteral("<executable_name>")));
    }

    void guiRejectsMisuseWithOneClearMessage_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("bad URL") << QStringList{QStringLiteral("--connect"), QStringLiteral("redis://h:0")}
                                 << QStringLiteral("port '0' is out of range");
        QTest::addRow("unknown panel") << QStringList{QStringLiteral("--panel"), QStringLiteral("graphs")}
                                       << QStringLiteral("unknown panel 'graphs'");
        QTest::addRow("unknown option") << QStringList{QStringLiteral("--bogus")} << QStringLiteral("bogus");
    }

    void guiRejectsMisuseWithOneClearMessage()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = run(gui, args, offscreen());
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }

    void guiWithoutADisplayExplainsHowToRunIt()
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        const Run r = run(gui, {}, env);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("xvfb-run -a")), qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("QT_QPA_PLATFORM=offscreen")));
    }

    void guiScreenshotWritesThePanelAsked_data()
    {
        QTest::addColumn<QString>("panel");
        QTest::addRow("dashboard") << QStringLiteral("dashboard");
        QTest::addRow("keys") << QStringLiteral("keys");
        QTest::addRow("invalidate") << QStringLiteral("invalidate");
        QTest::addRow("simulate") << QStringLiteral("simulate");
    }

    void guiScreenshotWritesThePanelAsked()
    {
        QFETCH(QString, panel);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("shot.png"));
        const Run r = run(gui, {QStringLiteral("--panel"), panel, QStringLiteral("--connect"),
                                QStringLiteral("redis://127.0.0.1:1"), QStringLiteral("--screenshot"), file,
                                QStringLiteral("--screenshot-after"), QStringLiteral("100")},
                          offscreen());
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains(QStringLiteral("wrote")), qPrintable(r.out + r.err));
        const QImage image(file);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 800 && image.height() >= 500);
    }

    void guiScreenshotToAnUnwritablePlaceFails()
    {
        const Run r = run(gui, {QStringLiteral("--screenshot"), QStringLiteral("/proc/nope/shot.png"),
                                QStringLiteral("--screenshot-after"), QStringLiteral("0")},
                          offscreen());
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(QStringLiteral("cannot write screenshot")), qPrintable(r.err));
    }

    void ctlHelpListsSubcommands()
    {
        const Run r = run(ctl, {QStringLiteral("help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains(QStringLiteral("subcommands:")));
        QVERIFY(r.out.contains(QStringLiteral("url")));
        QCOMPARE(run(ctl, {QStringLiteral("--version")}).out.left(15), QStringLiteral("cachelensctl 0."));
        QCOMPARE(run(ctl, {QStringLiteral("--help")}).exitCode, 0);
    }

    void ctlMisuseIsOneLineAndNonZero_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("no subcommand") << QStringList{} << QStringLiteral("missing subcommand");
        QTest::addRow("unknown subcommand") << QStringList{QStringLiteral("frob")} << QStringLiteral("unknown subcommand 'frob'");
        QTest::addRow("help for unknown") << QStringList{QStringLiteral("help"), QStringLiteral("frob")}
                                          << QStringLiteral("no subcommand named 'frob'");
        QTest::addRow("url without argument") << QStringList{QStringLiteral("url")} << QStringLiteral("exactly one URL");
    }

    void ctlMisuseIsOneLineAndNonZero()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Run r = run(ctl, args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        QCOMPARE(r.err.trimmed().count(QLatin1Char('\n')), 0);
        QVERIFY(r.out.isEmpty());
    }

    // Every way a URL can be refused, given to every command that takes one (and cachelens --connect), with and
    // without --json: the error says what is wrong, and neither password appears on stdout or stderr.
    void aRefusedUrlsSecretsAppearInNoOutput_data()
    {
        QTest::addColumn<QString>("url");
        for (const auto& [name, url] : cachelens::test::urlsWithSecrets())
            QTest::addRow("%s", name) << url;
    }

    void aRefusedUrlsSecretsAppearInNoOutput()
    {
        QFETCH(QString, url);
        QTemporaryDir dir;
        const QString spec = dir.filePath(QStringLiteral("spec.json"));
        QFile f(spec);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"keys": 10, "requests": 10})");
        f.close();
        const QString trace = dir.filePath(QStringLiteral("trace.txt"));
        const QList<QStringList> commands{
            {QStringLiteral("url"), url},
            {QStringLiteral("ping"), url},
            {QStringLiteral("stats"), url},
            {QStringLiteral("stats"), url, QStringLiteral("--json")},
            {QStringLiteral("scan"), url},
            {QStringLiteral("scan"), url, QStringLiteral("--json")},
            {QStringLiteral("ttl"), url, QStringLiteral("k")},
            {QStringLiteral("purge"), url, QStringLiteral("--match"), QStringLiteral("k*")},
            {QStringLiteral("purge"), url, QStringLiteral("--match"), QStringLiteral("k*"), QStringLiteral("--yes"), QStringLiteral("--json")},
            {QStringLiteral("restore"), url, QStringLiteral("snapshot")},
            {QStringLiteral("restore"), url, QStringLiteral("snapshot"), QStringLiteral("--json")},
            {QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("refused"), url},
            {QStringLiteral("record"), url, QStringLiteral("--seconds"), QStringLiteral("1"), QStringLiteral("--out"), trace},
            {QStringLiteral("record"), url, QStringLiteral("--out"), trace, QStringLiteral("--json")},
            {QStringLiteral("simulate"), spec, QStringLiteral("--target"), url},
            {QStringLiteral("simulate"), spec, QStringLiteral("--target"), url, QStringLiteral("--json")},
        };
        QList<QPair<QString, Run>> runs;
        for (const QStringList& args : commands)
            runs.append({QStringLiteral("cachelensctl ") + args.join(QLatin1Char(' ')), run(ctl, args)});
        runs.append({QStringLiteral("cachelens --connect"), run(gui, {QStringLiteral("--connect"), url}, offscreen())});
        for (const auto& [what, r] : runs) {
            const QString output = r.out + r.err;
            QVERIFY2(r.exitCode == 2, qPrintable(what + QStringLiteral(" exited %1: ").arg(r.exitCode) + output));
            QVERIFY2(!r.err.isEmpty(), qPrintable(what));
            QVERIFY2(!output.contains(cachelens::test::kUrlSecret), qPrintable(what + QLatin1Char('\n') + output));
            QVERIFY2(!output.contains(cachelens::test::kUrlSentinelSecret), qPrintable(what + QLatin1Char('\n') + output));
        }
    }

    // Through a real pipe, where the end of input shows only as an empty read.
    void ctlMatchReadsAFinalNewlineAsTheEndOfTheLastLine_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QString>("count");
        QTest::addColumn<QString>("keys");
        QTest::addRow("final newline") << QByteArray("a\nb\n") << QStringLiteral("2\n") << QStringLiteral("a\nb\n");
        QTest::addRow("no final newline") << QByteArray("a\nb") << QStringLiteral("2\n") << QStringLiteral("a\nb\n");
        QTest::addRow("an empty key is an empty line") << QByteArray("a\n\nb\n") << QStringLiteral("3\n") << QStringLiteral("a\n\nb\n");
        QTest::addRow("CRLF lines") << QByteArray("a\r\nb\r\n") << QStringLiteral("2\n") << QStringLiteral("a\nb\n");
    }

    void ctlMatchReadsAFinalNewlineAsTheEndOfTheLastLine()
    {
        QFETCH(QByteArray, input);
        QFETCH(QString, count);
        QFETCH(QString, keys);
        const auto env = QProcessEnvironment::systemEnvironment();
        const Run counted = run(ctl, {QStringLiteral("match"), QStringLiteral("*"), QStringLiteral("--count")}, env, input);
        QCOMPARE(counted.exitCode, 0);
        QCOMPARE(counted.out, count);
        const Run listed = run(ctl, {QStringLiteral("match"), QStringLiteral("*")}, env, input);
        QCOMPARE(listed.exitCode, 0);
        QCOMPARE(listed.out, keys);
    }

    // Ctrl-C or a SIGTERM while cachelensctl simulate builds or uses its SQLite database: the run stops as a cancel
    // does and the database (and a default temporary working directory) is gone, not left behind.
    void ctlSimulateRemovesItsDatabaseWhenStopped_data()
    {
        QTest::addColumn<int>("signal");
        QTest::addColumn<QString>("phase");     // what stderr says when the signal is sent
        QTest::addColumn<bool>("workdir");      // --workdir, else the default temporary directory (under TMPDIR)
        const QString generating = QStringLiteral("Generating the SQLite database"), running = QStringLiteral("Running ");
        QTest::addRow("SIGTERM while generating") << SIGTERM << generating << true;
        QTest::addRow("SIGINT while generating") << SIGINT << generating << true;
        QTest::addRow("SIGTERM while running") << SIGTERM << running << true;
        QTest::addRow("SIGINT while running, temporary directory") << SIGINT << running << false;
        QTest::addRow("SIGTERM while generating, temporary directory") << SIGTERM << generating << false;
    }
    void ctlSimulateRemovesItsDatabaseWhenStopped()
    {
        QFETCH(int, signal);
        QFETCH(QString, phase);
        QFETCH(bool, workdir);
        QTemporaryDir dir;
        const QString spec = dir.filePath(QStringLiteral("spec.json")), work = dir.filePath(QStringLiteral("work")),
                      tmp = dir.filePath(QStringLiteral("tmp"));
        QVERIFY(QDir().mkpath(tmp));
        QFile f(spec);
        QVERIFY(f.open(QIODevice::WriteOnly));
        // Generating 20 million rows takes far longer than the test waits; running 10^12 requests never ends alone.
        f.write(phase.startsWith(QLatin1String("Running"))
                    ? R"({"keys": 1000, "requests": 1e12, "distribution": {"type": "uniform"}})"
                    : R"({"keys": 20000000, "distribution": {"type": "uniform"}, "valueSize": {"min": 4, "max": 4}})");
        f.close();
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TMPDIR"), tmp);
        QStringList args{QStringLiteral("simulate"), spec};
        if (workdir)
            args << QStringLiteral("--workdir") << work;
        QProcess p;
        p.setProcessEnvironment(env);
        QByteArray err;
        connect(&p, &QProcess::readyReadStandardError, &p, [&] { err += p.readAllStandardError(); });
        p.start(ctl, args);
        QVERIFY(p.waitForStarted(10000));
        const auto databases = [&] {
            QStringList found;
            for (QDirIterator it(dir.path(), {QStringLiteral("simulation.db*")}, QDir::Files, QDirIterator::Subdirectories); it.hasNext();)
                found << it.next();
            return found;
        };
        QTRY_VERIFY_WITH_TIMEOUT(err.contains(phase.toUtf8()) && !databases().isEmpty(), 60000);
        QCOMPARE(::kill(pid_t(p.processId()), signal), 0);
        QVERIFY(p.waitForFinished(60000));
        err += p.readAllStandardError();
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 1);
        QVERIFY2(err.contains(QStringLiteral("stopped by %1; the simulation database was removed")
                                  .arg(signal == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM")).toUtf8()),
                 err.constData());
        QCOMPARE(databases(), QStringList());
        QCOMPARE(QDir(tmp).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), QStringList());
    }

    void ctlUrlChecksAndMasksTheSecret()
    {
        const Run ok = run(ctl, {QStringLiteral("url"), QStringLiteral("redis://app:pw@cache:6380/2")});
        QCOMPARE(ok.exitCode, 0);
        QCOMPARE(ok.out.trimmed(), QStringLiteral("redis://app:***@cache:6380/2"));
        const Run bad = run(ctl, {QStringLiteral("url"), QStringLiteral("redis://cache:99999")});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.err.contains(QStringLiteral("^ port '99999' is out of range")));
    }
};

QTEST_GUILESS_MAIN(ExecutablesTest)
#include "tst_executables.moc"
