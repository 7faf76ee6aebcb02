// The one progress meter: rate and ETA from a fake clock the test moves (no sleeps, no timed assertions).
#include "connectors/support/Progress.h"

#include <QtTest>

using namespace cachelens;

namespace {

const QLocale kEnglish(QLocale::English, QLocale::UnitedStates);

struct FakeClock {
    qint64 ms = 1000;   // not zero: the meter must measure from its start, not from the clock's origin
    ProgressMeter::Clock clock() { return [this] { return ms; }; }
};

} // namespace

class TstProgress : public QObject {
    Q_OBJECT

private slots:
    void rateAndEtaFollowTheWorkDone_data()
    {
        QTest::addColumn<qint64>("total");
        QTest::addColumn<qint64>("afterMs");
        QTest::addColumn<qint64>("done");
        QTest::addColumn<double>("rate");
        QTest::addColumn<double>("eta");
        QTest::addRow("nothing done yet: no rate, no ETA") << qint64(9000) << qint64(200) << qint64(0) << 0.0 << -1.0;
        QTest::addRow("before a first window: the average") << qint64(9000) << qint64(400) << qint64(1200) << 3000.0 << 2.6;
        QTest::addRow("after a first window: its rate") << qint64(9000) << qint64(2000) << qint64(1000) << 500.0 << 16.0;
        QTest::addRow("no total: a rate, no ETA") << qint64(-1) << qint64(2000) << qint64(1000) << 500.0 << -1.0;
        QTest::addRow("an estimate overtaken: no ETA") << qint64(900) << qint64(2000) << qint64(1000) << 500.0 << -1.0;
        QTest::addRow("all done: nothing left") << qint64(1000) << qint64(2000) << qint64(1000) << 500.0 << 0.0;
    }
    void rateAndEtaFollowTheWorkDone()
    {
        QFETCH(qint64, total);
        QFETCH(qint64, afterMs);
        QFETCH(qint64, done);
        QFETCH(double, rate);
        QFETCH(double, eta);
        FakeClock t;
        ProgressMeter meter(t.clock());
        meter.start(total);
        t.ms += afterMs;
        meter.update(done);
        QCOMPARE(meter.elapsedSeconds(), double(afterMs) / 1000.0);
        QCOMPARE(meter.rate(), rate);
        QCOMPARE(meter.etaSeconds(), eta);
    }

    void aPauseSlowsTheRateGraduallyAndAResumeRecoversIt()
    {
        FakeClock t;
        ProgressMeter meter(t.clock());
        meter.start(100000);
        for (int s = 1; s <= 10; ++s) {   // 1,000 keys a second for 10 s
            t.ms += 1000;
            meter.update(1000 * s);
        }
        QCOMPARE(meter.rate(), 1000.0);
        QCOMPARE(meter.etaSeconds(), 90.0);
        t.ms += 1000;   // a second without progress: the rate drops by the newest window's weight, not to zero
        meter.update(10000);
        QCOMPARE(meter.rate(), 1000.0 * (1 - ProgressMeter::kSmoothing));
        double last = meter.rate();
        for (int s = 1; s <= 20; ++s) {   // back to 1,000 a second: the rate climbs back towards it
            t.ms += 1000;
            meter.update(10000 + 1000 * s);
            QVERIFY(meter.rate() > last);
            QVERIFY(meter.rate() < 1000.0);
            last = meter.rate();
        }
        QVERIFY(last > 999.0);
    }

    void updatesCloserThanAWindowAreTakenAsOne()
    {
        FakeClock t;
        ProgressMeter meter(t.clock());
        meter.start(10000);
        t.ms += 1000;
        meter.update(1000);   // first window: 1,000/s
        for (int i = 1; i <= 4; ++i) {   // four updates 100 ms apart, 400 keys in all: one 400 ms stretch, no window yet
            t.ms += 100;
            meter.update(1000 + 100 * i);
            QCOMPARE(meter.rate(), 1000.0);
        }
        t.ms += 100;   // 500 ms since the window began, 500 keys: a 1,000/s window
        meter.update(1500);
        QCOMPARE(meter.rate(), 1000.0);
        QCOMPARE(meter.etaSeconds(), 8.5);
    }

    void startBeginsAFreshRun()
    {
        FakeClock t;
        ProgressMeter meter(t.clock());
        meter.start(100);
        t.ms += 1000;
        meter.update(50);
        meter.start(200);
        QCOMPARE(meter.done(), 0);
        QCOMPARE(meter.total(), 200);
        QCOMPARE(meter.rate(), 0.0);
        QCOMPARE(meter.elapsedSeconds(), 0.0);
    }

    void theStandardLine_data()
    {
        QTest::addColumn<qint64>("total");
        QTest::addColumn<qint64>("done");
        QTest::addColumn<QString>("line");
        QTest::addRow("with an ETA") << qint64(9000) << qint64(6800)
                                     << QStringLiteral("Reading 6,800 of 9,000 keys · 3,400 keys/s · about 647 ms left");
        QTest::addRow("ETA in seconds") << qint64(15000) << qint64(6800)
                                        << QStringLiteral("Reading 6,800 of 15,000 keys · 3,400 keys/s · about 2.4 s left");
        QTest::addRow("no total: no ETA") << qint64(-1) << qint64(6800)
                                          << QStringLiteral("Reading 6,800 of 9,000 keys · 3,400 keys/s");
        QTest::addRow("all done: no time left") << qint64(6800) << qint64(6800)
                                                << QStringLiteral("Reading 6,800 of 6,800 keys · 3,400 keys/s");
    }
    void theStandardLine()
    {
        QFETCH(qint64, total);
        QFETCH(qint64, done);
        QFETCH(QString, line);
        FakeClock t;
        ProgressMeter meter(t.clock());
        meter.start(total);
        t.ms += 2000;
        meter.update(done);
        const QString counts = QStringLiteral("Reading %1 of %2 keys")
                                   .arg(kEnglish.toString(done), kEnglish.toString(total < 0 ? 9000 : total));
        QCOMPARE(meter.line(counts, QStringLiteral("keys"), kEnglish),
                 line);
    }

    void rateAndTimeLeftWords()
    {
        QCOMPARE(formatRate(3399.6, QStringLiteral("keys"), kEnglish), QStringLiteral("3,400 keys/s"));
        QCOMPARE(formatRate(-1, QStringLiteral("keys"), kEnglish), QStringLiteral("0 keys/s"));
        QCOMPARE(formatTimeLeft(185, kEnglish), QStringLiteral("about 3 min 05 s left"));
        QCOMPARE(formatTimeLeft(-1, kEnglish), QString());
    }
};

QTEST_APPLESS_MAIN(TstProgress)
#include "tst_progress.moc"
