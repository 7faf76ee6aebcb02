// connectors/sim: the SQLite source of truth, the workload JSON, the threaded runner, and the cachelensctl
// simulate / replay / mrc commands.
#include "IsolatedEnvironment.h"
#include "RedisServer.h"
#include "connectors/provider/BlockingRedis.h"
#include "connectors/provider/RedisProvider.h"
#include "connectors/sim/MonitorRecorder.h"
#include "connectors/sim/TraceRecorder.h"
#include "DemoEngine.h"
#include "connectors/profiles/ProfileStore.h"
#include "connectors/profiles/SecretStore.h"
#include <cachelens/cache.h>

#include <QBuffer>
#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

#include "connectors/ctl/Command.h"
#include "connectors/sim/SimulationRunner.h"
#include "connectors/sim/MrcCalculator.h"
#include "connectors/sim/SqliteBacking.h"
#include "connectors/sim/WorkloadJson.h"
#include <cachelens/sim/opt.h>
#include <cachelens/sim/replay.h>
#include <cachelens/sim/trace_file.h>

using namespace cachelens;
using engine::sim::SimResults;
using engine::sim::WorkloadSpec;

namespace {

struct CtlResult {
    int code;
    QString out, err;
};

CtlResult runCtl(const QStringList& args)
{
    QString out, err;
    QTextStream o(&out), e(&err);
    QByteArray in;
    QBuffer buffer(&in);
    buffer.open(QIODevice::ReadOnly);
    CtlResult r;
    r.code = ctl::run(args, o, e, buffer);
    r.out = out;
    r.err = err;
    return r;
}

const char* kIssueExample = R"({ "keys": 100000, "distribution": {"type": "zipf", "s": 0.9}, "requests": 2000000, "readRatio": 0.95,
  "rate": 5000, "valueSize": {"min": 100, "max": 1000}, "ttlSeconds": 30,
  "cache": {"target": "local", "policy": "wtinylfu", "maxEntries": 10000, "maxBytes": 0},
  "backing": {"type": "sqlite", "latencyMs": 2}, "seed": 42 })";

bool keychainExpected() { return qEnvironmentVariable("CACHELENS_EXPECT_KEYCHAIN") == QLatin1String("1"); }

// A saved connection whose password is in the keychain (the test's private Secret Service: with-keyring.sh).
bool saveWithPassword(const QString& name, const QString& url, const QString& password, bool production = false)
{
    ConnectionProfile profile;
    profile.id = ConnectionProfile::newId();
    profile.name = name;
    profile.url = *ConnectionUrl::parse(url).url;
    profile.production = production;
    if (!ProfileStore().save(profile)) return false;
    QObject context;
    std::optional<SecretStore::Result> written;
    SecretStore().write(profile.id, password, &context, [&](const SecretStore::Result& r) { written = r; });
    return QTest::qWaitFor([&] { return written.has_value(); }, 20000) && written->ok();
}

WorkloadSpec smallSpec(const char* backing = "memory")
{
    WorkloadSpec s;
    s.keys = 2000;
    s.requests = 50000;
    s.readRatio = 0.9;
    s.rate = 1000;
    s.valueMin = 50;
    s.valueMax = 200;
    s.ttlSeconds = 10;
    s.maxEntries = 500;
    s.backingType = backing;
    s.latencyMs = 0;
    return s;
}

} // namespace

class TestSimulation : public QObject {
    Q_OBJECT
private slots:
    void sqliteBackingHasOneRowPerKey()
    {
        QTemporaryDir dir;
        QString error;
        std::uint64_t lastProgress = 0;
        auto db = sim::SqliteBacking::create(dir.filePath(QStringLiteral("s.db")), 25000, 10, 40, error,
                                             [&](std::uint64_t n) { lastProgress = n; });
        QVERIFY2(db, qPrintable(error));
        QCOMPARE(db->rowCount(), 25000u);
        QCOMPARE(lastProgress, 25000u);
        auto v = db->read(7);
        QVERIFY(v && v->size() >= 10 && v->size() <= 40);
        QCOMPARE(engine::sim::valueVersion(*v), 0u);
        db->write(7, 3, engine::sim::makeValue(7, 3, 10, 40));
        QCOMPARE(engine::sim::valueVersion(*db->read(7)), 3u);
        QVERIFY(!db->read(25000)); // no such row
    }

    void sqliteBackingRefusesAnUnwritablePath()
    {
        QString error;
        auto db = sim::SqliteBacking::create(QStringLiteral("/proc/nonexistent/s.db"), 10, 10, 10, error);
        QVERIFY(!db);
        QVERIFY2(error.contains(QStringLiteral("/proc/nonexistent/s.db")), qPrintable(error));
    }

    void simulationQueriesAndUpdatesTheDatabase()
    {
        QTemporaryDir dir;
        const WorkloadSpec s = smallSpec("sqlite");
        QString error;
        auto db = sim::SqliteBacking::create(dir.filePath(QStringLiteral("s.db")), s.keys, s.valueMin, s.valueMax, error);
        QVERIFY(db);
        engine::sim::Simulator simulator(s, *db);
        const SimResults r = simulator.run();
        QCOMPARE(r.requests, s.requests);
        QCOMPARE(r.backingQueries, r.misses);
        QCOMPARE(r.backingWrites, r.writes);
        QCOMPARE(r.staleReads, 0u);
        // Every write bumped its row's version by one: the versions in the database add up to the writes.
        std::uint64_t versions = 0;
        for (std::uint64_t k = 0; k < s.keys; ++k) versions += engine::sim::valueVersion(*db->read(k));
        QCOMPARE(versions, r.writes);
    }

    void workloadJsonReadsTheIssueShape()
    {
        QString error;
        const auto s = sim::parseWorkload(QByteArray(kIssueExample), error);
        QVERIFY2(s, qPrintable(error));
        QCOMPARE(s->keys, 100000u);
        QVERIFY(s->distribution.kind == engine::sim::DistributionKind::Zipf);
        QCOMPARE(s->distribution.s, 0.9);
        QCOMPARE(s->requests, 2000000u);
        QCOMPARE(s->valueMax, 1000u);
        QVERIFY(s->policy == engine::PolicyKind::WTinyLfu);
        QCOMPARE(s->latencyMs, 2.0);
        const auto again = sim::parseWorkload(QJsonDocument(sim::workloadToJson(*s)).toJson(), error);
        QVERIFY2(again, qPrintable(error));
        QCOMPARE(sim::workloadToJson(*again), sim::workloadToJson(*s));
    }

