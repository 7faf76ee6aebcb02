// The dashboard's sessions view and history settings: earlier recordings are listed from history.db, open beside
// the live charts, compare side by side; the retention setting removes what is older; closing takes them away.
#include "IsolatedEnvironment.h"

#include "WarningGuard.h"
#include "connectors/history/HistoryStore.h"
#include "ui/dashboard/ComparisonModel.h"
#include "ui/dashboard/DashboardPanel.h"
#include "ui/dashboard/MetricChart.h"
#include "ui/dashboard/RecordingListModel.h"
#include "ui/dashboard/SourceSeries.h"

#include <QAbstractItemModelTester>
#include <QDialog>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace cachelens;
using namespace cachelens::ui;

namespace {

// `seconds` samples, 1 s apart, from `start`, with `hitPct` % of 100 lookups per second hitting.
QVector<StatsSample> run(const QString& id, const QDateTime& start, int seconds, int hitPct, qint64 memory)
{
    QVector<StatsSample> out;
    for (int i = 0; i < seconds; ++i) {
        StatsSample s;
        s.sourceId = id;
        s.time = start.addSecs(i);
        s.hits = qint64(i) * hitPct;
        s.misses = qint64(i) * (100 - hitPct);
        s.commands = qint64(i) * 100;
        s.keys = 1000;
        s.memoryBytes = memory;
        s.clients = 3;
        s.runId = QStringLiteral("run-") + id;
        s.uptimeSeconds = 1000 + i;
        out << s;
    }
    return out;
}

double figure(const ComparisonModel& model, int row, int column)
{
    return model.data(model.index(row, column), Qt::UserRole).toDouble();
}

} // namespace

