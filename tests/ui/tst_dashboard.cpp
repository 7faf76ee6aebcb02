// DashboardPanel offscreen: against a real redis-server driven with redis-cli (plotted hit rate = the server's own
// counters, resets and restarts), and with a scripted Source for windows, decimation, overlay and markers.
#include "IsolatedEnvironment.h"

#include "RedisServer.h"
#include "WarningGuard.h"
#include "connectors/RedisSource.h"
#include "ui/dashboard/DashboardPanel.h"
#include "ui/dashboard/Decimator.h"
#include "ui/dashboard/MetricChart.h"
#include "ui/dashboard/SourceSeries.h"
#include "ui/dashboard/StatTile.h"

#include <QAction>
#include <QInputDialog>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <cmath>
#include <memory>

using namespace cachelens;
using namespace cachelens::ui;
using cachelens::test::RedisServer;
using cachelens::test::WarningGuard;

namespace {

// A RedisSource on its own worker thread, deleted there when the thread finishes.
struct SourceOnThread {
    QThread thread;
    RedisSource* source = nullptr;

    SourceOnThread(const QString& id, const QString& url)
    {
        RedisSource::Options options;
        options.client.reconnectInitialMs = 50;
        options.client.reconnectMaxMs = 200;
        source = new RedisSource(id, id, *ConnectionUrl::parse(url).url, options);
        source->moveToThread(&thread);
        QObject::connect(&thread, &QThread::finished, source, &QObject::deleteLater);
        thread.start();
    }
    ~SourceOnThread()
    {
        thread.quit();
        thread.wait();
    }
    bool open()
    {
        QSignalSpy states(source, &Source::stateChanged);
        QMetaObject::invokeMethod(source, &Source::open, Qt::QueuedConnection);
        return QTest::qWaitFor([&] {
            return !states.isEmpty() && states.last().at(0).value<ConnectionState>() == ConnectionState::Ready;
        }, 10000);
    }
};

// A Source the test feeds by hand (emitting statsSample on the GUI thread): for what a real server cannot do quickly,
// such as a day of samples.
class ScriptedSource : public Source
{
public:
    explicit ScriptedSource(QString id) : m_id(std::move(id)) {}
    Kind kind() const override { return Kind::Local; }
    QString id() const override { return m_id; }
    QString displayName() const override { return m_id; }
    void open() override {}
    void close() override {}
    void sample() override { ++requests; }
    void scan(quint64, const QByteArray&, int) override {}
    void cancel(quint64) override {}
    int requests = 0;

private:
    QString m_id;
};

StatsSample scripted(const QString& id, const QDateTime& time, qint64 hits, qint64 misses, qint64 keys = 10)
{
    StatsSample s;
    s.sourceId = id;
    s.time = time;
    s.hits = hits;
    s.misses = misses;
    s.commands = hits + misses;
    s.evictions = s.expirations = 0;
    s.keys = keys;
    s.memoryBytes = 1 << 20;
    s.clients = 1;
    s.runId = QStringLiteral("run");
    s.uptimeSeconds = 1000;
    return s;
}

qint64 infoField(const RedisServer& server, const char* name)
{
    const QByteArray info = server.cli({QStringLiteral("INFO"), QStringLiteral("stats")});
    const QRegularExpression re(QStringLiteral("%1:(\\d+)").arg(QLatin1String(name)));
    return re.match(QString::fromLatin1(info)).captured(1).toLongLong();
}

// GETs inside one script: each counts as a keyspace hit or miss, without 40 redis-cli processes.
void lookups(const RedisServer& server, const QString& key, int times)
{
    server.cli({QStringLiteral("EVAL"),
                QStringLiteral("for i=1,tonumber(ARGV[1]) do redis.call('GET', KEYS[1]) end return 1"),
                QStringLiteral("1"), key, QString::number(times)});
}

double lastValue(const SourceSeries& s, Metric m)
{
    const auto& d = *s.data(m);
    for (auto it = d.constEnd(); it != d.constBegin();) {
        --it;
        if (!std::isnan(it->value))
            return it->value;
    }
    return kNaN;
}

bool anyNegative(const SourceSeries& s)
{
    for (Metric m : {Metric::HitsPerSec, Metric::MissesPerSec, Metric::OpsPerSec, Metric::EvictionsPerSec,
                     Metric::ExpirationsPerSec}) {
        for (const QCPGraphData& p : *s.data(m)) {
            if (p.value < 0)
                return true;
        }
    }
    return false;
}

int markersOf(const DashboardPanel& panel, HistoryMarker::Kind kind)
{
    int n = 0;
    for (const HistoryMarker& m : panel.markers())
        n += m.kind == kind;
    return n;
}

} // namespace

