// The dashboard with its SQLite history: what was watched comes back after a restart of the panel, markers too;
// a damaged history file is a banner, not a crash, and the charts keep working.
#include "IsolatedEnvironment.h"

#include "WarningGuard.h"
#include "connectors/history/HistoryStore.h"
#include "ui/dashboard/DashboardPanel.h"
#include "ui/dashboard/MarkerListModel.h"
#include "ui/dashboard/MetricChart.h"
#include "ui/dashboard/SourceSeries.h"

#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "ScriptedSource.h"

using namespace cachelens;
using namespace cachelens::ui;

namespace {

using test::ScriptedSource;

StatsSample at(const QDateTime& time, qint64 hits, qint64 misses)
{
    StatsSample s;
    s.sourceId = QStringLiteral("prod");
    s.time = time;
    s.hits = hits;
    s.misses = misses;
    s.commands = hits + misses;
    s.keys = 500;
    s.memoryBytes = 4096;
    s.clients = 2;
    s.runId = QStringLiteral("r");
    s.uptimeSeconds = 100;
    return s;
}

} // namespace

class TestDashboardHistory : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void defaultHistoryLivesInTheAppDataLocation()
    {
        QVERIFY(HistoryStore::defaultPath().startsWith(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));
        DashboardPanel panel;
        QVERIFY(panel.hasHistory());
        DashboardPanel none(QString(), nullptr);
        QVERIFY(!none.hasHistory());
    }

    void reopeningShowsThePastAndItsMarkers()
    {
        test::WarningGuard guard;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.db"));
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-600);
        {
            ScriptedSource source(QStringLiteral("prod"));
            DashboardPanel panel(path, nullptr);
            panel.setSource(&source);
            for (int i = 0; i <= 60; ++i)
                Q_EMIT source.statsSample(at(start.addSecs(i), 3 * i, i));   // 75 % hits
            panel.addMarker({0, QString(), start.addSecs(30), HistoryMarker::Kind::Deploy, QStringLiteral("v7")});
            panel.setSource(nullptr);
        }   // the history thread flushes and closes the file here

        ScriptedSource source(QStringLiteral("prod"));
        DashboardPanel panel(path, nullptr);
        QSignalSpy loaded(&panel, &DashboardPanel::historyLoaded);
        panel.setSource(&source);
        QTRY_COMPARE(loaded.size(), 1);
        const SourceSeries* s = panel.series(QStringLiteral("prod"));
        QCOMPARE(int(s->points().size()), 61);
        QCOMPARE(s->points().back().hitRatePct, 75.0);
        QCOMPARE(s->points().back().hitsPerSec, 3.0);
        QCOMPARE(panel.markers().size(), 1);
        QCOMPARE(panel.markers().first().label, QStringLiteral("v7"));
        QVERIFY(panel.markers().first().id > 0);
        for (MetricChart* c : panel.charts())
            QVERIFY(c->markerCount() >= 1);

        // Live samples after reopening go after a gap, not joined to the past by a line.
        Q_EMIT source.statsSample(at(QDateTime::currentDateTimeUtc(), 1000, 1000));
        QVERIFY(panel.series(QStringLiteral("prod"))->points().at(61).isGap());
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }

    void liveSamplesThatArriveBeforeThePastStayInOrder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.db"));
        const QDateTime start = QDateTime::currentDateTimeUtc().addSecs(-300);
        {
            HistoryStore store;
            QVERIFY(store.open(path));
            QVector<StatsSample> past;
            for (int i = 0; i < 10; ++i)
                past << at(start.addSecs(i), i, i);
            QVERIFY(store.appendSamples(past));
        }
        ScriptedSource source(QStringLiteral("prod"));
        DashboardPanel panel(path, nullptr);
        QSignalSpy loaded(&panel, &DashboardPanel::historyLoaded);
        panel.setSource(&source);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        Q_EMIT source.statsSample(at(now.addSecs(-1), 100, 100));   // before the history answer is processed
        Q_EMIT source.statsSample(at(now, 110, 100));
        QTRY_COMPARE(loaded.size(), 1);
        const auto& points = panel.series(QStringLiteral("prod"))->points();
        QCOMPARE(int(points.size()), 10 + 1 + 2);   // past, gap, live
        for (size_t i = 1; i < points.size(); ++i)
            QVERIFY(points[i - 1].time < points[i].time);
        QCOMPARE(points.back().hitsPerSec, 10.0);
        const auto& data = *panel.series(QStringLiteral("prod"))->data(Metric::HitsPerSec);
        QCOMPARE(data.size(), int(points.size()));
    }

    void damagedHistoryIsABannerAndChartsStillWork()
    {
        test::WarningGuard guard;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.db"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, '#'));
        f.close();
        ScriptedSource source(QStringLiteral("prod"));
        DashboardPanel panel(path, nullptr);
        panel.setSource(&source);
        QTRY_VERIFY(!panel.bannerText().isEmpty());
        QVERIFY2(panel.bannerText().contains(QStringLiteral("damaged")), qPrintable(panel.bannerText()));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        Q_EMIT source.statsSample(at(now.addSecs(-1), 0, 0));
        Q_EMIT source.statsSample(at(now, 4, 4));
        QCOMPARE(panel.series(QStringLiteral("prod"))->points().back().hitRatePct, 50.0);
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestDashboardHistory)
#include "tst_dashboard_history.moc"
