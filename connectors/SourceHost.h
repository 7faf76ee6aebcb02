#pragma once
// Owns one Source on its own worker thread (a Worker: connectors/support/Worker.h): moves the source there, opens
// it, and on destruction closes it and deletes it on that thread before the thread ends. The GUI holds SourceHosts and talks
// to host->source() only through queued calls and signals.
#include "connectors/Source.h"
#include "connectors/support/Worker.h"

#include <memory>

namespace cachelens::engine {
class Cache;
}

namespace cachelens {

struct ConnectionProfile;
struct ConnectionUrl;

class SourceHost
{
public:
    // Takes ownership of a Source that has no parent and lives on the calling thread.
    explicit SourceHost(Source* source);
    ~SourceHost();
    SourceHost(const SourceHost&) = delete;
    SourceHost& operator=(const SourceHost&) = delete;

    Source* source() const { return m_source; }
    void open();     // queued Source::open on the worker thread

    // A RedisSource for a URL (standalone, TLS or unix socket), guarded by `guard` (a saved connection's flags).
    static std::unique_ptr<SourceHost> forRedis(const QString& id, const QString& displayName, const ConnectionUrl& url,
                                                const GuardPolicy& guard = {});
    // A LocalSource over an in-process engine cache.
    static std::unique_ptr<SourceHost> forLocal(std::shared_ptr<engine::Cache> cache);

private:
    Source* m_source;   // adopted by m_worker: lives on its thread
    Worker m_worker;
};

} // namespace cachelens
