#include "connectors/ctl/Commands.h"
#include "connectors/ctl/SimCommandSupport.h"

#include "connectors/sim/SizeLimits.h"

#include <cachelens/sim/replay.h>
#include <cachelens/sim/size_limit.h>
#include <cachelens/sim/trace_file.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <algorithm>

namespace cachelens::ctl {

// `cachelensctl replay TRACE [--format text|u64le] --policy lru,wtinylfu,… --capacity N[,N…] [--json]`: replays a
// trace (get, then set on a miss) against every policy × capacity and prints hit ratios; --json prints
// {policy: {capacity: hitRatio}}. The replay rate goes to stderr.
Command replayCommand()
{
    Command c;
    c.name = QStringLiteral("replay");
    c.summary = QCoreApplication::translate("ctl", "replay a trace file against eviction policies and capacities, print hit ratios");
    c.usage = QStringLiteral("cachelensctl replay TRACE [--format text|u64le] --policy lru,wtinylfu,s3fifo,sieve --capacity N[,N…] [--json]");
    c.options = {option("TRACE", "a trace file (cachelensctl record writes one)"),
                 option("--format text|u64le", "the trace's format (default: guessed from the file)"),
                 option("--policy P[,P…]", "eviction policies to compare: lru, wtinylfu, s3fifo, sieve (default: all)"),
                 option("--capacity N[,N…]", "cache sizes in entries: 1000,10000 or first:last:step"),
                 option("--json", "print {policy: {capacity: hitRatio}}")};
    c.run = [](Context& ctx) {
        const QString name = QStringLiteral("replay");
        QMap<QString, QString> opt;
        std::string path;
        engine::sim::TraceFormat format;
        if (!traceArgs(ctx, name, {QStringLiteral("--policy"), QStringLiteral("--capacity")}, path, format, opt))
            return int(Misuse);
        std::vector<engine::PolicyKind> policies;
        for (const QString& p : opt.value(QStringLiteral("--policy"), QStringLiteral("lru,wtinylfu,s3fifo,sieve")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            engine::PolicyKind k;
            if (!engine::parsePolicy(p.trimmed().toStdString(), k))
                return misuse(ctx, name, QStringLiteral("unknown policy '%1' (lru, wtinylfu, s3fifo, sieve)").arg(p));
            policies.push_back(k);
        }
        if (policies.empty()) return misuse(ctx, name, QStringLiteral("--policy needs at least one policy: lru, wtinylfu, s3fifo or sieve"));
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
        QJsonObject json;
        const QLocale locale;
        double seconds = 0;
        std::uint64_t replayed = 0;
        if (!opt.contains(QStringLiteral("--json"))) {
            ctx.out << QStringLiteral("%1: %2 requests\n").arg(QString::fromStdString(path), locale.toString(qulonglong(trace->keys.size())));
            ctx.out << QStringLiteral("%1").arg(QStringLiteral("capacity"), 12);
            for (auto p : policies) ctx.out << QStringLiteral("%1").arg(QLatin1String(engine::policyName(p)), 10);
            ctx.out << '\n';
        }
        std::map<std::uint64_t, std::vector<double>> rows;
        for (auto p : policies) {
            QJsonObject byCapacity;
            for (auto cap : *capacities) {
                const auto r = engine::sim::replayTrace(*trace, p, cap);
                seconds += r.seconds;
                replayed += r.requests;
                byCapacity.insert(QString::number(cap), r.hitRatio);
                rows[cap].push_back(r.hitRatio);
            }
            json.insert(QLatin1String(engine::policyName(p)), byCapacity);
        }
        if (opt.contains(QStringLiteral("--json"))) {
            ctx.out << QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact)) << Qt::endl;
        } else {
            for (const auto& [cap, ratios] : rows) {
                ctx.out << QStringLiteral("%1").arg(locale.toString(qulonglong(cap)), 12);
                for (double h : ratios) ctx.out << QStringLiteral("%1").arg(locale.toString(100 * h, 'f', 2) + QLatin1Char('%'), 10);
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
