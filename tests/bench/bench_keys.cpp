// cachelens-bench keys: the Keys panel loading a real Redis keyspace, against the figures:
//   load time   KeysPanel (SCAN through RedisSource → KeyTreeModel, whole tree) vs `redis-cli --scan | wc -l`
//               target ≤ 1.5×
//   stall       longest GUI event-loop stall while loading (StallMeter)                  target ≤ 50 ms
//               (wall clock, and the GUI thread's CPU time in one go: on a loaded machine the wall figure is mostly
//               time spent waiting for a CPU)
//   memory      model bytes per key beyond the key bytes (KeyTreeModel::bytesUsed), and the process's resident
//               growth per key beyond the key bytes                                       target ≤ 150 B
//   expand      then the biggest top-level namespace is expanded, and below it each only child, down to the first
//               node with many rows (a user's next clicks): the longest stall until its rows are shown and sorted
// Options: --keys N (default 1,000,000), --runs R (default 3), --url redis://… (an already filled server; default:
// a private redis-server filled with DEBUG POPULATE in three namespaces), --flat (fill it instead with N top-level
// keys without a separator, "key1" … "keyN": one node of a million rows, sorted in slices).
#include "Bench.h"

#include "RedisServer.h"
#include "connectors/ConnectionUrl.h"
#include "connectors/SourceHost.h"
#include "ui/ConnectionListModel.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/KeysPanel.h"
#include "ui/keys/StallMeter.h"

#include <QApplication>
#include <QEventLoop>
#include <QProcess>
#include <QTimer>
#include <QTreeView>

#include <cstdio>
#include <memory>

namespace cachelens::bench {
namespace {

double timeRedisCliScan(const ConnectionUrl& url, qint64* count)
{
    QProcess sh;
    const auto start = std::chrono::steady_clock::now();
    sh.start(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("redis-cli -h %1 -p %2 --scan | wc -l").arg(url.host).arg(url.port)});
    sh.waitForFinished(600000);
    const double seconds = secondsSince(start);
    *count = sh.readAllStandardOutput().trimmed().toLongLong();
    return seconds;
}

struct PanelRun {
    double seconds = 0;
    double maxStallMs = 0;
    double maxStallCpuMs = 0;
    double expandStallMs = -1;      // -1: no namespace at the top (a flat keyspace)
    double expandStallCpuMs = -1;
    quint64 expandedRows = 0;
    quint64 keys = 0;
    double modelBytesPerKey = 0;
    double residentBytesPerKey = 0;
    bool ok = false;
};

PanelRun loadPanel(const ConnectionUrl& url)
{
    PanelRun run;
    auto host = SourceHost::forRedis(QStringLiteral("bench"), QStringLiteral("bench"), url);
    {
        QEventLoop loop;
        QObject::connect(host->source(), &Source::stateChanged, &loop, [&](ConnectionState s) {
            if (s == ConnectionState::Ready || s == ConnectionState::Failed)
                loop.quit();
        });
        host->open();
        loop.exec();
    }
    const std::uint64_t before = residentBytes();
    ui::KeysPanel panel;
    panel.resize(1200, 800);
    panel.show();
    ui::ConnectionEntry entry;
    entry.id = entry.name = QStringLiteral("bench");
    panel.setConnection(entry);
    ui::StallMeter stalls;
    QEventLoop loop;
    QObject::connect(&panel, &ui::KeysPanel::scanDone, &loop, [&](quint64 total, bool cancelled) {
        run.keys = total;
        run.ok = !cancelled;
        loop.quit();
    });
    QObject::connect(&panel, &ui::KeysPanel::scanStarted, &stalls, &ui::StallMeter::start);
    const auto start = std::chrono::steady_clock::now();
    panel.setSource(host->source());
    loop.exec();
    run.seconds = secondsSince(start);
    stalls.stop();
    run.maxStallMs = stalls.maxStallMs();
    run.maxStallCpuMs = stalls.maxStallCpuMs();
    const ui::KeyTreeModel* model = panel.model();
    if (model->loadedKeys() > 0) {
        run.modelBytesPerKey = double(model->bytesUsed() - model->keyBytes()) / double(model->loadedKeys());
        run.residentBytesPerKey = (double(residentBytes()) - double(before) - double(model->keyBytes()))
                                  / double(model->loadedKeys());
    }
    QModelIndex biggest;
    for (int r = 0; r < model->rowCount(); ++r) {
        const QModelIndex i = model->index(r, 0);
        if (model->isNamespace(i) && (!biggest.isValid() || model->keyCountAt(i) > model->keyCountAt(biggest)))
            biggest = i;
    }
    if (biggest.isValid()) {
        ui::StallMeter expandStalls;
        QEventLoop expandLoop;
        QPersistentModelIndex node = biggest;
        QTimer poll;   // a node is done once its rows are there and in order; an only child is expanded in turn
        QObject::connect(&poll, &QTimer::timeout, &expandLoop, [&] {
            if (model->rowCount(node) == 0 || model->isSorting())
                return;
            const QModelIndex child = model->index(0, 0, node);
            if (model->rowCount(node) == 1 && model->isNamespace(child)) {
                node = child;
                panel.view()->expand(child);
                return;
            }
            run.expandedRows = quint64(model->rowCount(node)) + model->hiddenRowCount(node);
            expandLoop.quit();
        });
        expandStalls.start();
        poll.start(1);
        panel.view()->expand(biggest);
        expandLoop.exec();
        expandStalls.stop();
        run.expandStallMs = expandStalls.maxStallMs();
        run.expandStallCpuMs = expandStalls.maxStallCpuMs();
    }
    panel.setSource(nullptr);
    return run;
}

int run(const Args& args)
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "cachelens-bench";
    static char* argv[] = {name, nullptr};
    QApplication app(argc, argv);

