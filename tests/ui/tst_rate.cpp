// RateCalculator: rates from counter deltas, resets that never go negative, gaps that stay gaps.
#include "ui/dashboard/RateCalculator.h"

#include <QTest>

#include <cmath>

using namespace cachelens;
using namespace cachelens::ui;

namespace {

const QDateTime kT0 = QDateTime(QDate(2026, 11, 23), QTime(12, 0), Qt::UTC);

// A Redis-like sample at t0 + seconds.
StatsSample sample(double seconds, qint64 hits, qint64 misses, qint64 commands = -1, QString runId = QStringLiteral("A"),
                   qint64 keys = 1000)
{
    StatsSample s;
    s.sourceId = QStringLiteral("redis");
    s.time = kT0.addMSecs(qint64(seconds * 1000));
    s.hits = hits;
    s.misses = misses;
    s.commands = commands;
    s.evictions = 0;
    s.expirations = 0;
    s.keys = keys;
    s.memoryBytes = 1 << 20;
    s.clients = 3;
    s.runId = std::move(runId);
    s.uptimeSeconds = 100 + qint64(seconds);
    return s;
}

StatsSample withOwn(StatsSample s, qint64 ownHits, qint64 ownMisses, qint64 ownUncountable = 0)
{
    s.ownHits = ownHits;
    s.ownMisses = ownMisses;
    s.ownUncountable = ownUncountable;
    return s;
}

bool same(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || std::abs(a - b) < 1e-9;
}

} // namespace

