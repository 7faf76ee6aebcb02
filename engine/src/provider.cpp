#include "provider.h"

#include <map>
#include <mutex>

#include <cachelens/cache.h>
#include "store.h"

namespace cachelens::engine {
namespace {
std::mutex g_mu;
std::map<std::string, ProviderFactory>& registry()
{
    static std::map<std::string, ProviderFactory> r;
    return r;
}
} // namespace

void registerProvider(const std::string& name, ProviderFactory factory)
{
    std::lock_guard lock(g_mu);
    registry()[name] = std::move(factory);
}

Result<std::unique_ptr<Provider>> makeProvider(const std::string& name, const ProviderContext& ctx)
{
    if (name.empty() || name == "memory") {
        StoreOptions s;
        s.maxEntries = ctx.options.maxEntries;
        s.maxBytes = ctx.options.maxBytes;
        s.policy = ctx.options.policy;
        s.shards = ctx.options.shards;
        s.tuning = ctx.options.policyTuning;
        return std::unique_ptr<Provider>(std::make_unique<Store>(s, ctx.clock, ctx.stats));
    }
    ProviderFactory factory;
    std::string known = "memory";
    {
        std::lock_guard lock(g_mu);
        auto it = registry().find(name);
        if (it != registry().end()) factory = it->second;
        for (const auto& [n, f] : registry()) known += ", " + n;
    }
    if (!factory)
        return Error{Errc::Unsupported,
                     "cache provider '" + name + "' is not available (available: " + known + ")"
                         + (name == "redis" ? "; link CacheLens::redis and call cachelens::provider::registerRedisProvider() first"
                                            : "")};
    return factory(ctx);
}

} // namespace cachelens::engine
