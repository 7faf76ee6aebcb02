#pragma once
// The names of the redis provider's own keys (and its bus channel), in one place: the provider writes them, and CacheLens's tag
// listing and invalidation (connectors/invalidate/RedisTagInvalidation) read them. Header-only, so a reader needs no
// link to the provider.
//   <prefix>tag:<name>   the set of the full keys carrying tag <name>
//   <prefix>lock:<key>   a distributed single-flight lock
#include <string>
#include <string_view>

namespace cachelens::provider {

inline constexpr std::string_view kTagInfix = "tag:";
inline constexpr std::string_view kLockInfix = "lock:";
// The invalidation bus's default channel (RedisProviderOptions::busChannel); messages: InvalidationBus.h.
inline constexpr std::string_view kDefaultBusChannel = "cachelens:invalidate";

// "<prefix>tag:" — every tag set's key starts with this.
inline std::string tagSetPrefix(std::string_view keyPrefix)
{
    std::string k(keyPrefix);
    k.append(kTagInfix);
    return k;
}

inline std::string tagSetKey(std::string_view keyPrefix, std::string_view tag)
{
    std::string k = tagSetPrefix(keyPrefix);
    k.append(tag);
    return k;
}

} // namespace cachelens::provider