    void workloadJsonRefusesMistakesClearly_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        QTest::addRow("typo") << QByteArray(R"({"keys": 10, "ttl": 5})") << QStringLiteral("unknown key \"ttl\"");
        QTest::addRow("policy") << QByteArray(R"({"cache": {"policy": "arc"}})") << QStringLiteral("unknown policy \"arc\"");
        QTest::addRow("ratio") << QByteArray(R"({"readRatio": 2})") << QStringLiteral("\"readRatio\" must be between 0 and 1");
        QTest::addRow("syntax") << QByteArray("{\n\"keys\": 10,\n}") << QStringLiteral("line 3");
        QTest::addRow("distribution") << QByteArray(R"({"distribution": {"type": "pareto"}})") << QStringLiteral("unknown distribution \"pareto\"");
        QTest::addRow("part") << QByteArray(R"({"distribution": {"type": "mixed", "parts": [{"type": "zipf", "z": 1}]}})")
                              << QStringLiteral("distribution.parts[0]: unknown key \"z\"");
        QTest::addRow("empty target") << QByteArray(R"({"cache": {"target": ""}})") << QStringLiteral("a Redis URL");
    }
    void workloadJsonRefusesMistakesClearly()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        QString error;
        QVERIFY(!sim::parseWorkload(json, error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void presetsAreValidWorkloads()
    {
        const auto presets = sim::workloadPresets();
        QVERIFY(presets.size() >= 4);
        for (const auto& p : presets) {
            QString error;
            const auto s = sim::parseWorkload(p.json, error);
            QVERIFY2(s, qPrintable(p.name + QStringLiteral(": ") + error));
            engine::sim::MemoryBacking probe(1, 4, 4);
            engine::sim::Simulator simulator(*s, probe); // validates the distribution too
            QVERIFY(simulator.keys() > 0);
        }
    }

    void runnerReportsEachRunAndFinishes()
    {
        QTemporaryDir dir;
        sim::SimulationRunner runner;
        QSignalSpy finished(&runner, &sim::SimulationRunner::runFinished);
        QSignalSpy all(&runner, &sim::SimulationRunner::allFinished);
        WorkloadSpec a = smallSpec("sqlite"), b = smallSpec();
        b.policy = engine::PolicyKind::Lru;
        QVERIFY(runner.start({a, b}, dir.path()));
        QVERIFY(runner.isRunning());
        QVERIFY(!runner.start({a}, dir.path())); // one job at a time
        QTRY_COMPARE_WITH_TIMEOUT(all.size(), 1, 120000);
        QCOMPARE(all.first().first().toBool(), false);
        QCOMPARE(finished.size(), 2);
        QCOMPARE(finished.at(1).at(0).toInt(), 1);
        const auto r = finished.at(0).at(1).value<SimResults>();
        QVERIFY(r.finished);
        QCOMPARE(r.requests, a.requests);
        QVERIFY(!runner.isRunning());
    }

    void runnerCancelStopsAndSaysSo()
    {
        QTemporaryDir dir;
        sim::SimulationRunner runner;
        QSignalSpy all(&runner, &sim::SimulationRunner::allFinished);
        QSignalSpy finished(&runner, &sim::SimulationRunner::runFinished);
        connect(&runner, &sim::SimulationRunner::progress, &runner, [&] { runner.cancel(); });
        WorkloadSpec s = smallSpec();
        s.requests = 500'000'000;
        QVERIFY(runner.start({s, s}, dir.path()));
        QTRY_COMPARE_WITH_TIMEOUT(all.size(), 1, 120000);
        QCOMPARE(all.first().first().toBool(), true);
        QCOMPARE(finished.size(), 1); // the second run never started
        const auto r = finished.first().at(1).value<SimResults>();
        QVERIFY(r.cancelled);
        QVERIFY(r.requests < s.requests);
    }

    // The Simulate panel's miss-ratio curve makes the same checks as cachelensctl mrc and simulate.
    void mrcCalculatorRefusesWhatTheMachineCannotHold_data()
    {
        QTest::addColumn<quint64>("keys");
        QTest::addColumn<quint64>("size");
        QTest::addColumn<QString>("message");
        QTest::addRow("a zipf table of 10^15 keys") << quint64(1'000'000'000'000'000) << quint64(1000)
                                                    << QStringLiteral("\"keys\": 1,000,000,000,000,000 is more than this machine can hold");
        QTest::addRow("a cache of 10^15 entries") << quint64(1000) << quint64(1'000'000'000'000'000)
                                                  << QStringLiteral("A cache of 1,000,000,000,000,000 entries is more than this machine can hold");
    }
    void mrcCalculatorRefusesWhatTheMachineCannotHold()
    {
        QFETCH(quint64, keys);
        QFETCH(quint64, size);
        QFETCH(QString, message);
        sim::MrcCalculator calculator;
        QSignalSpy failed(&calculator, &sim::MrcCalculator::failed);
        QSignalSpy ready(&calculator, &sim::MrcCalculator::curveReady);
        WorkloadSpec s = smallSpec();
        s.distribution.kind = engine::sim::DistributionKind::Zipf;
        s.keys = keys;
        s.requests = 10000;
        QVERIFY(calculator.start(s, {100, size}));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size() + ready.size(), 1, 60000);
        QCOMPARE(failed.size(), 1);
        const QString error = failed.first().first().toString();
        QVERIFY2(error.contains(message) && error.contains(QStringLiteral("room for at most")), qPrintable(error));
    }

    void theDatabaseGoesWithACancelledRun_data()
    {
        QTest::addColumn<QString>("when");
        QTest::addColumn<bool>("kept");
        QTest::addRow("cancelled while generating") << QStringLiteral("generating") << false;
        QTest::addRow("cancelled while running") << QStringLiteral("running") << false;
        QTest::addRow("finished") << QString() << true;
    }
    void theDatabaseGoesWithACancelledRun()
    {
        QFETCH(QString, when);
        QFETCH(bool, kept);
        QTemporaryDir dir;
        WorkloadSpec s = smallSpec("sqlite");
        if (when == QLatin1String("generating")) s.keys = 1'000'000;
        if (when == QLatin1String("running")) s.requests = 500'000'000;
        std::atomic<bool> cancel{false};
        sim::SimulationHooks hooks;
        hooks.cancel = &cancel;
        std::atomic<bool> seenFile{false};
        const QString path = sim::simulationDatabasePath(dir.path());
        hooks.phase = [&](const std::string& text) {
            seenFile = seenFile || QFileInfo::exists(path);
            if (when == QLatin1String("generating") && text.find("Generating") == 0 && text.find("20,000 of") != std::string::npos)
                cancel = true;
        };
        hooks.progress = [&](const SimResults&) {
            if (when == QLatin1String("running")) cancel = true;
        };
        SimResults r;
        QString error;
        const bool ran = sim::runSimulation(s, dir.path(), hooks, r, error);
        QVERIFY(seenFile);
        if (when == QLatin1String("generating")) {
            QVERIFY(!ran);
            QVERIFY2(error.contains(QStringLiteral("Cancelled while generating")), qPrintable(error));
        } else {
            QVERIFY2(ran, qPrintable(error));
            QCOMPARE(r.cancelled, !kept);
        }
        QCOMPARE(QFileInfo::exists(path), kept);
        QVERIFY(!QFileInfo::exists(path + QStringLiteral("-journal")));
    }

    void runnerReportsABadSpec()
    {
        QTemporaryDir dir;
        sim::SimulationRunner runner;
        QSignalSpy failed(&runner, &sim::SimulationRunner::runFailed);
        QSignalSpy all(&runner, &sim::SimulationRunner::allFinished);
        WorkloadSpec s = smallSpec();
        s.distribution.kind = engine::sim::DistributionKind::Trace;
        s.distribution.tracePath = "/nonexistent/trace.bin";
        QVERIFY(runner.start({s}, dir.path()));
        QTRY_COMPARE(all.size(), 1);
        QCOMPARE(failed.size(), 1);
        QVERIFY(failed.first().at(1).toString().contains(QStringLiteral("/nonexistent/trace.bin")));
    }

    void ctlSimulatePrintsTheIssueKeys()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("spec.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"keys": 1000, "requests": 20000, "rate": 1000, "ttlSeconds": 5,
                    "cache": {"policy": "lru", "maxEntries": 200}, "backing": {"type": "sqlite", "latencyMs": 1}})");
        f.close();
        const CtlResult r = runCtl({QStringLiteral("simulate"), f.fileName(), QStringLiteral("--json"), QStringLiteral("--workdir"), dir.path()});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        for (const char* key : {"requests", "hits", "misses", "hitRate", "backingQueries", "dbLoadReduction", "staleReads",
                                "stampedes", "evictions", "expirations"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o.value(QStringLiteral("requests")).toInt(), 20000);
        QCOMPARE(o.value(QStringLiteral("stampedes")).toInt(), 0);
        const QJsonObject latency = o.value(QStringLiteral("latencyUs")).toObject();
        QVERIFY(latency.contains(QStringLiteral("p50")) && latency.contains(QStringLiteral("p95")) && latency.contains(QStringLiteral("p99")));
        // Misses pay the 1 ms backing latency (simulated); the histogram's buckets are within 1/16 of the value.
        QVERIFY(o.value(QStringLiteral("missLatencyUs")).toObject().value(QStringLiteral("p50")).toDouble() >= 1000 * 15 / 16.0);

        const CtlResult human = runCtl({QStringLiteral("simulate"), f.fileName(), QStringLiteral("--workdir"), dir.path()});
        QCOMPARE(human.code, 0);
        QVERIFY(human.out.contains(QStringLiteral("hit rate")));
        QVERIFY(human.out.contains(QStringLiteral("stampedes 0")));

        const CtlResult bad = runCtl({QStringLiteral("simulate"), dir.filePath(QStringLiteral("missing.json"))});
        QCOMPARE(bad.code, 2);
    }

    // Sizes no machine here holds are refused before anything is built, with what they take and what there is:
    // memory for the keys (10^15 threw std::bad_alloc or wrote gigabytes of database first), memory for the cache's
    // values, and disk for the SQLite database.
    void simulateRefusesWhatTheMachineCannotHold_data()
    {
        QTest::addColumn<QByteArray>("spec");
        QTest::addColumn<QString>("message");
        const QString memory = QStringLiteral(" is more than this machine can hold: that takes about ");
        QTest::addRow("10^15 keys on SQLite")
            << QByteArray(R"({"keys": 1e15, "distribution": {"type": "uniform"}})")
            << QStringLiteral("\"keys\": 1,000,000,000,000,000") + memory;
        QTest::addRow("10^15 keys in memory")
            << QByteArray(R"({"keys": 1e15, "distribution": {"type": "uniform"}, "backing": {"type": "memory"}})")
            << QStringLiteral("\"keys\": 1,000,000,000,000,000") + memory;
        QTest::addRow("zipf tables of 10^12 keys")
            << QByteArray(R"({"keys": 1e12, "backing": {"type": "memory"}})")
            << QStringLiteral("\"keys\": 1,000,000,000,000") + memory;
        QTest::addRow("mixed parts' own keys")
            << QByteArray(R"({"distribution": {"type": "mixed", "parts": [{"weight": 1, "keys": 1e15, "type": "uniform"},
                                 {"weight": 1, "keys": 1e15, "type": "uniform"}]}, "backing": {"type": "memory"}})")
            << QStringLiteral("\"keys\": 2,000,000,000,000,000") + memory;
        QTest::addRow("a cache of 512 MiB values")
            << QByteArray(R"({"keys": 100000, "valueSize": {"min": 536870912, "max": 536870912}, "backing": {"type": "memory"}})")
            << QStringLiteral("a cache of 10,000 values of about 512.0 MiB") + memory;
        QTest::addRow("a database larger than the disk")
            << QByteArray(R"({"keys": 1000000, "valueSize": {"min": 536870912, "max": 536870912}, "cache": {"maxEntries": 1}})")
            << QStringLiteral("the SQLite database of 1,000,000 keys would take about ");
    }
    void simulateRefusesWhatTheMachineCannotHold()
    {
        QFETCH(QByteArray, spec);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString work = dir.filePath(QStringLiteral("work"));
        QFile f(dir.filePath(QStringLiteral("spec.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(spec);
        f.close();
        const CtlResult r = runCtl({QStringLiteral("simulate"), f.fileName(), QStringLiteral("--workdir"), work});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message) && r.err.contains(QStringLiteral("nothing was run")), qPrintable(r.err));
        QCOMPARE(r.err.count(QLatin1Char('\n')), 1);
        if (message.contains(QStringLiteral("database")))
            QVERIFY2(r.err.contains(QStringLiteral(" free; ")), qPrintable(r.err));
        else
            QVERIFY2(r.err.contains(QStringLiteral("room for at most ")), qPrintable(r.err));
        QVERIFY(!QFileInfo::exists(work));   // nothing was built

        // The Simulate panel's runner refuses the same way.
        QString error;
        const auto parsed = sim::parseWorkload(spec, error);
        QVERIFY2(parsed, qPrintable(error));
        SimResults results;
        QVERIFY(!sim::runSimulation(*parsed, work, {}, results, error));
        QVERIFY2(error.contains(message), qPrintable(error));
        QVERIFY(!QFileInfo::exists(work));
    }

    // A Redis target: real round trips to a real redis-server, the same result keys as local, the simulated keys
    // under cachelens:sim:<run>: and gone afterwards, the server's other keys untouched.
    void ctlSimulateAgainstRedisCleansUpAfterItself()
    {
        provider::registerRedisProvider();
        test::RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        server.cli({QStringLiteral("SET"), QStringLiteral("user:1"), QStringLiteral("kept")});
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("spec.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"keys": 500, "requests": 4000, "rate": 0, "readRatio": 0.9, "ttlSeconds": 60,
                    "valueSize": {"min": 20, "max": 100},
                    "cache": {"target": "local", "policy": "lru", "maxEntries": 200}, "backing": {"type": "memory", "latencyMs": 0}})");
        f.close();
        const CtlResult r = runCtl({QStringLiteral("simulate"), f.fileName(), QStringLiteral("--target"), server.url(),
                                    QStringLiteral("--json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("cachelens:sim:")));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        for (const char* key : {"requests", "hits", "misses", "hitRate", "backingQueries", "dbLoadReduction", "staleReads",
                                "stampedes", "evictions", "expirations"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o.value(QStringLiteral("requests")).toInt(), 4000);
        QCOMPARE(o.value(QStringLiteral("target")).toString(), server.url());
        // 500 keys, no eviction on the server: every key misses once, then hits until a write invalidates it.
        QVERIFY(o.value(QStringLiteral("hitRate")).toDouble() > 0.5);
        QVERIFY(o.value(QStringLiteral("hits")).toInt() + o.value(QStringLiteral("misses")).toInt() > 3000);
        QVERIFY(o.value(QStringLiteral("keysCleanedUp")).toInt() > 100);
        QCOMPARE(server.cli({QStringLiteral("DBSIZE")}).trimmed(), QByteArray("1"));
        QCOMPARE(server.cli({QStringLiteral("GET"), QStringLiteral("user:1")}).trimmed(), QByteArray("kept"));
    }

    // A password in --target (or in the spec's cache.target) connects, and is shown nowhere: not in the results'
    // target, not in the spec echoed by --json, not in the progress lines.
    void ctlSimulateNeverPrintsTheTargetsPassword()
    {
        provider::registerRedisProvider();
        test::RedisServer server(test::RedisServer::Options::requiringPassword(QStringLiteral("simsecretpw")));
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("spec.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"keys": 50, "requests": 200, "rate": 0, "cache": {"target": "local", "policy": "lru", "maxEntries": 20},
                    "backing": {"type": "memory", "latencyMs": 0}})");
        f.close();
        const QString target = QStringLiteral("redis://:simsecretpw@127.0.0.1:%1").arg(server.port());
        for (const bool json : {true, false}) {
            QStringList args{QStringLiteral("simulate"), f.fileName(), QStringLiteral("--target"), target};
            if (json)
                args << QStringLiteral("--json");
            const CtlResult r = runCtl(args);
            QVERIFY2(r.code == 0, qPrintable(r.err));
            QVERIFY2(!r.out.contains(QStringLiteral("simsecretpw")), qPrintable(r.out));
            QVERIFY2(!r.err.contains(QStringLiteral("simsecretpw")), qPrintable(r.err));
            const QString masked = QStringLiteral("redis://:***@127.0.0.1:%1").arg(server.port());
            if (json) {
                const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
                QCOMPARE(o.value(QStringLiteral("target")).toString(), masked);
                QCOMPARE(o.value(QStringLiteral("spec")).toObject().value(QStringLiteral("cache")).toObject()
                             .value(QStringLiteral("target")).toString(), masked);
            } else {
                QVERIFY2(r.out.contains(masked), qPrintable(r.out));
            }
        }
    }

    void ctlSimulateRefusesAProductionTargetUnlessConfirmed()
    {
        provider::registerRedisProvider();
        test::RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        const CtlResult add = runCtl({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("prod-cache"),
                                      server.url(), QStringLiteral("--production")});
        QVERIFY2(add.code == 0, qPrintable(add.err));
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("spec.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"keys": 100, "requests": 500, "rate": 0, "cache": {"target": "prod-cache", "policy": "lru", "maxEntries": 50},
                    "backing": {"type": "memory", "latencyMs": 0}})");
        f.close();
        const CtlResult refused = runCtl({QStringLiteral("simulate"), f.fileName(), QStringLiteral("--json")});
        QCOMPARE(refused.code, 1);   // refused by the connection's guard, like every change
        QVERIFY2(refused.err.contains(QStringLiteral("production")) && refused.err.contains(QStringLiteral("--confirm")), qPrintable(refused.err));
        QCOMPARE(server.cli({QStringLiteral("DBSIZE")}).trimmed(), QByteArray("0"));
        const CtlResult wrongName = runCtl({QStringLiteral("simulate"), f.fileName(), QStringLiteral("--confirm"), QStringLiteral("prod")});
        QCOMPARE(wrongName.code, 1);
        const CtlResult ran = runCtl({QStringLiteral("simulate"), f.fileName(), QStringLiteral("--confirm"), QStringLiteral("prod-cache"),
                                      QStringLiteral("--json")});
        QVERIFY2(ran.code == 0, qPrintable(ran.err));
        QCOMPARE(QJsonDocument::fromJson(ran.out.toUtf8()).object().value(QStringLiteral("requests")).toInt(), 500);
        QCOMPARE(server.cli({QStringLiteral("DBSIZE")}).trimmed(), QByteArray("0"));
        const CtlResult bad = runCtl({QStringLiteral("simulate"), f.fileName(), QStringLiteral("--target"), QStringLiteral("redis://127.0.0.1:99999")});
        QCOMPARE(bad.code, 2);
    }

    // Issue #10 with a saved connection whose password is in the keychain: `simulate --target NAME` and `record NAME`
    // read it and authenticate to a real redis-server with requirepass. (Registered a second time under
    // tests/support/with-keyring.sh; without a keychain it is skipped.)
    void ctlSimulateAndRecordUseTheKeychainPassword()
    {
        if (!keychainExpected()) QSKIP("needs a Secret Service (ctest runs this under tests/support/with-keyring.sh)");
        provider::registerRedisProvider();
        test::RedisServer server(test::RedisServer::Options::requiringPassword(QStringLiteral("s3cret pw")));
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QVERIFY(saveWithPassword(QStringLiteral("locked-cache"), server.url(), QStringLiteral("s3cret pw")));
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("spec.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"keys": 200, "requests": 1000, "rate": 0, "ttlSeconds": 60, "cache": {"target": "locked-cache", "policy": "lru",
                    "maxEntries": 100}, "backing": {"type": "memory", "latencyMs": 0}})");
        f.close();
        const CtlResult r = runCtl({QStringLiteral("simulate"), f.fileName(), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o.value(QStringLiteral("requests")).toInt(), 1000);
        QVERIFY(o.value(QStringLiteral("hitRate")).toDouble() > 0.5);
        QCOMPARE(o.value(QStringLiteral("target")).toString(), QStringLiteral("locked-cache"));
        QVERIFY(!r.out.contains(QStringLiteral("s3cret")) && !r.err.contains(QStringLiteral("s3cret")));
        const QStringList auth{QStringLiteral("-a"), QStringLiteral("s3cret pw"), QStringLiteral("--no-auth-warning")};
        QCOMPARE(server.cli(auth + QStringList{QStringLiteral("DBSIZE")}), QByteArray("0"));

        // MONITOR on the same saved connection, traffic meanwhile.
        std::atomic<bool> stop{false};
        std::thread traffic([&] {
            while (!stop) server.cli(auth + QStringList{QStringLiteral("GET"), QStringLiteral("k")});
        });
        const CtlResult rec = runCtl({QStringLiteral("record"), QStringLiteral("locked-cache"), QStringLiteral("--seconds"),
                                      QStringLiteral("30"), QStringLiteral("--max-requests"), QStringLiteral("3"),
                                      QStringLiteral("--out"), dir.filePath(QStringLiteral("t.txt"))});
        stop = true;
        traffic.join();
        QVERIFY2(rec.code == 0, qPrintable(rec.err));
        QVERIFY2(rec.out.contains(QStringLiteral("Recorded 3 requests")), qPrintable(rec.out));

        // A wrong password in the keychain: refused with the server's reason, nothing written.
        QVERIFY(saveWithPassword(QStringLiteral("wrong-pw"), server.url(), QStringLiteral("nope")));
        const CtlResult wrong = runCtl({QStringLiteral("simulate"), f.fileName(), QStringLiteral("--target"), QStringLiteral("wrong-pw")});
        QVERIFY2(wrong.code == 1, qPrintable(wrong.out + wrong.err));
        QVERIFY2(wrong.err.contains(QStringLiteral("WRONGPASS"), Qt::CaseInsensitive) || wrong.err.contains(QStringLiteral("auth"), Qt::CaseInsensitive),
                 qPrintable(wrong.err));
    }

    // `cachelensctl record local`: the demo workload through an engine in this process while its tap is recorded;
    // the output states the engine's own hit ratio over the recorded gets, and replaying the file comes within a
    // point of it (the engine has two LRU shards of 1,000 entries, the replay one of 2,000; no TTL ran out).
    void ctlRecordLocalReplaysToTheLiveHitRatio_data()
    {
        QTest::addColumn<QString>("format");
        QTest::addRow("text") << QStringLiteral("text");
        QTest::addRow("u64le") << QStringLiteral("u64le");
    }
    void ctlRecordLocalReplaysToTheLiveHitRatio()
    {
        QFETCH(QString, format);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("local.trace"));
        const CtlResult r = runCtl({QStringLiteral("record"), QStringLiteral("local"), QStringLiteral("--seconds"), QStringLiteral("120"),
                                    QStringLiteral("--max-requests"), QStringLiteral("30000"), QStringLiteral("--rate"), QStringLiteral("1000000"),
                                    QStringLiteral("--policy"), QStringLiteral("lru"), QStringLiteral("--capacity"), QStringLiteral("2000"),
                                    QStringLiteral("--format"), format, QStringLiteral("--out"), out, QStringLiteral("--json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o.value(QStringLiteral("requests")).toInt(), 30000);
        QCOMPARE(o.value(QStringLiteral("lost")).toInt(), 0);
        QCOMPARE(o.value(QStringLiteral("policy")).toString(), QStringLiteral("lru"));
        const double live = o.value(QStringLiteral("liveHitRatio")).toDouble();
        QVERIFY(live > 0.2 && live < 1);
        const CtlResult replay = runCtl({QStringLiteral("replay"), out, QStringLiteral("--format"), format, QStringLiteral("--policy"),
                                         QStringLiteral("lru"), QStringLiteral("--capacity"), QStringLiteral("2000"), QStringLiteral("--json")});
        QVERIFY2(replay.code == 0, qPrintable(replay.err));
        const double replayed = QJsonDocument::fromJson(replay.out.toUtf8()).object().value(QStringLiteral("lru")).toObject()
                                    .value(QStringLiteral("2000")).toDouble();
        qInfo("record local (%s): live hit ratio %.4f, replay %.4f", qPrintable(format), live, replayed);
        // u64le keeps no ops: the demo's deletes (0.5% of requests) replay as gets there, which hits a little more.
        QVERIFY(std::abs(replayed - live) < (format == QLatin1String("text") ? 0.01 : 0.02));

        const CtlResult human = runCtl({QStringLiteral("record"), QStringLiteral("local"), QStringLiteral("--seconds"), QStringLiteral("0.2"),
                                        QStringLiteral("--out"), dir.filePath(QStringLiteral("h.u64"))});
        QVERIFY2(human.code == 0, qPrintable(human.err));
        QVERIFY2(human.out.contains(QStringLiteral("the engine hit")), qPrintable(human.out));
        QCOMPARE(runCtl({QStringLiteral("record"), QStringLiteral("redis://127.0.0.1:1"), QStringLiteral("--rate"), QStringLiteral("5"),
                         QStringLiteral("--out"), dir.filePath(QStringLiteral("x"))}).code, 2); // --rate is for local only
    }

    // The panel's recorder: the tap of an engine that something else drives, off the calling thread, bounded by
    // requests; Stop keeps what was recorded.
    void traceRecorderRecordsALiveEngineOffThread()
    {
        engine::CacheOptions o;
        o.maxEntries = 1000;
        test::DemoEngine engine(o, 200000);
        const auto& cache = engine.cache;
        QTemporaryDir dir;
        sim::TraceRecorder recorder;
        QSignalSpy finished(&recorder, &sim::TraceRecorder::finished);
        QSignalSpy progress(&recorder, &sim::TraceRecorder::progress);
        sim::TraceRecordJob job;
        job.cache = cache;
        job.display = QStringLiteral("Local engine");
        job.duration = std::chrono::minutes(5);
        job.maxRequests = 5000;
        job.path = dir.filePath(QStringLiteral("t.u64"));
        QVERIFY(recorder.start(job));
        QVERIFY(recorder.isRunning());
        QVERIFY(!recorder.start(job));
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 60000);
        auto r = finished.first().first().value<sim::TraceRecording>();
        QVERIFY2(r.saved, qPrintable(r.error));
        QVERIFY(r.hitLimit);
        QCOMPARE(r.requests, 5000u);
        QCOMPARE(QFileInfo(job.path).size(), qint64(5000 * 8));
        QVERIFY(r.liveGets > 4000);
        QVERIFY2(sim::describeRecording(r).startsWith(QStringLiteral("Recorded %1 requests").arg(QLocale().toString(5000))),
                 qPrintable(sim::describeRecording(r)));
        QVERIFY(!cache->traceTap().enabled());

        job.maxRequests = 0;
        job.path = dir.filePath(QStringLiteral("stopped.u64"));
        progress.clear();   // a slow first recording reports progress too: Stop waits for this one's first requests
        QVERIFY(recorder.start(job));
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toULongLong() > 0, 60000);
        recorder.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 60000);
        r = finished.at(1).first().value<sim::TraceRecording>();
        QVERIFY(r.cancelled && r.saved && r.requests > 0);
        QCOMPARE(QFileInfo(job.path).size(), qint64(r.requests * 8));
    }

    // TLS targets: the engine's redis provider and the MONITOR recorder speak rediss:// (with the server's CA).
    void ctlSimulateAndRecordOverTls()
    {
        provider::registerRedisProvider();
        test::RedisServer::Options options;
        options.tls = true;
        test::RedisServer server(options);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("spec.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"keys": 100, "requests": 500, "rate": 0, "ttlSeconds": 60, "cache": {"policy": "lru", "maxEntries": 50},
                    "backing": {"type": "memory", "latencyMs": 0}})");
        f.close();
        const CtlResult r = runCtl({QStringLiteral("simulate"), f.fileName(), QStringLiteral("--target"), server.tlsUrl(), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QJsonDocument::fromJson(r.out.toUtf8()).object().value(QStringLiteral("hitRate")).toDouble() > 0.3);
        QCOMPARE(server.cli({QStringLiteral("DBSIZE")}), QByteArray("0"));

        std::atomic<bool> stop{false};
        std::thread traffic([&] {
            while (!stop) server.cli({QStringLiteral("GET"), QStringLiteral("over-tls")});
        });
        const CtlResult rec = runCtl({QStringLiteral("record"), server.tlsUrl(), QStringLiteral("--seconds"), QStringLiteral("30"),
                                      QStringLiteral("--max-requests"), QStringLiteral("2"), QStringLiteral("--out"),
                                      dir.filePath(QStringLiteral("tls.txt")), QStringLiteral("--json")});
        stop = true;
        traffic.join();
        QVERIFY2(rec.code == 0, qPrintable(rec.err));
        QCOMPARE(QJsonDocument::fromJson(rec.out.toUtf8()).object().value(QStringLiteral("requests")).toInt(), 2);

        // A server that is not there: refused before the run, with the reason, instead of a run of misses.
        const CtlResult dead = runCtl({QStringLiteral("simulate"), f.fileName(), QStringLiteral("--target"),
                                       QStringLiteral("redis://127.0.0.1:%1").arg(test::RedisServer::freePort())});
        QCOMPARE(dead.code, 1);
        QVERIFY2(dead.err.contains(QStringLiteral("cannot run on Redis")), qPrintable(dead.err));
    }

    void monitorLinesDecodeToExactBytes_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QList<QByteArray>>("args");
        QTest::addRow("plain") << QByteArray("1700000000.123456 [0 127.0.0.1:5555] \"GET\" \"user:1\"")
                               << QList<QByteArray>{"GET", "user:1"};
        QTest::addRow("binary") << QByteArray("1700000000.5 [0 unix:/tmp/r.sock] \"SET\" \"k\\x00\\n\\\"x\\\\\" \"v a\"")
                                << QList<QByteArray>{"SET", QByteArray("k\0\n\"x\\", 6), "v a"};
        QTest::addRow("lua") << QByteArray("1700000001.000001 [0 lua] \"del\" \"a\" \"b\"") << QList<QByteArray>{"del", "a", "b"};
    }
    void monitorLinesDecodeToExactBytes()
    {
        QFETCH(QByteArray, line);
        QFETCH(QList<QByteArray>, args);
        const auto m = sim::parseMonitorLine(line);
        QVERIFY(m);
        QCOMPARE(m->args, args);
        QVERIFY(!sim::parseMonitorLine("OK"));
        QVERIFY(!sim::parseMonitorLine("1700000000.1 [0 x] \"GET\" \"unterminated"));
    }

    // A real server, real traffic with binary keys while `cachelensctl record` runs MONITOR; the trace file has
    // every request with its kind, binary keys distinct, and `replay` reads it.
    void ctlRecordCapturesTrafficWithMonitor()
    {
        test::RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        std::atomic<bool> stop{false};
        std::atomic<int> rounds{0};
        std::thread traffic([&] {
            provider::RedisEndpoint ep;
            ep.port = server.port();
            ep.timeout = std::chrono::milliseconds(2000);
            provider::BlockingConnection c(ep);
            std::string error;
            if (!c.connect(error)) return;
            const std::string bin("k\0\n\"x", 5);
            provider::Reply r;
            while (!stop) {
                c.command({"SET", bin, "v"}, r, error);
                c.command({"GET", bin}, r, error);
                c.command({"MGET", "a", "b"}, r, error);
                c.command({"DEL", "a"}, r, error);
                c.command({"PING"}, r, error);
                ++rounds;
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
        });
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("rec.txt"));
        const CtlResult r = runCtl({QStringLiteral("record"), server.url(), QStringLiteral("--seconds"), QStringLiteral("1.5"),
                                    QStringLiteral("--out"), out, QStringLiteral("--json")});
        stop = true;
        traffic.join();
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(r.err.contains(QStringLiteral("MONITOR")));
        QVERIFY(rounds > 5);
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QVERIFY(o.value(QStringLiteral("requests")).toInt() >= 5 * 3);
        QCOMPARE(o.value(QStringLiteral("keys")).toInt(), 3); // the binary key, a, b
        QVERIFY(o.value(QStringLiteral("skippedCommands")).toInt() >= 3); // PING is not a cache request
        std::string error;
        const auto trace = engine::sim::loadTrace(out.toStdString(), engine::sim::TraceFormat::Text, error);
        QVERIFY2(trace, error.c_str());
        QCOMPARE(std::uint64_t(trace->keys.size()), std::uint64_t(o.value(QStringLiteral("requests")).toInt()));
        QVERIFY(std::find(trace->names.begin(), trace->names.end(), std::string("k\\x00\\x0a\"x")) != trace->names.end());
        int gets = 0, sets = 0, dels = 0;
        for (std::size_t i = 0; i < trace->keys.size(); ++i) {
            switch (trace->op(i)) {
            case engine::sim::TraceRequest::Get: ++gets; break;
            case engine::sim::TraceRequest::Set: ++sets; break;
            case engine::sim::TraceRequest::Del: ++dels; break;
            }
        }
        QVERIFY(sets > 0 && dels > 0 && gets >= 3 * sets - 3);
        const CtlResult replay = runCtl({QStringLiteral("replay"), out, QStringLiteral("--policy"), QStringLiteral("lru"),
                                         QStringLiteral("--capacity"), QStringLiteral("10"), QStringLiteral("--json")});
        QVERIFY2(replay.code == 0, qPrintable(replay.err));

        // u64le with a request limit: exactly that many 8-byte ids.
        const QString bin = dir.filePath(QStringLiteral("rec.u64"));
        std::thread more([&] {
            for (int i = 0; i < 50; ++i) {
                server.cli({QStringLiteral("GET"), QStringLiteral("k%1").arg(i)});
            }
        });
        const CtlResult limited = runCtl({QStringLiteral("record"), server.url(), QStringLiteral("--seconds"), QStringLiteral("10"),
                                          QStringLiteral("--out"), bin, QStringLiteral("--max-requests"), QStringLiteral("5")});
        more.join();
        QVERIFY2(limited.code == 0, qPrintable(limited.err));
        QCOMPARE(QFileInfo(bin).size(), qint64(5 * 8));

        const CtlResult refused = runCtl({QStringLiteral("record"), QStringLiteral("redis://127.0.0.1:1"), QStringLiteral("--seconds"),
                                          QStringLiteral("1"), QStringLiteral("--out"), dir.filePath(QStringLiteral("x.txt"))});
        QCOMPARE(refused.code, 1);
        QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("x.txt"))));
    }

    void ctlReplayPrintsHitRatiosPerPolicyAndCapacity()
    {
        QTemporaryDir dir;
        std::vector<std::uint64_t> keys;
        for (int i = 0; i < 30000; ++i) keys.push_back(std::uint64_t(i * 7919 % 1000) * 1000003);
        std::string error;
        const std::string path = dir.filePath(QStringLiteral("t.bin")).toStdString();
        QVERIFY(engine::sim::saveTraceU64(path, keys, error));
        const CtlResult r = runCtl({QStringLiteral("replay"), QString::fromStdString(path), QStringLiteral("--policy"),
                                 QStringLiteral("lru,sieve"), QStringLiteral("--capacity"), QStringLiteral("100,1000"), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o.keys(), (QStringList{QStringLiteral("lru"), QStringLiteral("sieve")}));
        engine::sim::Trace t;
        t.keys = keys;
        QCOMPARE(o.value(QStringLiteral("lru")).toObject().value(QStringLiteral("100")).toDouble(),
                 engine::sim::replayTrace(t, engine::PolicyKind::Lru, 100).hitRatio);
        QCOMPARE(o.value(QStringLiteral("lru")).toObject().value(QStringLiteral("1000")).toDouble(), 1 - 1000.0 / 30000);
        QVERIFY(r.err.contains(QStringLiteral("million requests/s")));

        QCOMPARE(runCtl({QStringLiteral("replay"), QString::fromStdString(path), QStringLiteral("--policy"), QStringLiteral("arc"),
                      QStringLiteral("--capacity"), QStringLiteral("10")}).code, 2);
    }

    void ctlReplayShowsTheOptimumAndTheGapPoliciesClose()
    {
        // A loop over 40 keys, 25 times: LRU at 30 entries never hits; OPT keeps 29 keys for their next round.
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("loop.txt")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        engine::sim::Trace t;
        for (int round = 0; round < 25; ++round)
            for (int k = 0; k < 40; ++k) {
                f.write(QByteArray("key:") + QByteArray::number(k) + '\n');
                t.keys.push_back(std::uint64_t(k));
            }
        f.close();
        const engine::sim::OptResult atThirty = engine::sim::optimalReplay(t, 30);
        QVERIFY(atThirty.hits > 0);
        const CtlResult json = runCtl({QStringLiteral("replay"), f.fileName(), QStringLiteral("--policy"), QStringLiteral("lru,opt"),
                                       QStringLiteral("--capacity"), QStringLiteral("30,40"), QStringLiteral("--json")});
        QVERIFY2(json.code == 0, qPrintable(json.err));
        const QJsonObject o = QJsonDocument::fromJson(json.out.toUtf8()).object();
        QCOMPARE(o.keys(), (QStringList{QStringLiteral("lru"), QStringLiteral("opt")}));
        QCOMPARE(o.value(QStringLiteral("lru")).toObject().value(QStringLiteral("30")).toDouble(), 0.0);
        QCOMPARE(o.value(QStringLiteral("opt")).toObject().value(QStringLiteral("30")).toDouble(), atThirty.hitRatio);
        QCOMPARE(o.value(QStringLiteral("opt")).toObject().value(QStringLiteral("40")).toDouble(), 1 - 40.0 / 1000);

        const CtlResult table = runCtl({QStringLiteral("replay"), f.fileName(), QStringLiteral("--policy"), QStringLiteral("lru,sieve,opt"),
                                        QStringLiteral("--capacity"), QStringLiteral("30,40")});
        QVERIFY2(table.code == 0, qPrintable(table.err));
        const QStringList lines = table.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        QCOMPARE(lines.at(1).simplified(), QStringLiteral("capacity lru sieve opt sieve gap"));
        const QLocale locale;
        const double sieve = engine::sim::replayTrace(t, engine::PolicyKind::Sieve, 30).hitRatio;
        const auto percent = [&](double ratio, int decimals) { return locale.toString(100 * ratio, 'f', decimals) + QLatin1Char('%'); };
        QCOMPARE(lines.at(2).simplified(), QStringLiteral("30 %1 %2 %3 %4").arg(percent(0, 2), percent(sieve, 2), percent(atThirty.hitRatio, 2),
                                                                               percent(sieve / atThirty.hitRatio, 1)));
        // At 40 entries every policy holds the loop: no gap to close.
        QVERIFY2(lines.at(3).simplified().endsWith(QStringLiteral(" -")), qPrintable(lines.at(3)));

        const CtlResult unknown = runCtl({QStringLiteral("replay"), f.fileName(), QStringLiteral("--policy"), QStringLiteral("belady"),
                                          QStringLiteral("--capacity"), QStringLiteral("10")});
        QCOMPARE(unknown.code, 2);
        QVERIFY2(unknown.err.contains(QStringLiteral("lru, wtinylfu, s3fifo, sieve, opt")), qPrintable(unknown.err));
    }

    void ctlReplayAndMrcRefuseWhatTheMachineCannotHold_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString refused = QStringLiteral("is more than this machine can hold: that takes about ");
        QTest::addRow("replay capacity") << QStringList{QStringLiteral("replay"), QStringLiteral("--capacity"), QStringLiteral("1000000000000000")}
                                         << QStringLiteral("--capacity 1,000,000,000,000,000 ") + refused;
        QTest::addRow("replay capacity in a list") << QStringList{QStringLiteral("replay"), QStringLiteral("--capacity"), QStringLiteral("10,1000000000000000,20")}
                                                   << QStringLiteral("--capacity 1,000,000,000,000,000 ") + refused;
        QTest::addRow("replay capacity 2^64-1") << QStringList{QStringLiteral("replay"), QStringLiteral("--capacity"), QStringLiteral("18446744073709551615")}
                                                << QStringLiteral("--capacity 18,446,744,073,709,551,615 ") + refused;
        QTest::addRow("mrc sizes") << QStringList{QStringLiteral("mrc"), QStringLiteral("--sizes"), QStringLiteral("1000000000000000")}
                                   << QStringLiteral("--sizes up to 1,000,000,000,000,000 ") + refused;
        QTest::addRow("mrc size range") << QStringList{QStringLiteral("mrc"), QStringLiteral("--sizes"), QStringLiteral("1000000000000000:1000000000001000:100")}
                                        << QStringLiteral("--sizes up to 1,000,000,000,001,000 ") + refused;
        QTest::addRow("replay without a policy") << QStringList{QStringLiteral("replay"), QStringLiteral("--policy"), QString(), QStringLiteral("--capacity"), QStringLiteral("10")}
                                                 << QStringLiteral("--policy needs at least one policy");
        QTest::addRow("replay with only commas") << QStringList{QStringLiteral("replay"), QStringLiteral("--policy"), QStringLiteral(",,"), QStringLiteral("--capacity"), QStringLiteral("10")}
                                                 << QStringLiteral("--policy needs at least one policy");
    }
    void ctlReplayAndMrcRefuseWhatTheMachineCannotHold()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("t.txt")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("a\nb\na\n");
        f.close();
        args.insert(1, f.fileName());
        const CtlResult r = runCtl(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
        if (message.contains(QStringLiteral("machine")))
            QVERIFY2(r.err.contains(QStringLiteral(" entries\n")) && r.err.contains(QStringLiteral("room for at most ")), qPrintable(r.err));
        QCOMPARE(r.err.count(QLatin1Char('\n')), 1);   // one sentence
        QVERIFY(r.out.isEmpty());                     // nothing was replayed
    }

    void ctlMrcPrintsACurve()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("t.txt")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        for (int round = 0; round < 10; ++round)
            for (int k = 0; k < 50; ++k) f.write(QStringLiteral("key:%1\n").arg(k).toUtf8());
        f.close();
        const CtlResult r = runCtl({QStringLiteral("mrc"), f.fileName(), QStringLiteral("--sizes"), QStringLiteral("10:50:20"), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonArray points = o.value(QStringLiteral("points")).toArray();
        QCOMPARE(points.size(), 3); // 10, 30, 50
        QCOMPARE(points.at(0).toObject().value(QStringLiteral("hitRatio")).toDouble(), 0.0); // a loop over 50 keys
        QCOMPARE(points.at(2).toObject().value(QStringLiteral("hitRatio")).toDouble(), 0.9);  // all but the first round
        QCOMPARE(o.value(QStringLiteral("method")).toString(), QStringLiteral("exact"));
        const CtlResult sampled = runCtl({QStringLiteral("mrc"), f.fileName(), QStringLiteral("--sizes"), QStringLiteral("50"), QStringLiteral("--sample"), QStringLiteral("0.5")});
        QCOMPARE(sampled.code, 0);
        QVERIFY(sampled.out.contains(QStringLiteral("SHARDS")));
    }
};

QTEST_GUILESS_MAIN(TestSimulation)
#include "tst_simulation.moc"