class TestDashboardSessions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordingsAreListedOpenedComparedAndClosed()
    {
        test::WarningGuard guard;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.db"));
        // Yesterday's deploy watch at 90 % hits, and this morning's at 60 %, of the same connection.
        const QDateTime yesterday = QDateTime::currentDateTimeUtc().addDays(-1);
        const QDateTime morning = QDateTime::currentDateTimeUtc().addSecs(-4 * 3600);
        {
            HistoryStore store;
            QVERIFY2(store.open(path), qPrintable(store.errorString()));
            QVERIFY(store.appendSamples(run(QStringLiteral("prod"), yesterday, 120, 90, 1 << 20)));
            QVERIFY(store.appendSamples(run(QStringLiteral("prod"), morning, 180, 60, 3 << 20)));
            QVERIFY(store.setSourceName(QStringLiteral("prod"), QStringLiteral("prod-cache")));
        }
        DashboardPanel panel(path, nullptr);
        panel.resize(1200, 900);
        QAbstractItemModelTester tester(panel.recordingModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy listed(&panel, &DashboardPanel::recordingsLoaded);
        panel.loadRecordings();
        QVERIFY(listed.wait(10000));
        RecordingListModel* model = panel.recordingModel();
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(model->data(model->index(0, RecordingListModel::Connection)).toString(), QStringLiteral("prod-cache"));
        QCOMPARE(model->data(model->index(0, RecordingListModel::Samples), Qt::UserRole).toLongLong(), 180);
        QCOMPARE(model->data(model->index(0, RecordingListModel::Length)).toString(), QStringLiteral("2 min 59 s"));   // 180 samples a second apart
        QCOMPARE(model->data(model->index(1, RecordingListModel::Samples), Qt::UserRole).toLongLong(), 120);

        // Open this morning's: it is drawn beside (here: instead of) live sources, the view paused on its span.
        QSignalSpy loaded(&panel, &DashboardPanel::historyLoaded);
        const QString id = panel.openRecording(model->recording(0));
        QVERIFY(loaded.wait(10000));
        QCOMPARE(loaded.first().first().toString(), id);
        QCOMPARE(panel.openRecordingIds(), QStringList{id});
        QVERIFY(panel.isPaused());
        const SourceSeries* s = panel.series(id);
        QVERIFY(s);
        QVERIFY(s->name().startsWith(QStringLiteral("prod-cache, ")));
        QVERIFY(panel.chartFor(Metric::HitRate)->graphFor(id, Metric::HitRate));
        const QCPRange range = panel.chartFor(Metric::HitRate)->xAxis->range();
        QVERIFY(range.contains(RateCalculator::toKey(morning.addSecs(1))));
        QVERIFY(range.contains(RateCalculator::toKey(morning.addSecs(179))));
        QCOMPARE(s->valueAt(Metric::HitRate, RateCalculator::toKey(morning.addSecs(179)), 5), 60.0);
        // History keeps the server's counters only: a recording's hit rate is the raw figure, and says so.
        QCOMPARE(panel.chartFor(Metric::HitRate)->note(),
                 QStringLiteral("the server's raw figure: CacheLens's own lookups cannot be known here"));

        // Compare the two: yesterday's is "before", this morning's "after", with their names as column titles.
        QSignalSpy compared(&panel, &DashboardPanel::recordingsCompared);
        panel.compareRecordings(model->recording(1), model->recording(0));
        QTRY_VERIFY_WITH_TIMEOUT(!compared.isEmpty(), 10000);
        const ComparisonModel& c = *panel.comparisonModel();
        QCOMPARE(figure(c, ComparisonModel::HitRate, ComparisonModel::Before), 90.0);
        QCOMPARE(figure(c, ComparisonModel::HitRate, ComparisonModel::After), 60.0);
        QCOMPARE(figure(c, ComparisonModel::HitRate, ComparisonModel::Difference), -30.0);
        QCOMPARE(figure(c, ComparisonModel::Ops, ComparisonModel::Before), 100.0);
        QCOMPARE(figure(c, ComparisonModel::Memory, ComparisonModel::After), double(3 << 20));
        QVERIFY(c.headerData(ComparisonModel::Before, Qt::Horizontal).toString().startsWith(QStringLiteral("prod-cache, ")));
        QCOMPARE(panel.openRecordingIds().size(), 2);
        // A redraw keeps the comparison (it is not a marker's).
        panel.refresh();
        QTest::qWait(2 * DashboardPanel::kRedrawMs);
        QCOMPARE(figure(c, ComparisonModel::HitRate, ComparisonModel::Before), 90.0);

        panel.closeRecordings();
        QVERIFY(panel.openRecordingIds().isEmpty());
        QCOMPARE(panel.chartFor(Metric::HitRate)->note(), QString());
        QVERIFY(!panel.chartFor(Metric::HitRate)->graphFor(id, Metric::HitRate));
        QVERIFY(!c.hasComparison());
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }

    void sessionsDialogOpensTheSelectedRecording()
    {
        test::WarningGuard guard;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.db"));
        {
            HistoryStore store;
            QVERIFY2(store.open(path), qPrintable(store.errorString()));
            QVERIFY(store.appendSamples(run(QStringLiteral("eu"), QDateTime::currentDateTimeUtc().addSecs(-7200), 60, 75, 1)));
        }
        DashboardPanel panel(path, nullptr);
        panel.show();
        QSignalSpy listed(&panel, &DashboardPanel::recordingsLoaded);
        panel.showSessions();
        auto* dialog = panel.findChild<QDialog*>(QStringLiteral("sessionsDialog"));
        QVERIFY(dialog);
        QVERIFY(listed.wait(10000));
        auto* table = dialog->findChild<QTableView*>(QStringLiteral("sessionsTable"));
        QVERIFY(table);
        QPushButton* open = nullptr;
        QPushButton* compare = nullptr;
        for (QPushButton* b : dialog->findChildren<QPushButton*>()) {
            if (b->text() == QStringLiteral("Open"))
                open = b;
            if (b->text() == QStringLiteral("Compare"))
                compare = b;
        }
        QVERIFY(open && compare);
        QVERIFY(!open->isEnabled());   // nothing selected yet
        table->selectRow(0);
        QVERIFY(open->isEnabled());
        QVERIFY(!compare->isEnabled());   // comparing needs two
        QSignalSpy loaded(&panel, &DashboardPanel::historyLoaded);
        QTest::mouseClick(open, Qt::LeftButton);
        QVERIFY(loaded.wait(10000));
        QCOMPARE(panel.openRecordingIds().size(), 1);
        dialog->close();
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }

    void retentionSettingRemovesOlderHistory()
    {
        test::WarningGuard guard;
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.db"));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        {
            HistoryStore store;
            QVERIFY2(store.open(path), qPrintable(store.errorString()));
            QVERIFY(store.appendSamples(run(QStringLiteral("old"), now.addDays(-20), 10, 50, 1)));
            QVERIFY(store.appendSamples(run(QStringLiteral("recent"), now.addDays(-3), 10, 50, 1)));
        }
        {
            DashboardPanel panel(path, nullptr);
            QCOMPARE(panel.historyRetentionDays(), 7);   // the default
            // With the default of 7 days the 20-day-old recording goes when the history opens.
            QSignalSpy listed(&panel, &DashboardPanel::recordingsLoaded);
            panel.loadRecordings();
            QVERIFY(listed.wait(10000));
            QCOMPARE(panel.recordingModel()->rowCount(), 1);
            QCOMPARE(panel.recordingModel()->recording(0).sourceId, QStringLiteral("recent"));
            panel.setHistoryRetentionDays(2);
            panel.loadRecordings();
            QVERIFY(listed.wait(10000));
            QCOMPARE(panel.recordingModel()->rowCount(), 0);
        }
        // Kept for the next start, and out of range values are clamped.
        DashboardPanel again(QString(), nullptr);
        QCOMPARE(again.historyRetentionDays(), 2);
        again.setHistoryRetentionDays(0);
        QCOMPARE(again.historyRetentionDays(), 1);
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestDashboardSessions)
#include "tst_dashboard_sessions.moc"
