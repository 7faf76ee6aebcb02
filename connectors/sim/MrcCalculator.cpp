#include "connectors/sim/MrcCalculator.h"

#include "connectors/sim/SizeLimits.h"

#include <cachelens/sim/backing.h>
#include <cachelens/sim/simulator.h>
#include <cachelens/sim/size_limit.h>

#include <QCoreApplication>
#include <QLocale>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace cachelens::sim {

namespace {
constexpr std::uint64_t kMaxRequests = 10'000'000;
} // namespace

MrcCalculator::MrcCalculator(QObject* parent) : QObject(parent), m_worker(QStringLiteral("miss-ratio curve"))
{
    qRegisterMetaType<engine::sim::Mrc>();
}

MrcCalculator::~MrcCalculator() = default; // m_worker waits for a curve being computed

bool MrcCalculator::start(const engine::sim::WorkloadSpec& spec, std::vector<std::uint64_t> sizes)
{
    if (m_running) return false;
    m_running = true;
    m_worker.post([this, spec, sizes = std::move(sizes)] {
        std::optional<engine::sim::Mrc> curve;
        std::string error;
        try {
            // The checks replay, mrc and simulate make, before a zipf table of that many keys is built.
            const std::uint64_t largest = sizes.empty() ? 0 : *std::max_element(sizes.begin(), sizes.end());
            const std::uint64_t keyCount = engine::sim::workloadKeys(spec);
            QString problem = memoryLimitProblem(QCoreApplication::translate("Simulation", "A cache of %1 entries")
                                                     .arg(QLocale().toString(qulonglong(largest))),
                                                 largest, engine::sim::saturatingMultiply(largest, engine::sim::kBytesPerCacheEntry),
                                                 QCoreApplication::translate("Simulation", "entries"));
            if (problem.isEmpty() && keyCount > 0)
                problem = memoryLimitProblem(QCoreApplication::translate("Simulation", "\"keys\": %1").arg(QLocale().toString(qulonglong(keyCount))),
                                             keyCount, engine::sim::simulatorMemoryBytes(spec, keyCount),
                                             QCoreApplication::translate("Simulation", "keys"));
            if (!problem.isEmpty())
                throw std::invalid_argument(problem.toStdString());
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
        m_worker.reply([this, curve = std::move(curve), error = std::move(error)] {
            m_running = false;
            if (curve) emit curveReady(*curve);
            else emit failed(QString::fromStdString(error));
        });
    });
    return true;
}

} // namespace cachelens::sim
