#pragma once
// A local engine with the demo workload driving it (its own threads, started at once, stopped by stop() or the
// destructor): real traffic for tests that record the engine's access tap.
#include "connectors/DemoWorkload.h"
#include <cachelens/cache.h>

#include <memory>

namespace cachelens::test {

struct DemoEngine {
    std::shared_ptr<engine::Cache> cache;
    DemoWorkload demo;

    DemoEngine(const engine::CacheOptions& options, double opsPerSecond)
        : cache(std::make_shared<engine::Cache>(options)), demo(cache, demoOptions(opsPerSecond))
    {
        demo.start();
    }
    void stop() { demo.stop(); }

private:
    static DemoWorkload::Options demoOptions(double opsPerSecond)
    {
        DemoWorkload::Options o;
        o.opsPerSecond = opsPerSecond;
        return o;
    }
};

} // namespace cachelens::test
