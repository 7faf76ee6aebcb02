// `cachelensctl SUB --help` and `SUB -h`: every subcommand answers them, runs nothing, and describes each argument
// and option it accepts.
#include "connectors/ctl/Commands.h"

#include "CtlRun.h"
#include "IsolatedEnvironment.h"

#include <QMap>
#include <QRegularExpression>
#include <QTest>

using namespace cachelens;

namespace {

// What each subcommand accepts, as its code reads its arguments. A new subcommand must be added here.
const QMap<QString, QStringList>& accepted()
{
    static const QMap<QString, QStringList> all{
        {QStringLiteral("help"), {QStringLiteral("SUBCOMMAND")}},
        {QStringLiteral("version"), {}},
        {QStringLiteral("url"), {QStringLiteral("URL")}},
        {QStringLiteral("connections"),
         {QStringLiteral("list"), QStringLiteral("add"), QStringLiteral("remove"), QStringLiteral("export"),
          QStringLiteral("import"), QStringLiteral("--json"), QStringLiteral("--production"), QStringLiteral("--read-only"),
          QStringLiteral("--separator"), QStringLiteral("--password-stdin"), QStringLiteral("--sentinel-password-stdin")}},
        {QStringLiteral("ping"), {QStringLiteral("URL"), QStringLiteral("--password-stdin")}},
        {QStringLiteral("stats"), {QStringLiteral("URL"), QStringLiteral("--password-stdin"), QStringLiteral("--json"), QStringLiteral("--watch"), QStringLiteral("--count")}},
        {QStringLiteral("scan"),
         {QStringLiteral("URL"), QStringLiteral("--password-stdin"), QStringLiteral("--match"), QStringLiteral("--type"), QStringLiteral("--count-only"),
          QStringLiteral("--json"), QStringLiteral("--page")}},
        {QStringLiteral("ttl"), {QStringLiteral("URL"), QStringLiteral("KEY"), QStringLiteral("SECONDS"), QStringLiteral("persist"),
                                 QStringLiteral("--confirm"), QStringLiteral("--password-stdin")}},
        {QStringLiteral("match"), {QStringLiteral("GLOB"), QStringLiteral("--count"), QStringLiteral("--invert")}},
        {QStringLiteral("simulate"),
         {QStringLiteral("SPEC.json"), QStringLiteral("--target"), QStringLiteral("--confirm"), QStringLiteral("--password-stdin"), QStringLiteral("--json"),
          QStringLiteral("--workdir")}},
        {QStringLiteral("replay"),
         {QStringLiteral("TRACE"), QStringLiteral("--format"), QStringLiteral("--policy"), QStringLiteral("--capacity"),
          QStringLiteral("--json")}},
        {QStringLiteral("mrc"),
         {QStringLiteral("TRACE"), QStringLiteral("--sizes"), QStringLiteral("--format"), QStringLiteral("--sample"),
          QStringLiteral("--json")}},
        {QStringLiteral("record"),
         {QStringLiteral("URL"), QStringLiteral("local"), QStringLiteral("--password-stdin"), QStringLiteral("--seconds"), QStringLiteral("--out"),
          QStringLiteral("--format"), QStringLiteral("--max-requests"), QStringLiteral("--rate"), QStringLiteral("--policy"),
          QStringLiteral("--capacity"), QStringLiteral("--json")}},
        {QStringLiteral("purge"),
         {QStringLiteral("URL"), QStringLiteral("--password-stdin"), QStringLiteral("--match"), QStringLiteral("--tag"), QStringLiteral("--prefix"),
          QStringLiteral("--dry-run"), QStringLiteral("--yes"), QStringLiteral("--rate"), QStringLiteral("--resume"),
          QStringLiteral("--expire-jitter"), QStringLiteral("--include-new"), QStringLiteral("--latency-budget"),
          QStringLiteral("--batch"), QStringLiteral("--snapshot"), QStringLiteral("--snapshot-limit"),
          QStringLiteral("--confirm"), QStringLiteral("--json")}},
        {QStringLiteral("restore"),
         {QStringLiteral("URL"), QStringLiteral("FILE"), QStringLiteral("--password-stdin"), QStringLiteral("--dry-run"), QStringLiteral("--yes"),
          QStringLiteral("--rate"), QStringLiteral("--batch"), QStringLiteral("--confirm"), QStringLiteral("--json")}},
    };
    return all;
}

} // namespace

class CtlHelpTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everySubcommandIsListedHere()
    {
        QStringList names;
        for (const ctl::Command& c : ctl::commands())
            names << c.name;
        QCOMPARE(names.size(), accepted().size());
        for (const QString& name : names)
            QVERIFY2(accepted().contains(name), qPrintable(name));
    }

    void helpDescribesEveryOption_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("flag");
        for (const ctl::Command& c : ctl::commands()) {
            QTest::addRow("%s --help", qPrintable(c.name)) << c.name << QStringLiteral("--help");
            QTest::addRow("%s -h", qPrintable(c.name)) << c.name << QStringLiteral("-h");
        }
    }

    void helpDescribesEveryOption()
    {
        QFETCH(QString, command);
        QFETCH(QString, flag);
        const test::CtlRun r = test::runCtl({command, flag});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
        QVERIFY2(r.out.startsWith(QStringLiteral("usage: cachelensctl ") + command), qPrintable(r.out));
        // Every option of the usage line, and every one the command reads, on a line of its own with a description.
        QStringList wanted = accepted().value(command);
        const QString usage = r.out.section(QLatin1Char('\n'), 0, 0);
        for (const auto& m : QRegularExpression(QStringLiteral("--[a-z][a-z-]*")).globalMatch(usage))
            if (!wanted.contains(m.captured()))
                wanted << m.captured();
        for (const QString& word : wanted) {
            const QRegularExpression described(QStringLiteral("^  (?:-\\w, )?(?:\\S*\\|)?%1(?![\\w-])[^\\n]*?(?: {2,}|\\n {6,})\\S[^\\n]{10,}$")
                                                   .arg(QRegularExpression::escape(word)),
                                               QRegularExpression::MultilineOption);
            QVERIFY2(described.match(r.out).hasMatch(), qPrintable(command + QLatin1Char(' ') + word + QLatin1Char('\n') + r.out));
        }
    }

    // --help anywhere among the arguments wins over everything else: nothing runs, nothing connects.
    void helpAfterOtherArgumentsRunsNothing()
    {
        const test::CtlRun r = test::runCtl({QStringLiteral("purge"), QStringLiteral("redis://127.0.0.1:1"),
                                             QStringLiteral("--match"), QStringLiteral("*"), QStringLiteral("--yes"),
                                             QStringLiteral("--help")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.err.isEmpty());
        QVERIFY(r.out.contains(QStringLiteral("--snapshot-limit MiB")));
    }

    void helpSubcommandShowsTheSameText()
    {
        for (const ctl::Command& c : ctl::commands())
            QCOMPARE(test::runCtl({QStringLiteral("help"), c.name}).out, test::runCtl({c.name, QStringLiteral("--help")}).out);
    }
};

QTEST_GUILESS_MAIN(CtlHelpTest)
#include "tst_ctlhelp.moc"
