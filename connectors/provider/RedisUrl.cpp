// parseRedisUrl: the provider's reading of REDIS_URL, without Qt. It accepts exactly what connectors/ConnectionUrl
// accepts (tests/connectors/tst_redisurl.cpp holds the two to the same table of URLs) and never quotes a secret in
// an error.
#include "BlockingRedis.h"

#include <algorithm>
#include <charconv>
#include <optional>

namespace cachelens::provider {

using engine::Errc;
using engine::Error;

namespace {

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
    return out;
}

std::vector<std::string_view> split(std::string_view s, char sep)
{
    std::vector<std::string_view> parts;
    for (std::size_t from = 0;;) {
        const std::size_t at = s.find(sep, from);
        parts.push_back(s.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from));
        if (at == std::string_view::npos) return parts;
        from = at + 1;
    }
}

// A scheme as RFC 3986 spells one. Anything else before "://" is not a scheme but text that may hold a secret.
bool looksLikeScheme(std::string_view s)
{
    if (s.empty() || s.size() > 32 || !std::isalpha(static_cast<unsigned char>(s[0]))) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
}

bool validUtf8(std::string_view s)
{
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > s.size() || (n == 2 && c < 0xC2)) return false;
        std::uint32_t cp = n == 1 ? c : c & (0x7F >> n);
        for (std::size_t k = 1; k < n; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d >> 6) != 0x2) return false;
            cp = (cp << 6) | (d & 0x3F);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n;
    }
    return true;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Percent-decodes a part. `what` names it and never quotes it: it may be a secret.
bool decodePercent(std::string_view text, std::string_view what, std::string& out, std::string& error)
{
    out.clear();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        const int high = i + 1 < text.size() ? hexValue(text[i + 1]) : -1;
        const int low = i + 2 < text.size() ? hexValue(text[i + 2]) : -1;
        if (high < 0 || low < 0) {
            error = std::string(what) + " has a '%' that does not start a %HH escape (write %25 for a '%' itself)";
            return false;
        }
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    if (!validUtf8(out)) {
        error = std::string(what) + " is not UTF-8 once its %HH escapes are decoded";
        return false;
    }
    return true;
}

std::optional<long long> number(std::string_view s)
{
    long long v = 0;
    if (s.empty()) return std::nullopt;
    const char* first = s.data() + (s[0] == '+' ? 1 : 0);
    const auto [end, ec] = std::from_chars(first, s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || first == s.data() + s.size()) return std::nullopt;
    return v;
}

bool parseHostPort(std::string_view part, int defaultPort, std::string& host, int& port, std::string& error)
{
    port = defaultPort;
    std::string_view h, portText;
    bool hasPort = false;
    if (!part.empty() && part[0] == '[') {
        const std::size_t close = part.find(']');
        if (close == std::string_view::npos) {
            error = "IPv6 address is missing its closing ']'";
            return false;
        }
        h = part.substr(1, close - 1);
        const std::string_view rest = part.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') {
                error = "expected ':' and a port after the IPv6 address";
                return false;
            }
            portText = rest.substr(1);
            hasPort = true;
        }
    } else if (const std::size_t colon = part.rfind(':'); colon != std::string_view::npos) {
        h = part.substr(0, colon);
        portText = part.substr(colon + 1);
        hasPort = true;
    } else {
        h = part;
    }
    if (h.empty()) {
        error = "host is missing";
        return false;
    }
    for (char c : h) {
        if (isBlank(c) || c == '/' || c == '@' || c == '?') {
            error = "host '" + std::string(h) + "' contains '" + std::string(1, c) + "'";
            return false;
        }
    }
    host = std::string(h);
    if (!hasPort) return true;
    if (portText.empty()) {
        error = "port is missing after ':'";
        return false;
    }
    const auto p = number(portText);
    if (!p || *p < 0) {
        error = "port '" + std::string(portText) + "' is not a number";
        return false;
    }
    if (*p < 1 || *p > 65535) {
        error = "port '" + std::string(portText) + "' is out of range 1–65535";
        return false;
    }
    port = static_cast<int>(*p);
    return true;
}

bool parseDb(std::string_view text, int& db, std::string& error)
{
    const auto v = number(text);
    if (!v || *v < 0 || *v > 0x7FFFFFFF) {
        error = "database '" + std::string(text) + "' is not a non-negative number";
        return false;
    }
    db = static_cast<int>(*v);
    return true;
}

enum class Scheme { Redis, RedisTls, Unix, Sentinel };

