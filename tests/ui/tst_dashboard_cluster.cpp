// The dashboard on a real 3-master Redis Cluster: the cluster total and, with "Cluster nodes" on, every master's
// own series, each integrating back to the lookups that master served.
#include "IsolatedEnvironment.h"

#include "RedisCluster.h"
#include "WarningGuard.h"
#include "connectors/ConnectionUrl.h"
#include "connectors/SourceHost.h"
#include "ui/dashboard/DashboardPanel.h"
#include "ui/dashboard/MetricChart.h"
#include "ui/dashboard/SourceSeries.h"

#include <QAction>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using namespace cachelens;
using namespace cachelens::ui;

namespace {

// Lookups (hits + misses) in a series, integrated over its intervals.
double lookups(const SourceSeries& s)
{
    double n = 0;
    for (const RatePoint& p : s.points()) {
        if (!std::isnan(p.hitsPerSec))
            n += (p.hitsPerSec + p.missesPerSec) * p.interval;
    }
    return n;
}

// `times` GETs on one master, in one script, of a key that master owns (a MOVED answer means another one owns it).
bool lookupsOn(const test::RedisServer& node, int times)
{
    for (int i = 0; i < 200; ++i) {
        const QByteArray reply = node.cli({QStringLiteral("EVAL"),
                                           QStringLiteral("for i=1,tonumber(ARGV[1]) do redis.call('GET', KEYS[1]) end return 1"),
                                           QStringLiteral("1"), QStringLiteral("probe:%1").arg(i), QString::number(times)});
        if (reply == "1")
            return true;
    }
    return false;
}

} // namespace

class TestDashboardCluster : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyMasterHasItsOwnSeries()
    {
        test::WarningGuard guard;
        test::RedisCluster cluster(3);
        QVERIFY2(cluster.start(), qPrintable(cluster.errorString()));
        auto host = SourceHost::forRedis(QStringLiteral("clu"), QStringLiteral("orders-cluster"),
                                         *ConnectionUrl::parse(cluster.seedUrl()).url);
        DashboardPanel panel(QString(), nullptr);
        panel.resize(1200, 900);
        panel.show();
        panel.setPollInterval(250);
        panel.setShowClusterNodes(false);
        QSignalSpy applied(&panel, &DashboardPanel::sampleApplied);
        host->open();
        panel.setSource(host->source());
        QTRY_VERIFY_WITH_TIMEOUT(panel.nodeSeriesIds(QStringLiteral("clu")).size() == 3, 15000);
        const QStringList nodes = panel.nodeSeriesIds(QStringLiteral("clu"));
        // Off: only the total is drawn. On: every master too, named after the cluster and its address.
        MetricChart* hitsChart = panel.chartFor(Metric::HitsPerSec);
        for (const QString& id : nodes)
            QVERIFY(!hitsChart->graphFor(id, Metric::HitsPerSec));
        panel.clusterNodesAction()->trigger();
        QVERIFY(panel.showsClusterNodes());
        for (const QString& id : nodes) {
            QVERIFY(hitsChart->graphFor(id, Metric::HitsPerSec));
            QVERIFY(panel.nodeSeries(id)->name().startsWith(QStringLiteral("orders-cluster · 127.0.0.1:")));
        }

        // 100, 200 and 300 lookups on the three masters: each node's series integrates to its own share, the total
        // to the sum.
        for (int i = 0; i < 3; ++i)
            QVERIFY(lookupsOn(cluster.node(i), 100 * (i + 1)));
        const auto port = [&](int i) { return QStringLiteral(":%1").arg(cluster.node(i).port()); };
        for (int i = 0; i < 3; ++i) {
            QString id;
            for (const QString& n : nodes) {
                if (n.endsWith(port(i)))
                    id = n;
            }
            QVERIFY2(!id.isEmpty(), qPrintable(nodes.join(QLatin1Char(' '))));
            QTRY_COMPARE_WITH_TIMEOUT(qRound(lookups(*panel.nodeSeries(id))), 100 * (i + 1), 10000);
        }
        QTRY_COMPARE_WITH_TIMEOUT(qRound(lookups(*panel.series(QStringLiteral("clu")))), 600, 10000);

        panel.setShowClusterNodes(false);
        for (const QString& id : nodes)
            QVERIFY(!hitsChart->graphFor(id, Metric::HitsPerSec));
        panel.setSource(nullptr);
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestDashboardCluster)
#include "tst_dashboard_cluster.moc"
