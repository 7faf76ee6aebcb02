// The sidebar's L1+L2 demo on a real redis-server: starting it (ConnectionManager::startProviderDemo, the action
// behind "Start L1+L2 demo") puts two engine instances with L1 and the invalidation bus to work under their own
// prefix, the Dashboard's demo tiles show L1 and L2 hit rates and bus messages/s moving, and stopping it removes
// every key it wrote and says so. A read-only connection refuses it, and the menu says why.
#include "IsolatedEnvironment.h"

#include "AuditRows.h"
#include "RedisServer.h"

#include "app/cachelens/ConnectionManager.h"
#include "connectors/Source.h"
#include "connectors/ProviderDemoSource.h"
#include "ui/ConnectionListModel.h"
#include "ui/dashboard/DashboardPanel.h"
#include "ui/dashboard/DemoTiles.h"
#include "ui/dashboard/StatTile.h"

#include <QSettings>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace cachelens;
using namespace cachelens::app;
using namespace cachelens::ui;

class ProviderDemoTest : public QObject
{
    Q_OBJECT
private:
    test::RedisServer m_server;

    int demoKeys() const
    {
        const QByteArray out = m_server.cli({QStringLiteral("--scan"), QStringLiteral("--pattern"), QStringLiteral("cachelens:demo:*")});
        return out.isEmpty() ? 0 : int(out.count('\n')) + 1;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("CacheLensTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_providerdemo"));
        qRegisterMetaType<cachelens::Source*>();
        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
    }
    void init() { QSettings().clear(); }

    void startingTheDemoMovesTheL1AndL2FiguresAndTheBusRateAndStoppingItRemovesItsKeys()
    {
        ConnectionListModel model;
        ConnectionManager manager(&model);
        const int row = manager.openAdHoc(*ConnectionUrl::parse(m_server.url()).url);
        DashboardPanel dashboard(QString(), nullptr);
        dashboard.setPollInterval(DashboardPanel::kMinPollMs);
        QSignalSpy changed(&manager, &ConnectionManager::providerDemoChanged);
        QSignalSpy notices(&manager, &ConnectionManager::notice);
        connect(&manager, &ConnectionManager::providerDemoChanged, &dashboard,
                [&](const QString&, Source* demo, bool running) {
                    if (running) dashboard.addSource(demo);
                    else dashboard.removeSource(demo);
                });
        manager.startProviderDemo(row);
        QTRY_COMPARE(changed.size(), 1);
        QVERIFY(manager.providerDemoRunning(model.entry(row).id));
        DemoTiles* tiles = dashboard.demoTiles();
        QTRY_VERIFY_WITH_TIMEOUT(tiles->isVisibleTo(&dashboard), 10000);
        // Both instances read through L1 (hits that cost no network) and Redis behind it; each one's writes reach
        // the other over the bus.
        QTRY_VERIFY_WITH_TIMEOUT(tiles->l1HitRate() > 0 && tiles->l2HitRate() >= 0 && tiles->busPerSecond() > 0, 20000);
        QVERIFY(tiles->l1Tile()->value().contains(QLatin1Char('%')));
        QVERIFY(tiles->busTile()->value().endsWith(QLatin1String("/s")));
        QVERIFY(demoKeys() > 0);

        manager.stopProviderDemo(model.entry(row).id);
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, 10000);
        QCOMPARE(changed.at(1).at(2).toBool(), false);
        QVERIFY(!manager.providerDemoRunning(model.entry(row).id));
        QCOMPARE(demoKeys(), 0);
        QTRY_VERIFY(!notices.isEmpty());
        const QString sentence = notices.last().at(0).toString();
        QVERIFY2(sentence.contains(QLatin1String("stopped after")) && sentence.contains(QLatin1String("removed")),
                 qPrintable(sentence));
        QTRY_VERIFY(!tiles->isVisibleTo(&dashboard));
    }

    void aReadOnlyConnectionRefusesTheDemo()
    {
        ConnectionListModel model;
        ConnectionManager manager(&model);
        ConnectionEntry e;
        e.id = QStringLiteral("ro");
        e.name = QStringLiteral("read-only cache");
        e.url = *ConnectionUrl::parse(m_server.url()).url;
        e.readOnly = true;
        const int row = model.upsert(e);
        QSignalSpy changed(&manager, &ConnectionManager::providerDemoChanged);
        QSignalSpy notices(&manager, &ConnectionManager::notice);
        manager.startProviderDemo(row);
        QCOMPARE(notices.size(), 1);
        QVERIFY(notices.at(0).at(0).toString().contains(QLatin1String("read-only")));
        QCOMPARE(changed.size(), 0);
        QCOMPARE(demoKeys(), 0);
    }

    // The demo writes keys: on a production connection its guard wants the typed name before the first write (the
    // sidebar's action asks for it), and the run is in the audit log.
    void aProductionConnectionRunsTheDemoOnlyWithItsTypedName()
    {
        ConnectionListModel model;
        ConnectionManager manager(&model);
        ConnectionEntry e;
        e.id = QStringLiteral("prod");
        e.name = QStringLiteral("prod-cache");
        e.url = *ConnectionUrl::parse(m_server.url()).url;
        e.production = true;
        const int row = model.upsert(e);
        QSignalSpy changed(&manager, &ConnectionManager::providerDemoChanged);
        QSignalSpy notices(&manager, &ConnectionManager::notice);
        manager.startProviderDemo(row);   // no typed name
        QTRY_VERIFY(!notices.isEmpty());
        QVERIFY2(notices.last().at(0).toString().contains(QLatin1String("production")), qPrintable(notices.last().at(0).toString()));
        QCOMPARE(demoKeys(), 0);
        QTRY_COMPARE(changed.size(), 2);   // started, then gone again without writing
        QVERIFY(!manager.providerDemoRunning(e.id));

        manager.startProviderDemo(row, Confirmation{QStringLiteral("prod-cache")});
        QTRY_COMPARE(changed.size(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(demoKeys() > 0, 10000);
        manager.stopProviderDemo(e.id);
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 4, 10000);
        const QVector<AuditEntry> rows = test::auditRows(AuditStore::defaultPath());
        QVERIFY(!rows.isEmpty());
        QCOMPARE(rows.first().connection, QStringLiteral("prod-cache"));
        QCOMPARE(rows.first().outcome, QStringLiteral("completed"));
    }
};

QTEST_MAIN(ProviderDemoTest)
#include "tst_providerdemo.moc"
