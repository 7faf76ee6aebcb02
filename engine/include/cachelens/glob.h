#pragma once
// Redis glob matching: the one matcher behind scan, pattern invalidation and `cachelensctl match`.
//
// Semantics are those of Redis's stringmatchlen() (util.c) with nocase off, so a pattern tested offline here
// selects exactly the keys Redis would select:
//   *        any run of bytes (also none)
//   ?        exactly one byte
//   [abc]    one byte of the set; [^abc] one byte not in it; [a-z] a range (reversed ranges like [z-a] are
//            swapped); \x inside a class is the literal x
//   \x       the literal byte x
// Edge cases, all as Redis behaves:
//   - an unterminated class runs to the end of the pattern ("[abc" is the class {a,b,c}); a lone "[" at the end
//     matches nothing, a lone "[^" matches any one byte;
//   - a trailing backslash is a literal backslash;
//   - "[a-]" is the range from 'a' to ']' (Redis reads the closing bracket as the range end) and the class is then
//     unterminated; write "[a\-]" or "[-a]" for the set {a,-};
//   - "[]" matches nothing, "[^]" matches any one byte;
//   - range bounds compare bytes as *signed* char, as Redis does on x86-64 and arm64 Linux builds, so a range
//     with a byte >= 0x80 as its bound behaves exactly as it does against a real server.
// One deliberate difference: a pattern made only of '*' matches the empty key. Redis's stringmatchlen does not,
// but KEYS and SCAN special-case "*" before calling it, so this is what a Redis user observes.
//
// The matcher is iterative (only the last '*' is ever retried), so it needs no recursion limit and runs in
// O(pattern × key) time at worst, against Redis's exponential worst case on patterns like "a*a*a*a*b".
#include <string_view>

namespace cachelens::engine {

[[nodiscard]] bool globMatch(std::string_view pattern, std::string_view text) noexcept;

// True when the pattern matches every key ("*", "**", …): callers skip matching altogether.
[[nodiscard]] bool globMatchesEverything(std::string_view pattern) noexcept;

// The literal bytes every match must start with ("user:" for "user:*"), for prefix pruning.
[[nodiscard]] std::string_view globLiteralPrefix(std::string_view pattern) noexcept;

} // namespace cachelens::engine