std::optional<RedisEndpoint> parse(std::string_view input, std::string& error)
{
    while (!input.empty() && isBlank(input.front())) input.remove_prefix(1);
    while (!input.empty() && isBlank(input.back())) input.remove_suffix(1);
    if (input.empty()) {
        error = "the URL is empty; expected e.g. redis://localhost:6379";
        return std::nullopt;
    }
    std::size_t sep = input.find("://");
    if (sep != std::string_view::npos && !looksLikeScheme(input.substr(0, sep))) sep = std::string_view::npos;
    if (sep == std::string_view::npos) {
        error = "missing scheme; expected redis://, rediss://, unix:// or redis-sentinel://";
        return std::nullopt;
    }
    const std::string scheme = lower(input.substr(0, sep));
    Scheme s;
    if (scheme == "redis") s = Scheme::Redis;
    else if (scheme == "rediss") s = Scheme::RedisTls;
    else if (scheme == "unix") s = Scheme::Unix;
    else if (scheme == "redis-sentinel") s = Scheme::Sentinel;
    else {
        error = "unknown scheme '" + std::string(input.substr(0, sep)) + "'; expected redis, rediss, unix or redis-sentinel";
        return std::nullopt;
    }
    std::string_view rest = input.substr(sep + 3), query;
    if (const std::size_t q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    // The userinfo ends at the last '@' (generated passwords often hold an unencoded '/'); a unix socket path may
    // have one itself (/run/redis@6379.sock), so there it ends where the absolute path starts.
    std::size_t at = std::string_view::npos;
    if (s != Scheme::Unix) at = rest.rfind('@');
    else if (rest.empty() || rest[0] != '/') at = rest.find("@/") != std::string_view::npos ? rest.find("@/") : rest.rfind('@');

    RedisEndpoint ep;
    if (at != std::string_view::npos) {
        const std::string_view userinfo = rest.substr(0, at);
        const std::size_t colon = userinfo.find(':');
        if (colon == std::string_view::npos) { // a lone userinfo is the password, as redis-cli reads it
            if (!decodePercent(userinfo, "the password", ep.password, error)) return std::nullopt;
        } else if (!decodePercent(userinfo.substr(0, colon), "the user name", ep.user, error)
                   || !decodePercent(userinfo.substr(colon + 1), "the password", ep.password, error)) {
            return std::nullopt;
        }
        rest = rest.substr(at + 1);
    }

    switch (s) {
    case Scheme::Unix:
        if (rest.empty() || rest[0] != '/') {
            error = "a unix socket URL needs an absolute path: unix:///path/to/redis.sock";
            return std::nullopt;
        }
        if (rest.size() == 1) {
            error = "the socket path is missing";
            return std::nullopt;
        }
        ep.unixPath = std::string(rest);
        ep.host.clear();
        ep.port = 0;
        break;
    case Scheme::Redis:
    case Scheme::RedisTls: {
        const std::size_t slash = rest.find('/');
        const std::string_view authority = rest.substr(0, slash);
        if (authority.empty()) {
            error = "host is missing";
            return std::nullopt;
        }
        if (!parseHostPort(authority, 6379, ep.host, ep.port, error)) return std::nullopt;
        if (slash != std::string_view::npos) {
            const std::string_view db = rest.substr(slash + 1);
            if (!db.empty() && !parseDb(db, ep.db, error)) return std::nullopt;
        }
        ep.tls = s == Scheme::RedisTls;
        break;
    }
    case Scheme::Sentinel: {
        const std::size_t slash = rest.find('/');
        if (slash == std::string_view::npos) {
            error = "the master name is missing: redis-sentinel://host:26379/mymaster";
            return std::nullopt;
        }
        if (slash == 0) {
            error = "at least one sentinel host is needed";
            return std::nullopt;
        }
        for (std::string_view part : split(rest.substr(0, slash), ',')) {
            std::string host;
            int port = 0;
            if (!parseHostPort(part, 26379, host, port, error)) return std::nullopt;
            ep.sentinels.emplace_back(std::move(host), port);
        }
        const std::vector<std::string_view> path = split(rest.substr(slash + 1), '/');
        if (path[0].empty()) {
            error = "the master name is missing";
            return std::nullopt;
        }
        if (!decodePercent(path[0], "the master name", ep.masterName, error)) return std::nullopt;
        if (path.size() > 1 && !path[1].empty() && !parseDb(path[1], ep.db, error)) return std::nullopt;
        ep.host.clear();
        ep.port = 0;
        break;
    }
    }

    if (!query.empty()) {
        for (std::string_view item : split(query, '&')) {
            const std::size_t eq = item.find('=');
            const std::string name = lower(item.substr(0, eq));
            const bool tlsOption = name == "ca" || name == "cert" || name == "key" || name == "sni" || name == "verify";
            const bool sentinelOption = name == "sentinel_password" || name == "sentinel_user" || name == "sentinel_username";
            if (name != "db" && name != "timeout" && !(s == Scheme::RedisTls && tlsOption)
                && !(s == Scheme::Sentinel && sentinelOption)) {
                error = "unknown option '" + name + "' for " + scheme + "://";
                return std::nullopt;
            }
            std::string value;
            if (eq != std::string_view::npos && !decodePercent(item.substr(eq + 1), "the value of " + name, value, error))
                return std::nullopt;
            if (name == "db") {
                if (!parseDb(value, ep.db, error)) return std::nullopt;
            } else if (name == "timeout") {
                const auto ms = number(value);
                if (!ms || *ms <= 0 || *ms > 0x7FFFFFFF) {
                    error = "timeout '" + value + "' must be a positive number of milliseconds";
                    return std::nullopt;
                }
                ep.timeout = milliseconds(*ms);
            } else if (name == "verify") {
                const std::string v = lower(value);
                if (v == "yes" || v == "true" || v == "1") ep.verifyPeer = true;
                else if (v == "no" || v == "false" || v == "0") ep.verifyPeer = false;
                else {
                    error = "verify must be yes or no, not '" + value + "'";
                    return std::nullopt;
                }
            } else {
                if (value.empty()) {
                    error = "option '" + name + "' needs a value";
                    return std::nullopt;
                }
                (name == "ca" ? ep.caFile : name == "cert" ? ep.certFile : name == "key" ? ep.keyFile
                 : name == "sni" ? ep.sni : name == "sentinel_password" ? ep.sentinelPassword : ep.sentinelUser) = value;
            }
        }
    }
    if (ep.certFile.empty() != ep.keyFile.empty()) {
        error = "a client certificate needs both cert= and key=";
        return std::nullopt;
    }
    return ep;
}

} // namespace

engine::Result<RedisEndpoint> parseRedisUrl(std::string_view url)
{
    std::string error;
    auto ep = parse(url, error);
    if (!ep) return Error{Errc::InvalidArgument, "REDIS_URL: " + error};
    return std::move(*ep);
}

} // namespace cachelens::provider
