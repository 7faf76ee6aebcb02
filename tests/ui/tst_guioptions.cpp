#include "IsolatedEnvironment.h"
#include "ui/GuiOptions.h"
#include "ui/MainWindow.h"

#include <QTest>

using namespace cachelens::ui;
using Action = GuiOptionsParse::Action;

class GuiOptionsTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("action");
        QTest::addColumn<QString>("expectInText");   // substring of help/version/error text ("" = none)

        QTest::addRow("no options runs") << QStringList{} << int(Action::Run) << QString();
        QTest::addRow("--version") << QStringList{QStringLiteral("--version")} << int(Action::ShowText)
                                   << QStringLiteral("cachelens 0.");
        QTest::addRow("--help lists --screenshot") << QStringList{QStringLiteral("--help")} << int(Action::ShowText)
                                                   << QStringLiteral("--screenshot");
        QTest::addRow("unknown option") << QStringList{QStringLiteral("--frobnicate")} << int(Action::Fail)
                                        << QStringLiteral("frobnicate");
        QTest::addRow("bad URL points at the port")
            << QStringList{QStringLiteral("--connect"), QStringLiteral("redis://host:70000")} << int(Action::Fail)
            << QStringLiteral("\nredis://host:70000\n             ^ port '70000' is out of range");
        QTest::addRow("good URL") << QStringList{QStringLiteral("--connect"), QStringLiteral("redis://h:7000/3")}
                                  << int(Action::Run) << QString();
        QTest::addRow("unknown panel names the valid ones")
            << QStringList{QStringLiteral("--panel"), QStringLiteral("charts")} << int(Action::Fail)
            << QStringLiteral("dashboard, keys, invalidate, simulate");
        QTest::addRow("panel is case-insensitive") << QStringList{QStringLiteral("--panel"), QStringLiteral("Keys")}
                                                   << int(Action::Run) << QString();
        QTest::addRow("screenshot-after without screenshot")
            << QStringList{QStringLiteral("--screenshot-after"), QStringLiteral("10")} << int(Action::Fail)
            << QStringLiteral("needs --screenshot");
        QTest::addRow("negative delay") << QStringList{QStringLiteral("--screenshot"), QStringLiteral("a.png"),
                                                       QStringLiteral("--screenshot-after"), QStringLiteral("-5")}
                                        << int(Action::Fail) << QStringLiteral("0–600000");
        QTest::addRow("--key with a bad escape says where")
            << QStringList{QStringLiteral("--key"), QStringLiteral("bin:\\xZZ")} << int(Action::Fail)
            << QStringLiteral("bad escape in --key at byte 4");
        QTest::addRow("--key with another panel")
            << QStringList{QStringLiteral("--panel"), QStringLiteral("simulate"), QStringLiteral("--key"), QStringLiteral("a")}
            << int(Action::Fail) << QStringLiteral("drop --panel simulate");
        QTest::addRow("stray positional") << QStringList{QStringLiteral("extra")} << int(Action::Fail)
                                          << QStringLiteral("unexpected argument 'extra'");
    }

    void parse()
    {
        QFETCH(QStringList, args);
        QFETCH(int, action);
        QFETCH(QString, expectInText);
        const auto result = parseGuiOptions(QStringList{QStringLiteral("cachelens")} + args, MainWindow::panelIds());
        QCOMPARE(int(result.action), action);
        if (!expectInText.isEmpty())
            QVERIFY2(result.text.contains(expectInText), qPrintable(result.text));
        if (result.action == Action::Fail) {
            QCOMPARE(result.exitCode, 2);
            QVERIFY(!result.text.isEmpty());
        }
    }

    void optionsCarryTheirValues()
    {
        const auto r = parseGuiOptions({QStringLiteral("cachelens"), QStringLiteral("-c"), QStringLiteral("unix:///tmp/r.sock?db=4"),
                                        QStringLiteral("-p"), QStringLiteral("SIMULATE"), QStringLiteral("--screenshot"),
                                        QStringLiteral("out.png"), QStringLiteral("--screenshot-after"), QStringLiteral("250")},
                                       MainWindow::panelIds());
        QCOMPARE(int(r.action), int(Action::Run));
        QVERIFY(r.options.connect.has_value());
        QCOMPARE(r.options.connect->socketPath, QStringLiteral("/tmp/r.sock"));
        QCOMPARE(r.options.connect->db, 4);
        QCOMPARE(r.options.panel, QStringLiteral("simulate"));
        QCOMPARE(r.options.screenshotFile, QStringLiteral("out.png"));
        QCOMPARE(r.options.screenshotAfterMs, 250);
    }

    void keyIsUnescapedAndOpensTheKeysPanel()
    {
        const auto r = parseGuiOptions({QStringLiteral("cachelens"), QStringLiteral("--key"), QStringLiteral("bin:\\xff\\x00\\n*")},
                                       MainWindow::panelIds());
        QCOMPARE(int(r.action), int(Action::Run));
        QCOMPARE(r.options.key, QByteArray("bin:\xff\x00\n*", 8));
        QCOMPARE(r.options.panel, QStringLiteral("keys"));
    }
};

QTEST_MAIN(GuiOptionsTest)
#include "tst_guioptions.moc"
