#include "ui/keys/KeyFilter.h"

#include <cachelens/key_escape.h>

#include <algorithm>

namespace cachelens::ui {

namespace {

char lowerAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

// ASCII case-insensitive search of an already lower-cased needle.
bool containsLower(std::string_view hay, std::string_view needleLower)
{
    if (needleLower.empty())
        return true;
    const std::size_t n = needleLower.size();
    for (std::size_t i = 0; i + n <= hay.size(); ++i) {
        std::size_t j = 0;
        while (j < n && lowerAscii(hay[i + j]) == needleLower[j])
            ++j;
        if (j == n)
            return true;
    }
    return false;
}

} // namespace

void KeyFilter::set(std::string_view text, std::uint8_t type)
{
    m_lower.assign(text);
    for (char& c : m_lower)
        c = lowerAscii(c);
    m_needleHasBackslash = m_lower.find('\\') != std::string::npos;
    m_type = type;
}

bool KeyFilter::passes(const KeyStore& keys, KeyStore::Id id) const
{
    if (!keys.isLive(id))
        return false;
    if (m_type != KeyStore::kTypeUnknown && keys.type(id) != m_type)
        return false;
    if (m_lower.empty())
        return true;
    const std::string_view key = keys.bytes(id);
    // Printable ASCII escapes to itself (except the backslash), so most keys are searched without escaping.
    if (!m_needleHasBackslash && std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c < 0x7f; }))
        return containsLower(key, m_lower);
    return containsLower(engine::escapeKey(key), m_lower);
}

} // namespace cachelens::ui
