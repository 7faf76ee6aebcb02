#include <cachelens/key_builder.h>

namespace cachelens::engine {

std::uint64_t stableHash(std::string_view bytes) noexcept
{
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

std::string hashed(std::string_view part)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t h = stableHash(part);
    std::string out(17, '#');
    for (int i = 16; i >= 1; --i, h >>= 4) out[static_cast<std::size_t>(i)] = kHex[h & 15];
    return out;
}

namespace {
bool looksStructured(std::string_view part)
{
    for (char c : part) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '{' || c == '[' || c == '"' || c == ' ' || u < 0x20 || u == 0x7f) return true;
    }
    return false;
}
bool isHashed(std::string_view part)
{
    if (part.size() != 17 || part[0] != '#') return false;
    for (char c : part.substr(1))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}
} // namespace

void KeyBuilder::appendPart(std::string& out, std::string_view part, bool)
{
    if (isHashed(part)) { // already hashed(): keep as is
        out.append(part);
        return;
    }
    if (part.size() > kMaxPlainPart || looksStructured(part)) {
        out += hashed(part);
        return;
    }
    for (char c : part) {
        if (c == ':') out += "%3A";
        else if (c == '%') out += "%25";
        else out += c;
    }
}

std::string KeyBuilder::namespacePattern(std::string_view ns) const
{
    std::string out;
    std::string part;
    appendPart(part, ns);
    for (char c : part) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out += '\\';
        out += c;
    }
    out += ":*";
    return out;
}

} // namespace cachelens::engine
