#pragma once
// Cache keys built the same way everywhere: namespace + ':' + parts joined with ':'.
//
//   KeyBuilder keys;
//   keys.key("character", 42)                        → "character:42"
//   keys.key("search", "results", hashed(query))     → "search:results:#1f0c…" (16 hex digits)
//   keys.key("user", "a:b")                          → "user:a%3Ab"
//
// The keys carry no prefix: a cache's prefix has one owner, CacheOptions::keyPrefix (CACHE_KEY_PREFIX), which the
// Cache adds to every key it is given. So the first part of a built key is its namespace, the one
// CacheOptions::namespaces gives default TTLs, and with keyPrefix "app1:" keys.key("character", 42) is stored as
// "app1:character:42" (a builder with a prefix of its own stored "app1:app1:…", where no namespace TTL applied).
//
// Rules, so that two different part lists never build the same key and a glob on the namespace still works:
//   - ':' inside a part becomes "%3A" and '%' becomes "%25";
//   - a part longer than 64 bytes, or one that looks structured (contains '{', '[', '"', a space or a control
//     byte: a JSON filter, a search query), is replaced by '#' + a 64-bit FNV-1a hash in hex. The hash is stable
//     across runs, builds and machines, so keys survive restarts and match what other services compute;
//   - hashed(x) forces hashing of a part.
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

namespace cachelens::engine {

std::uint64_t stableHash(std::string_view bytes) noexcept; // FNV-1a, 64 bit
std::string hashed(std::string_view part);                 // "#" + 16 lower-case hex digits

class KeyBuilder {
public:
    static constexpr std::size_t kMaxPlainPart = 64;

    template <class... Parts>
    std::string key(std::string_view ns, const Parts&... parts) const
    {
        std::string out;
        appendPart(out, ns);
        (appendAny(out, parts), ...);
        return out;
    }
    // Glob matching every key of a namespace, for Cache::invalidatePattern/scan: "character:*".
    std::string namespacePattern(std::string_view ns) const;

private:
    template <class T>
    static void appendAny(std::string& out, const T& part)
    {
        out += ':';
        if constexpr (std::is_integral_v<T>) appendPart(out, std::to_string(part), false);
        else appendPart(out, std::string_view(part), false);
    }
    static void appendPart(std::string& out, std::string_view part, bool first = true);
};

} // namespace cachelens::engine
