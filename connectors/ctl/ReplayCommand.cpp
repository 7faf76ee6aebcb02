#include "connectors/ctl/Commands.h"
#include "connectors/ctl/SimCommandSupport.h"

#include "connectors/sim/SizeLimits.h"

#include <cachelens/sim/opt.h>
#include <cachelens/sim/replay.h>
#include <cachelens/sim/size_limit.h>
#include <cachelens/sim/trace_file.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <algorithm>
#include <optional>

namespace cachelens::ctl {

namespace {

// One column of the table: an engine policy, or Belady's optimum (no policy a cache could run: it reads the future).
struct Column {
    QString name;
    std::optional<engine::PolicyKind> policy; // nullopt: opt
};

} // namespace

// `cachelensctl replay TRACE [--format text|u64le] --policy lru,wtinylfu,…,opt --capacity N[,N…] [--json]`: replays
// a trace (get, then set on a miss) against every policy × capacity and prints hit ratios; --json prints
// {policy: {capacity: hitRatio}}. With both lru and opt, the table adds each other policy's share of the LRU → OPT
// gap it closes. The replay rate goes to stderr.
Command replayCommand()
{
    Command c;
    c.name = QStringLiteral("replay");
    c.summary = QCoreApplication::translate("ctl", "replay a trace file against eviction policies and capacities, print hit ratios");
    c.usage = QStringLiteral("cachelensctl replay TRACE [--format text|u64le] --policy lru,wtinylfu,s3fifo,sieve,opt --capacity N[,N…] [--json]");
    c.options = {option("TRACE", "a trace file (cachelensctl record writes one)"),
                 option("--format text|u64le", "the trace's format (default: guessed from the file)"),
                 option("--policy P[,P…]", "eviction policies to compare: lru, wtinylfu, s3fifo, sieve (default: these four), and "
                                           "opt: Belady's optimum, the most hits any cache of that size could get (it reads "
                                           "the trace ahead and does not store a key needed later than all it holds); exact; "
                                           "about 5 bytes per request, more for a u64le trace with many keys. With lru and opt the table shows the share of the "
                                           "LRU-to-OPT gap each other policy closes"),
                 option("--capacity N[,N…]", "cache sizes in entries: 1000,10000 or first:last:step"),
                 option("--json", "print {policy: {capacity: hitRatio}}")};
    c.run = [](Context& ctx) {
        const QString name = QStringLiteral("replay");
        QMap<QString, QString> opt;
        std::string path;
        engine::sim::TraceFormat format;
        if (!traceArgs(ctx, name, {QStringLiteral("--policy"), QStringLiteral("--capacity")}, path, format, opt))
            return int(Misuse);
        std::vector<Column> columns;
        for (const QString& p : opt.value(QStringLiteral("--policy"), QStringLiteral("lru,wtinylfu,s3fifo,sieve")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString trimmed = p.trimmed();
            engine::PolicyKind k;
            if (trimmed == QLatin1String("opt"))
                columns.push_back(Column{trimmed, std::nullopt});
            else if (engine::parsePolicy(trimmed.toStdString(), k))
                columns.push_back(Column{QLatin1String(engine::policyName(k)), k});
            else
                return misuse(ctx, name, QStringLiteral("unknown policy '%1' (lru, wtinylfu, s3fifo, sieve, opt)").arg(p));
        }
        if (columns.empty()) return misuse(ctx, name, QStringLiteral("--policy needs at least one policy: lru, wtinylfu, s3fifo, sieve or opt"));
        const bool wantsOpt = std::any_of(columns.begin(), columns.end(), [](const Column& c) { return !c.policy; });
        if (!opt.contains(QStringLiteral("--capacity"))) return misuse(ctx, name, QStringLiteral("--capacity N[,N…] is required"));
        const auto capacities = parseSizeList(opt.value(QStringLiteral("--capacity")));
        if (!capacities) return misuse(ctx, name, QStringLiteral("--capacity wants positive entry counts: 1000,10000 or 1000:50000:1000"));
        const std::uint64_t largest = *std::max_element(capacities->begin(), capacities->end());
        if (const QString problem = sim::memoryLimitProblem(
                QStringLiteral("--capacity %1").arg(QLocale().toString(qulonglong(largest))), largest,
                engine::sim::saturatingMultiply(largest, engine::sim::kBytesPerCacheEntry), QStringLiteral("entries"));
            !problem.isEmpty())
            return misuse(ctx, name, problem);
        std::string error;
        const auto trace = engine::sim::loadTrace(path, format, error);
        if (!trace) {
            ctx.err << "cachelensctl replay: " << QString::fromStdString(error) << Qt::endl;
            return int(Failed);
        }
        const QLocale locale;
        std::optional<engine::sim::BeladyOptimum> optimum;
        if (wantsOpt) {
            const QString subject = QStringLiteral("--policy opt on %1 requests").arg(locale.toString(qulonglong(trace->keys.size())));
            if (trace->keys.size() > engine::sim::kOptMaxRequests)
                return misuse(ctx, name, QStringLiteral("%1 is more than opt can replay: at most %2 requests")
                                             .arg(subject, locale.toString(qulonglong(engine::sim::kOptMaxRequests))));
            if (const QString problem = sim::memoryLimitProblem(subject, trace->keys.size(),
                                                                engine::sim::optMemoryBytes(*trace, largest), QStringLiteral("requests"));
                !problem.isEmpty())
                return misuse(ctx, name, problem);
            optimum.emplace(*trace);
        }
        QJsonObject json;
        double seconds = optimum ? optimum->firstPassSeconds() : 0;
        std::uint64_t replayed = 0;
        // The LRU → OPT gap a policy closes: (policy − LRU) / (OPT − LRU), for the policies that are neither.
        const auto columnOf = [&](auto pred) { return std::find_if(columns.begin(), columns.end(), pred) - columns.begin(); };
        const auto lruColumn = columnOf([](const Column& c) { return c.policy == engine::PolicyKind::Lru; });
        const auto optColumn = columnOf([](const Column& c) { return !c.policy; });
        const bool showGap = lruColumn < std::ssize(columns) && optColumn < std::ssize(columns) && columns.size() > 2;
        if (!opt.contains(QStringLiteral("--json"))) {
            ctx.out << QStringLiteral("%1: %2 requests\n").arg(QString::fromStdString(path), locale.toString(qulonglong(trace->keys.size())));
            ctx.out << QStringLiteral("%1").arg(QStringLiteral("capacity"), 12);
            for (const Column& col : columns) ctx.out << QStringLiteral("%1").arg(col.name, 10);
            if (showGap)
                for (std::ptrdiff_t i = 0; i < std::ssize(columns); ++i)
                    if (i != lruColumn && i != optColumn) ctx.out << QStringLiteral("%1").arg(columns[std::size_t(i)].name + QStringLiteral(" gap"), 14);
            ctx.out << '\n';
        }
        std::map<std::uint64_t, std::vector<double>> rows;
        for (const Column& col : columns) {
            QJsonObject byCapacity;
            for (auto cap : *capacities) {
                double hitRatio = 0;
                if (col.policy) {
                    const auto r = engine::sim::replayTrace(*trace, *col.policy, cap);
                    seconds += r.seconds;
                    replayed += r.requests;
                    hitRatio = r.hitRatio;
                } else {
                    const auto r = optimum->run(cap);
                    seconds += r.seconds;
                    replayed += r.requests;
                    hitRatio = r.hitRatio;
                }
                byCapacity.insert(QString::number(cap), hitRatio);
                rows[cap].push_back(hitRatio);
            }
            json.insert(col.name, byCapacity);
        }
        if (opt.contains(QStringLiteral("--json"))) {
            ctx.out << QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)) << Qt::endl;
        } else {
            for (const auto& [cap, ratios] : rows) {
                ctx.out << QStringLiteral("%1").arg(locale.toString(qulonglong(cap)), 12);
                for (double h : ratios) ctx.out << QStringLiteral("%1").arg(locale.toString(100 * h, 'f', 2) + QLatin1Char('%'), 10);
                if (showGap) {
                    const double lru = ratios[std::size_t(lruColumn)], best = ratios[std::size_t(optColumn)];
                    for (std::ptrdiff_t i = 0; i < std::ssize(columns); ++i) {
                        if (i == lruColumn || i == optColumn) continue;
                        // OPT = LRU: LRU is already optimal at this size, there is no gap to close.
                        const QString share = best > lru ? locale.toString(100 * (ratios[std::size_t(i)] - lru) / (best - lru), 'f', 1) + QLatin1Char('%')
                                                         : QStringLiteral("-");
                        ctx.out << QStringLiteral("%1").arg(share, 14);
                    }
                }
                ctx.out << '\n';
            }
        }
        ctx.err << QStringLiteral("replayed %1 requests in %2 s (%3 million requests/s)")
                       .arg(locale.toString(qulonglong(replayed)), locale.toString(seconds, 'f', 2),
                            locale.toString(seconds > 0 ? double(replayed) / seconds / 1e6 : 0.0, 'f', 2))
                << Qt::endl;
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
