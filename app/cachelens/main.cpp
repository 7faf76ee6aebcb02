// cachelens: the GUI. Parses the command line, makes the window over the application's connections (Gui) and starts
// the event loop.
#include "app/cachelens/Gui.h"
#include <cachelens/redis.h>
#include <cachelens/version.h>
#include "ui/GuiOptions.h"
#include "ui/Icons.h"
#include "ui/MainWindow.h"
#include "ui/PreferencesDialog.h"
#include "ui/Screenshot.h"
#include "ui/Theme.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/KeysPanel.h"
#include "ui/keys/StallMeter.h"

#include <QApplication>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace {

// Without a display QApplication aborts with a terse platform-plugin error; say what to do instead.
bool hasDisplay()
{
    return qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY")
        || qEnvironmentVariableIsSet("WAYLAND_DISPLAY");
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication::setOrganizationName(QStringLiteral("CacheLens"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("cachelens.invalid"));
    QCoreApplication::setApplicationName(QStringLiteral("cachelens"));
    QCoreApplication::setApplicationVersion(QLatin1String(cachelens::kVersion));

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const auto parsed = cachelens::ui::parseGuiOptions(arguments, cachelens::ui::MainWindow::panelIds());
    if (parsed.action == cachelens::ui::GuiOptionsParse::Action::ShowText) {
        std::fputs(qPrintable(parsed.text), stdout);
        return 0;
    }
    if (parsed.action == cachelens::ui::GuiOptionsParse::Action::Fail) {
        std::fprintf(stderr, "%s\n", qPrintable(parsed.text));
        return parsed.exitCode;
    }
    if (!hasDisplay()) {
        std::fprintf(stderr,
                     "cachelens: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set).\n"
                     "On a machine without a screen, run it under a virtual X server:\n"
                     "    xvfb-run -a %s%s\n"
                     "or render the window to a PNG without any display:\n"
                     "    QT_QPA_PLATFORM=offscreen %s --screenshot cachelens.png\n",
                     argv[0], argc > 1 ? " [same options]" : "", argv[0]);
        return 1;
    }

    QApplication app(argc, argv);

    cachelens::provider::registerRedisProvider(); // the Simulate panel's Redis targets
    app.setWindowIcon(cachelens::ui::appIcon());
    QApplication::setDesktopFileName(QStringLiteral("io.cachelens.CacheLens"));
    const cachelens::ui::GuiOptions& options = parsed.options;
    const auto prefs = cachelens::ui::Preferences::load();
    cachelens::ui::applyTheme(app, prefs.theme);

    cachelens::app::Gui gui;
    cachelens::ui::MainWindow& window = gui.window();
    cachelens::ui::StallMeter stalls;
    auto* keys = qobject_cast<cachelens::ui::KeysPanel*>(window.panel(QStringLiteral("keys")));
    // The Keys panel scans the local engine first; with --connect, the scan that counts is the connection's.
    const auto scannedWanted = [keys, wantRedis = options.connect.has_value()] {
        return !wantRedis || (keys->source() && keys->source()->kind() == cachelens::Source::Kind::Redis);
    };
    if (!options.key.isEmpty()) {
        auto once = std::make_shared<QMetaObject::Connection>();
        *once = QObject::connect(keys, &cachelens::ui::KeysPanel::scanDone, keys, [keys, scannedWanted, once, key = options.key] {
            if (!scannedWanted())
                return;
            QObject::disconnect(*once);
            keys->openKey(key);
        });
    }
    if (options.reportStalls) {
        // Measures from the scan's start until the whole tree is loaded, then reports and exits. (The window's own
        // start-up, its first paint and the other panels' set-up, is not part of loading the keys.)
        QObject::connect(keys, &cachelens::ui::KeysPanel::scanStarted, &app, [&stalls, scannedWanted] {
            if (scannedWanted())
                stalls.start();
        });
        QObject::connect(keys, &cachelens::ui::KeysPanel::scanDone, &app, [&stalls, keys, scannedWanted](quint64 total, bool cancelled) {
            if (!scannedWanted())
                return;   // the local engine's scan, before the connection was ready
            stalls.stop();
            const auto* model = keys->model();
            std::printf("keys=%llu max_stall_ms=%.1f model_bytes_per_key=%.1f max_stall_cpu_ms=%.1f%s\n",
                        static_cast<unsigned long long>(total), stalls.maxStallMs(),
                        model->loadedKeys() ? double(model->bytesUsed() - model->keyBytes()) / double(model->loadedKeys()) : 0.0,
                        stalls.maxStallCpuMs(), cancelled ? " cancelled" : "");
            std::fflush(stdout);
            QCoreApplication::exit(cancelled ? 1 : 0);
        });
    }
    // A screenshot run is reproducible: it ignores the last session's layout.
    if (prefs.restoreLayout && options.screenshotFile.isEmpty())
        window.restoreLayout();
    if (options.demo)
        window.setDemoRunning(true);
    if (options.connect)
        window.addConnection(*options.connect);
    if (!options.panel.isEmpty())
        window.showPanel(options.panel);
    window.show();

    if (!options.screenshotFile.isEmpty()) {
        cachelens::ui::scheduleScreenshot(&window, options.screenshotFile, options.screenshotAfterMs,
                                          [](bool ok, const QString& message) {
                                              std::fprintf(ok ? stdout : stderr, "%s\n", qPrintable(message));
                                              QCoreApplication::exit(ok ? 0 : 1);
                                          });
    }
    return app.exec();
}
