#include "connectors/ctl/Commands.h"
#include "connectors/ctl/SimCommandSupport.h"

#include "connectors/sim/SizeLimits.h"

#include <cachelens/sim/mrc.h>
#include <cachelens/sim/size_limit.h>
#include <cachelens/sim/trace_file.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <algorithm>

namespace cachelens::ctl {

// `cachelensctl mrc TRACE --sizes … [--format text|u64le] [--sample R] [--json]`: LRU's miss-ratio curve in one
// pass: exact stack distances, or SHARDS spatial sampling at rate R for large traces (each point then carries its
// binomial standard error, and the output says how many requests were sampled).
Command mrcCommand()
{
    Command c;
    c.name = QStringLiteral("mrc");
    c.summary = QCoreApplication::translate("ctl", "print LRU's hit/miss-ratio curve of a trace (exact, or SHARDS-sampled)");
    c.usage = QStringLiteral("cachelensctl mrc TRACE --sizes N[,N…|first:last:step] [--format text|u64le] [--sample R] [--json]");
    c.options = {option("TRACE", "a trace file (cachelensctl record writes one)"),
                 option("--sizes N[,N…]", "cache sizes in entries to put on the curve: 1000,10000 or first:last:step"),
                 option("--format text|u64le", "the trace's format (default: guessed from the file)"),
                 option("--sample R", "SHARDS sampling rate in (0, 1] for large traces (default 1: exact)"),
                 option("--json", "print the curve as one JSON object")};
    c.run = [](Context& ctx) {
        const QString name = QStringLiteral("mrc");
        QMap<QString, QString> opt;
        std::string path;
        engine::sim::TraceFormat format;
        if (!traceArgs(ctx, name, {QStringLiteral("--sizes"), QStringLiteral("--sample")}, path, format, opt))
            return int(Misuse);
        if (!opt.contains(QStringLiteral("--sizes"))) return misuse(ctx, name, QStringLiteral("--sizes is required, e.g. --sizes 1000:100000:1000"));
        const auto sizes = parseSizeList(opt.value(QStringLiteral("--sizes")));
        if (!sizes) return misuse(ctx, name, QStringLiteral("--sizes wants positive entry counts: 1000,10000 or 1000:50000:1000"));
        const std::uint64_t largest = *std::max_element(sizes->begin(), sizes->end());
        if (const QString problem = sim::memoryLimitProblem(
                QStringLiteral("--sizes up to %1").arg(QLocale().toString(qulonglong(largest))), largest,
                engine::sim::saturatingMultiply(largest, engine::sim::kBytesPerCacheEntry), QStringLiteral("entries"));
            !problem.isEmpty())
            return misuse(ctx, name, problem);
        double rate = 1;
        if (opt.contains(QStringLiteral("--sample"))) {
            bool ok = false;
            rate = opt.value(QStringLiteral("--sample")).toDouble(&ok);
            if (!ok || !(rate > 0 && rate <= 1)) return misuse(ctx, name, QStringLiteral("--sample wants a rate in (0, 1], e.g. 0.01"));
        }
        std::string error;
        QElapsedTimer timer;
        timer.start();
        const auto trace = engine::sim::loadTrace(path, format, error);
        if (!trace) {
            ctx.err << "cachelensctl mrc: " << QString::fromStdString(error) << Qt::endl;
            return int(Failed);
        }
        const double loadSeconds = double(timer.nsecsElapsed()) / 1e9;
        timer.restart();
        const engine::sim::Mrc m = rate < 1 ? engine::sim::shardsMrc(trace->keys, *sizes, rate) : engine::sim::exactLruMrc(trace->keys, *sizes);
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        const QLocale locale;
        if (opt.contains(QStringLiteral("--json"))) {
            QJsonArray points;
            for (const auto& p : m.points)
                points.append(QJsonObject{{QStringLiteral("size"), double(p.size)}, {QStringLiteral("hitRatio"), p.hitRatio},
                                          {QStringLiteral("missRatio"), 1 - p.hitRatio}, {QStringLiteral("stdError"), p.stdError}});
            const QJsonObject o{{QStringLiteral("requests"), double(m.requests)},
                                {QStringLiteral("sampledRequests"), double(m.sampledRequests)},
                                {QStringLiteral("distinctKeys"), double(m.distinctKeys)},
                                {QStringLiteral("samplingRate"), m.samplingRate},
                                {QStringLiteral("method"), rate < 1 ? QStringLiteral("shards") : QStringLiteral("exact")},
                                {QStringLiteral("seconds"), seconds},
                                {QStringLiteral("loadSeconds"), loadSeconds},
                                {QStringLiteral("points"), points}};
            ctx.out << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)) << Qt::endl;
            return int(Ok);
        }
        if (rate < 1)
            ctx.out << QStringLiteral("LRU miss-ratio curve by SHARDS sampling at R = %1: %2 of %3 requests sampled (%4 keys); ± is one "
                                      "binomial standard error of the sample, and understates the error when few hot keys dominate\n")
                           .arg(rate)
                           .arg(locale.toString(qulonglong(m.sampledRequests)), locale.toString(qulonglong(m.requests)),
                                locale.toString(qulonglong(m.distinctKeys)));
        else
            ctx.out << QStringLiteral("LRU miss-ratio curve, exact (stack distances): %1 requests, %2 distinct keys\n")
                           .arg(locale.toString(qulonglong(m.requests)), locale.toString(qulonglong(m.distinctKeys)));
        ctx.out << QStringLiteral("%1 %2 %3\n").arg(QStringLiteral("size"), 12).arg(QStringLiteral("hit ratio"), 10).arg(QStringLiteral("miss ratio"), 11);
        for (const auto& p : m.points) {
            ctx.out << QStringLiteral("%1 %2 %3").arg(locale.toString(qulonglong(p.size)), 12)
                           .arg(locale.toString(100 * p.hitRatio, 'f', 2) + QLatin1Char('%'), 10)
                           .arg(locale.toString(100 * (1 - p.hitRatio), 'f', 2) + QLatin1Char('%'), 11);
            if (p.stdError > 0) ctx.out << QStringLiteral("  ± %1").arg(locale.toString(100 * p.stdError, 'f', 2) + QLatin1Char('%'));
            ctx.out << '\n';
        }
        ctx.err << QStringLiteral("curve computed in %1 s (trace read in %2 s)").arg(locale.toString(seconds, 'f', 2), locale.toString(loadSeconds, 'f', 2))
                << Qt::endl;
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
