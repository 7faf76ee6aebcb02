#include <cachelens/config.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace cachelens::engine {
namespace {

std::string normalized(std::string_view text)
{
    std::string s;
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c))) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Splits "1.5gb" into 1.5 and "gb"; false when there is no number in front.
bool splitNumber(const std::string& s, double& number, std::string& unit)
{
    std::size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == 0) return false;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + i, number);
    if (ec != std::errc{} || ptr != s.data() + i) return false;
    unit = s.substr(i);
    return true;
}

// Leading and trailing blanks removed; case kept (namespace names are parts of keys).
std::string trimmed(std::string_view text)
{
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return std::string(text);
}

Error bad(std::string_view what, std::string_view text, std::string_view accepted)
{
    return Error{Errc::InvalidArgument,
                 std::string(what) + ": '" + std::string(text) + "' is not valid; expected " + std::string(accepted)};
}

} // namespace

Result<std::uint64_t> parseByteSize(std::string_view text)
{
    static constexpr std::string_view kAccepted = "a size such as 1048576, 512kb, 64mb or 1gb";
    const std::string s = normalized(text);
    double n = 0;
    std::string unit;
    if (!splitNumber(s, n, unit)) return bad("size", text, kAccepted);
    double mult = 0;
    if (unit.empty() || unit == "b") mult = 1;
    else if (unit == "k" || unit == "kb" || unit == "kib") mult = 1024.0;
    else if (unit == "m" || unit == "mb" || unit == "mib") mult = 1024.0 * 1024;
    else if (unit == "g" || unit == "gb" || unit == "gib") mult = 1024.0 * 1024 * 1024;
    else if (unit == "t" || unit == "tb" || unit == "tib") mult = 1024.0 * 1024 * 1024 * 1024;
    else return bad("size", text, kAccepted);
    const double bytes = n * mult;
    if (bytes > 9.0e18 || (unit.empty() && n != std::floor(n))) return bad("size", text, kAccepted);
    return static_cast<std::uint64_t>(std::llround(bytes));
}

Result<milliseconds> parseDuration(std::string_view text)
{
    static constexpr std::string_view kAccepted = "a duration such as 300 (seconds), 250ms, 30s, 5m or 1h";
    const std::string s = normalized(text);
    double n = 0;
    std::string unit;
    if (!splitNumber(s, n, unit)) return bad("duration", text, kAccepted);
    double ms = 0;
    if (unit.empty() || unit == "s" || unit == "sec") ms = n * 1000;
    else if (unit == "ms") ms = n;
    else if (unit == "m" || unit == "min") ms = n * 60'000;
    else if (unit == "h") ms = n * 3'600'000;
    else if (unit == "d") ms = n * 86'400'000;
    else return bad("duration", text, kAccepted);
    if (ms > 1e15) return bad("duration", text, kAccepted);
    return milliseconds(std::llround(ms));
}

Result<bool> parseBool(std::string_view text)
{
    const std::string s = normalized(text);
    if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
    if (s == "0" || s == "false" || s == "no" || s == "off") return false;
    return bad("switch", text, "true/false, 1/0, yes/no or on/off");
}

Result<CacheOptions> configFromEnvironment(const EnvLookup& lookup)
{
    auto get = [&](const char* name) -> const char* { return lookup ? lookup(name) : std::getenv(name); };
    auto prefixed = [](const char* name, Error e) {
        e.message = std::string(name) + " " + e.message;
        return e;
    };
    CacheOptions cfg;
    if (const char* v = get("CACHE_PROVIDER")) {
        const std::string p = normalized(v);
        if (p != "memory" && p != "redis") return prefixed("CACHE_PROVIDER", bad("provider", v, "memory or redis"));
        cfg.provider = p;
    }
    if (const char* v = get("REDIS_URL")) cfg.providerUrl = v;
    if (cfg.provider == "redis" && cfg.providerUrl.empty())
        return Error{Errc::InvalidArgument, "CACHE_PROVIDER=redis needs REDIS_URL (e.g. redis://localhost:6379/0)"};
    if (const char* v = get("CACHE_ENABLED")) {
        auto b = parseBool(v);
        if (!b) return prefixed("CACHE_ENABLED", b.error());
        cfg.enabled = b.value();
    }
    if (const char* v = get("CACHE_KEY_PREFIX")) cfg.keyPrefix = v;
    if (const char* v = get("CACHE_MEMORY_SIZE")) {
        auto n = parseByteSize(v);
        if (!n) return prefixed("CACHE_MEMORY_SIZE", n.error());
        cfg.maxBytes = static_cast<std::size_t>(n.value());
    }
    if (const char* v = get("CACHE_MAX_ENTRIES")) {
        std::uint64_t n = 0;
        const std::string_view sv(v);
        const auto [ptr, ec] = std::from_chars(sv.data(), sv.data() + sv.size(), n);
        if (ec != std::errc{} || ptr != sv.data() + sv.size())
            return prefixed("CACHE_MAX_ENTRIES", bad("count", v, "a whole number such as 100000"));
        cfg.maxEntries = static_cast<std::size_t>(n);
    }
    if (const char* v = get("CACHE_POLICY")) {
        if (!parsePolicy(normalized(v), cfg.policy))
            return prefixed("CACHE_POLICY", bad("policy", v, "lru, wtinylfu, s3fifo or sieve"));
    }
    if (const char* v = get("CACHE_DEFAULT_TTL")) {
        auto d = parseDuration(v);
        if (!d) return prefixed("CACHE_DEFAULT_TTL", d.error());
        if (d.value().count() > 0) cfg.defaultTtl = d.value();
    }
    if (const char* v = get("CACHE_NAMESPACE_TTLS")) {
        const std::string_view all(v);
        std::size_t pos = 0;
        while (pos <= all.size()) {
            const std::size_t comma = std::min(all.find(',', pos), all.size());
            const std::string_view item = all.substr(pos, comma - pos);
            pos = comma + 1;
            if (trimmed(item).empty()) continue;
            const std::size_t eq = item.find('=');
            const std::string name = eq == std::string_view::npos ? std::string() : trimmed(item.substr(0, eq));
            if (name.empty() || name.find(':') != std::string::npos)
                return prefixed("CACHE_NAMESPACE_TTLS",
                                bad("entry", item, "name=duration pairs separated by commas, e.g. character=300s,room_messages=5s"));
            auto d = parseDuration(item.substr(eq + 1));
            if (!d) return prefixed("CACHE_NAMESPACE_TTLS", Error{Errc::InvalidArgument, "'" + name + "': " + d.error().message});
            cfg.namespaces[name].defaultTtl = d.value();
        }
    }
    return cfg;
}

} // namespace cachelens::engine
