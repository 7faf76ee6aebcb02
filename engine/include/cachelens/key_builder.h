#pragma once
// Cache keys built the same way everywhere: `prefix` + namespace + ':' + parts joined with ':'.
//
//   KeyBuilder keys("app1:");
//   keys.key("character", 42)                        → "app1:character:42"
//   keys.key("search", "results", hashed(query))     → "app1:search:results:#1f0c…" (16 hex digits)
//   keys.key("user", "a:b")                          → "app1:user:a%3Ab"
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
    explicit KeyBuilder(std::string prefix = {}) : prefix_(std::move(prefix)) {}
    static constexpr std::size_t kMaxPlainPart = 64;

    template <class... Parts>
    std::string key(std::string_view ns, const Parts&... parts) const
    {
        std::string out = prefix_;
        appendPart(out, ns);
        (appendAny(out, parts), ...);
        return out;
    }
    // Glob matching every key of a namespace, for invalidatePattern/scan: "app1:character:*".
    std::string namespacePattern(std::string_view ns) const;
    const std::string& prefix() const noexcept { return prefix_; }

private:
    template <class T>
    static void appendAny(std::string& out, const T& part)
    {
        out += ':';
        if constexpr (std::is_integral_v<T>) appendPart(out, std::to_string(part), false);
        else appendPart(out, std::string_view(part), false);
    }
    static void appendPart(std::string& out, std::string_view part, bool first = true);
    std::string prefix_;
};

} // namespace cachelens::engine
