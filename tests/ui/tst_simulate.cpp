// The Simulate panel, offscreen: presets, bad input changes nothing, a comparison runs off the GUI thread with live
// results and a miss-ratio curve, Cancel says what happened.
#include "IsolatedEnvironment.h"
#include "RedisServer.h"
#include "DemoEngine.h"
#include "connectors/profiles/ProfileStore.h"
#include "connectors/profiles/SecretStore.h"
#include "connectors/provider/BlockingRedis.h"
#include "connectors/provider/RedisProvider.h"
#include <cachelens/cache.h>

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProgressBar>
#include <QSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <qcustomplot.h>

#include "ui/simulate/RecordTraceDialog.h"
#include "ui/simulate/SimResultsModel.h"
#include "ui/simulate/SimulatePanel.h"

#include <thread>

using namespace cachelens;
using namespace cachelens::ui;

namespace {
const char* kSmall = R"({"name": "small", "keys": 2000, "distribution": {"type": "zipf", "s": 0.9}, "requests": 20000,
  "readRatio": 0.95, "rate": 1000, "valueSize": {"min": 50, "max": 200}, "ttlSeconds": 30,
  "cache": {"target": "local", "policy": "wtinylfu", "maxEntries": 200, "maxBytes": 0},
  "backing": {"type": "sqlite", "latencyMs": 1}, "seed": 7})";

bool keychainExpected() { return qEnvironmentVariable("CACHELENS_EXPECT_KEYCHAIN") == QLatin1String("1"); }

