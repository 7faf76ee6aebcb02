#include "connectors/SourceHost.h"

#include "connectors/LocalSource.h"
#include "connectors/RedisSource.h"

namespace cachelens {

SourceHost::SourceHost(Source* source)
    : m_source(source), m_worker(QStringLiteral("cachelens-source-%1").arg(source->id()))
{
    m_worker.adopt(source);
}

SourceHost::~SourceHost()
{
    // close() and the deletion run on the worker thread, in order, before it ends: no socket is touched from here.
    m_worker.post([source = m_source] { source->close(); });
}

void SourceHost::open()
{
    QMetaObject::invokeMethod(m_source, &Source::open, Qt::QueuedConnection);
}

std::unique_ptr<SourceHost> SourceHost::forRedis(const QString& id, const QString& displayName, const ConnectionUrl& url,
                                                 const GuardPolicy& guard)
{
    RedisSource::Options options;
    options.guard = guard;
    return std::make_unique<SourceHost>(new RedisSource(id, displayName, url, options));
}

std::unique_ptr<SourceHost> SourceHost::forLocal(std::shared_ptr<engine::Cache> cache)
{
    return std::make_unique<SourceHost>(new LocalSource(std::move(cache)));
}

} // namespace cachelens
