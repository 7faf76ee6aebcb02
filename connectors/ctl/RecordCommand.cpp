#include "connectors/ctl/Commands.h"
#include "connectors/ctl/RedisCommandSupport.h"
#include "connectors/ctl/SimCommandSupport.h"
#include "connectors/DemoWorkload.h"
#include "connectors/profiles/ProfileStore.h"
#include "connectors/sim/TraceRecorder.h"

#include <cachelens/cache.h>

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

namespace cachelens::ctl {

// `cachelensctl record URL|NAME|local --seconds N --out FILE [--format text|u64le] [--max-requests N] [--json]`:
// records a trace for a bounded time (and/or number of requests) and saves it as a trace file that `replay`, `mrc`
// and the Simulate panel (a "trace" workload) read.
//   - A Redis server: MONITOR (costly on a busy server: a warning goes to stderr first). Text traces are CSV
//     `index,key,op` lines with binary keys escaped (\xHH); u64le keeps key ids only.
//   - `local`: an engine in this process, configured as the GUI's Local engine (--policy, --capacity), driven by the
//     demo workload (--rate requests/s) while its access tap is recorded; key ids are the engine's key hashes, and
//     the output says the engine's own hit ratio over the recorded gets, to compare with `replay`. (A running
//     GUI's engine is recorded from its Simulate panel: Record….)
Command recordCommand()
{
    Command c;
    c.name = QStringLiteral("record");
    c.connects = true;
    c.summary = QCoreApplication::translate("ctl", "record a trace from a Redis server (MONITOR) or the local engine's access tap");
    c.usage = QStringLiteral("cachelensctl record URL|NAME|local --seconds N --out FILE [--format text|u64le] [--max-requests N] "
                             "[--rate N] [--policy P] [--capacity N] [--json]");
    c.options = {option("URL|NAME|local", "a Redis URL or saved connection (recorded with MONITOR), or 'local': an engine in "
                                          "this process driven by the demo workload"),
                 option("--seconds N", "how long to record, up to 3600 (default 10)"),
                 option("--out FILE", "the trace file to write"),
                 option("--format text|u64le", "the trace's format (default: from FILE's extension)"),
                 option("--max-requests N", "stop after N requests"),
                 option("--rate N", "local only: demo workload requests per second"),
                 option("--policy P", "local only: the engine's eviction policy (lru, wtinylfu, s3fifo, sieve)"),
                 option("--capacity N", "local only: the engine's size in entries (default 8000)"),
                 option("--json", "print what was recorded as one JSON object")};
    c.run = [](Context& ctx) {
        const QString name = QStringLiteral("record");
        QStringList positional;
        QMap<QString, QString> opt;
        if (!splitArgs(ctx, name, {QStringLiteral("--json")},
                       {QStringLiteral("--seconds"), QStringLiteral("--out"), QStringLiteral("--format"), QStringLiteral("--max-requests"),
                        QStringLiteral("--rate"), QStringLiteral("--policy"), QStringLiteral("--capacity")},
                       positional, opt))
            return int(Misuse);
        if (positional.size() != 1) return misuse(ctx, name, QStringLiteral("expects exactly one URL, saved connection name or 'local'"));
        const bool local = positional.first() == QLatin1String("local");
        bool ok = false;
        const double seconds = opt.value(QStringLiteral("--seconds"), QStringLiteral("10")).toDouble(&ok);
        if (!ok || !(seconds > 0) || seconds > 3600) return misuse(ctx, name, QStringLiteral("--seconds wants a duration between 0 and 3600"));
        if (!opt.contains(QStringLiteral("--out"))) return misuse(ctx, name, QStringLiteral("--out FILE is required"));
        sim::TraceRecordJob job;
        job.path = opt.value(QStringLiteral("--out"));
        job.format = engine::sim::guessTraceFormat(job.path.toStdString());
        if (opt.contains(QStringLiteral("--format")) && !engine::sim::parseTraceFormat(opt.value(QStringLiteral("--format")).toStdString(), job.format))
            return misuse(ctx, name, QStringLiteral("--format must be text or u64le"));
        job.duration = std::chrono::milliseconds(static_cast<qint64>(seconds * 1000));
        if (opt.contains(QStringLiteral("--max-requests"))) {
            job.maxRequests = opt.value(QStringLiteral("--max-requests")).toULongLong(&ok);
            if (!ok || job.maxRequests == 0) return misuse(ctx, name, QStringLiteral("--max-requests wants a positive count"));
        }
        for (const char* o : {"--rate", "--policy", "--capacity"})
            if (!local && opt.contains(QLatin1String(o)))
                return misuse(ctx, name, QStringLiteral("%1 applies to 'local' recordings only").arg(QLatin1String(o)));

        sim::TraceRecordHooks hooks;
        std::unique_ptr<DemoWorkload> demo;
        engine::CacheOptions engineOptions;
        if (local) {
            // As the GUI's Local engine (ui/ConnectionManager), but bounded by entries only, so that `replay
            // --capacity` with the same number is comparable.
            engineOptions.maxEntries = 8000;
            engineOptions.maxBytes = 0;
            if (opt.contains(QStringLiteral("--capacity"))) {
                engineOptions.maxEntries = opt.value(QStringLiteral("--capacity")).toULongLong(&ok);
                if (!ok || engineOptions.maxEntries == 0) return misuse(ctx, name, QStringLiteral("--capacity wants a positive number of entries"));
            }
            if (opt.contains(QStringLiteral("--policy"))
                && !engine::parsePolicy(opt.value(QStringLiteral("--policy")).toStdString(), engineOptions.policy))
                return misuse(ctx, name, QStringLiteral("unknown policy '%1' (lru, wtinylfu, s3fifo, sieve)").arg(opt.value(QStringLiteral("--policy"))));
            DemoWorkload::Options demoOptions;
            if (opt.contains(QStringLiteral("--rate"))) {
                demoOptions.opsPerSecond = opt.value(QStringLiteral("--rate")).toDouble(&ok);
                if (!ok || !(demoOptions.opsPerSecond > 0)) return misuse(ctx, name, QStringLiteral("--rate wants requests per second above 0"));
            }
            job.cache = std::make_shared<engine::Cache>(engineOptions);
            job.display = QStringLiteral("the local engine (%1, %2 entries) running the demo workload")
                              .arg(QLatin1String(engine::policyName(engineOptions.policy)), QLocale().toString(qulonglong(engineOptions.maxEntries)));
            demo = std::make_unique<DemoWorkload>(job.cache, demoOptions);
            hooks.started = [&] { demo->start(); };
            hooks.stopping = [&] { demo->stop(); };
        } else {
            int code = Ok;
            const auto target = resolveTarget(ctx, name, positional.first(), code);
            if (!target) return code;
            job.url = target->url.toString(true);
            job.display = target->display;   // never the password
            if (target->guard.production)
                ctx.err << "cachelensctl record: warning: '" << target->display << "' is a production connection" << Qt::endl;
            ctx.err << "cachelensctl record: warning: MONITOR makes the server copy every command to this client; on a busy "
                       "server it costs CPU and memory (throughput can halve) for the whole recording ("
                    << QLocale::c().toString(seconds) << " s)" << Qt::endl;
        }
        const sim::TraceRecording r = sim::recordTrace(job, hooks);
        if (!r.saved) {
            ctx.err << "cachelensctl record: " << sim::describeRecording(r) << Qt::endl;
            return int(Failed);
        }
        if (opt.contains(QStringLiteral("--json"))) {
            QJsonObject o{{QStringLiteral("requests"), double(r.requests)},
                          {QStringLiteral("keys"), double(r.keys)},
                          {QStringLiteral("skippedCommands"), double(r.skippedCommands)},
                          {QStringLiteral("seconds"), r.seconds},
                          {QStringLiteral("out"), r.path},
                          {QStringLiteral("format"), QLatin1String(engine::sim::traceFormatName(r.format))},
                          {QStringLiteral("complete"), r.error.isEmpty()}};
            if (local) {
                o.insert(QStringLiteral("lost"), double(r.lost));
                o.insert(QStringLiteral("gets"), double(r.liveGets));
                o.insert(QStringLiteral("liveHitRatio"), r.liveGets ? double(r.liveHits) / double(r.liveGets) : 0.0);
                o.insert(QStringLiteral("policy"), QLatin1String(engine::policyName(engineOptions.policy)));
                o.insert(QStringLiteral("capacity"), double(engineOptions.maxEntries));
            }
            ctx.out << QJsonDocument(o).toJson(QJsonDocument::Compact) << Qt::endl;
        } else {
            ctx.out << sim::describeRecording(r) << Qt::endl;
        }
        if (!r.error.isEmpty()) return int(Failed);
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
