#pragma once
// Computes a workload's LRU miss-ratio curve on a worker thread from its first 10M requests at most (exact up to
// 5M requests, SHARDS at R = 0.01 above)
// and hands it back through a mutex-guarded mailbox woken by name, like SimulationRunner.
#include <cachelens/sim/mrc.h>
#include <cachelens/sim/workload.h>

#include <QObject>
#include <QString>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

namespace cachelens::sim {

class MrcCalculator : public QObject {
    Q_OBJECT
public:
    explicit MrcCalculator(QObject* parent = nullptr);
    ~MrcCalculator() override;
    // false while a curve is being computed. sizes: the cache sizes to evaluate.
    bool start(const engine::sim::WorkloadSpec& spec, std::vector<std::uint64_t> sizes);
    bool isRunning() const { return m_running; }

signals:
    void curveReady(const cachelens::engine::sim::Mrc& curve);
    void failed(const QString& error);

private slots:
    void deliver();

private:
    std::mutex m_mutex;
    std::optional<engine::sim::Mrc> m_curve; // guarded by m_mutex
    std::string m_error;                     // guarded by m_mutex
    std::thread m_worker;
    bool m_running = false;                  // GUI thread only
};

} // namespace cachelens::sim

Q_DECLARE_METATYPE(cachelens::engine::sim::Mrc)
