#include "connectors/sim/TraceRecorder.h"

#include "connectors/sim/MonitorRecorder.h"
#include <cachelens/cache.h>
#include <cachelens/sim/id_map.h>
#include <cachelens/sim/tap_recording.h>

#include <QCoreApplication>
#include <QLocale>

namespace cachelens::sim {

namespace {

QString tr(const char* s) { return QCoreApplication::translate("Simulation", s); }

bool save(const engine::sim::Trace& trace, TraceRecording& r)
{
    std::string error;
    const std::string path = r.path.toStdString();
    r.saved = r.format == engine::sim::TraceFormat::U64Le ? engine::sim::saveTraceU64(path, trace.keys, error)
                                                          : engine::sim::saveTraceText(path, trace, error);
    if (!r.saved) r.error = QString::fromStdString(error);
    return r.saved;
}

std::uint64_t distinctKeys(const std::vector<std::uint64_t>& keys)
{
    engine::sim::IdMap ids(keys.size() / 4 + 16);
    for (std::uint64_t k : keys) ids.idOf(k);
    return ids.size();
}

} // namespace

QString describeRecording(const TraceRecording& r)
{
    const QLocale locale;
    auto n = [&](std::uint64_t v) { return locale.toString(qulonglong(v)); };
    if (r.requests == 0) {
        QString s = tr("Recorded no requests from %1 in %2 s; nothing was saved.")
                        .arg(r.display, locale.toString(r.seconds, 'f', 1));
        if (!r.error.isEmpty()) s += QLatin1Char(' ') + r.error;
        else if (r.local) s += QLatin1Char(' ') + tr("The engine had no traffic meanwhile (View ▸ Run Demo Workload drives it).");
        return s;
    }
    QString s = r.saved ? tr("Recorded %1 requests to %2 keys from %3 in %4 s and saved them to %5 (%6)")
                              .arg(n(r.requests), n(r.keys), r.display, locale.toString(r.seconds, 'f', 1), r.path,
                                   QLatin1String(engine::sim::traceFormatName(r.format)))
                        : tr("Recorded %1 requests to %2 keys from %3 in %4 s but could not save them")
                              .arg(n(r.requests), n(r.keys), r.display, locale.toString(r.seconds, 'f', 1));
    if (r.hitLimit) s += tr(", stopped at the limit of %1 requests").arg(n(r.requests));
    if (r.cancelled) s += tr(", stopped early (cancelled)");
    if (r.local && r.liveGets)
        s += tr("; the engine hit %1 % of the %2 gets").arg(locale.toString(100.0 * double(r.liveHits) / double(r.liveGets), 'f', 2), n(r.liveGets));
    if (r.skippedCommands) s += tr("; %1 other commands were skipped").arg(n(r.skippedCommands));
    s += QLatin1Char('.');
    if (r.lost) s += QLatin1Char(' ') + tr("%1 accesses were lost because the engine outran the recorder: the trace has gaps.").arg(n(r.lost));
    if (!r.error.isEmpty()) s += QLatin1Char(' ') + r.error;
    return s;
}

TraceRecording recordTrace(const TraceRecordJob& job, const TraceRecordHooks& hooks)
{
    TraceRecording r;
    r.display = job.display;
    r.path = job.path;
    r.format = job.format;
    r.local = job.cache != nullptr;
    if (r.local) {
        engine::sim::TapRecordOptions o;
        o.duration = job.duration;
        o.maxRequests = job.maxRequests;
        o.cancel = hooks.cancel;
        o.progress = hooks.progress;
        o.started = hooks.started;
        o.stopping = hooks.stopping;
        engine::sim::TapTraceBuilder builder;
        engine::sim::TapRecordReport report;
        engine::sim::recordTap(*job.cache, o, builder, report);
        r.requests = report.requests;
        r.lost = report.lost;
        r.seconds = report.seconds;
        r.cancelled = report.cancelled;
        r.hitLimit = report.hitLimit;
        r.liveHits = builder.hits();
        r.liveGets = builder.hits() + builder.misses();
        r.keys = distinctKeys(builder.trace().keys);
        r.policy = job.cache->options().policy;
        r.maxEntries = job.cache->options().maxEntries;
        r.maxBytes = job.cache->options().maxBytes;
        if (r.requests) save(builder.trace(), r);
        return r;
    }
    RecordOptions o;
    o.duration = job.duration;
    o.maxRequests = job.maxRequests;
    o.cancel = hooks.cancel;
    o.progress = hooks.progress;
    TraceBuilder builder;
    RecordReport report;
    QString error;
    recordMonitor(job.url, o, builder, report, error);
    r.requests = report.requests;
    r.keys = builder.trace().names.size();
    r.skippedCommands = report.skippedCommands;
    r.seconds = report.seconds;
    r.cancelled = report.cancelled;
    r.hitLimit = report.hitLimit;
    if (r.requests) {
        if (save(builder.trace(), r) && !error.isEmpty())
            r.error = tr("%1 (the requests recorded until then were saved)").arg(error);
    } else {
        r.error = error;
    }
    return r;
}

TraceRecorder::TraceRecorder(QObject* parent) : QObject(parent), m_worker(QStringLiteral("trace recorder"))
{
    qRegisterMetaType<TraceRecording>();
}

TraceRecorder::~TraceRecorder() = default; // m_worker cancels a running recording and waits for it

bool TraceRecorder::start(TraceRecordJob job)
{
    if (m_running) return false;
    m_running = true;
    m_worker.post([this, job = std::move(job)](const std::atomic<bool>& cancel) {
        TraceRecordHooks hooks;
        hooks.cancel = &cancel;
        hooks.progress = [this](std::uint64_t requests, double seconds) {
            m_worker.replyLatest([this, requests, seconds] { emit progress(requests, seconds); });
        };
        TraceRecording result = recordTrace(job, hooks);
        m_worker.reply([this, result = std::move(result)] {
            m_running = false;
            emit finished(result);
        });
    });
    return true;
}

void TraceRecorder::cancel()
{
    m_worker.cancel();
}

} // namespace cachelens::sim
