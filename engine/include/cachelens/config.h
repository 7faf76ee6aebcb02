#pragma once
// Cache configuration from the environment, as the design documents name it:
//   CACHE_PROVIDER     memory (default) | redis       — redis needs CacheLens::redis and registerRedisProvider()
//                      (<cachelens/redis.h>); Cache::create() refuses a provider that is not available
//   CACHE_ENABLED      true/false, 1/0, yes/no, on/off (default true)
//   CACHE_KEY_PREFIX   prepended to every key (default empty)
//   CACHE_MEMORY_SIZE  byte bound of the memory provider: 1048576, 512kb, 64mb, 1gb, 1.5gb (binary units, case
//                      and spaces ignored; default 64mb); 0 means unbounded
//   CACHE_MAX_ENTRIES  entry bound (default unbounded)
//   CACHE_POLICY       lru | wtinylfu | s3fifo | sieve (default wtinylfu)
//   CACHE_DEFAULT_TTL  default TTL: 300, 300s, 5m, 1h, 250ms (bare numbers are seconds)
//   CACHE_NAMESPACE_TTLS  the per-namespace default-TTL table: "character=300s,room_messages=5s" (names as in
//                      CacheOptions::namespaces, durations as CACHE_DEFAULT_TTL; a name given twice keeps the last)
//   REDIS_URL          the redis provider's server (CacheOptions::providerUrl); required with CACHE_PROVIDER=redis
// Every bad value is reported with the variable's name, the value and what would have been accepted. The result is
// the whole configuration, provider included: Cache::create(*configFromEnvironment()) builds what was asked for.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <cachelens/cache.h>
#include <cachelens/result.h>

namespace cachelens::engine {

using EnvLookup = std::function<const char*(const char*)>;

// `lookup` defaults to std::getenv; tests pass a map. Variables that are not set keep CacheOptions' defaults.
Result<CacheOptions> configFromEnvironment(const EnvLookup& lookup = {});

Result<std::uint64_t> parseByteSize(std::string_view text);
Result<milliseconds> parseDuration(std::string_view text);
Result<bool> parseBool(std::string_view text);

} // namespace cachelens::engine
