#include "IsolatedEnvironment.h"
#include "RedisServer.h"
#include "WarningGuard.h"

#include "app/cachelens/ConnectionManager.h"
#include "app/cachelens/Gui.h"
#include "connectors/ConnectionUrl.h"
#include <cachelens/cache.h>
#include "ui/ConnectionListModel.h"
#include "ui/Icons.h"
#include "ui/MainWindow.h"
#include "ui/Panel.h"
#include "ui/Theme.h"
#include "ui/dashboard/StatTile.h"
#include "ui/invalidate/InvalidatePanel.h"
#include "ui/keys/KeysPanel.h"

#include <QAction>
#include <QApplication>
#include <QDockWidget>
#include <QLineEdit>
#include <QListView>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace cachelens;
using namespace cachelens::app;
using namespace cachelens::ui;

class MainWindowTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("CacheLensTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    }

    void init() { QSettings().clear(); }

    void everyPanelOpensAndRendersWithoutWarnings()
    {
        test::WarningGuard guard;
        QTemporaryDir dir;
        Gui windowGui;
        MainWindow& window = windowGui.window();
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QStringList ids = MainWindow::panelIds();
        QCOMPARE(ids, (QStringList{QStringLiteral("dashboard"), QStringLiteral("keys"), QStringLiteral("invalidate"),
                                   QStringLiteral("simulate")}));
        for (const QString& id : ids) {
            QVERIFY(window.showPanel(id));
            QCOMPARE(window.currentPanel()->panelId(), id);
            QVERIFY(window.currentPanel()->isVisible());
            const QPixmap shot = window.grab();
            QVERIFY(!shot.isNull());
            QCOMPARE(shot.size(), window.size() * shot.devicePixelRatio());
            QVERIFY(shot.save(dir.filePath(id + QStringLiteral(".png"))));
        }
        QVERIFY(!window.showPanel(QStringLiteral("nonsense")));
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }

    void keysNamespaceOpensInTheInvalidatePanel()
    {
        test::WarningGuard guard;
        Gui windowGui;
        MainWindow& window = windowGui.window();
        window.show();
        auto* keys = qobject_cast<KeysPanel*>(window.panel(QStringLiteral("keys")));
        auto* invalidate = qobject_cast<InvalidatePanel*>(window.panel(QStringLiteral("invalidate")));
        QVERIFY(keys && invalidate);
        window.showPanel(QStringLiteral("keys"));
        Q_EMIT keys->openInInvalidate(QStringLiteral("local"), QByteArrayLiteral("room_messages:*"));
        QCOMPARE(window.currentPanel()->panelId(), QStringLiteral("invalidate"));
        QCOMPARE(invalidate->patternEdit()->text(), QStringLiteral("room_messages:*"));
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }

    void localEngineIsSelectedAndShownInTheStatusBar()
    {
        Gui windowGui;
        MainWindow& window = windowGui.window();
        window.show();
        QCOMPARE(window.connections()->rowCount(), 1);
        QVERIFY(window.statusText().startsWith(QStringLiteral("Local engine: ready")));
        QVERIFY(window.windowTitle().contains(QStringLiteral("Local engine")));
        QVERIFY(window.currentSource());
        QCOMPARE(window.currentSource()->kind(), Source::Kind::Local);
    }

    void demoWorkloadDrivesTheLocalEngine()
    {
        Gui windowGui;
        MainWindow& window = windowGui.window();
        QVERIFY(!window.demoAction()->isChecked());
        window.setDemoRunning(true);
        QVERIFY(window.demoAction()->isChecked());
        const auto cache = windowGui.connections().localCache();
        QVERIFY(cache->stats().entries > 100);   // populated at once: the key tree is not empty
        const auto before = cache->stats().gets();
        QTRY_VERIFY_WITH_TIMEOUT(cache->stats().gets() > before + 500, 10000);
        window.demoAction()->setChecked(false);
        QVERIFY(!windowGui.connections().demoRunning());
    }

    void connectingAddsASidebarRowAndShowsTheLiveState()
    {
        test::RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        Gui windowGui;
        MainWindow& window = windowGui.window();
        window.show();
        const auto url = ConnectionUrl::parse(server.url() + QStringLiteral("/1"));
        QVERIFY(url.ok());
        const int row = window.addConnection(*url.url);
        QCOMPARE(row, 1);
        auto* list = window.findChild<QListView*>(QStringLiteral("connectionList"));
        QVERIFY(list);
        QCOMPARE(list->currentIndex().row(), 1);
        QTRY_VERIFY2_WITH_TIMEOUT(window.statusText().startsWith(server.url() + QStringLiteral("/1: ready")),
                                  qPrintable(window.statusText()), 10000);
        QVERIFY(window.currentSource());
        QCOMPARE(window.currentSource()->kind(), Source::Kind::Redis);
        // The dashboard polls the source; the status bar shows what CacheLens itself costs this server.
        QTRY_VERIFY2_WITH_TIMEOUT(window.ownLoadText().contains(QStringLiteral(" cmd/s, ")),
                                  qPrintable(window.ownLoadText()), 10000);
        QVERIFY(window.ownLoadText().contains(QStringLiteral("ms p99")));
        auto* tile = window.findChild<StatTile*>(QStringLiteral("ownLoadTile"));
        QVERIFY(tile);
        QTRY_VERIFY2_WITH_TIMEOUT(tile->value().endsWith(QStringLiteral("cmd/s")) && tile->isVisible(),
                                  qPrintable(tile->value()), 10000);
        list->setCurrentIndex(window.connections()->index(0));
        QVERIFY(window.statusText().startsWith(QStringLiteral("Local engine")));
        QVERIFY(window.ownLoadText().isEmpty());   // the local engine costs no server anything
    }

    void aServerThatIsNotThereIsReportedNotHidden()
    {
        Gui windowGui;
        MainWindow& window = windowGui.window();
        window.show();
        const auto url = ConnectionUrl::parse(
            QStringLiteral("redis://:hunter2@127.0.0.1:%1").arg(test::RedisServer::freePort()));
        window.addConnection(*url.url);
        QTRY_VERIFY2_WITH_TIMEOUT(window.statusText().contains(QStringLiteral("reconnecting")),
                                  qPrintable(window.statusText()), 10000);
        QVERIFY(window.statusText().contains(QStringLiteral("***")));
        QVERIFY(!window.statusText().contains(QStringLiteral("hunter2")));
    }

    void menusUseStandardShortcuts()
    {
        Gui windowGui;
        MainWindow& window = windowGui.window();
        QVERIFY(window.refreshAction()->shortcuts().contains(QKeySequence(Qt::Key_F5)));
        auto* quit = window.findChild<QAction*>(QStringLiteral("quitAction"));
        QVERIFY(quit);
        QCOMPARE(quit->shortcut(), QKeySequence(QKeySequence::Quit));
        QVERIFY(!window.findChild<QAction*>(QStringLiteral("preferencesAction"))->shortcuts().isEmpty());
        QVERIFY(window.findChild<QAction*>(QStringLiteral("aboutAction")));
        QVERIFY(!window.fullScreenAction()->shortcuts().isEmpty());
        // Placeholders have nothing to refresh, so F5 is disabled rather than silently doing nothing.
        QVERIFY(window.showPanel(QStringLiteral("simulate")));
        QVERIFY(!window.refreshAction()->isEnabled());
    }

    void fullScreenActionTogglesTheWindowState()
    {
        Gui windowGui;
        MainWindow& window = windowGui.window();
        window.show();
        window.fullScreenAction()->trigger();
        QVERIFY(window.windowState() & Qt::WindowFullScreen);
        window.fullScreenAction()->trigger();
        QVERIFY(!(window.windowState() & Qt::WindowFullScreen));
    }

    void layoutIsRestoredFromSettings()
    {
        {
            Gui firstGui;
            MainWindow& first = firstGui.window();
            first.show();
            first.resize(1000, 640);
            auto* dock = first.findChild<QDockWidget*>(QStringLiteral("connectionsDock"));
            QVERIFY(dock);
            first.addDockWidget(Qt::RightDockWidgetArea, dock);
            QVERIFY(first.showPanel(QStringLiteral("invalidate")));
            first.close();   // saves like a user's close does
        }
        Gui secondGui;
        MainWindow& second = secondGui.window();
        second.restoreLayout();
        second.show();
        auto* dock = second.findChild<QDockWidget*>(QStringLiteral("connectionsDock"));
        QCOMPARE(second.dockWidgetArea(dock), Qt::RightDockWidgetArea);
        QCOMPARE(second.currentPanel()->panelId(), QStringLiteral("invalidate"));
        QCOMPARE(second.size(), QSize(1000, 640));
    }

    void themeChoiceSetsTheApplicationPalette_data()
    {
        QTest::addColumn<QString>("choice");
        QTest::addColumn<bool>("dark");
        QTest::addRow("dark") << QStringLiteral("dark") << true;
        QTest::addRow("light") << QStringLiteral("light") << false;
    }

    void themeChoiceSetsTheApplicationPalette()
    {
        QFETCH(QString, choice);
        QFETCH(bool, dark);
        applyTheme(*qApp, themeChoiceFromKey(choice));
        QCOMPARE(isDark(QApplication::palette()), dark);
        Gui windowGui;
        MainWindow& window = windowGui.window();
        window.show();
        const QImage image = window.grab().toImage();
        // The status bar's background is window colour: dark theme → dark pixels where the user looks.
        const QColor corner = image.pixelColor(image.width() - 2, image.height() - 2);
        QCOMPARE(corner.lightness() < 128, dark);
        applyTheme(*qApp, ThemeChoice::System);
    }

    void iconsComeFromTheBundledSvgs()
    {
        QVERIFY(!appIcon().isNull());
        QVERIFY(!appIcon().pixmap(64, 64).isNull());
        for (const char* name : {"refresh", "dashboard", "keys", "invalidate", "simulate", "local-engine", "redis", "production"})
            QVERIFY2(!themedIcon(nullptr, name).pixmap(16, 16).isNull(), name);
    }
};

QTEST_MAIN(MainWindowTest)
#include "tst_mainwindow.moc"