    const qint64 keys = std::stoll(args.value("--keys", "1000000"));
    const int runs = std::stoi(args.value("--runs", "3"));
    const bool flat = args.has("--flat");
    std::unique_ptr<test::RedisServer> server;
    QString urlText = QString::fromStdString(args.value("--url"));
    if (urlText.isEmpty()) {
        test::RedisServer::Options options;
        options.extraArgs = {QStringLiteral("--enable-debug-command"), QStringLiteral("local")};
        server = std::make_unique<test::RedisServer>(options);
        if (!server->start()) {
            std::fprintf(stderr, "keys: redis-server did not start: %s\n", qPrintable(server->errorString()));
            return 1;
        }
        urlText = server->url();
        if (flat) {
            std::fprintf(stderr, "keys: filling %lld flat keys (key1 … key%lld)…\n", keys, keys);
            for (qint64 from = 1; from <= keys; from += 100000)   // a script per 100,000 keys: no long server stall
                server->cli({QStringLiteral("EVAL"),
                             QStringLiteral("for i = %1, %2 do redis.call('SET', 'key' .. i, 'v') end")
                                 .arg(from).arg(std::min<qint64>(keys, from + 99999)),
                             QStringLiteral("0")});
        } else {
            std::fprintf(stderr, "keys: filling %lld keys (character:published, room_messages, discord:guildMember:7)…\n", keys);
            server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QString::number(keys * 4 / 10), QStringLiteral("character:published")});
            server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QString::number(keys * 3 / 10), QStringLiteral("room_messages")});
            server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QString::number(keys - keys * 7 / 10), QStringLiteral("discord:guildMember:7")});
        }
    }
    const ConnectionUrl url = *ConnectionUrl::parse(urlText).url;

    std::vector<double> cli, panel, stalls, stallsCpu, modelBytes, rssBytes, expandStalls, expandStallsCpu;
    qint64 cliKeys = 0;
    quint64 panelKeys = 0;
    for (int i = 0; i < runs; ++i) {
        cli.push_back(timeRedisCliScan(url, &cliKeys));
        const PanelRun r = loadPanel(url);
        if (!r.ok) {
            std::fprintf(stderr, "keys: the panel's scan did not finish\n");
            return 1;
        }
        panel.push_back(r.seconds);
        stalls.push_back(r.maxStallMs);
        stallsCpu.push_back(r.maxStallCpuMs);
        expandStalls.push_back(r.expandStallMs);
        expandStallsCpu.push_back(r.expandStallCpuMs);
        modelBytes.push_back(r.modelBytesPerKey);
        rssBytes.push_back(r.residentBytesPerKey);
        panelKeys = r.keys;
        std::fprintf(stderr, "keys: run %d: redis-cli %.3f s (%lld keys), panel %.3f s (%llu keys), max stall %.1f ms "
                             "(%.1f ms CPU), model %.1f B/key, resident %.1f B/key\n",
                     i + 1, cli.back(), cliKeys, r.seconds, static_cast<unsigned long long>(r.keys), r.maxStallMs,
                     r.maxStallCpuMs, r.modelBytesPerKey, r.residentBytesPerKey);
        if (r.expandStallMs >= 0)
            std::fprintf(stderr, "keys: run %d: expanding the biggest namespace down to %llu rows: max stall %.1f ms (%.1f ms CPU)\n",
                         i + 1, static_cast<unsigned long long>(r.expandedRows), r.expandStallMs, r.expandStallCpuMs);
    }
    const double ratio = median(panel) / median(cli);
    std::fprintf(stderr,
                 "keys: %llu keys: panel %.3f s vs redis-cli --scan|wc -l %.3f s → %.2f× (target ≤ 1.5×); "
                 "max stall %.1f ms, median of runs %.1f ms, longest CPU in one go %.1f ms (target ≤ 50); "
                 "model %.1f B/key, resident %.1f B/key beyond key bytes (target ≤ 150)\n",
                 static_cast<unsigned long long>(panelKeys), median(panel), median(cli), ratio,
                 *std::max_element(stalls.begin(), stalls.end()), median(stalls),
                 *std::max_element(stallsCpu.begin(), stallsCpu.end()), median(modelBytes), median(rssBytes));
    if (args.json)
        std::printf("{\"keyspace\": \"%s\", \"keys\": %llu, \"panel_load_s\": %.3f, \"redis_cli_scan_s\": %.3f, \"ratio\": %.3f, "
                    "\"max_stall_ms\": %.1f, \"median_max_stall_ms\": %.1f, \"max_stall_cpu_ms\": %.1f, "
                    "\"model_bytes_per_key\": %.1f, \"resident_bytes_per_key\": %.1f, \"expand_max_stall_ms\": %.1f, "
                    "\"expand_max_stall_cpu_ms\": %.1f, \"runs\": %d}\n",
                    flat ? "flat" : (args.has("--url") ? "url" : "namespaced"), static_cast<unsigned long long>(panelKeys),
                    median(panel), median(cli),
                    ratio, *std::max_element(stalls.begin(), stalls.end()), median(stalls),
                    *std::max_element(stallsCpu.begin(), stallsCpu.end()), median(modelBytes), median(rssBytes),
                    *std::max_element(expandStalls.begin(), expandStalls.end()),
                    *std::max_element(expandStallsCpu.begin(), expandStallsCpu.end()), runs);
    return 0;
}

} // namespace

CACHELENS_BENCH(keys, "Keys panel: 1M-key tree load vs redis-cli --scan, GUI stalls, bytes per key", run);

} // namespace cachelens::bench