// Plain GETs on a server until stopped, from a thread: traffic for MONITOR to record.
class Traffic {
public:
    Traffic(quint16 port, const std::string& password = {})
        : m_thread([this, port, password] {
              provider::RedisEndpoint ep;
              ep.port = port;
              ep.password = password;
              ep.timeout = std::chrono::milliseconds(2000);
              provider::BlockingConnection c(ep);
              std::string error;
              if (!c.connect(error)) return;
              provider::Reply r;
              for (int i = 0; !m_stop; ++i) c.command({"GET", "user:" + std::to_string(i % 20)}, r, error);
          })
    {
    }
    ~Traffic()
    {
        m_stop = true;
        m_thread.join();
    }

private:
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};
} // namespace

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

    // Record… on the local engine while the demo workload drives it: progress, a closing sentence with the engine's
    // own hit ratio, then Use as Workload puts the file in the editor with the engine's policy and size, and a run
    // of it comes within a few points of what the engine did live (the run has one LRU shard and the spec's TTL).
    void recordTheLocalEngineThenRunTheTrace()
    {
        engine::CacheOptions o;
        o.maxEntries = 1000;
        o.maxBytes = 0;
        o.policy = engine::PolicyKind::Lru;
        test::DemoEngine engine(o, 200000);
        const auto& cache = engine.cache;
        QTemporaryDir dir;
        SimulatePanel panel;
        panel.show();
        panel.setLocalEngine(cache);
        QTest::mouseClick(panel.recordButton(), Qt::LeftButton);
        RecordTraceDialog* d = panel.recordDialog();
        QTRY_VERIFY(d->isVisible());
        QCOMPARE(d->sources()->currentData().toString(), QStringLiteral("local"));
        QVERIFY(d->note()->text().contains(QStringLiteral("access tap")));
        d->maxRequests()->setValue(20000);
        d->seconds()->setValue(600);
        d->formats()->setCurrentIndex(d->formats()->findData(QStringLiteral("text")));
        d->path()->setText(dir.filePath(QStringLiteral("demo.txt")));
        QSignalSpy finished(d, &RecordTraceDialog::recordingFinished);
        QTest::mouseClick(d->recordButton(), Qt::LeftButton);
        QVERIFY(d->isRecording());
        QVERIFY(d->stopButton()->isEnabled());
        QVERIFY(!d->recordButton()->isEnabled());
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 120000);
        engine.stop();
        const sim::TraceRecording r = d->lastRecording();
        QVERIFY2(r.saved, qPrintable(d->status()->text()));
        QCOMPARE(r.requests, 20000u);
        QVERIFY2(d->status()->text().contains(QStringLiteral("the engine hit")), qPrintable(d->status()->text()));
        QVERIFY(d->status()->text().contains(QStringLiteral("stopped at the limit")));
        QVERIFY(d->useButton()->isEnabled());
        const double live = double(r.liveHits) / double(r.liveGets);

        QTest::mouseClick(d->useButton(), Qt::LeftButton);
        const QJsonObject spec = QJsonDocument::fromJson(panel.editor()->toPlainText().toUtf8()).object();
        QCOMPARE(spec.value(QStringLiteral("distribution")).toObject().value(QStringLiteral("type")).toString(), QStringLiteral("trace"));
        QCOMPARE(spec.value(QStringLiteral("distribution")).toObject().value(QStringLiteral("path")).toString(), r.path);
        QCOMPARE(spec.value(QStringLiteral("cache")).toObject().value(QStringLiteral("policy")).toString(), QStringLiteral("lru"));
        QCOMPARE(spec.value(QStringLiteral("cache")).toObject().value(QStringLiteral("maxEntries")).toInt(), 1000);
        QSignalSpy done(&panel, &SimulatePanel::runsFinished);
        QTest::mouseClick(panel.runButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 120000);
        const auto& result = panel.resultsModel()->results(0);
        QCOMPARE(result.requests, 20000u);
        qInfo("live hit ratio %.4f, simulated run of the recording %.4f", live, result.hitRate);
        QVERIFY(std::abs(result.hitRate - live) < 0.03);
    }

    // Record… on a production Redis connection: MONITOR's cost is stated, nothing is recorded until the name is
    // typed, then MONITOR records the traffic; Stop keeps what was recorded.
    void recordFromAProductionConnectionNeedsItsName()
    {
        test::RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        ConnectionProfile profile;
        profile.id = ConnectionProfile::newId();
        profile.name = QStringLiteral("prod-rec");
        profile.url = *ConnectionUrl::parse(server.url()).url;
        profile.production = true;
        QVERIFY(ProfileStore().save(profile));
        QTemporaryDir dir;
        SimulatePanel panel; // no local engine: that source is disabled
        panel.show();
        panel.openRecordDialog();
        RecordTraceDialog* d = panel.recordDialog();
        QVERIFY(d->sources()->currentIndex() > 0); // the local engine is not offered without one
        d->sources()->setCurrentIndex(d->sources()->findData(QStringLiteral("prod-rec")));
        QVERIFY2(d->note()->text().contains(QStringLiteral("MONITOR")) && d->note()->text().contains(QStringLiteral("halve")),
                 qPrintable(d->note()->text()));
        QVERIFY(d->confirmation()->isVisibleTo(d));
        d->path()->setText(dir.filePath(QStringLiteral("prod.txt")));
        d->formats()->setCurrentIndex(d->formats()->findData(QStringLiteral("text")));
        QTest::mouseClick(d->recordButton(), Qt::LeftButton);
        QVERIFY(!d->isRecording());
        QVERIFY2(d->status()->text().contains(QStringLiteral("Refused")), qPrintable(d->status()->text()));
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("prod.txt"))));

        Traffic traffic(server.port());
        d->confirmation()->setText(QStringLiteral("prod-rec"));
        d->seconds()->setValue(600);
        QSignalSpy finished(d, &RecordTraceDialog::recordingFinished);
        QTest::mouseClick(d->recordButton(), Qt::LeftButton);
        QVERIFY(d->isRecording());
        QTRY_VERIFY_WITH_TIMEOUT(d->status()->text().contains(QStringLiteral("requests/s")), 60000);
        QTest::mouseClick(d->stopButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        const sim::TraceRecording r = d->lastRecording();
        QVERIFY2(r.saved && r.cancelled && r.requests > 0, qPrintable(d->status()->text()));
        QVERIFY(d->status()->text().contains(QStringLiteral("stopped early")));
        std::string error;
        const auto trace = engine::sim::loadTrace(r.path.toStdString(), engine::sim::TraceFormat::Text, error);
        QVERIFY2(trace, error.c_str());
        QCOMPARE(std::uint64_t(trace->keys.size()), r.requests);
        QVERIFY(trace->names.size() <= 20);
    }

    // A saved connection whose password is in the keychain, as the simulation target and as a recording source:
    // the panel reads the password from the keychain and the runs authenticate to a real redis-server with
    // requirepass. (Registered a second time under tests/support/with-keyring.sh; skipped without a keychain.)
    // The sentinel row saves a redis-sentinel:// connection whose sentinel has its own requirepass: both secrets come
    // from the keychain.
    void savedConnectionWithAKeychainPasswordWorksFromThePanel_data()
    {
        QTest::addColumn<bool>("viaSentinel");
        QTest::newRow("server password") << false;
        QTest::newRow("sentinel and server passwords") << true;
    }

    void savedConnectionWithAKeychainPasswordWorksFromThePanel()
    {
        QFETCH(bool, viaSentinel);
        if (!keychainExpected()) QSKIP("needs a Secret Service (ctest runs this under tests/support/with-keyring.sh)");
        provider::registerRedisProvider();
        test::RedisServer server(test::RedisServer::Options::requiringPassword(QStringLiteral("k3y pw")));
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        std::unique_ptr<test::RedisServer> sentinel;
        ConnectionProfile profile;
        profile.id = ConnectionProfile::newId(); // the key of its keychain entry
        profile.name = viaSentinel ? QStringLiteral("locked-sentinel") : QStringLiteral("locked");
        profile.url = *ConnectionUrl::parse(server.url()).url;
        if (viaSentinel) {
            test::RedisServer::Options so;
            so.sentinelConfig = QStringList{QStringLiteral("sentinel monitor mymaster 127.0.0.1 %1 1").arg(server.port()),
                                            QStringLiteral("sentinel auth-pass mymaster \"k3y pw\""),
                                            QStringLiteral("requirepass \"s3ntinel pw\"")};
            sentinel = std::make_unique<test::RedisServer>(so);
            QVERIFY2(sentinel->start(), qPrintable(sentinel->errorString()));
            profile.url = *ConnectionUrl::parse(QStringLiteral("redis-sentinel://127.0.0.1:%1/mymaster").arg(sentinel->port())).url;
        }
        QVERIFY(ProfileStore().save(profile));
        const auto writeSecret = [this](const QString& key, const QString& secret) {
            std::optional<SecretStore::Result> written;
            SecretStore().write(key, secret, this, [&](const SecretStore::Result& r) { written = r; });
            QTRY_VERIFY_WITH_TIMEOUT(written.has_value(), 20000);
            QVERIFY2(written->ok(), qPrintable(written->message));
        };
        writeSecret(profile.id, QStringLiteral("k3y pw"));
        if (QTest::currentTestFailed()) return;
        if (viaSentinel) {
            writeSecret(ConnectionProfile::sentinelSecretKey(profile.id), QStringLiteral("s3ntinel pw"));
            if (QTest::currentTestFailed()) return;
        }

        SimulatePanel panel;
        panel.show();
        panel.reloadTargets();
        panel.targets()->setCurrentIndex(panel.targets()->findData(profile.name));
        panel.editor()->setPlainText(QStringLiteral(R"({"keys": 300, "requests": 2000, "rate": 0, "ttlSeconds": 60,
            "cache": {"target": "local", "policy": "lru", "maxEntries": 100}, "backing": {"type": "memory", "latencyMs": 0}})"));
        QSignalSpy done(&panel, &SimulatePanel::runsFinished);
        QTest::mouseClick(panel.runButton(), Qt::LeftButton);
        QVERIFY(panel.isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 60000);
        QVERIFY2(panel.statusLabel()->text().contains(QStringLiteral("Ran 1 configuration")),
                 qPrintable(panel.resultsModel()->index(0, SimResultsModel::State).data().toString()));
        QCOMPARE(panel.resultsModel()->results(0).requests, 2000u);
        QVERIFY(panel.resultsModel()->results(0).hitRate > 0.3);
        const QStringList auth{QStringLiteral("-a"), QStringLiteral("k3y pw"), QStringLiteral("--no-auth-warning")};
        QCOMPARE(server.cli(auth + QStringList{QStringLiteral("DBSIZE")}), QByteArray("0"));

        Traffic traffic(server.port(), "k3y pw");
        panel.openRecordDialog();
        RecordTraceDialog* d = panel.recordDialog();
        d->sources()->setCurrentIndex(d->sources()->findData(profile.name));
        QTemporaryDir dir;
        d->path()->setText(dir.filePath(profile.name + QStringLiteral(".u64")));
        d->maxRequests()->setValue(50);
        d->seconds()->setValue(600);
        QSignalSpy finished(d, &RecordTraceDialog::recordingFinished);
        QTest::mouseClick(d->recordButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        QVERIFY2(d->lastRecording().saved && d->lastRecording().requests == 50, qPrintable(d->status()->text()));
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
