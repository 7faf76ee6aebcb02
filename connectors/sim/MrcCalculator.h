#pragma once
// Computes a workload's LRU miss-ratio curve on a worker thread from its first 10M requests at most (exact up to
// 5M requests, SHARDS at R = 0.01 above)
// and hands it back as a reply of its Worker (connectors/support/Worker.h), like SimulationRunner.
#include <cachelens/sim/mrc.h>
#include <cachelens/sim/workload.h>

#include "connectors/support/Worker.h"

#include <QObject>
#include <QString>

#include <vector>

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

private:
    bool m_running = false;                  // GUI thread only
    Worker m_worker;                         // last: joined before the members above go
};

} // namespace cachelens::sim

Q_DECLARE_METATYPE(cachelens::engine::sim::Mrc)
