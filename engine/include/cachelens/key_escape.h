#pragma once
// The one printable form of a binary key, used wherever keys leave the program as text lines
// (`cachelensctl scan` output, `cachelensctl match` input, exported lists, the clipboard's text flavour).
//
// Rules (reversible, one key per line):
//   - valid UTF-8 sequences of printable characters are kept as they are;
//   - backslash becomes "\\";
//   - \n, \r, \t become "\n", "\r", "\t";
//   - every other byte (controls, DEL, NUL, bytes that are not valid UTF-8) becomes "\xHH" (lower-case hex).
// So a line never contains a raw newline, and unescape(escape(k)) == k for every byte string k.
#include <optional>
#include <string>
#include <string_view>

namespace cachelens::engine {

std::string escapeKey(std::string_view raw);

// Returns std::nullopt when `text` is not a valid escaped form (a dangling backslash, "\x" not followed by two hex
// digits, or an unknown escape); `errorOffset`, when given, receives the byte offset of the bad escape.
std::optional<std::string> unescapeKey(std::string_view text, std::size_t* errorOffset = nullptr);

} // namespace cachelens::engine
