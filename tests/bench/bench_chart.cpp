// cachelens-bench chart: the dashboard's drawing and sampling costs (issue #8).
//
//   replot_median_ms      24 h of 1 s samples (86,400 points) × 6 series in one MetricChart (1200×300, offscreen),
//                         full redraw as the panel does it: min/max decimation for the window, then replot.
//                         Baseline: the same replot handing QCustomPlot the raw containers (its adaptive sampling only).
//   sampling_gui_cpu_pct  10 RedisSources (each on its own thread) against one real redis-server, sampled every 1 s
//                         by a DashboardPanel shown offscreen: CPU time of the GUI thread / wall time.
// Options: --runs N (replots, default 40), --seconds S (sampling run, default 20).
#include "Bench.h"

#include "RedisServer.h"
#include "connectors/RedisSource.h"
#include "ui/dashboard/DashboardPanel.h"
#include "ui/dashboard/MetricChart.h"
#include "ui/dashboard/SourceSeries.h"

#include <QApplication>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <memory>
#include <random>

namespace cachelens::bench {
namespace {

using namespace cachelens::ui;

double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

struct ReplotFigures {
    double decimatedMs = 0;
    double decimatedCpuMs = 0;   // GUI-thread CPU time: what the figure is on a machine nobody else is using
    double rawMs = 0;
    int plottedPoints = 0;
};

ReplotFigures measureReplot(int runs)
{
    constexpr int kPoints = 86400;
    const double end = std::floor(double(QDateTime::currentSecsSinceEpoch()));
    std::vector<std::unique_ptr<SourceSeries>> sources;
    std::mt19937 rng(42);
    std::normal_distribution<double> noise(0, 50);
    for (int s = 0; s < 3; ++s) {
        auto series = std::make_unique<SourceSeries>(QStringLiteral("s%1").arg(s), QStringLiteral("source %1").arg(s),
                                                     QColor::fromHsv(s * 110, 200, 200), 1.0, 60);
        double hits = 5000, misses = 500;
        for (int i = 0; i < kPoints; ++i) {
            RatePoint p;
            p.time = end - kPoints + i;
            p.interval = 1;
            hits = std::max(0.0, hits + noise(rng));
            misses = std::max(0.0, misses + noise(rng) / 5);
            p.hitsPerSec = hits;
            p.missesPerSec = misses;
            series->append(p);
        }
        sources.push_back(std::move(series));
    }
    MetricChart chart(QStringLiteral("hits and misses"), {Metric::HitsPerSec, Metric::MissesPerSec});
    chart.resize(1200, 300);
    chart.show();
    for (const auto& s : sources)
        chart.addSource(*s);   // 3 sources × 2 metrics = 6 series of 86,400 points
    chart.setKeyRange(end - 86400, end);
    chart.replot(QCustomPlot::rpImmediateRefresh);   // lays out the axis rect, so decimation knows its width

    std::vector<double> decimated, decimatedCpu, raw;
    for (int r = 0; r < runs; ++r) {
        // What the panel does each redraw while following: slide the window, decimate, replot.
        const auto t0 = std::chrono::steady_clock::now();
        const double cpu0 = threadCpuSeconds();
        chart.setKeyRange(end - 86400 + r * 0.5, end + r * 0.5);
        chart.replot(QCustomPlot::rpImmediateRefresh);
        decimatedCpu.push_back((threadCpuSeconds() - cpu0) * 1000);
        decimated.push_back(secondsSince(t0) * 1000);
    }
    ReplotFigures f;
    f.decimatedMs = median(decimated);
    f.decimatedCpuMs = median(decimatedCpu);
    for (int i = 0; i < chart.graphCount(); ++i)
        f.plottedPoints += chart.graph(i)->data()->size();

    // Baseline: the raw containers straight into QCustomPlot.
    for (int i = 0; i < chart.graphCount(); ++i)
        chart.graph(i)->setData(sources[size_t(i / 2)]->data(i % 2 ? Metric::MissesPerSec : Metric::HitsPerSec));
    for (int r = 0; r < std::max(5, runs / 4); ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        chart.xAxis->setRange(end - 86400 + r * 0.5, end + r * 0.5);
        chart.replot(QCustomPlot::rpImmediateRefresh);
        raw.push_back(secondsSince(t0) * 1000);
    }
    f.rawMs = median(raw);
    return f;
}

struct SamplingFigures {
    double guiCpuPct = -1;
    int samples = 0;
    int redraws = 0;
    std::string error;
};

SamplingFigures measureSampling(QApplication& app, int sources, double seconds)
{
    SamplingFigures f;
    test::RedisServer server;
    if (!server.start()) {
        f.error = server.errorString().toStdString();
        return f;
    }
    server.cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("10000")});

