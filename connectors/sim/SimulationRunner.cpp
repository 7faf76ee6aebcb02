#include "connectors/sim/SimulationRunner.h"

#include "connectors/ConnectionUrl.h"
#include "connectors/profiles/ProfileStore.h"
#include "connectors/provider/BlockingRedis.h"
#include "connectors/sim/SizeLimits.h"
#include "connectors/sim/SqliteBacking.h"
#include "connectors/support/Units.h"

#include <QRandomGenerator>

#include <QCoreApplication>
#include <QDir>
#include <QLocale>

#include <algorithm>
#include <limits>
#include <memory>

namespace cachelens::sim {

using engine::sim::SimResults;
using engine::sim::WorkloadSpec;

std::optional<SimTarget> resolveSimTarget(const QString& target, QString& error)
{
    auto tr = [](const char* s) { return QCoreApplication::translate("Simulation", s); };
    SimTarget t;
    if (target.isEmpty() || target == QLatin1String("local")) {
        t.display = QStringLiteral("local");
        return t;
    }
    t.local = false;
    ConnectionUrl url;
    if (!target.contains(QStringLiteral("://"))) {
        const auto profile = ProfileStore().find(target);
        if (!profile) {
            error = tr("no saved connection is called \"%1\" (give \"local\", a redis:// URL or a saved connection's name)")
                        .arg(ConnectionUrl::masked(target));
            return std::nullopt;
        }
        url = profile->url;
        t.display = profile->name;
        t.connection = *profile;
        t.guard = GuardPolicy::forProfile(*profile);
    } else {
        const auto parsed = ConnectionUrl::parse(target);
        if (!parsed.ok()) {
            error = parsed.error;
            return std::nullopt;
        }
        url = *parsed.url;
        t.display = url.toString();
        t.guard.connection = t.display;
        t.connection.name = t.display;
        t.connection.url = url;
        t.connection.keychainSecrets = false;
    }
    t.url = url.toString(true);
    return t;
}

std::string newSimKeyPrefix()
{
    const quint64 r = QRandomGenerator::global()->generate64() & 0xffffffffffffull;
    return "cachelens:sim:" + QStringLiteral("%1").arg(r, 12, 16, QLatin1Char('0')).toStdString() + ":";
}

void SimTargetSecrets::applyTo(ConnectionUrl& url) const
{
    if (!password.isEmpty()) url.password = password;
    if (!sentinelPassword.isEmpty() && url.scheme == ConnectionUrl::Scheme::Sentinel)
        url.sentinelPassword = sentinelPassword;
}

QString simulationDatabasePath(const QString& workDir)
{
    return QDir(workDir).filePath(QStringLiteral("simulation.db"));
}

QString simulationSizeProblem(const WorkloadSpec& spec, std::uint64_t keys, const QString& workDir)
{
    auto tr = [](const char* s) { return QCoreApplication::translate("Simulation", s); };
    const QLocale locale;
    const QString n = locale.toString(qulonglong(keys));
    const QString subject = spec.distribution.kind == engine::sim::DistributionKind::Trace
                                ? tr("the trace's %1 keys").arg(n)
                                : tr("\"keys\": %1").arg(n);
    if (QString problem = memoryLimitProblem(subject, keys, engine::sim::simulatorMemoryBytes(spec, keys), tr("keys"));
        !problem.isEmpty())
        return problem + tr("; lower \"keys\"; nothing was run");
    // The local cache fills up to its bound with values of the workload's sizes (on Redis they are the server's).
    if (spec.target == "local") {
        const double value = (std::max<double>(4, spec.valueMin) + std::max<double>(std::max<double>(4, spec.valueMin), spec.valueMax)) / 2;
        std::uint64_t entries = keys;
        if (spec.maxEntries > 0) entries = std::min(entries, spec.maxEntries);
        if (spec.requests > 0) entries = std::min(entries, spec.requests);
        double bytes = double(entries) * (value + 64);   // an entry's header, key and table slot besides its value
        if (spec.maxBytes > 0) bytes = std::min(bytes, double(spec.maxBytes));
        const auto cached = bytes >= 1.8e19 ? std::numeric_limits<std::uint64_t>::max() : std::uint64_t(bytes);
        const QString what = tr("a cache of %1 values of about %2").arg(locale.toString(qulonglong(entries)),
                                                                      formatBytes(qint64(value), 1, locale));
        if (QString problem = memoryLimitProblem(what, entries, cached, tr("values")); !problem.isEmpty())
            return problem + tr("; lower \"cache\": \"maxEntries\" or \"maxBytes\", or the value sizes; nothing was run");
    }
    if (spec.backingType != "memory") {
        const QString what = tr("the SQLite database of %1 keys").arg(n);
        if (QString problem = diskSpaceProblem(what, SqliteBacking::estimatedFileBytes(keys, spec.valueMin, spec.valueMax), workDir);
            !problem.isEmpty())
            return problem + tr("; lower \"keys\" or the value sizes, or use \"backing\": {\"type\": \"memory\"}; nothing was run");
    }
    return {};
}

namespace {
bool runAdmitted(WorkloadSpec& spec, const QString& display, const QString& workDir, const SimulationHooks& hooks,
                 SimResults& results, QString& error);
} // namespace

bool runSimulation(const WorkloadSpec& given, const QString& workDir, const SimulationHooks& hooks, SimResults& results,
                   QString& error)
{
    auto tr = [](const char* s) { return QCoreApplication::translate("Simulation", s); };
    WorkloadSpec spec = given;
    // Whether the machine holds the run, before a zipf table or a database of that many keys is built and before a
    // server is asked anything (a trace's keys are known once it is loaded: runAdmitted checks those).
    if (const std::uint64_t declared = engine::sim::workloadKeys(spec);
        declared > 0 && !(error = simulationSizeProblem(spec, declared, workDir)).isEmpty())
        return false;
    QString display = ConnectionUrl::masked(QString::fromStdString(spec.target));
    GuardPolicy guard;
    guard.connection = display;
    if (spec.target != "local" && spec.targetUrl.empty()) {
        const auto target = resolveSimTarget(QString::fromStdString(spec.target), error);
        if (!target) return false;
        display = target->display;
        guard = target->guard;
        ConnectionUrl url = *ConnectionUrl::parse(target->url).url;
        hooks.targetSecrets.applyTo(url);
        spec.targetUrl = url.toString(true).toStdString();
    }
    // Writing to a server is a change like any other: its guard first (read-only refuses, production needs the typed
    // name), then the audit row, before the first key is written.
    AuditTicket ticket;
    if (spec.target != "local") {
        if (spec.keyPrefix.empty()) spec.keyPrefix = newSimKeyPrefix();
        SourceError refusal;
        ticket = ChangeGuard(guard).admit({QStringLiteral("simulate"),
                                           tr("%1 requests under %2* (deleted afterwards)")
                                               .arg(QLocale::c().toString(qulonglong(spec.requests)),
                                                    QString::fromStdString(spec.keyPrefix))},
                                          hooks.confirmation, &refusal);
        if (!ticket.valid()) {
            error = refusal.message;
            return false;
        }
    }
    const bool ok = runAdmitted(spec, display, workDir, hooks, results, error);
    if (ticket.valid())
        ticket.finish(qint64(results.requests), qint64(results.keysCleanedUp),
                      !ok ? QStringLiteral("failed") : results.cancelled ? QStringLiteral("cancelled") : QStringLiteral("completed"),
                      ok ? tr("%1 requests, %2 simulated keys deleted afterwards")
                               .arg(QLocale::c().toString(qulonglong(results.requests)),
                                    QLocale::c().toString(qulonglong(results.keysCleanedUp)))
                         : error);
    return ok;
}

namespace {

// runSimulation's work once a Redis target's change was admitted: probe the server, build the backing store, run.
bool runAdmitted(WorkloadSpec& spec, const QString& display, const QString& workDir, const SimulationHooks& hooks,
                 SimResults& results, QString& error)
{
    auto tr = [](const char* s) { return QCoreApplication::translate("Simulation", s); };
    if (spec.target != "local") {
        // The engine's redis provider treats an unreachable server as a miss (a cache must not take the application
        // down), which would make a run against a wrong password or a dead server look like a 0 % hit rate: try the
        // connection (connect, AUTH, SELECT, PING) first and say why it fails.
        auto endpoint = provider::parseRedisUrl(spec.targetUrl.empty() ? spec.target : spec.targetUrl);
        if (!endpoint.ok()) {
            error = QString::fromStdString(endpoint.error().message);
            return false;
        }
        endpoint.value().timeout = std::chrono::milliseconds(3000);
        provider::BlockingConnection probe(endpoint.value());
        std::string why;
        provider::Reply pong;
        if (!probe.connect(why) || !probe.command({"PING"}, pong, why) || pong.isError()) {
            if (why.empty()) why = pong.str;
            error = tr("cannot run on Redis %1: %2; nothing was run").arg(display, QString::fromStdString(why));
            return false;
        }
    }
    // From here on the target is only shown (progress, results): the connection is made from targetUrl.
    if (spec.target != "local" && !spec.targetUrl.empty()) spec.target = display.toStdString();
    try {
        // The key count first: trace and keyed-mixed workloads get theirs from the Simulator.
        std::unique_ptr<engine::sim::Backing> backing;
        engine::sim::MemoryBacking probe(1, spec.valueMin, spec.valueMax);
        const std::uint64_t keys = engine::sim::Simulator(spec, probe).keys();
        if (engine::sim::workloadKeys(spec) == 0 && !(error = simulationSizeProblem(spec, keys, workDir)).isEmpty())
            return false;   // a trace's keys, known now that it is loaded (runSimulation checked the others)
        SqliteBacking* database = nullptr;
        if (spec.backingType == "memory") {
            backing = std::make_unique<engine::sim::MemoryBacking>(keys, spec.valueMin, spec.valueMax);
        } else {
            const QString path = simulationDatabasePath(workDir);
            const QLocale locale;
            auto rows = [&](std::uint64_t done) {
                if (hooks.phase)
                    hooks.phase(tr("Generating the SQLite database: %1 of %2 rows")
                                    .arg(locale.toString(qulonglong(done)), locale.toString(qulonglong(keys)))
                                    .toStdString());
            };
            auto created = SqliteBacking::create(path, keys, spec.valueMin, spec.valueMax, error, rows, hooks.cancel);
            if (!created) return false;
            database = created.get();
            backing = std::move(created);
        }
        if (hooks.phase) hooks.phase(tr("Running %1 requests").arg(QLocale().toString(qulonglong(spec.requests))).toStdString());
        if (hooks.phase && spec.target != "local")
            hooks.phase(tr("Running against Redis %1 under the key prefix %2 (deleted afterwards)")
                            .arg(display, QString::fromStdString(spec.keyPrefix)).toStdString());
        engine::sim::Simulator sim(spec, *backing);
        results = sim.run(hooks.progress, hooks.cancel);
        if (database && !results.cancelled) database->keep();   // a cancelled run's database goes with it
        return true;
    } catch (const std::exception& e) {
        error = QString::fromUtf8(e.what());
        return false;
    }
}

} // namespace

SimulationRunner::SimulationRunner(QObject* parent) : QObject(parent), m_worker(QStringLiteral("simulation"))
{
    qRegisterMetaType<SimResults>();
}

SimulationRunner::~SimulationRunner() = default;   // m_worker cancels the running job and waits for it

bool SimulationRunner::start(const QList<WorkloadSpec>& specs, const QString& workDir, const Confirmation& confirmation,
                             const SimTargetSecrets& targetSecrets)
{
    if (m_running) return false;
    m_running = true;
    const std::vector<WorkloadSpec> jobs(specs.begin(), specs.end());
    // Plain std::strings cross to the worker: nothing shared with the GUI thread's Qt containers.
    m_worker.post([this, jobs, dirUtf8 = workDir.toStdString(), typedUtf8 = confirmation.typedName.toStdString(),
                   passwordUtf8 = targetSecrets.password.toStdString(),
                   sentinelPasswordUtf8 = targetSecrets.sentinelPassword.toStdString()](const std::atomic<bool>& cancel) {
        const QString dir = QString::fromStdString(dirUtf8);
        bool cancelled = false;
        for (int i = 0; i < int(jobs.size()) && !cancelled; ++i) {
            SimulationHooks hooks;
            hooks.cancel = &cancel;
            hooks.confirmation.typedName = QString::fromStdString(typedUtf8);
            hooks.targetSecrets.password = QString::fromStdString(passwordUtf8);
            hooks.targetSecrets.sentinelPassword = QString::fromStdString(sentinelPasswordUtf8);
            hooks.phase = [&](const std::string& text) {
                m_worker.reply([this, i, text] { emit phaseChanged(i, QString::fromStdString(text)); });
            };
            hooks.progress = [&](const SimResults& r) {
                // The GUI only needs the newest snapshot.
                m_worker.replyLatest([this, i, r] { emit progress(i, r); });
            };
            SimResults r;
            QString error;
            if (runSimulation(jobs[size_t(i)], dir, hooks, r, error)) {
                m_worker.reply([this, i, r] { emit runFinished(i, r); });
                cancelled = r.cancelled;
            } else {
                m_worker.reply([this, i, text = error.toStdString()] { emit runFailed(i, QString::fromStdString(text)); });
                cancelled = cancel.load();
            }
        }
        m_worker.reply([this, cancelled = cancelled || cancel.load()] {
            m_running = false;
            emit allFinished(cancelled);
        });
    });
    return true;
}

void SimulationRunner::cancel()
{
    m_worker.cancel();
}

} // namespace cachelens::sim
