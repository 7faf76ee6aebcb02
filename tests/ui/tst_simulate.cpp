// The Simulate panel, offscreen: presets, bad input changes nothing, a comparison runs off the GUI thread with live
// results and a miss-ratio curve, Cancel says what happened.
#include "IsolatedEnvironment.h"
#include "RedisServer.h"
#include "connectors/profiles/ProfileStore.h"
#include "connectors/provider/RedisProvider.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

#include "ui/simulate/SimResultsModel.h"
#include "ui/simulate/SimulatePanel.h"

using namespace cachelens;
using namespace cachelens::ui;

namespace {
const char* kSmall = R"({"name": "small", "keys": 2000, "distribution": {"type": "zipf", "s": 0.9}, "requests": 20000,
  "readRatio": 0.95, "rate": 1000, "valueSize": {"min": 50, "max": 200}, "ttlSeconds": 30,
  "cache": {"target": "local", "policy": "wtinylfu", "maxEntries": 200, "maxBytes": 0},
  "backing": {"type": "sqlite", "latencyMs": 1}, "seed": 7})";
}

class TestSimulate : public QObject {
    Q_OBJECT
private slots:
    void presetsFillTheEditorWithValidWorkloads()
    {
        SimulatePanel panel;
        QVERIFY(panel.presets()->count() >= 4);
        for (int i = 0; i < panel.presets()->count(); ++i) {
            panel.applyPreset(i);
            QString error;
            QVERIFY2(!panel.configurations(error).isEmpty(), qPrintable(error));
        }
    }

    void badInputIsExplainedAndNothingRuns_data()
    {
        QTest::addColumn<QString>("spec");
        QTest::addColumn<QString>("policies");
        QTest::addColumn<QString>("expected");
        QTest::addRow("json") << QStringLiteral("{\"keys\": }") << QString() << QStringLiteral("not valid");
        QTest::addRow("typo") << QStringLiteral("{\"kyes\": 5}") << QString() << QStringLiteral("unknown key \"kyes\"");
        QTest::addRow("policy") << QString::fromUtf8(kSmall) << QStringLiteral("lru,arc") << QStringLiteral("Unknown policy \"arc\"");
    }
    void badInputIsExplainedAndNothingRuns()
    {
        QFETCH(QString, spec);
        QFETCH(QString, policies);
        QFETCH(QString, expected);
        SimulatePanel panel;
        panel.editor()->setPlainText(spec);
        panel.comparePolicies()->setText(policies);
        QTest::mouseClick(panel.runButton(), Qt::LeftButton);
        QVERIFY(!panel.isRunning());
        QVERIFY2(panel.statusLabel()->text().contains(expected), qPrintable(panel.statusLabel()->text()));
        QVERIFY(panel.statusLabel()->text().contains(QStringLiteral("Nothing was run")));
        QCOMPARE(panel.resultsModel()->rowCount(), 0);
    }

