// Markers and before/after comparisons: the pure figures, the two models (under QAbstractItemModelTester) and the
// panel end to end with a scripted Source.
#include "IsolatedEnvironment.h"

#include "WarningGuard.h"
#include "ui/dashboard/ComparisonModel.h"
#include "ui/dashboard/DashboardPanel.h"
#include "ui/dashboard/MarkerComparison.h"
#include "ui/dashboard/MarkerListModel.h"
#include "ui/dashboard/MetricChart.h"

#include <QAbstractItemModelTester>
#include <QTest>

#include "ScriptedSource.h"

using namespace cachelens;
using namespace cachelens::ui;

namespace {

using test::ScriptedSource;

// One point per second from `start`: `hitsPerSec` hits and `missesPerSec` misses each second.
void appendPoints(std::deque<RatePoint>& points, double start, int seconds, double hitsPerSec, double missesPerSec,
                  double memory)
{
    for (int i = 0; i < seconds; ++i) {
        RatePoint p;
        p.time = start + i;
        p.interval = 1;
        p.hits = hitsPerSec;
        p.misses = missesPerSec;
        p.hitsPerSec = hitsPerSec;
        p.missesPerSec = missesPerSec;
        p.opsPerSec = hitsPerSec + missesPerSec;
        p.memoryBytes = memory;
        points.push_back(p);
    }
}

} // namespace

