// The Dashboard's hit rate is the applications', not CacheLens's: while the Keys panel browses a real server (opens
// keys, scrolls a namespace of 20,000 keys, filters every key by type, which reads the type of each) and a traffic
// generator with its own connection reads with a known hit ratio, the hit rate shown stays within a point of the
// generator's, and the charts say what they were corrected for.
#include "IsolatedEnvironment.h"

#include "KeysPanelSupport.h"
#include "RedisServer.h"
#include "WarningGuard.h"
#include "connectors/ConnectionUrl.h"
#include "connectors/SourceHost.h"
#include "connectors/provider/BlockingRedis.h"
#include "ui/dashboard/DashboardPanel.h"
#include "ui/dashboard/MetricChart.h"
#include "ui/dashboard/SourceSeries.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/KeysPanel.h"
#include "ui/keys/ValueViewer.h"

#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

#include <atomic>
#include <cmath>
#include <thread>

using namespace cachelens;
using namespace cachelens::ui;

namespace {

// GETs at a steady pace on its own connection: four of every five on keys that exist, so 80 % hits, and it counts
// what it saw (nil = miss), as an application's own metrics would.
class TrafficGenerator
{
public:
    explicit TrafficGenerator(quint16 port)
    {
        m_thread = std::thread([this, port] { run(port); });
    }
    ~TrafficGenerator() { stop(); }
    void stop()
    {
        m_stop = true;
        if (m_thread.joinable())
            m_thread.join();
    }
    quint64 hits() const { return m_hits; }
    quint64 misses() const { return m_misses; }
    double hitRatePct() const
    {
        const double total = double(m_hits + m_misses);
        return total > 0 ? 100.0 * double(m_hits) / total : -1;
    }
    QString error() const { return QString::fromStdString(m_error); }

private:
    void run(quint16 port)
    {
        provider::RedisEndpoint endpoint;
        endpoint.port = port;
        endpoint.timeout = std::chrono::milliseconds(5000);
        provider::BlockingConnection connection(endpoint);
        if (!connection.connect(m_error))
            return;
        std::vector<std::string> names;
        for (int i = 0; i < 50; ++i)
            names.push_back(i % 5 == 4 ? "gen:absent:" + std::to_string(i) : "gen:" + std::to_string(i));
        std::vector<provider::Args> batch;
        for (const std::string& n : names)
            batch.push_back({"GET", n});
        std::vector<provider::Reply> replies;
        while (!m_stop) {
            if (!connection.pipeline(batch, replies, m_error))
                return;
            for (const provider::Reply& r : replies)
                (r.isNil() ? m_misses : m_hits)++;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));   // about 2,500 GETs a second
        }
    }
    std::thread m_thread;
    std::atomic<bool> m_stop{false};
    std::atomic<quint64> m_hits{0}, m_misses{0};
    std::string m_error;
};

} // namespace

