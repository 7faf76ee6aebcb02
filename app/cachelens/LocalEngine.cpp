#include "app/cachelens/LocalEngine.h"

#include "connectors/DemoWorkload.h"
#include "connectors/SourceHost.h"

#include <cachelens/cache.h>

namespace cachelens::app {

LocalEngine::LocalEngine()
{
    engine::CacheOptions options;
    options.maxEntries = 8000;
    options.maxBytes = 32u << 20;
    m_cache = std::make_shared<engine::Cache>(options);
    DemoWorkload::populate(*m_cache);
    m_host = SourceHost::forLocal(m_cache);
}

LocalEngine::~LocalEngine()
{
    m_demo.reset();   // its threads use the cache: stop them first
    m_host.reset();
}

Source* LocalEngine::source() const
{
    return m_host->source();
}

void LocalEngine::open()
{
    m_host->open();
}

void LocalEngine::setDemoRunning(bool on)
{
    if (on == demoRunning())
        return;
    if (!on) {
        m_demo.reset();
        return;
    }
    DemoWorkload::populate(*m_cache);
    m_demo = std::make_unique<DemoWorkload>(m_cache);
    m_demo->start();
}

bool LocalEngine::demoRunning() const
{
    return m_demo && m_demo->running();
}

} // namespace cachelens::app
