#pragma once
// LocalEngine: the "Local engine" connection. An embedded engine Cache, bounded so that its demo traffic shows
// evictions as well as hits, misses and expirations, and filled with demo data from the start (characters, chat
// rooms, Discord lookups) so that a first launch shows a populated Keys tree; its Source on a worker thread; and the
// demo workload, off until asked for.
#include <memory>

namespace cachelens {
class DemoWorkload;
class Source;
class SourceHost;
}
namespace cachelens::engine {
class Cache;
}

namespace cachelens::app {

class LocalEngine
{
public:
    LocalEngine();
    ~LocalEngine();   // the demo's threads stop before the cache's source goes
    LocalEngine(const LocalEngine&) = delete;
    LocalEngine& operator=(const LocalEngine&) = delete;

    const std::shared_ptr<engine::Cache>& cache() const { return m_cache; }
    Source* source() const;
    void open();                                   // the source connects (stateChanged follows)

    void setDemoRunning(bool on);                  // starting it fills the demo data in again first
    bool demoRunning() const;

private:
    std::shared_ptr<engine::Cache> m_cache;
    std::unique_ptr<SourceHost> m_host;
    std::unique_ptr<DemoWorkload> m_demo;
};

} // namespace cachelens::app
