#pragma once
// Runs workloads off the calling thread and reports snapshots: the Simulate panel's engine room.
//
// runSimulation() is the whole job for one spec (generate the SQLite source of truth, run the simulator) on the
// calling thread; cachelensctl simulate calls it directly. SimulationRunner calls it for a list of specs as one job
// on its Worker (connectors/support/Worker.h) and hands phases, snapshots and results back as the worker's replies,
// so every signal is emitted on the runner's own thread (the GUI thread).
#include "connectors/ConnectionUrl.h"
#include "connectors/guard/ChangeGuard.h"
#include "connectors/profiles/ConnectionProfile.h"
#include "connectors/support/Worker.h"
#include <cachelens/sim/simulator.h>
#include <cachelens/sim/workload.h>

#include <QList>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <optional>
#include <string>

namespace cachelens::sim {

// Where a workload's cache.target points: the local engine, a Redis URL or a saved connection (by name or id).
struct SimTarget {
    bool local = true;
    QString display;        // "local", the URL without its password, or the connection's name
    QString url;            // Redis: the URL as the provider connects (a saved connection's password not yet in it)
    // What SecretResolver resolves for a Redis target: the saved connection (its secrets in the keychain), or for a
    // URL one that is not saved (its secrets are the URL's own; no keychain is asked).
    ConnectionProfile connection;
    GuardPolicy guard;      // who may write there: a simulation writes keys, so it passes the connection's guard
};
// std::nullopt with `error` set for a malformed URL or an unknown name.
std::optional<SimTarget> resolveSimTarget(const QString& target, QString& error);
// "cachelens:sim:<12 hex digits>:": a fresh prefix for one run's keys on a Redis target.
std::string newSimKeyPrefix();
// A Redis target's secrets as SecretResolver found them, handed to the run: the server's password and, for a
// redis-sentinel:// connection, the sentinels' own. Empty when there is none.
struct SimTargetSecrets {
    QString password, sentinelPassword;
    // Puts the secrets into a parsed copy of `url` (those that are set; the URL's own stay otherwise).
    void applyTo(ConnectionUrl& url) const;
};

// The SQLite source of truth a run in `workDir` creates (replacing an earlier run's), kept when the run finishes and
// removed when it is cancelled or fails.
QString simulationDatabasePath(const QString& workDir);

// Empty when a run of `spec` over `keys` key ids (engine::sim::workloadKeys, or a trace's distinct keys) fits this
// machine; otherwise one sentence: the memory it takes against the machine's (SizeLimits), or the SQLite database's
// estimated size (SqliteBacking::estimatedFileBytes) against the free space where `workDir` is.
QString simulationSizeProblem(const engine::sim::WorkloadSpec& spec, std::uint64_t keys, const QString& workDir);

struct SimulationHooks {
    std::function<void(const std::string& phase)> phase;                   // "Generating the database: 20,000 of 100,000 rows"
    std::function<void(const engine::sim::SimResults&)> progress;
    const std::atomic<bool>* cancel = nullptr;
    // A Redis target runs through its connection's guard (connectors/guard/ChangeGuard.h): refused when read-only,
    // on production only with the typed name here, and in the audit log before the first key is written.
    Confirmation confirmation;
    // A Redis target's secrets (SecretResolver), when it has them.
    SimTargetSecrets targetSecrets;
};

// Builds the backing store (SQLite file in `workDir`: simulationDatabasePath, or memory), runs the spec, returns the
// results. A spec the machine cannot hold (simulationSizeProblem) is refused before anything is generated or
// admitted. A Redis target is resolved here (resolveSimTarget), passes its guard (hooks.confirmation), and is given a
// fresh key prefix unless the spec has one; its keys are deleted when the run ends.
// On failure returns false with `error` set (bad spec, database error, trace that does not load).
bool runSimulation(const engine::sim::WorkloadSpec& spec, const QString& workDir, const SimulationHooks& hooks,
                   engine::sim::SimResults& results, QString& error);

class SimulationRunner : public QObject {
    Q_OBJECT
public:
    explicit SimulationRunner(QObject* parent = nullptr);
    ~SimulationRunner() override; // cancels a running job and waits for its thread

    // Runs the specs one after another (index = position in the list). false when a job is already running.
    // workDir holds the generated SQLite databases (one per spec, replaced on the next run).
    // confirmation/targetSecrets: as SimulationHooks (a Redis target).
    bool start(const QList<engine::sim::WorkloadSpec>& specs, const QString& workDir, const Confirmation& confirmation = {},
               const SimTargetSecrets& targetSecrets = {});
    void cancel();
    bool isRunning() const { return m_running; }

signals:
    void phaseChanged(int index, const QString& text);
    void progress(int index, const cachelens::engine::sim::SimResults& snapshot);
    void runFinished(int index, const cachelens::engine::sim::SimResults& results);
    void runFailed(int index, const QString& error);
    void allFinished(bool cancelled);

private:
    bool m_running = false;       // GUI thread only
    Worker m_worker;              // last: joined before the members above go
};

} // namespace cachelens::sim

Q_DECLARE_METATYPE(cachelens::engine::sim::SimResults)
