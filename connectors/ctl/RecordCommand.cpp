#include "connectors/ctl/Commands.h"
#include "connectors/ctl/RedisCommandSupport.h"
#include "connectors/ctl/SimCommandSupport.h"
#include "connectors/profiles/ProfileStore.h"
#include "connectors/sim/MonitorRecorder.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

namespace cachelens::ctl {

// `cachelensctl record URL|NAME --seconds N --out FILE [--format text|u64le] [--max-requests N] [--json]`: records
// the requests a Redis server runs with MONITOR for a bounded time and saves them as a trace file that `replay`,
// `mrc` and the Simulate panel (a "trace" workload) read. Text traces are CSV `index,key,op` lines with binary keys
// escaped (\xHH); u64le keeps key ids only. MONITOR is costly on a busy server: a warning goes to stderr first.
Command recordCommand()
{
    Command c;
    c.name = QStringLiteral("record");
    c.summary = QCoreApplication::translate("ctl", "record a trace from a Redis server with MONITOR for a bounded time");
    c.usage = QStringLiteral("cachelensctl record URL|NAME --seconds N --out FILE [--format text|u64le] [--max-requests N] [--json]");
    c.run = [](Context& ctx) {
        const QString name = QStringLiteral("record");
        QStringList positional;
        QMap<QString, QString> opt;
        if (!splitArgs(ctx, name, {QStringLiteral("--json")},
                       {QStringLiteral("--seconds"), QStringLiteral("--out"), QStringLiteral("--format"), QStringLiteral("--max-requests")},
                       positional, opt))
            return int(Misuse);
        if (positional.size() != 1) return misuse(ctx, name, QStringLiteral("expects exactly one URL or saved connection name"));
        if (positional.first() == QLatin1String("local"))
            return misuse(ctx, name, QStringLiteral("the local engine's access tap is recorded from a running engine (the Simulate panel); give a Redis URL or connection name"));
        bool ok = false;
        const double seconds = opt.value(QStringLiteral("--seconds"), QStringLiteral("10")).toDouble(&ok);
        if (!ok || !(seconds > 0) || seconds > 3600) return misuse(ctx, name, QStringLiteral("--seconds wants a duration between 0 and 3600"));
        if (!opt.contains(QStringLiteral("--out"))) return misuse(ctx, name, QStringLiteral("--out FILE is required"));
        const std::string out = opt.value(QStringLiteral("--out")).toStdString();
        engine::sim::TraceFormat format = engine::sim::guessTraceFormat(out);
        if (opt.contains(QStringLiteral("--format")) && !engine::sim::parseTraceFormat(opt.value(QStringLiteral("--format")).toStdString(), format))
            return misuse(ctx, name, QStringLiteral("--format must be text or u64le"));
        sim::RecordOptions options;
        options.duration = std::chrono::milliseconds(static_cast<qint64>(seconds * 1000));
        if (opt.contains(QStringLiteral("--max-requests"))) {
            options.maxRequests = opt.value(QStringLiteral("--max-requests")).toULongLong(&ok);
            if (!ok || options.maxRequests == 0) return misuse(ctx, name, QStringLiteral("--max-requests wants a positive count"));
        }
        QString url = positional.first(), display = url;
        if (!url.contains(QStringLiteral("://"))) {
            const auto profile = ProfileStore().find(url);
            if (!profile) return misuse(ctx, name, QStringLiteral("no saved connection is called '%1'").arg(url));
            ConnectionUrl u = profile->url;
            QString problem;
            if (const auto secret = readSecret(profile->id, &problem)) u.password = *secret;
            url = u.toString(true);
            display = profile->name;
            if (profile->production)
                ctx.err << "cachelensctl record: warning: '" << profile->name << "' is a production connection" << Qt::endl;
        }
        ctx.err << "cachelensctl record: warning: MONITOR makes the server copy every command to this client; on a busy "
                   "server it costs CPU and memory (throughput can halve) for the whole recording ("
                << QLocale::c().toString(seconds) << " s)" << Qt::endl;
        sim::TraceBuilder builder;
        sim::RecordReport report;
        QString error;
        const bool recorded = sim::recordMonitor(url, options, builder, report, error);
        if (!recorded && report.requests == 0) {
            ctx.err << "cachelensctl record: " << error << Qt::endl;
            return int(Failed);
        }
        std::string saveError;
        const bool saved = format == engine::sim::TraceFormat::U64Le ? engine::sim::saveTraceU64(out, builder.trace().keys, saveError)
                                                                      : engine::sim::saveTraceText(out, builder.trace(), saveError);
        if (!saved) {
            ctx.err << "cachelensctl record: " << QString::fromStdString(saveError) << Qt::endl;
            return int(Failed);
        }
        const QLocale locale;
        if (opt.contains(QStringLiteral("--json"))) {
            ctx.out << QJsonDocument(QJsonObject{{QStringLiteral("requests"), double(report.requests)},
                                                 {QStringLiteral("keys"), double(builder.trace().names.size())},
                                                 {QStringLiteral("skippedCommands"), double(report.skippedCommands)},
                                                 {QStringLiteral("seconds"), report.seconds},
                                                 {QStringLiteral("out"), QString::fromStdString(out)},
                                                 {QStringLiteral("format"), QLatin1String(engine::sim::traceFormatName(format))},
                                                 {QStringLiteral("complete"), recorded}})
                           .toJson(QJsonDocument::Compact)
                    << Qt::endl;
        } else {
            ctx.out << "recorded " << locale.toString(qulonglong(report.requests)) << " requests to "
                    << locale.toString(qulonglong(builder.trace().names.size())) << " keys from " << display << " in "
                    << locale.toString(report.seconds, 'f', 1) << " s (" << locale.toString(qulonglong(report.skippedCommands))
                    << " other commands skipped"
                    << (report.hitLimit ? QStringLiteral(", stopped at --max-requests") : QString()) << "), saved to "
                    << QString::fromStdString(out) << " (" << engine::sim::traceFormatName(format) << ")" << Qt::endl;
        }
        if (!recorded) {
            ctx.err << "cachelensctl record: " << error << " (the requests recorded until then were saved)" << Qt::endl;
            return int(Failed);
        }
        return int(Ok);
    };
    return c;
}

} // namespace cachelens::ctl
