// Alert rules (pure evaluation, data-driven), the panel's banner and alert markers, and export of the visible window.
#include "IsolatedEnvironment.h"

#include "WarningGuard.h"
#include "ui/dashboard/AlertRules.h"
#include "ui/dashboard/AlertsDialog.h"
#include "ui/dashboard/DashboardPanel.h"
#include "ui/dashboard/MetricChart.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QPushButton>
#include <QImage>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "ScriptedSource.h"

using namespace cachelens;
using namespace cachelens::ui;

namespace {

using test::ScriptedSource;

// `seconds` points of 1 s, each with `lookups` lookups at `hitRate` %.
void appendLookups(std::deque<RatePoint>& points, int seconds, double lookups, double hitRate, double memory = 100)
{
    double t = points.empty() ? 0 : points.back().time;
    for (int i = 0; i < seconds; ++i) {
        RatePoint p;
        p.time = ++t;
        p.interval = 1;
        p.hits = lookups * hitRate / 100;
        p.misses = lookups - p.hits;
        p.memoryBytes = memory;
        points.push_back(p);
    }
}

} // namespace

class TestDashboardAlerts : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rules_data()
    {
        QTest::addColumn<AlertRules>("rules");
        QTest::addColumn<double>("baselineRate");    // 10 minutes at this hit rate
        QTest::addColumn<double>("recentRate");      // then 1 minute at this one
        QTest::addColumn<double>("lookupsPerSec");
        QTest::addColumn<double>("memory");
        QTest::addColumn<QList<int>>("fired");       // Alert::Kind values, in order

        AlertRules below;
        below.hitRateBelowEnabled = true;
        below.hitRateBelowPct = 90;
        AlertRules drop;
        drop.dropEnabled = true;
        drop.dropPoints = 10;
        AlertRules memory;
        memory.memoryAboveEnabled = true;
        memory.memoryAboveBytes = 1000;
        QTest::addRow("below threshold") << below << 95.0 << 85.0 << 10.0 << 100.0 << QList<int>{int(Alert::Kind::HitRateBelow)};
        QTest::addRow("above threshold") << below << 95.0 << 92.0 << 10.0 << 100.0 << QList<int>{};
        QTest::addRow("too few lookups to judge") << below << 95.0 << 0.0 << 0.01 << 100.0 << QList<int>{};
        QTest::addRow("drop of 15 points") << drop << 95.0 << 80.0 << 10.0 << 100.0 << QList<int>{int(Alert::Kind::HitRateDrop)};
        QTest::addRow("drop of 5 points") << drop << 95.0 << 90.0 << 10.0 << 100.0 << QList<int>{};
        QTest::addRow("low but steady is no drop") << drop << 50.0 << 50.0 << 10.0 << 100.0 << QList<int>{};
        QTest::addRow("memory above") << memory << 95.0 << 95.0 << 10.0 << 2000.0 << QList<int>{int(Alert::Kind::MemoryAbove)};
        QTest::addRow("disabled rules never fire") << AlertRules{} << 95.0 << 10.0 << 10.0 << 1e12 << QList<int>{};
    }
    void rules()
    {
        QFETCH(AlertRules, rules);
        QFETCH(double, baselineRate);
        QFETCH(double, recentRate);
        QFETCH(double, lookupsPerSec);
        QFETCH(double, memory);
        QFETCH(QList<int>, fired);
        AlertEvaluator evaluator;
        evaluator.setRules(rules);
        std::deque<RatePoint> points;
        QList<int> got;
        for (int i = 0; i < 600; ++i) {
            appendLookups(points, 1, 10, baselineRate);
            for (const Alert& a : evaluator.evaluate(points))
                got << int(a.kind);
        }
        QVERIFY2(got.isEmpty(), "nothing fires while the baseline is normal");
        for (int i = 0; i < 60; ++i) {
            appendLookups(points, 1, lookupsPerSec, recentRate, memory);
            for (const Alert& a : evaluator.evaluate(points))
                got << int(a.kind);
        }
        QCOMPARE(got, fired);   // once, not once per sample
    }

    void ruleRearmsWhenTheConditionClears()
    {
        AlertRules rules;
        rules.memoryAboveEnabled = true;
        rules.memoryAboveBytes = 1000;
        AlertEvaluator evaluator;
        evaluator.setRules(rules);
        std::deque<RatePoint> points;
        int fired = 0;
        for (double memory : {2000.0, 2000.0, 500.0, 3000.0, 3000.0}) {
            appendLookups(points, 1, 10, 100, memory);
            fired += int(evaluator.evaluate(points).size());
        }
        QCOMPARE(fired, 2);
        QVERIFY(evaluator.isActive(Alert::Kind::MemoryAbove));
    }

    void panelShowsABannerAndMarksTheTimeline()
    {
        test::WarningGuard guard;
        ScriptedSource source(QStringLiteral("prod"));
        DashboardPanel panel(QString(), nullptr);
        AlertRules rules;
        rules.memoryAboveEnabled = true;
        rules.memoryAboveBytes = 1 << 20;
        panel.setAlertRules(rules);
        panel.setSource(&source);
        QSignalSpy raised(&panel, &DashboardPanel::alertRaised);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (int i = 0; i < 3; ++i) {
            StatsSample s;
            s.sourceId = QStringLiteral("prod");
            s.time = now.addSecs(i - 3);
            s.memoryBytes = i == 2 ? (2 << 20) : 1000;
            Q_EMIT source.statsSample(s);
        }
        QCOMPARE(raised.size(), 1);
        QVERIFY2(panel.bannerText().contains(QStringLiteral("prod: memory")), qPrintable(panel.bannerText()));
        QCOMPARE(panel.markers().size(), 1);
        QCOMPARE(panel.markers().first().kind, HistoryMarker::Kind::Alert);
        // Rules are kept for the next start.
        DashboardPanel again(QString(), nullptr);
        QVERIFY(again.alertRules().memoryAboveEnabled);
        QCOMPARE(again.alertRules().memoryAboveBytes, double(1 << 20));
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }

    void exportWritesTheVisibleWindow()
    {
        test::WarningGuard guard;
        QTemporaryDir dir;
        ScriptedSource source(QStringLiteral("prod,eu"));
        DashboardPanel panel(QString(), nullptr);
        panel.resize(1200, 900);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setSource(&source);
        panel.setWindow(DashboardPanel::Window::OneMinute);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (int i = -120; i <= 0; ++i) {   // two minutes: only the last one is visible
            StatsSample s;
            s.sourceId = QStringLiteral("prod,eu");
            s.time = now.addSecs(i);
            s.hits = 3 * (i + 120);
            s.misses = i + 120;
            s.keys = 10;
            Q_EMIT source.statsSample(s);
        }
        panel.setPaused(true);
        const QString csv = dir.filePath(QStringLiteral("window.csv"));
        QVERIFY(panel.exportVisible(csv));
        QFile f(csv);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = f.readAll().split('\n');
        QVERIFY(lines.first().startsWith("time_utc,source,hits_per_s,misses_per_s,hit_rate_pct"));
        const int rows = int(lines.size()) - 2;   // header and the empty string after the last newline
        QVERIFY2(rows >= 58 && rows <= 62, QByteArray::number(rows).constData());
        QVERIFY2(lines.at(1).contains(",\"prod,eu\",3,1,75,"), lines.at(1).constData());

        const QString png = dir.filePath(QStringLiteral("window.png"));
        QVERIFY(panel.exportVisible(png));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() >= 2 * panel.charts().first()->width());
        const QString pdf = dir.filePath(QStringLiteral("window.pdf"));
        QVERIFY(panel.exportVisible(pdf));
        QFile p(pdf);
        QVERIFY(p.open(QIODevice::ReadOnly));
        QVERIFY(p.read(5) == "%PDF-");
        QVERIFY(!panel.exportVisible(dir.filePath(QStringLiteral("missing/dir/x.csv"))));
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }

    void rulesArePerConnection()
    {
        test::WarningGuard guard;
        ScriptedSource a(QStringLiteral("a")), b(QStringLiteral("b"));
        DashboardPanel panel(QString(), nullptr);
        panel.setAlertRules(AlertRules{});   // defaults: nothing
        AlertRules strict;
        strict.memoryAboveEnabled = true;
        strict.memoryAboveBytes = 1 << 20;
        panel.setAlertRules(QStringLiteral("a"), strict);
        panel.setSource(&a);
        panel.addSource(&b);
        QVERIFY(panel.hasOwnAlertRules(QStringLiteral("a")));
        QVERIFY(!panel.hasOwnAlertRules(QStringLiteral("b")));
        QSignalSpy raised(&panel, &DashboardPanel::alertRaised);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        for (ScriptedSource* source : {&a, &b}) {
            for (int i = 0; i < 3; ++i) {
                StatsSample s;
                s.sourceId = source->id();
                s.time = now.addSecs(i - 3);
                s.memoryBytes = 2 << 20;   // both over 1 MiB: only a has the rule
                Q_EMIT source->statsSample(s);
            }
        }
        QCOMPARE(raised.size(), 1);
        QVERIFY2(raised.first().first().toString().startsWith(QStringLiteral("a: memory")),
                 qPrintable(raised.first().first().toString()));

        // Kept per connection for the next start; giving them up makes a follow the defaults again.
        {
            DashboardPanel again(QString(), nullptr);
            QVERIFY(again.hasOwnAlertRules(QStringLiteral("a")));
            QVERIFY(again.alertRules(QStringLiteral("a")).memoryAboveEnabled);
            QVERIFY(!again.alertRules(QStringLiteral("b")).memoryAboveEnabled);
            again.setAlertRules(QStringLiteral("a"), std::nullopt);
        }
        DashboardPanel third(QString(), nullptr);
        QVERIFY(!third.hasOwnAlertRules(QStringLiteral("a")));
        QVERIFY(!third.alertRules(QStringLiteral("a")).memoryAboveEnabled);
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }

    void dialogEditsOneConnectionsOwnRules()
    {
        test::WarningGuard guard;
        ScriptedSource a(QStringLiteral("eu")), b(QStringLiteral("us"));
        DashboardPanel panel(QString(), nullptr);
        panel.setAlertRules(AlertRules{});
        panel.setAlertRules(QStringLiteral("eu"), std::nullopt);
        panel.setSource(&a);
        panel.addSource(&b);
        panel.show();
        panel.editAlertRules();
        auto* dialog = panel.findChild<AlertsDialog*>();
        QVERIFY(dialog);
        QCOMPARE(dialog->connections().size(), 2);
        dialog->selectScope(2);              // "us"
        dialog->setOwnRules(true);           // starts from the defaults
        AlertRules r = dialog->formRules();
        QVERIFY(!r.hitRateBelowEnabled);
        r.hitRateBelowEnabled = true;
        r.hitRateBelowPct = 95;
        dialog->setRules(r);
        dialog->selectScope(0);              // the defaults: unchanged, "us" keeps its edit
        QVERIFY(!dialog->formRules().hitRateBelowEnabled);
        auto* ok = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        QTest::mouseClick(ok, Qt::LeftButton);
        QVERIFY(panel.hasOwnAlertRules(QStringLiteral("us")));
        QCOMPARE(panel.alertRules(QStringLiteral("us")).hitRateBelowPct, 95.0);
        QVERIFY(panel.alertRules(QStringLiteral("us")).hitRateBelowEnabled);
        QVERIFY(!panel.hasOwnAlertRules(QStringLiteral("eu")));
        QVERIFY(!panel.alertRules(QStringLiteral("eu")).hitRateBelowEnabled);
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }
};

Q_DECLARE_METATYPE(cachelens::ui::AlertRules)
QTEST_MAIN(TestDashboardAlerts)
#include "tst_dashboard_alerts.moc"