    void comparisonRunsWithLiveResultsAndACurve()
    {
        SimulatePanel panel;
        panel.show();
        QAbstractItemModelTester tester(panel.resultsModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        panel.editor()->setPlainText(QString::fromUtf8(kSmall));
        panel.comparePolicies()->setText(QStringLiteral("lru, wtinylfu"));
        panel.compareSizes()->setText(QStringLiteral("100,400"));
        QSignalSpy done(&panel, &SimulatePanel::runsFinished);
        QTest::mouseClick(panel.runButton(), Qt::LeftButton);
        QVERIFY(panel.isRunning()); // returned at once: the work is on another thread
        QVERIFY(!panel.runButton()->isEnabled());
        QVERIFY(panel.cancelButton()->isEnabled());
        QCOMPARE(panel.resultsModel()->rowCount(), 4);
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 240000);
        QCOMPARE(done.first().first().toBool(), false);
        QVERIFY(panel.runButton()->isEnabled());
        QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("Ran 4 configuration")), qPrintable(panel.statusLabel()->text()));
        for (int row = 0; row < 4; ++row) {
            QCOMPARE(panel.resultsModel()->results(row).requests, 20000u);
            QCOMPARE(panel.resultsModel()->index(row, SimResultsModel::State).data().toString(), QStringLiteral("done"));
        }
        // A bigger cache hits more, whatever the policy.
        QVERIFY(panel.resultsModel()->results(1).hitRate > panel.resultsModel()->results(0).hitRate);
        QCOMPARE(panel.liveChart()->graphCount(), 4);
        // The MRC: LRU's curve plus one scatter series per compared policy.
        QTRY_VERIFY(panel.mrcChart()->graphCount() >= 3);
        // LRU's simulated points sit on the curve within a few points (TTL and writes make them differ a little).
    }

    void cancelStopsAndSaysWhatHappened()
    {
        SimulatePanel panel;
        QString spec = QString::fromUtf8(kSmall);
        spec.replace(QStringLiteral("\"requests\": 20000"), QStringLiteral("\"requests\": 500000000"));
        spec.replace(QStringLiteral("\"sqlite\""), QStringLiteral("\"memory\""));
        panel.editor()->setPlainText(spec);
        panel.compareSizes()->setText(QStringLiteral("100,200"));
        QSignalSpy done(&panel, &SimulatePanel::runsFinished);
        panel.run();
        QTRY_VERIFY(panel.resultsModel()->results(0).requests > 0);
        QTest::mouseClick(panel.cancelButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 60000);
        QCOMPARE(done.first().first().toBool(), true);
        QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("Cancelled: 0 of 2")), qPrintable(panel.statusLabel()->text()));
        QCOMPARE(panel.resultsModel()->index(0, SimResultsModel::State).data().toString(), QStringLiteral("cancelled"));
        QCOMPARE(panel.resultsModel()->index(1, SimResultsModel::State).data().toString(), QStringLiteral("waiting"));
    }

    // A saved production connection as the target: refused until its name is typed, then the runs go to the real
    // redis-server over the network and leave no key behind.
    void redisTargetIsRefusedUntilConfirmedThenRunsAndCleansUp()
    {
        provider::registerRedisProvider();
        test::RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        ConnectionProfile profile;
        profile.id = QStringLiteral("sim-prod");
        profile.name = QStringLiteral("prod-cache");
        profile.url = *ConnectionUrl::parse(server.url()).url;
        profile.production = true;
        QVERIFY(ProfileStore().save(profile));
        SimulatePanel panel;
        panel.show();
        panel.reloadTargets();
        const int i = panel.targets()->findData(QStringLiteral("prod-cache"));
        QVERIFY(i > 0);
        panel.targets()->setCurrentIndex(i);
        QVERIFY(panel.targetConfirmation()->isVisibleTo(&panel));
        panel.editor()->setPlainText(QStringLiteral(R"({"keys": 300, "requests": 2000, "rate": 0, "ttlSeconds": 60,
            "cache": {"target": "local", "policy": "lru", "maxEntries": 100}, "backing": {"type": "memory", "latencyMs": 0}})"));
        QTest::mouseClick(panel.runButton(), Qt::LeftButton);
        QVERIFY(!panel.isRunning());
        QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("Refused")), qPrintable(panel.statusLabel()->text()));
        QCOMPARE(server.cli({QStringLiteral("DBSIZE")}), QByteArray("0"));

        panel.targetConfirmation()->setText(QStringLiteral("prod-cache"));
        QSignalSpy done(&panel, &SimulatePanel::runsFinished);
        QTest::mouseClick(panel.runButton(), Qt::LeftButton);
        QVERIFY(panel.isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 60000);
        QCOMPARE(panel.resultsModel()->results(0).requests, 2000u);
        QVERIFY(panel.resultsModel()->results(0).hitRate > 0.3);
        QCOMPARE(server.cli({QStringLiteral("DBSIZE")}), QByteArray("0"));
    }

    void specsSaveAndLoad()
    {
        QTemporaryDir dir;
        SimulatePanel panel;
        panel.editor()->setPlainText(QString::fromUtf8(kSmall));
        const QString path = dir.filePath(QStringLiteral("w.json"));
        QVERIFY(panel.saveSpecFile(path));
        panel.applyPreset(1);
        QVERIFY(panel.loadSpecFile(path));
        QCOMPARE(panel.editor()->toPlainText(), QString::fromUtf8(kSmall));
        QFile bad(dir.filePath(QStringLiteral("bad.json")));
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("{\"keys\": \"many\"}");
        bad.close();
        QVERIFY(!panel.loadSpecFile(bad.fileName()));
        QCOMPARE(panel.editor()->toPlainText(), QString::fromUtf8(kSmall)); // unchanged
        QVERIFY(panel.statusLabel()->text().contains(QStringLiteral("must be a number")));
    }
};

QTEST_MAIN(TestSimulate)
#include "tst_simulate.moc"
