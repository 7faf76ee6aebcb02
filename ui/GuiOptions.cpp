#include "ui/GuiOptions.h"

#include <cachelens/version.h>
#include <cachelens/key_escape.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>

namespace cachelens::ui {

GuiOptionsParse parseGuiOptions(const QStringList& arguments, const QStringList& panelIds)
{
    auto tr = [](const char* s) { return QCoreApplication::translate("GuiOptions", s); };
    GuiOptionsParse result;
    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("CacheLens: watch hit rates live, browse and purge keys safely, and simulate cache policies.\n"
           "Starts on the in-process local engine; --connect opens a Redis server."));
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const QCommandLineOption connect(QStringList{QStringLiteral("c"), QStringLiteral("connect")},
                                     tr("Open a connection: redis://[user:pass@]host[:port][/db], rediss://…, "
                                        "unix:///path.sock, redis-sentinel://host:port/master."),
                                     tr("URL"));
    const QCommandLineOption panel(QStringList{QStringLiteral("p"), QStringLiteral("panel")},
                                   tr("Panel to show first: %1.").arg(panelIds.join(QStringLiteral(", "))), tr("NAME"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        tr("Render the main window to a PNG file and exit."), tr("FILE"));
    const QCommandLineOption screenshotAfter(QStringLiteral("screenshot-after"),
                                             tr("Wait this long before taking the screenshot (default 1500)."),
                                             tr("MS"), QStringLiteral("1500"));
    const QCommandLineOption demo(QStringLiteral("demo"),
                                  tr("Run demo traffic on the local engine (namespaces shaped like a chat and a Discord "
                                     "bot), so the charts move and the key tree is populated."));
    const QCommandLineOption reportStalls(QStringLiteral("report-stalls"),
                                          tr("Load the Keys panel's whole tree, print keys=N max_stall_ms=M (the "
                                             "longest GUI event-loop stall while loading), the tree's bytes per key and "
                                             "the longest stretch of GUI-thread CPU time, and exit."));
    const QCommandLineOption key(QStringLiteral("key"),
                                 tr("Open this key in the Keys panel once the keys are loaded (written as "
                                    "cachelensctl scan prints it: \\xHH for other bytes)."),
                                 tr("KEY"));
    parser.addOptions({connect, panel, screenshot, screenshotAfter, demo, reportStalls, key});

    if (!parser.parse(arguments)) {
        result.action = GuiOptionsParse::Action::Fail;
        result.text = tr("cachelens: %1; try --help").arg(parser.errorText());
        result.exitCode = 2;
        return result;
    }
    if (parser.isSet(help)) {
        result.action = GuiOptionsParse::Action::ShowText;
        // QCommandLineParser names the program only through a QCoreApplication, and the GUI's cannot exist yet: this
        // runs before we know whether there is a display.
        const QString program = arguments.isEmpty() ? QStringLiteral("cachelens") : QFileInfo(arguments.first()).fileName();
        result.text = parser.helpText().replace(QStringLiteral("<executable_name>"), program);
        return result;
    }
    if (parser.isSet(version)) {
        result.action = GuiOptionsParse::Action::ShowText;
        result.text = QStringLiteral("cachelens %1\n").arg(QLatin1String(kVersion));
        return result;
    }
    auto fail = [&](const QString& message) {
        result.action = GuiOptionsParse::Action::Fail;
        result.text = message;
        result.exitCode = 2;
        return result;
    };
    if (!parser.positionalArguments().isEmpty())
        return fail(tr("cachelens: unexpected argument '%1'; try --help").arg(parser.positionalArguments().first()));
    if (parser.isSet(connect)) {
        const QString text = parser.value(connect);
        const auto parsed = ConnectionUrl::parse(text);
        if (!parsed.ok())
            return fail(tr("cachelens: bad --connect URL (%1)\n%2").arg(parsed.error, parsed.pointedError()));
        result.options.connect = parsed.url;
    }
    if (parser.isSet(panel)) {
        const QString name = parser.value(panel).toLower();
        if (!panelIds.contains(name))
            return fail(tr("cachelens: unknown panel '%1'; choose one of %2")
                            .arg(parser.value(panel), panelIds.join(QStringLiteral(", "))));
        result.options.panel = name;
    }
    result.options.demo = parser.isSet(demo);
    if (parser.isSet(reportStalls)) {
        if (!result.options.panel.isEmpty() && result.options.panel != QStringLiteral("keys"))
            return fail(tr("cachelens: --report-stalls measures the keys panel; drop --panel %1").arg(result.options.panel));
        result.options.reportStalls = true;
        result.options.panel = QStringLiteral("keys");
    }
    if (parser.isSet(key)) {
        const QByteArray text = parser.value(key).toUtf8();
        std::size_t badAt = 0;
        const auto raw = engine::unescapeKey(std::string_view(text.constData(), std::size_t(text.size())), &badAt);
        if (!raw || raw->empty())
            return fail(raw ? tr("cachelens: --key needs a key name")
                            : tr("cachelens: bad escape in --key at byte %1 (use \\\\ for a backslash, \\xHH for a byte)").arg(badAt));
        if (!result.options.panel.isEmpty() && result.options.panel != QStringLiteral("keys"))
            return fail(tr("cachelens: --key opens the keys panel; drop --panel %1").arg(result.options.panel));
        result.options.key = QByteArray::fromStdString(*raw);
        result.options.panel = QStringLiteral("keys");
    }
    if (parser.isSet(screenshot)) {
        result.options.screenshotFile = parser.value(screenshot);
        if (result.options.screenshotFile.isEmpty())
            return fail(tr("cachelens: --screenshot needs a file name"));
    }
    if (parser.isSet(screenshotAfter)) {
        bool ok = false;
        const int ms = parser.value(screenshotAfter).toInt(&ok);
        if (!ok || ms < 0 || ms > 600000)
            return fail(tr("cachelens: --screenshot-after must be 0–600000 milliseconds, not '%1'")
                            .arg(parser.value(screenshotAfter)));
        if (!parser.isSet(screenshot))
            return fail(tr("cachelens: --screenshot-after needs --screenshot FILE"));
        result.options.screenshotAfterMs = ms;
    }
    return result;
}

} // namespace cachelens::ui
