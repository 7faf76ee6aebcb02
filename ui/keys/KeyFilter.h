#pragma once
// KeyFilter: which loaded keys the Keys panel's tree shows (the client-side filter). A key passes when it is live,
// its escaped form (engine::escapeKey, as the tree displays it) contains the text ASCII case-insensitively, and its
// type is the chosen one; while a type is chosen, a key whose type is not known yet does not pass. Plain C++.
#include "ui/keys/KeyStore.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace cachelens::ui {

class KeyFilter
{
public:
    // `text`: UTF-8, empty for any; `type`: a KeyType byte, KeyStore::kTypeUnknown for any.
    void set(std::string_view text, std::uint8_t type);
    bool passes(const KeyStore& keys, KeyStore::Id id) const;

private:
    std::string m_lower;                                  // the text, ASCII lower-cased
    std::uint8_t m_type = KeyStore::kTypeUnknown;
    bool m_needleHasBackslash = false;
};

} // namespace cachelens::ui
