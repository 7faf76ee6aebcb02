#include "connectors/sim/MrcCalculator.h"

#include <cachelens/sim/backing.h>
#include <cachelens/sim/simulator.h>

#include <algorithm>

namespace cachelens::sim {

namespace {
constexpr std::uint64_t kMaxRequests = 10'000'000;
} // namespace

MrcCalculator::MrcCalculator(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<engine::sim::Mrc>();
}

MrcCalculator::~MrcCalculator()
{
    if (m_worker.joinable()) m_worker.join();
}

bool MrcCalculator::start(const engine::sim::WorkloadSpec& spec, std::vector<std::uint64_t> sizes)
{
    if (m_running) return false;
    if (m_worker.joinable()) m_worker.join();
    m_running = true;
    m_worker = std::thread([this, spec, sizes = std::move(sizes)] {
        std::optional<engine::sim::Mrc> curve;
        std::string error;
        try {
            engine::sim::MemoryBacking probe(1, spec.valueMin, spec.valueMax);
            const engine::sim::Simulator sim(spec, probe);
            // At most 10M requests: a curve needs enough requests to warm the largest size, not the whole run
            // (a 500M-request workload would otherwise allocate 4 GB of key ids).
            const std::uint64_t n = std::min<std::uint64_t>(sim.spec().requests, kMaxRequests);
            const auto keys = sim.keyStream(n);
            curve = n > 5'000'000 ? engine::sim::shardsMrc(keys, sizes, 0.01) : engine::sim::exactLruMrc(keys, sizes);
        } catch (const std::exception& e) {
            error = e.what();
        }
        std::lock_guard lock(m_mutex);
        m_curve = std::move(curve);
        m_error = std::move(error);
        QMetaObject::invokeMethod(this, "deliver", Qt::QueuedConnection);
    });
    return true;
}

void MrcCalculator::deliver()
{
    std::optional<engine::sim::Mrc> curve;
    std::string error;
    {
        std::lock_guard lock(m_mutex);
        curve.swap(m_curve);
        error.swap(m_error);
    }
    if (m_worker.joinable()) m_worker.join();
    m_running = false;
    if (curve) emit curveReady(*curve);
    else emit failed(QString::fromStdString(error));
}

} // namespace cachelens::sim