class TestDashboardOwnLookups : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hitRateIsTheApplicationsWhileKeysAreBrowsed()
    {
        test::WarningGuard guard;
        test::RedisServer::Options options;
        options.extraArgs = {QStringLiteral("--enable-debug-command"), QStringLiteral("local")};
        test::RedisServer server(options);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        server.cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("20000"), QStringLiteral("bar:ns3")});
        server.cli({QStringLiteral("EVAL"), QStringLiteral("for i = 0, 49 do redis.call('SET', 'gen:' .. i, i) end"),
                    QStringLiteral("0")});
        auto host = SourceHost::forRedis(QStringLiteral("r"), QStringLiteral("orders"),
                                         *ConnectionUrl::parse(server.url()).url);
        host->open();

        KeysPanel keys;
        keys.resize(1000, 700);
        keys.show();
        keys.setConnection(test::connectionEntry(QStringLiteral("orders")));
        QSignalSpy scanned(&keys, &KeysPanel::scanDone);
        keys.setSource(host->source());
        QTRY_COMPARE_WITH_TIMEOUT(scanned.size(), 1, 15000);

        DashboardPanel dashboard(QString(), nullptr);
        dashboard.resize(1200, 900);
        dashboard.show();
        dashboard.setPollInterval(250);
        dashboard.setHitRateWindow(600);   // the whole run
        QSignalSpy applied(&dashboard, &DashboardPanel::sampleApplied);
        dashboard.setSource(host->source());
        QTRY_VERIFY_WITH_TIMEOUT(applied.size() >= 2, 10000);   // a baseline before any traffic

        TrafficGenerator generator(server.port());
        QList<double> shown;   // the hit rate after each sample once traffic runs
        connect(&dashboard, &DashboardPanel::sampleApplied, this, [&] {
            const double rate = dashboard.series(QStringLiteral("r"))->points().back().windowHitRatePct;
            if (!std::isnan(rate) && generator.hits() + generator.misses() > 2000)
                shown << rate;
        });
        QTRY_VERIFY_WITH_TIMEOUT(generator.hits() + generator.misses() > 2000, 10000);

        // Browse: open keys, scroll through the namespace, and filter every loaded key by type (TYPE and PTTL of
        // 20,000 keys: far more lookups than the generator's).
        QSignalSpy loaded(keys.viewer(), &ValueViewer::loaded);
        for (const char* key : {"bar:ns3:13", "bar:ns3:9000", "gen:3", "bar:ns3:19999"})
            keys.openKey(key);
        QTRY_VERIFY_WITH_TIMEOUT(!loaded.isEmpty(), 10000);
        QScrollBar* bar = keys.view()->verticalScrollBar();
        for (int i = 0; i < 20; ++i) {
            bar->setValue(bar->value() + bar->pageStep());
            const QModelIndex top = keys.view()->indexAt(QPoint(0, 0));
            if (keys.model()->isNamespace(top))
                continue;
            QTRY_VERIFY_WITH_TIMEOUT(!top.siblingAtColumn(KeyTreeModel::TypeColumn).data().toString().isEmpty(), 10000);
        }
        keys.setTypeFilter(KeyType::Hash);
        QVERIFY(keys.pendingConfirmation());   // every loaded key's type: it says the cost first
        keys.pendingConfirmation()->accept();
        QTRY_COMPARE_WITH_TIMEOUT(keys.model()->unknownTypeCount(), 0u, 60000);
        keys.setTypeFilter(KeyType::Unknown);
        const int samplesWhileBrowsing = int(applied.size());
        QTRY_VERIFY_WITH_TIMEOUT(applied.size() >= samplesWhileBrowsing + 2, 10000);

        generator.stop();
        QVERIFY2(generator.error().isEmpty(), qPrintable(generator.error()));
        // Two more samples: every lookup of the run is in the figures now.
        const int done = int(applied.size());
        QTRY_VERIFY_WITH_TIMEOUT(applied.size() >= done + 2, 10000);
        const double own = generator.hitRatePct();
        QVERIFY(std::abs(own - 80.0) < 0.5);
        QVERIFY(shown.size() >= 4);
        for (double rate : std::as_const(shown))
            QVERIFY2(std::abs(rate - own) <= 1.0, qPrintable(QStringLiteral("shown %1 %, the generator's %2 %").arg(rate).arg(own)));
        const double final = dashboard.series(QStringLiteral("r"))->points().back().windowHitRatePct;
        QVERIFY2(std::abs(final - own) <= 0.1, qPrintable(QStringLiteral("shown %1 %, the generator's %2 %").arg(final).arg(own)));

        // The hit charts say they were corrected, and for how much.
        for (Metric m : {Metric::HitRate, Metric::HitsPerSec})
            QVERIFY2(dashboard.chartFor(m)->note().startsWith(QStringLiteral("corrected for CacheLens's own ")),
                     qPrintable(dashboard.chartFor(m)->note()));

        dashboard.setSource(nullptr);
        keys.setSource(nullptr);
        QVERIFY2(guard.warnings().isEmpty(), qPrintable(guard.warnings().join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestDashboardOwnLookups)
#include "tst_dashboard_ownlookups.moc"
