// parseRedisUrl: the provider's reading of REDIS_URL, which is the one grammar of core/Url.h (the GUI and
// cachelensctl read URLs with it too) turned into a RedisEndpoint.
#include "BlockingRedis.h"

#include "core/Url.h"

namespace cachelens::provider {

engine::Result<RedisEndpoint> parseRedisUrl(std::string_view url)
{
    rediscore::UrlParse parsed = rediscore::parseUrl(url);
    if (!parsed.ok())
        return engine::Error{engine::Errc::InvalidArgument, "REDIS_URL: " + parsed.error.message()};
    rediscore::Url& u = *parsed.url;
    RedisEndpoint ep;
    ep.tls = u.scheme == rediscore::Scheme::RedisTls;
    ep.host = std::move(u.host); // empty for unix:// and redis-sentinel:// (a sentinel endpoint fills it at connect)
    ep.port = u.port;
    ep.unixPath = std::move(u.socketPath);
    ep.user = std::move(u.user);
    ep.password = std::move(u.password);
    ep.db = u.db;
    if (u.timeoutMs > 0)
        ep.timeout = milliseconds(u.timeoutMs);
    for (rediscore::HostPort& s : u.sentinels)
        ep.sentinels.emplace_back(std::move(s.host), s.port);
    ep.masterName = std::move(u.masterName);
    ep.sentinelUser = std::move(u.sentinelUser);
    ep.sentinelPassword = std::move(u.sentinelPassword);
    ep.caFile = std::move(u.caFile);
    ep.certFile = std::move(u.certFile);
    ep.keyFile = std::move(u.keyFile);
    ep.sni = std::move(u.sni);
    ep.verifyPeer = u.verifyPeer;
    return ep;
}

} // namespace cachelens::provider