class TestDashboardMarkers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void compareAround_data()
    {
        QTest::addColumn<double>("beforeHits");
        QTest::addColumn<double>("beforeMisses");
        QTest::addColumn<double>("afterHits");
        QTest::addColumn<double>("afterMisses");
        QTest::addColumn<double>("beforeRate");
        QTest::addColumn<double>("afterRate");
        QTest::addRow("deploy halves the hit rate") << 90.0 << 10.0 << 45.0 << 55.0 << 90.0 << 45.0;
        QTest::addRow("no change") << 10.0 << 10.0 << 10.0 << 10.0 << 50.0 << 50.0;
        QTest::addRow("no lookups after: unknown, not zero") << 9.0 << 1.0 << 0.0 << 0.0 << 90.0 << kNaN;
    }
    void compareAround()
    {
        QFETCH(double, beforeHits);
        QFETCH(double, beforeMisses);
        QFETCH(double, afterHits);
        QFETCH(double, afterMisses);
        QFETCH(double, beforeRate);
        QFETCH(double, afterRate);
        std::deque<RatePoint> points;
        appendPoints(points, 1000, 600, beforeHits, beforeMisses, 100);
        appendPoints(points, 1600, 600, afterHits, afterMisses, 300);
        const MarkerComparison c = ui::compareAround(points, 1599.5, 300);
        QCOMPARE(c.before.samples, 300);
        QCOMPARE(c.after.samples, 300);
        QVERIFY(qFuzzyCompare(c.before.hitRatePct, beforeRate));
        if (std::isnan(afterRate))
            QVERIFY(std::isnan(c.after.hitRatePct));
        else
            QVERIFY(qFuzzyCompare(c.after.hitRatePct, afterRate));
        QCOMPARE(c.before.opsPerSec, beforeHits + beforeMisses);
        QCOMPARE(c.after.missesPerSec, afterMisses);
        QCOMPARE(c.before.memoryBytes, 100.0);
        QCOMPARE(c.after.memoryBytes, 300.0);
    }

    void gapsAreNotCountedInPeriods()
    {
        std::deque<RatePoint> points;
        appendPoints(points, 0, 10, 1, 1, 1);
        RatePoint gap;
        gap.time = 10.5;
        gap.events = RatePoint::Gap;
        points.push_back(gap);
        appendPoints(points, 20, 10, 3, 1, 1);
        points[size_t(11)].interval = 0;   // first sample after the gap: no baseline
        const PeriodFigures f = periodFigures(points, -1, 100);
        QCOMPARE(f.samples, 19);
        QCOMPARE(f.opsPerSec, (10 * 2.0 + 9 * 4.0) / 19);
    }

    void modelsPassTheTester()
    {
        MarkerListModel markers;
        QAbstractItemModelTester markerTester(&markers, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QDateTime t = QDateTime::currentDateTimeUtc();
        markers.add({0, QString(), t, HistoryMarker::Kind::Deploy, QStringLiteral("second")});
        markers.add({0, QString(), t.addSecs(-60), HistoryMarker::Kind::Restart, QStringLiteral("first")});
        markers.add({0, QString(), t.addSecs(60), HistoryMarker::Kind::Flush, QStringLiteral("third")});
        QCOMPARE(markers.rowCount(), 3);
        QCOMPARE(markers.marker(0).label, QStringLiteral("third"));   // newest first
        QCOMPARE(markers.marker(2).label, QStringLiteral("first"));
        QVERIFY(markers.index(1).data().toString().contains(QStringLiteral("second")));
        markers.clear();
        QCOMPARE(markers.rowCount(), 0);

        ComparisonModel comparison;
        QAbstractItemModelTester comparisonTester(&comparison, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(comparison.rowCount(), int(ComparisonModel::RowCount));
        QVERIFY(comparison.index(ComparisonModel::HitRate, ComparisonModel::Before).data().toString().isEmpty());
        MarkerComparison c;
        c.before.hitRatePct = 90;
        c.after.hitRatePct = 60;
        comparison.setComparison(c);
        QCOMPARE(comparison.index(ComparisonModel::HitRate, ComparisonModel::Difference).data().toString(),
                 formatChange(60, 90, Unit::Percent, QLocale()));
        QCOMPARE(comparison.index(ComparisonModel::HitRate, ComparisonModel::Difference).data(Qt::UserRole).toDouble(),
                 -30.0);
        comparison.clear();
        QVERIFY(!comparison.hasComparison());
    }

    void selectedDeployShowsBeforeAndAfter()
    {
        test::WarningGuard guard;
        ScriptedSource source(QStringLiteral("prod"));
        DashboardPanel panel;
        panel.setSource(&source);
        // 20 minutes of samples: 90 % hits until the deploy, 60 % after it.
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-1200);
        const QDateTime deploy = start.addSecs(600);   // the sample at 600 s closes the last "before" interval
        qint64 hits = 0, misses = 0;
        for (int i = 0; i <= 1200; ++i) {
            StatsSample s;
            s.sourceId = QStringLiteral("prod");
            s.time = start.addSecs(i);
            s.hits = hits;
            s.misses = misses;
            s.commands = hits + misses;
            s.memoryBytes = i <= 600 ? 1000 : 2000;
            s.keys = 10;
            Q_EMIT source.statsSample(s);
            hits += i < 600 ? 9 : 6;
            misses += i < 600 ? 1 : 4;
        }
        panel.addMarker({0, QString(), deploy, HistoryMarker::Kind::Deploy, QStringLiteral("v2")});
        QCOMPARE(panel.markerModel()->rowCount(), 1);
        for (MetricChart* c : panel.charts())
            QCOMPARE(c->markerCount(), c == panel.charts().first() ? 2 : 1);   // line (+ label on the first)
        panel.setComparisonMinutes(5);
        panel.selectMarker(0);
        ComparisonModel* m = panel.comparisonModel();
        QVERIFY(m->hasComparison());
        QCOMPARE(m->index(ComparisonModel::HitRate, ComparisonModel::Before).data(Qt::UserRole).toDouble(), 90.0);
        QCOMPARE(m->index(ComparisonModel::HitRate, ComparisonModel::After).data(Qt::UserRole).toDouble(), 60.0);
        QCOMPARE(m->index(ComparisonModel::HitRate, ComparisonModel::Difference).data(Qt::UserRole).toDouble(), -30.0);
        QCOMPARE(m->index(ComparisonModel::Misses, ComparisonModel::After).data(Qt::UserRole).toDouble(), 4.0);
        QCOMPARE(m->index(ComparisonModel::Memory, ComparisonModel::Difference).data(Qt::UserRole).toDouble(), 1000.0);
        panel.selectMarker(-1);
        QVERIFY(!m->hasComparison());
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestDashboardMarkers)
#include "tst_dashboard_markers.moc"
