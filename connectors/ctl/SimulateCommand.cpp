#include "connectors/ctl/Commands.h"
#include "connectors/ctl/InterruptCleanup.h"
#include "connectors/ctl/RedisCommandSupport.h"
#include "connectors/ctl/SimCommandSupport.h"
#include "connectors/sim/SimulationRunner.h"
#include "connectors/sim/WorkloadJson.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QLocale>
#include <QMap>
#include <QTemporaryDir>

#include <atomic>
#include <csignal>

namespace cachelens::ctl {

std::optional<std::vector<std::uint64_t>> parseSizeList(const QString& text)
{
    std::vector<std::uint64_t> out;
    for (const QString& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QStringList r = part.split(QLatin1Char(':'));
        bool ok1 = false, ok2 = true, ok3 = true;
        const qulonglong first = r.value(0).trimmed().toULongLong(&ok1);
        if (r.size() == 1) {
            if (!ok1 || first == 0) return std::nullopt;
            out.push_back(first);
            continue;
        }
        if (r.size() != 3) return std::nullopt;
        const qulonglong last = r[1].trimmed().toULongLong(&ok2), step = r[2].trimmed().toULongLong(&ok3);
        if (!ok1 || !ok2 || !ok3 || first == 0 || step == 0 || last < first || (last - first) / step > 10000) return std::nullopt;
        for (qulonglong v = first; v <= last; v += step) out.push_back(v);
    }
    if (out.empty() || out.size() > 10000) return std::nullopt;
    return out;
}

bool splitArgs(Context& ctx, const QString& command, const QStringList& flags, const QStringList& valued,
               QStringList& positional, QMap<QString, QString>& options)
{
    for (int i = 0; i < ctx.args.size(); ++i) {
        const QString& a = ctx.args[i];
        if (a.startsWith(QLatin1String("--")) && a.size() > 2) {
            QString name = a, value;
            const int eq = a.indexOf(QLatin1Char('='));
            if (eq > 0) {
                name = a.left(eq);
                value = a.mid(eq + 1);
            }
            if (flags.contains(name)) {
                options.insert(name, QStringLiteral("1"));
            } else if (valued.contains(name)) {
                if (eq < 0) {
                    if (i + 1 >= ctx.args.size()) {
                        misuse(ctx, command, QStringLiteral("%1 needs a value").arg(name));
                        return false;
                    }
                    value = ctx.args[++i];
                }
                options.insert(name, value);
            } else {
                misuse(ctx, command, QStringLiteral("unknown option %1").arg(a));
                return false;
            }
        } else {
            positional << a;
        }
    }
    return true;
}

bool traceArgs(Context& ctx, const QString& command, const QStringList& valued, std::string& path,
               engine::sim::TraceFormat& format, QMap<QString, QString>& options)
{
    QStringList positional;
    if (!splitArgs(ctx, command, {QStringLiteral("--json")}, QStringList{QStringLiteral("--format")} + valued,
                   positional, options))
        return false;
    if (positional.size() != 1) {
        misuse(ctx, command, QStringLiteral("expects exactly one TRACE file"));
        return false;
    }
    path = positional.first().toStdString();
    format = engine::sim::guessTraceFormat(path);
    if (options.contains(QStringLiteral("--format"))
        && !engine::sim::parseTraceFormat(options.value(QStringLiteral("--format")).toStdString(), format)) {
        misuse(ctx, command, QStringLiteral("--format must be text or u64le"));
        return false;
    }
    return true;
}

namespace {

QString percent(double x) { return QLocale().toString(100 * x, 'f', 2) + QLatin1Char('%'); }
QString count(std::uint64_t n) { return QLocale().toString(qulonglong(n)); }
QString us(double v) { return QLocale().toString(v, 'f', v < 10 ? 2 : 1); }

} // namespace

// `cachelensctl simulate SPEC.json [--target local|URL|NAME] [--confirm NAME] [--json] [--workdir DIR]`: runs a
// workload (issue #10's JSON) against the local engine or a Redis server (the spec's cache.target, or --target)
// with a generated SQLite database behind a cache-aside loader and prints what a user would see. On Redis the keys
// go under cachelens:sim:<run>: and are deleted afterwards; read-only and production connections need --confirm
// with their name. Progress goes to stderr about once a second; --json prints one object on stdout.
Command simulateCommand()
{
    Command c;
    c.name = QStringLiteral("simulate");
    c.connects = true;
    c.changesData = true;
    c.summary = QCoreApplication::translate("ctl", "run a workload spec (JSON) against the engine with a SQLite source of truth");
    c.usage = QStringLiteral("cachelensctl simulate SPEC.json [--target local|URL|NAME] [--confirm NAME] [--json] [--workdir DIR]");
    c.options = {option("SPEC.json", "the workload: key space, popularity, read/write mix, TTLs, value sizes, rate, cache"),
                 option("--target local|URL|NAME", "run against the local engine or a Redis server instead of the spec's cache.target"),
                 option("--confirm NAME", "the connection's name, to run against a read-only or production connection"),
                 option("--json", "print the results as one JSON object"),
                 option("--workdir DIR", "keep the generated SQLite database in DIR (default: a temporary directory)")};
    c.run = [](Context& ctx) {
        const QString name = QStringLiteral("simulate");
        QStringList positional;
        QMap<QString, QString> opt;
        if (!splitArgs(ctx, name, {QStringLiteral("--json")}, {QStringLiteral("--workdir"), QStringLiteral("--target"), QStringLiteral("--confirm")}, positional, opt))
            return int(Misuse);
        if (positional.size() != 1) return misuse(ctx, name, QStringLiteral("expects exactly one SPEC.json (a workload, see --help)"));
        QFile f(positional.first());
        if (!f.open(QIODevice::ReadOnly)) {
            ctx.err << "cachelensctl simulate: " << positional.first() << ": " << f.errorString() << Qt::endl;
            return int(Misuse);
        }
        QString error;
        const auto parsedSpec = sim::parseWorkload(f.readAll(), error);
        if (!parsedSpec) {
            ctx.err << "cachelensctl simulate: " << positional.first() << ": " << error << Qt::endl;
            return int(Misuse);
        }
        auto spec = *parsedSpec;
        if (opt.contains(QStringLiteral("--target"))) spec.target = opt.value(QStringLiteral("--target")).toStdString();
        // A spec this machine cannot hold is a bad argument like any other (runSimulation checks again, and a trace's
        // keys are only known once it is loaded).
        if (const std::uint64_t keys = engine::sim::workloadKeys(spec); keys > 0) {
            const QString problem = sim::simulationSizeProblem(spec, keys, opt.value(QStringLiteral("--workdir"), QDir::tempPath()));
            if (!problem.isEmpty()) {
                ctx.err << "cachelensctl simulate: " << problem << Qt::endl;
                return int(Misuse);
            }
        }
        sim::SimulationHooks hooks;
        if (spec.target != "local") {
            // The target as every connecting command resolves it (saved name or URL, its secrets, its guard), so
            // --password-stdin and $CACHELENS_PASSWORD work here too.
            int code = Ok;
            const auto target = resolveTarget(ctx, name, QString::fromStdString(spec.target), code);
            if (!target)
                return code;
            hooks.confirmation = Confirmation{opt.value(QStringLiteral("--confirm"))};
            if (refusedChange(ctx, name, *target, hooks.confirmation))
                return int(Failed);
            hooks.targetSecrets = {target->url.password, target->url.sentinelPassword};
            if (target->profile)
                spec.target = target->profile->name.toStdString();
            ctx.err << "simulating against " << target->display << ": keys are written under cachelens:sim:<run>: and deleted afterwards" << Qt::endl;
        }
        QTemporaryDir temp;
        const QString workDir = opt.contains(QStringLiteral("--workdir")) ? opt.value(QStringLiteral("--workdir")) : temp.path();
        // Ctrl-C or SIGTERM stops the run as a cancel does (a Redis target's keys are still deleted) and removes the
        // database at once, should the process be killed before it winds down.
        std::atomic<bool> cancel{false};
        hooks.cancel = &cancel;
        const InterruptCleanup interrupt({sim::simulationDatabasePath(workDir)},
                                         opt.contains(QStringLiteral("--workdir")) ? QString() : temp.path(), &cancel);
        QElapsedTimer sinceLine;
        sinceLine.start();
        hooks.phase = [&](const std::string& text) {
            if (sinceLine.elapsed() >= 1000 || text.rfind("Running", 0) == 0) {
                ctx.err << QString::fromStdString(text) << Qt::endl;
                sinceLine.restart();
            }
        };
        hooks.progress = [&](const engine::sim::SimResults& r) {
            if (sinceLine.elapsed() < 1000) return;
            sinceLine.restart();
            ctx.err << QStringLiteral("  %1 of %2 requests, hit rate %3").arg(count(r.requests), count(spec.requests), percent(r.hitRate))
                    << Qt::endl;
        };
        engine::sim::SimResults r;
        const bool ran = sim::runSimulation(spec, workDir, hooks, r, error);
        QString stopped;
        if (interrupt.signal() != 0)
            stopped = QStringLiteral("stopped by %1%2").arg(interrupt.signal() == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM"),
                                                             spec.backingType == "memory" ? QString() : QStringLiteral("; the simulation database was removed"));
        if (!ran) {
            ctx.err << "cachelensctl simulate: " << error << (stopped.isEmpty() ? QString() : QStringLiteral("; ") + stopped) << Qt::endl;
            return int(Failed);
        }
        if (!stopped.isEmpty())
            ctx.err << "cachelensctl simulate: " << stopped << Qt::endl;
        if (opt.contains(QStringLiteral("--json"))) {
            QJsonObject o = sim::resultsToJson(r);
            spec.target = ConnectionUrl::masked(QString::fromStdString(spec.target)).toStdString();   // the spec as run, no secret
            o.insert(QStringLiteral("spec"), sim::workloadToJson(spec));
            ctx.out << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)) << Qt::endl;
            return int(r.cancelled ? Failed : Ok);
        }
        const QString label = spec.name.empty() ? positional.first() : QString::fromStdString(spec.name);
        ctx.out << label << ": " << count(r.requests) << " requests (" << count(r.reads) << " reads, " << count(r.writes)
                << " writes) over " << QLocale().toString(r.simulatedSeconds, 'f', 1) << (spec.rate > 0 && spec.target == "local" ? " simulated" : "")
                << " seconds in " << QLocale().toString(r.wallSeconds, 'f', 2) << " s" << (r.cancelled ? ", cancelled" : "") << '\n';
        ctx.out << "  hit rate          " << percent(r.hitRate) << " (" << count(r.hits) << " hits, " << count(r.misses) << " misses)\n";
        ctx.out << "  database reads    " << count(r.backingQueries) << " (" << percent(r.dbLoadReduction)
                << " fewer than without a cache); " << count(r.backingWrites) << " writes\n";
        ctx.out << "  latency µs        p50 " << us(r.latency.p50) << "  p95 " << us(r.latency.p95) << "  p99 " << us(r.latency.p99) << '\n';
        ctx.out << "    hits            p50 " << us(r.hitLatency.p50) << "  p95 " << us(r.hitLatency.p95) << "  p99 " << us(r.hitLatency.p99) << '\n';
        ctx.out << "    misses          p50 " << us(r.missLatency.p50) << "  p95 " << us(r.missLatency.p95) << "  p99 " << us(r.missLatency.p99) << '\n';
        if (spec.target != "local")
            ctx.out << "  target            " << QString::fromStdString(r.target) << " (closed loop on real time; "
                    << count(r.keysCleanedUp) << " simulated keys deleted afterwards)\n";
        ctx.out << "  stale reads " << count(r.staleReads) << ", stampedes " << count(r.stampedes) << ", evictions "
                << count(r.evictions) << ", expirations " << count(r.expirations) << ", invalidations " << count(r.invalidations) << '\n';
        ctx.out.flush();
        return int(r.cancelled ? Failed : Ok);
    };
    return c;
}

} // namespace cachelens::ctl