class TestDashboard : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
    }
    void cleanupTestCase() { m_server.reset(); }

    void plottedHitRateMatchesServerCounters()
    {
        WarningGuard guard;
        SourceOnThread redis(QStringLiteral("redis-a"), m_server->url());
        QVERIFY(redis.open());
        DashboardPanel panel;
        panel.resize(1200, 900);
        panel.show();
        panel.setPollInterval(250);
        panel.setHitRateWindow(600);   // the whole test fits in the window
        QSignalSpy applied(&panel, &DashboardPanel::sampleApplied);
        panel.setSource(redis.source);
        QTRY_VERIFY_WITH_TIMEOUT(applied.size() >= 2, 10000);   // baseline and one interval

        const qint64 h0 = infoField(*m_server, "keyspace_hits");
        const qint64 m0 = infoField(*m_server, "keyspace_misses");
        m_server->cli({QStringLiteral("SET"), QStringLiteral("present"), QStringLiteral("v")});
        lookups(*m_server, QStringLiteral("present"), 300);
        lookups(*m_server, QStringLiteral("absent"), 100);
        lookups(*m_server, QStringLiteral("present"), 150);
        const qint64 hits = infoField(*m_server, "keyspace_hits") - h0;
        const qint64 misses = infoField(*m_server, "keyspace_misses") - m0;
        QCOMPARE(hits, 450);
        QCOMPARE(misses, 100);
        const double expected = 100.0 * double(hits) / double(hits + misses);

        const SourceSeries* s = panel.series(QStringLiteral("redis-a"));
        QVERIFY(s);
        QTRY_VERIFY_WITH_TIMEOUT(std::abs(lastValue(*s, Metric::HitRate) - expected) < 1e-6, 10000);
        // What the hits and misses charts plot integrates back to the server's counts.
        double plottedHits = 0, plottedMisses = 0;
        for (const RatePoint& p : s->points()) {
            if (!std::isnan(p.hitsPerSec)) {
                plottedHits += p.hitsPerSec * p.interval;
                plottedMisses += p.missesPerSec * p.interval;
            }
        }
        QCOMPARE(qRound64(plottedHits), hits);
        QCOMPARE(qRound64(plottedMisses), misses);
        // The chart's graph is the series' container (live windows are not decimated).
        QCOMPARE(panel.chartFor(Metric::HitRate)->graphFor(QStringLiteral("redis-a"), Metric::HitRate)->data(),
                 s->data(Metric::HitRate));
        QTRY_COMPARE(panel.tile(Metric::HitRate)->value(), formatValue(expected, Unit::Percent, QLocale()));
        QVERIFY(!anyNegative(*s));
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }

    void resetsAndRestartsAreMarkedAndNeverNegative()
    {
        WarningGuard guard;
        SourceOnThread redis(QStringLiteral("redis-b"), m_server->url());
        QVERIFY(redis.open());
        DashboardPanel panel;
        panel.setPollInterval(250);
        QSignalSpy applied(&panel, &DashboardPanel::sampleApplied);
        panel.setSource(redis.source);
        QTRY_VERIFY_WITH_TIMEOUT(applied.size() >= 2, 10000);
        lookups(*m_server, QStringLiteral("absent"), 500);
        QTRY_VERIFY_WITH_TIMEOUT(lastValue(*panel.series(QStringLiteral("redis-b")), Metric::MissesPerSec) > 0, 10000);

        m_server->cli({QStringLiteral("CONFIG"), QStringLiteral("RESETSTAT")});
        QTRY_COMPARE_WITH_TIMEOUT(markersOf(panel, HistoryMarker::Kind::StatsReset), 1, 10000);

        m_server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("1000")});
        QTRY_VERIFY_WITH_TIMEOUT(lastValue(*panel.series(QStringLiteral("redis-b")), Metric::Keys) >= 1000, 10000);
        m_server->cli({QStringLiteral("FLUSHALL")});
        QTRY_COMPARE_WITH_TIMEOUT(markersOf(panel, HistoryMarker::Kind::Flush), 1, 10000);

        const int before = int(panel.series(QStringLiteral("redis-b"))->points().size());
        m_server->kill();
        QVERIFY(m_server->restart());
        QTRY_COMPARE_WITH_TIMEOUT(markersOf(panel, HistoryMarker::Kind::Restart), 1, 15000);
        const SourceSeries& s = *panel.series(QStringLiteral("redis-b"));
        // The outage is a gap (a NaN point breaks every line), not a line to zero.
        bool gap = false;
        for (size_t i = size_t(before); i < s.points().size(); ++i)
            gap = gap || s.points()[i].isGap();
        QVERIFY(gap);
        QVERIFY(!anyNegative(s));
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }

    void windowSetsTheVisibleRange_data()
    {
        QTest::addColumn<DashboardPanel::Window>("window");
        QTest::addColumn<double>("seconds");
        QTest::addRow("1 min") << DashboardPanel::Window::OneMinute << 60.0;
        QTest::addRow("5 min") << DashboardPanel::Window::FiveMinutes << 300.0;
        QTest::addRow("1 h") << DashboardPanel::Window::OneHour << 3600.0;
        QTest::addRow("24 h") << DashboardPanel::Window::OneDay << 86400.0;
    }
    void windowSetsTheVisibleRange()
    {
        QFETCH(DashboardPanel::Window, window);
        QFETCH(double, seconds);
        DashboardPanel panel;
        panel.setWindow(window);
        for (MetricChart* c : panel.charts()) {
            QCOMPARE(c->xAxis->range().size(), seconds);
            QVERIFY(std::abs(c->xAxis->range().upper - QDateTime::currentMSecsSinceEpoch() / 1000.0) < 5);
        }
    }

    void pollIntervalIsClampedAndDrivesRequests_data()
    {
        QTest::addColumn<int>("asked");
        QTest::addColumn<int>("used");
        QTest::addRow("below 250 ms") << 10 << 250;
        QTest::addRow("1 s") << 1000 << 1000;
        QTest::addRow("above 60 s") << 600000 << 60000;
    }
    void pollIntervalIsClampedAndDrivesRequests()
    {
        QFETCH(int, asked);
        QFETCH(int, used);
        DashboardPanel panel;
        panel.setPollInterval(asked);
        QCOMPARE(panel.pollInterval(), used);
    }

    void dayWindowIsDecimatedAndKeepsSpikes()
    {
        ScriptedSource source(QStringLiteral("day"));
        DashboardPanel panel;
        panel.resize(1200, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setSource(&source);
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-86400 + 1);
        qint64 hits = 0;
        for (int i = 0; i < 86400; ++i) {
            hits += i == 43200 ? 100000 : 10;   // one spike at noon
            Q_EMIT source.statsSample(scripted(QStringLiteral("day"), start.addSecs(i), hits, i));
        }
        panel.setWindow(DashboardPanel::Window::OneDay);
        QSignalSpy redrawn(&panel, &DashboardPanel::redrawn);
        QTRY_VERIFY(!redrawn.isEmpty());
        MetricChart* chart = panel.chartFor(Metric::HitsPerSec);
        QVERIFY(chart->isDecimated(QStringLiteral("day"), Metric::HitsPerSec));
        QCPGraph* graph = chart->graphFor(QStringLiteral("day"), Metric::HitsPerSec);
        QVERIFY(graph->data()->size() <= 3 * chart->axisRect()->width() + 6);
        double peak = 0;
        for (const QCPGraphData& p : *graph->data())
            peak = std::max(peak, p.value);
        QCOMPARE(peak, 100000.0);
        // Back to 5 minutes: the raw container again.
        panel.setWindow(DashboardPanel::Window::FiveMinutes);
        QVERIFY(!chart->isDecimated(QStringLiteral("day"), Metric::HitsPerSec));
        QCOMPARE(graph->data(), panel.series(QStringLiteral("day"))->data(Metric::HitsPerSec));
    }

    void decimation_data()
    {
        QTest::addColumn<QVector<double>>("values");   // keys 0, 1, 2, …
        QTest::addColumn<double>("bucket");
        QTest::addColumn<QVector<double>>("expected"); // values emitted, in key order (NaN = gap)
        QTest::addRow("two per bucket pass through") << QVector<double>{1, 2, 3, 4} << 2.0 << QVector<double>{1, 2, 3, 4};
        QTest::addRow("min and max in time order") << QVector<double>{5, 9, 1, 4} << 4.0 << QVector<double>{9, 1};
        QTest::addRow("gap survives") << QVector<double>{5, kNaN, 1, 4} << 4.0 << QVector<double>{5, kNaN, 1};
        QTest::addRow("flat bucket is one point") << QVector<double>{3, 3, 3, 3} << 4.0 << QVector<double>{3};
    }
    void decimation()
    {
        QFETCH(QVector<double>, values);
        QFETCH(double, bucket);
        QFETCH(QVector<double>, expected);
        QCPGraphDataContainer raw;
        for (int i = 0; i < values.size(); ++i)
            raw.add(QCPGraphData(i, values.at(i)));
        QVector<QCPGraphData> out;
        decimateMinMax(raw, 0, values.size() - 1, bucket, out);
        QVector<double> got;
        for (const QCPGraphData& p : out)
            got << p.value;
        QCOMPARE(got.size(), expected.size());
        for (int i = 0; i < got.size(); ++i)
            QVERIFY2((std::isnan(got.at(i)) && std::isnan(expected.at(i))) || got.at(i) == expected.at(i),
                     qPrintable(QStringLiteral("%1: %2").arg(i).arg(got.at(i))));
    }

    void sourcesAreOverlaidWithALegend()
    {
        ScriptedSource a(QStringLiteral("staging")), b(QStringLiteral("production"));
        DashboardPanel panel;
        panel.setSource(&a);
        panel.addSource(&b);
        QCOMPARE(panel.sourceIds(), (QStringList{QStringLiteral("staging"), QStringLiteral("production")}));
        MetricChart* hitRate = panel.chartFor(Metric::HitRate);
        QCOMPARE(hitRate->legend->itemCount(), 2);
        QCOMPARE(hitRate->graph(0)->name(), QStringLiteral("staging"));
        QCOMPARE(hitRate->graph(1)->name(), QStringLiteral("production"));
        QVERIFY(hitRate->graph(0)->pen().color() != hitRate->graph(1)->pen().color());
        QCOMPARE(panel.chartFor(Metric::HitsPerSec)->legend->itemCount(), 4);   // hits and misses per source
        QTRY_VERIFY(a.requests >= 1 && b.requests >= 1);   // queued calls
        panel.removeSource(&a);
        QCOMPARE(hitRate->legend->itemCount(), 1);
        panel.setSource(nullptr);
        QCOMPARE(hitRate->graphCount(), 0);
    }

    void hitChartsSayWhatTheyWereCorrectedFor()
    {
        ScriptedSource a(QStringLiteral("staging")), b(QStringLiteral("production"));
        DashboardPanel panel(QString(), nullptr);
        panel.setSource(&a);
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-10);
        StatsSample first = scripted(QStringLiteral("staging"), t0, 0, 0);
        first.ownHits = first.ownMisses = 0;
        StatsSample second = scripted(QStringLiteral("staging"), t0.addSecs(1), 1500, 100);
        second.ownHits = 1000;
        second.ownMisses = 200;
        Q_EMIT a.statsSample(first);
        Q_EMIT a.statsSample(second);
        for (Metric m : {Metric::HitRate, Metric::HitsPerSec})
            QCOMPARE(panel.chartFor(m)->note(), QStringLiteral("corrected for CacheLens's own 1,200 lookups/s"));
        QCOMPARE(panel.series(QStringLiteral("staging"))->points().back().hitsPerSec, 500.0);
        // A source that cannot tell its own lookups: the chart says its figure is the server's raw one.
        panel.addSource(&b);
        Q_EMIT b.statsSample(scripted(QStringLiteral("production"), t0, 0, 0));
        Q_EMIT b.statsSample(scripted(QStringLiteral("production"), t0.addSecs(1), 90, 10));
        QCOMPARE(panel.chartFor(Metric::HitRate)->note(),
                 QStringLiteral("staging: corrected for CacheLens's own 1,200 lookups/s; production: the server's raw "
                                "figure: CacheLens's own lookups cannot be known here"));
        QCOMPARE(panel.chartFor(Metric::OpsPerSec)->note(), QString());
        panel.setSource(nullptr);
    }

    void hoverShowsExactValues()
    {
        ScriptedSource source(QStringLiteral("hover"));
        DashboardPanel panel;
        panel.setSource(&source);
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-10);
        Q_EMIT source.statsSample(scripted(QStringLiteral("hover"), t0, 0, 0));
        Q_EMIT source.statsSample(scripted(QStringLiteral("hover"), t0.addSecs(1), 1234, 0));
        const QString text = panel.chartFor(Metric::HitsPerSec)->valuesAt(RateCalculator::toKey(t0.addMSecs(900)));
        QVERIFY2(text.contains(QStringLiteral("hover hits/s: ") + formatValue(1234, Unit::PerSecond, QLocale())),
                 qPrintable(text));
    }

    void wheelZoomPausesAllChartsAndDoubleClickGoesLive()
    {
        DashboardPanel panel;
        panel.resize(1200, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        MetricChart* chart = panel.charts().at(2);
        const QPointF at = chart->axisRect()->center();
        QWheelEvent wheel(at, chart->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier,
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(chart, &wheel);
        QVERIFY(panel.isPaused());
        QVERIFY(panel.pauseAction()->isChecked());
        const QCPRange zoomed = chart->xAxis->range();
        QVERIFY(zoomed.size() < 300);
        for (MetricChart* c : panel.charts())
            QCOMPARE(c->xAxis->range(), zoomed);
        QTest::mouseDClick(chart, Qt::LeftButton, Qt::NoModifier, at.toPoint());
        QVERIFY(!panel.isPaused());
        QCOMPARE(panel.charts().first()->xAxis->range().size(), 300.0);
    }

    void markDeployAsksForALabelAndMarksEveryChart()
    {
        DashboardPanel panel;
        panel.show();
        QSignalSpy added(&panel, &DashboardPanel::markerAdded);
        panel.markDeployAction()->trigger();
        auto* dialog = panel.findChild<QInputDialog*>(QStringLiteral("markDeployDialog"));
        QVERIFY(dialog);
        dialog->setTextValue(QStringLiteral("v2.3.1 to prod"));
        dialog->accept();
        QCOMPARE(added.size(), 1);
        const HistoryMarker m = added.first().first().value<HistoryMarker>();
        QCOMPARE(m.kind, HistoryMarker::Kind::Deploy);
        QCOMPARE(m.label, QStringLiteral("v2.3.1 to prod"));
        QVERIFY(std::abs(m.time.secsTo(QDateTime::currentDateTimeUtc())) < 5);
        for (MetricChart* c : panel.charts())
            QVERIFY(c->markerCount() >= 1);
        QTRY_VERIFY(!panel.findChild<QInputDialog*>());   // closed and deleted
        // Empty label: still a marker, called "deploy".
        panel.markDeployAction()->trigger();
        dialog = panel.findChild<QInputDialog*>(QStringLiteral("markDeployDialog"));
        QVERIFY(dialog);
        dialog->accept();
        QCOMPARE(added.size(), 2);
        QCOMPARE(added.last().first().value<HistoryMarker>().label, QStringLiteral("deploy"));
    }
};

QTEST_MAIN(TestDashboard)
#include "tst_dashboard.moc"
