#include "ui/OwnLoadMeter.h"

#include <QTest>

using namespace cachelens;
using namespace cachelens::ui;

namespace {
StatsSample sample(qint64 msecs, std::int64_t commands, double p99, const QString& id = QStringLiteral("a"))
{
    StatsSample s;
    s.sourceId = id;
    s.time = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000 + msecs, Qt::UTC);
    s.ownCommands = commands;
    s.ownLatencyP99Ms = p99;
    return s;
}
} // namespace

class OwnLoadMeterTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void text_data()
    {
        QTest::addColumn<StatsSample>("first");
        QTest::addColumn<StatsSample>("second");
        QTest::addColumn<QString>("expected");
        QTest::addRow("rate over the interval") << sample(0, 100, 0.4) << sample(2000, 340, 0.42)
                                                << QStringLiteral("CacheLens: 120 cmd/s, 0.4 ms p99");
        QTest::addRow("counter went back (reconnect)") << sample(0, 500, 1) << sample(1000, 3, 1.0)
                                                       << QStringLiteral("CacheLens: … cmd/s, 1.0 ms p99");
        QTest::addRow("another source") << sample(0, 100, 1) << sample(1000, 200, 1, QStringLiteral("b"))
                                        << QStringLiteral("CacheLens: … cmd/s, 1.0 ms p99");
        QTest::addRow("no latency yet") << sample(0, 0, -1) << sample(1000, 10, -1)
                                        << QStringLiteral("CacheLens: 10 cmd/s");
        StatsSample withLookups = sample(0, 100, 0.4), later = sample(2000, 340, 0.42);
        withLookups.ownHits = 10;
        withLookups.ownMisses = 0;
        later.ownHits = 170;
        later.ownMisses = 80;
        QTest::addRow("keyspace lookups it added") << withLookups << later
                                                  << QStringLiteral("CacheLens: 120 cmd/s, 120 lookups/s, 0.4 ms p99");
        StatsSample local = sample(1000, -1, -1);
        QTest::addRow("source without own load") << sample(0, 10, 1) << local << QString();
    }

    void text()
    {
        QFETCH(StatsSample, first);
        QFETCH(StatsSample, second);
        QFETCH(QString, expected);
        QLocale::setDefault(QLocale::c());
        OwnLoadMeter meter;
        meter.update(first);
        QCOMPARE(meter.update(second).text(), expected);
    }
};

QTEST_APPLESS_MAIN(OwnLoadMeterTest)
#include "tst_ownloadmeter.moc"