class TestRate : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void lastPoint_data()
    {
        QTest::addColumn<QVector<StatsSample>>("samples");
        QTest::addColumn<double>("hitsPerSec");
        QTest::addColumn<double>("missesPerSec");
        QTest::addColumn<double>("opsPerSec");
        QTest::addColumn<double>("hitRatePct");
        QTest::addColumn<double>("windowHitRatePct");   // window 60 s
        QTest::addColumn<unsigned>("events");
        QTest::addColumn<int>("gapPoints");

        QTest::addRow("first sample has gauges but no rates")
            << QVector<StatsSample>{sample(0, 10, 10, 100)} << kNaN << kNaN << kNaN << kNaN << kNaN << 0u << 0;
        QTest::addRow("steady traffic")
            << QVector<StatsSample>{sample(0, 0, 0, 0), sample(1, 30, 10, 50)} << 30.0 << 10.0 << 50.0 << 75.0 << 75.0
            << 0u << 0;
        QTest::addRow("rates are per second over a 2 s interval")
            << QVector<StatsSample>{sample(0, 0, 0, 0), sample(2, 30, 10, 50)} << 15.0 << 5.0 << 25.0 << 75.0 << 75.0
            << 0u << 0;
        QTest::addRow("no lookups: hit rate unknown, not zero")
            << QVector<StatsSample>{sample(0, 5, 5, 10), sample(1, 5, 5, 12)} << 0.0 << 0.0 << 2.0 << kNaN << kNaN
            << 0u << 0;
        QTest::addRow("window sums lookups, does not average percentages")
            << QVector<StatsSample>{sample(0, 0, 0, 0), sample(1, 90, 10, 100), sample(2, 90, 20, 110)} << 0.0 << 10.0
            << 10.0 << 0.0 << (100.0 * 90 / 110) << 0u << 0;
        {
            QVector<StatsSample> samples{sample(0, 0, 0, 0)};
            for (int t = 1; t <= 61; ++t)
                samples << sample(t, 100, 0, 100);   // 100 hits in the first second, then idle
            samples << sample(62, 100, 100, 200);
            QTest::addRow("window forgets lookups older than 60 s")
                << samples << 0.0 << 100.0 << 100.0 << 0.0 << 0.0 << 0u << 0;
        }
        QTest::addRow("CONFIG RESETSTAT counts from zero, never negative")
            << QVector<StatsSample>{sample(0, 1000, 500, 5000), sample(1, 6, 2, 9)} << 6.0 << 2.0 << 9.0 << 75.0
            << 75.0 << unsigned(RatePoint::StatsReset) << 0;
        QTest::addRow("restart (run_id changed) counts from zero even when counters grew")
            << QVector<StatsSample>{sample(0, 10, 10, 100), sample(1, 40, 10, 120, QStringLiteral("B"))} << 40.0
            << 10.0 << 120.0 << 80.0 << 80.0 << unsigned(RatePoint::Restart) << 0;
        {
            StatsSample after = sample(1, 4, 0, 8, QString());
            after.uptimeSeconds = 0;
            QTest::addRow("restart seen by uptime going down (no run_id)")
                << QVector<StatsSample>{sample(0, 10, 10, 100, QString()), after} << 4.0 << 0.0 << 8.0 << 100.0
                << 100.0 << unsigned(RatePoint::Restart) << 0;
        }
        QTest::addRow("missed polls are a gap, not an average over it")
            << QVector<StatsSample>{sample(0, 0, 0, 0), sample(1, 10, 0, 10), sample(11, 110, 0, 110)} << kNaN << kNaN
            << kNaN << kNaN << kNaN << 0u << 1;
        QTest::addRow("after a gap the next interval has rates again")
            << QVector<StatsSample>{sample(0, 0, 0, 0), sample(10, 100, 0, 100), sample(11, 101, 1, 103)} << 1.0
            << 1.0 << 3.0 << 50.0 << 50.0 << 0u << 1;
        QTest::addRow("FLUSHALL: key count collapse")
            << QVector<StatsSample>{sample(0, 0, 0, 0, QStringLiteral("A"), 5000),
                                    sample(1, 0, 0, 1, QStringLiteral("A"), 0)}
            << 0.0 << 0.0 << 1.0 << kNaN << kNaN << unsigned(RatePoint::Flush) << 0;
        QTest::addRow("deleting the last few keys is not a flush")
            << QVector<StatsSample>{sample(0, 0, 0, 0, QStringLiteral("A"), 50),
                                    sample(1, 0, 0, 1, QStringLiteral("A"), 0)}
            << 0.0 << 0.0 << 1.0 << kNaN << kNaN << 0u << 0;
        QTest::addRow("a restart of an empty server flushes too")
            << QVector<StatsSample>{sample(0, 7, 3, 10, QStringLiteral("A"), 800),
                                    sample(1, 0, 0, 2, QStringLiteral("B"), 0)}
            << 0.0 << 0.0 << 2.0 << kNaN << kNaN << unsigned(RatePoint::Restart | RatePoint::Flush) << 0;
        {
            StatsSample a = sample(0, 10, 10);
            StatsSample b = sample(1, 20, 30);
            a.sets = 5;
            a.deletes = 1;
            b.sets = 15;
            b.deletes = 6;
            QTest::addRow("no command counter: ops are lookups + sets + deletes")
                << QVector<StatsSample>{a, b} << 10.0 << 20.0 << 45.0 << (100.0 / 3) << (100.0 / 3) << 0u << 0;
        }
        {
            StatsSample a = sample(0, -1, -1, 10);
            StatsSample b = sample(1, -1, -1, 20);
            QTest::addRow("unreported counters stay unknown")
                << QVector<StatsSample>{a, b} << kNaN << kNaN << 10.0 << kNaN << kNaN << 0u << 0;
        }
        QTest::addRow("duplicate timestamp adds nothing")
            << QVector<StatsSample>{sample(0, 0, 0, 0), sample(1, 10, 10, 20), sample(1, 50, 50, 100)} << 10.0
            << 10.0 << 20.0 << 50.0 << 50.0 << 0u << 0;
    }
    void lastPoint()
    {
        QFETCH(QVector<StatsSample>, samples);
        QFETCH(double, hitsPerSec);
        QFETCH(double, missesPerSec);
        QFETCH(double, opsPerSec);
        QFETCH(double, hitRatePct);
        QFETCH(double, windowHitRatePct);
        QFETCH(unsigned, events);
        QFETCH(int, gapPoints);

        RateCalculator calc(1.0, 60.0);
        std::vector<RatePoint> points;
        for (const StatsSample& s : samples)
            calc.add(s, points);
        QVERIFY(!points.empty());
        const RatePoint& p = points.back();
        QVERIFY2(same(p.hitsPerSec, hitsPerSec), qPrintable(QString::number(p.hitsPerSec)));
        QVERIFY2(same(p.missesPerSec, missesPerSec), qPrintable(QString::number(p.missesPerSec)));
        QVERIFY2(same(p.opsPerSec, opsPerSec), qPrintable(QString::number(p.opsPerSec)));
        QVERIFY2(same(p.hitRatePct, hitRatePct), qPrintable(QString::number(p.hitRatePct)));
        QVERIFY2(same(p.windowHitRatePct, windowHitRatePct), qPrintable(QString::number(p.windowHitRatePct)));
        QCOMPARE(p.events, events);
        QCOMPARE(int(std::count_if(points.begin(), points.end(), [](const RatePoint& r) { return r.isGap(); })),
                 gapPoints);
        // Gauges are always real on a sample's own point.
        QCOMPARE(p.keys, double(samples.last().keys));
        QCOMPARE(p.memoryBytes, double(1 << 20));
        for (const RatePoint& r : points) {
            for (double rate : {r.hitsPerSec, r.missesPerSec, r.opsPerSec, r.evictionsPerSec, r.expirationsPerSec})
                QVERIFY(std::isnan(rate) || rate >= 0);
        }
    }

    void ownLookupsAreTakenOut_data()
    {
        QTest::addColumn<QVector<StatsSample>>("samples");
        QTest::addColumn<double>("hitsPerSec");
        QTest::addColumn<double>("missesPerSec");
        QTest::addColumn<double>("hitRatePct");
        QTest::addColumn<double>("ownLookupsPerSec");
        QTest::addColumn<bool>("uncountable");
        QTest::addRow("the applications' lookups are what is left")
            << QVector<StatsSample>{withOwn(sample(0, 0, 0), 0, 0), withOwn(sample(1, 130, 20), 100, 10)} << 30.0
            << 10.0 << 75.0 << 110.0 << false;
        QTest::addRow("per second over a 2 s interval")
            << QVector<StatsSample>{withOwn(sample(0, 0, 0), 0, 0), withOwn(sample(2, 130, 20), 100, 10)} << 15.0
            << 5.0 << 75.0 << 55.0 << false;
        QTest::addRow("a source that cannot tell gives the raw figure")
            << QVector<StatsSample>{sample(0, 0, 0), sample(1, 130, 20)} << 130.0 << 20.0 << (100.0 * 130 / 150)
            << kNaN << false;
        QTest::addRow("a new connection's own counters start from zero")
            << QVector<StatsSample>{withOwn(sample(0, 1000, 100), 500, 50), withOwn(sample(1, 1130, 120), 100, 10)}
            << 30.0 << 10.0 << 75.0 << 110.0 << false;
        QTest::addRow("a server restart does not reset CacheLens's counters")
            << QVector<StatsSample>{withOwn(sample(0, 1000, 0), 100, 0),
                                    withOwn(sample(1, 50, 10, -1, QStringLiteral("B")), 130, 0)}
            << 20.0 << 10.0 << (100.0 * 20 / 30) << 30.0 << false;
        QTest::addRow("a correction never goes below zero")
            << QVector<StatsSample>{withOwn(sample(0, 0, 0), 0, 0), withOwn(sample(1, 10, 10), 30, 5)} << 0.0 << 5.0
            << 0.0 << 35.0 << false;
        QTest::addRow("scripts make the correction partial")
            << QVector<StatsSample>{withOwn(sample(0, 0, 0), 0, 0, 4), withOwn(sample(1, 30, 10), 0, 0, 6)} << 30.0
            << 10.0 << 75.0 << 0.0 << true;
    }
    void ownLookupsAreTakenOut()
    {
        QFETCH(QVector<StatsSample>, samples);
        QFETCH(double, hitsPerSec);
        QFETCH(double, missesPerSec);
        QFETCH(double, hitRatePct);
        QFETCH(double, ownLookupsPerSec);
        QFETCH(bool, uncountable);
        RateCalculator calc(1.0, 0.0);
        std::vector<RatePoint> points;
        for (const StatsSample& s : samples)
            calc.add(s, points);
        const RatePoint& p = points.back();
        QVERIFY2(same(p.hitsPerSec, hitsPerSec), qPrintable(QString::number(p.hitsPerSec)));
        QVERIFY2(same(p.missesPerSec, missesPerSec), qPrintable(QString::number(p.missesPerSec)));
        QVERIFY2(same(p.hitRatePct, hitRatePct), qPrintable(QString::number(p.hitRatePct)));
        QVERIFY2(same(p.windowHitRatePct, hitRatePct), qPrintable(QString::number(p.windowHitRatePct)));
        QVERIFY2(same(p.ownLookupsPerSec, ownLookupsPerSec), qPrintable(QString::number(p.ownLookupsPerSec)));
        QCOMPARE(p.ownUncountable, uncountable);
    }

    void gapPointBreaksEveryLineRightAfterTheLastSample()
    {
        RateCalculator calc(1.0, 60.0);
        calc.add(sample(0, 0, 0, 0));
        calc.add(sample(1, 1, 1, 2));
        const std::vector<RatePoint> points = calc.add(sample(30, 5, 5, 10));
        QCOMPARE(points.size(), size_t(2));
        const RatePoint& gap = points.front();
        QVERIFY(gap.isGap());
        QVERIFY(gap.time > RateCalculator::toKey(kT0.addSecs(1)));
        QVERIFY(gap.time < points.back().time);
        for (double v : {gap.hitsPerSec, gap.missesPerSec, gap.opsPerSec, gap.hitRatePct, gap.windowHitRatePct,
                         gap.memoryBytes, gap.keys, gap.clients})
            QVERIFY(std::isnan(v));
    }

    void disconnectionGivesOneGapAndANewBaseline()
    {
        RateCalculator calc(1.0, 60.0);
        calc.add(sample(0, 0, 0, 0));
        calc.add(sample(1, 10, 0, 10));
        RatePoint gap;
        QVERIFY(calc.disconnected(RateCalculator::toKey(kT0.addMSecs(1500)), gap));
        QVERIFY(gap.isGap());
        QVERIFY(!calc.disconnected(RateCalculator::toKey(kT0.addSecs(2)), gap));   // already broken
        // Reconnected quickly (inside the gap threshold): still no averaging over the outage.
        const std::vector<RatePoint> points = calc.add(sample(2, 20, 0, 20));
        QCOMPARE(points.size(), size_t(1));
        QVERIFY(std::isnan(points.back().hitsPerSec));
        QCOMPARE(points.back().keys, 1000.0);
        QCOMPARE(calc.add(sample(3, 25, 5, 30)).back().hitsPerSec, 5.0);
    }

    void gapThresholdFollowsThePollInterval_data()
    {
        QTest::addColumn<double>("poll");
        QTest::addColumn<double>("threshold");
        QTest::addRow("250 ms polls: at least 1.5 s") << 0.25 << 1.5;
        QTest::addRow("1 s polls: 3 s") << 1.0 << 3.0;
        QTest::addRow("60 s polls: 3 min") << 60.0 << 180.0;
    }
    void gapThresholdFollowsThePollInterval()
    {
        QFETCH(double, poll);
        QFETCH(double, threshold);
        QCOMPARE(RateCalculator(poll).gapThreshold(), threshold);
    }

    void intervalWindowIsTheLastIntervalOnly()
    {
        RateCalculator calc(1.0, 0.0);
        calc.add(sample(0, 0, 0, 0));
        calc.add(sample(1, 100, 0, 100));
        QCOMPARE(calc.add(sample(2, 100, 100, 200)).back().windowHitRatePct, 0.0);
    }
};

QTEST_APPLESS_MAIN(TestRate)
#include "tst_rate.moc"