    struct Worker {
        QThread thread;
        RedisSource* source = nullptr;
    };
    std::vector<std::unique_ptr<Worker>> workers;
    for (int i = 0; i < sources; ++i) {
        auto w = std::make_unique<Worker>();
        w->source = new RedisSource(QStringLiteral("redis-%1").arg(i), QStringLiteral("redis %1").arg(i),
                                    *ConnectionUrl::parse(server.url()).url);
        w->source->moveToThread(&w->thread);
        QObject::connect(&w->thread, &QThread::finished, w->source, &QObject::deleteLater);
        w->thread.start();
        QMetaObject::invokeMethod(w->source, &Source::open, Qt::QueuedConnection);
        workers.push_back(std::move(w));
    }

    QTemporaryDir historyDir;   // the panel records history as in the application, but not into the user's own
    DashboardPanel panel(historyDir.filePath(QStringLiteral("history.db")), nullptr);
    panel.resize(1400, 1000);
    panel.show();
    QObject::connect(&panel, &DashboardPanel::sampleApplied, &panel, [&f] { ++f.samples; });
    QObject::connect(&panel, &DashboardPanel::redrawn, &panel, [&f] { ++f.redraws; });
    for (const auto& w : workers)
        panel.addSource(w->source);

    // Let the connections open and the first samples arrive before measuring.
    double cpu0 = 0;
    std::chrono::steady_clock::time_point wall0;
    QTimer::singleShot(3000, &panel, [&] {
        f.samples = f.redraws = 0;
        cpu0 = threadCpuSeconds();
        wall0 = std::chrono::steady_clock::now();
        QTimer::singleShot(int(seconds * 1000), &panel, [&] {
            f.guiCpuPct = 100.0 * (threadCpuSeconds() - cpu0) / secondsSince(wall0);
            app.quit();
        });
    });
    app.exec();

    panel.setSource(nullptr);
    for (const auto& w : workers) {
        w->thread.quit();
        w->thread.wait();
    }
    return f;
}

int run(const Args& args)
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    static int argc = 1;
    static char name[] = "cachelens-bench";
    static char* argv[] = {name, nullptr};
    QApplication app(argc, argv);

    const int runs = std::stoi(args.value("--runs", "40"));
    const double seconds = std::stod(args.value("--seconds", "20"));
    std::fprintf(stderr, "replot: 6 × 86,400 points, %d runs…\n", runs);
    const ReplotFigures replot = measureReplot(runs);
    std::fprintf(stderr, "  decimated %.2f ms (%.2f ms CPU, %d points plotted), raw %.2f ms\n", replot.decimatedMs,
                 replot.decimatedCpuMs, replot.plottedPoints, replot.rawMs);
    std::fprintf(stderr, "sampling: 10 Redis sources at 1 s for %.0f s…\n", seconds);
    const SamplingFigures sampling = measureSampling(app, 10, seconds);
    if (!sampling.error.empty())
        std::fprintf(stderr, "  redis-server did not start: %s\n", sampling.error.c_str());
    std::fprintf(stderr, "  GUI thread %.2f %% of a core (%d samples, %d redraws)\n", sampling.guiCpuPct,
                 sampling.samples, sampling.redraws);

    if (args.json) {
        std::printf("{\"replot_median_ms\": %.3f, \"replot_cpu_median_ms\": %.3f, \"replot_raw_median_ms\": %.3f, "
                    "\"replot_points_plotted\": %d, \"replot_points_raw\": %d, \"sampling_gui_cpu_pct\": %.3f, "
                    "\"sampling_sources\": 10, \"sampling_seconds\": %.1f, \"sampling_samples\": %d, "
                    "\"sampling_redraws\": %d}\n",
                    replot.decimatedMs, replot.decimatedCpuMs, replot.rawMs, replot.plottedPoints, 6 * 86400,
                    sampling.guiCpuPct, seconds, sampling.samples, sampling.redraws);
    }
    return sampling.error.empty() ? 0 : 1;
}

} // namespace

CACHELENS_BENCH(chart, "dashboard: 24 h × 6 series replot with decimation, GUI CPU while sampling 10 sources", run);

} // namespace cachelens::bench
