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

TraceRecorder::TraceRecorder(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<TraceRecording>();
}

TraceRecorder::~TraceRecorder()
{
    m_cancel = true;
    if (m_worker.joinable()) m_worker.join();
}

bool TraceRecorder::start(TraceRecordJob job)
{
    if (m_running) return false;
    if (m_worker.joinable()) m_worker.join(); // the previous recording has posted its result: it is ending or ended
    m_cancel = false;
    m_running = true;
    m_worker = std::thread([this, job = std::move(job)] {
        auto wake = [this] { // with m_mutex held
            if (m_wakePending) return;
            m_wakePending = true;
            QMetaObject::invokeMethod(this, "deliver", Qt::QueuedConnection);
        };
        TraceRecordHooks hooks;
        hooks.cancel = &m_cancel;
        hooks.progress = [&](std::uint64_t requests, double seconds) {
            std::lock_guard lock(m_mutex);
            m_progress.emplace(requests, seconds);
            wake();
        };
        TraceRecording result = recordTrace(job, hooks);
        std::lock_guard lock(m_mutex);
        m_result = std::move(result);
        wake();
    });
    return true;
}

void TraceRecorder::cancel()
{
    m_cancel = true;
}

void TraceRecorder::deliver()
{
    std::optional<std::pair<std::uint64_t, double>> progressed;
    std::optional<TraceRecording> result;
    {
        std::lock_guard lock(m_mutex);
        progressed.swap(m_progress);
        result.swap(m_result);
        m_wakePending = false;
    }
    if (progressed) emit progress(progressed->first, progressed->second);
    if (result) {
        if (m_worker.joinable()) m_worker.join();
        m_running = false;
        emit finished(*result);
    }
}

} // namespace cachelens::sim
