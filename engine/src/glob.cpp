#include <cachelens/glob.h>

#include <utility>

namespace cachelens::engine {
namespace {

bool isMeta(char c) noexcept { return c == '*' || c == '?' || c == '[' || c == '\\'; }

std::string_view skipStars(std::string_view p) noexcept
{
    while (!p.empty() && p.front() == '*') p.remove_prefix(1);
    return p;
}

// Consumes a class body (the text after '['), matched or not, and says whether `c` is in it.
bool matchClass(std::string_view& p, char c) noexcept
{
    std::string_view items = p;
    const bool negate = !items.empty() && items.front() == '^';
    if (negate) items.remove_prefix(1);
    bool match = false;
    while (!items.empty() && items.front() != ']') {
        if (items.size() >= 2 && items[0] == '\\') {
            match |= items[1] == c;
            items.remove_prefix(2);
        } else if (items.size() >= 3 && items[1] == '-') {
            // Redis compares plain (signed) chars here; keep that so high bytes select the same keys.
            int lo = static_cast<signed char>(items[0]);
            int hi = static_cast<signed char>(items[2]);
            const int v = static_cast<signed char>(c);
            if (lo > hi) std::swap(lo, hi);
            match |= lo <= v && v <= hi;
            items.remove_prefix(3);
        } else {
            match |= items[0] == c;
            items.remove_prefix(1);
        }
    }
    if (!items.empty()) items.remove_prefix(1); // the closing ']'
    p = items;
    return match != negate;
}

// Consumes one non-'*' token of the pattern and says whether it matches the byte `c`.
bool matchToken(std::string_view& p, char c) noexcept
{
    char token = p.front();
    p.remove_prefix(1);
    switch (token) {
    case '?': return true;
    case '[': return matchClass(p, c);
    case '\\':
        if (!p.empty()) { // a trailing backslash stands for itself
            token = p.front();
            p.remove_prefix(1);
        }
        return token == c;
    default: return token == c;
    }
}

} // namespace

bool globMatchesEverything(std::string_view pattern) noexcept
{
    return !pattern.empty() && skipStars(pattern).empty();
}

std::string_view globLiteralPrefix(std::string_view pattern) noexcept
{
    std::size_t n = 0;
    while (n < pattern.size() && !isMeta(pattern[n])) ++n;
    return pattern.substr(0, n);
}

bool globMatch(std::string_view pattern, std::string_view text) noexcept
{
    if (text.empty()) return skipStars(pattern).empty();

    std::string_view starPattern; // pattern after the most recent '*'
    std::string_view starText;    // where that '*' stops absorbing bytes for now
    bool haveStar = false;
    while (!text.empty()) {
        if (!pattern.empty() && pattern.front() == '*') {
            pattern = skipStars(pattern);
            if (pattern.empty()) return true;
            starPattern = pattern;
            starText = text;
            haveStar = true;
        } else if (!pattern.empty() && matchToken(pattern, text.front())) {
            text.remove_prefix(1);
        } else if (!haveStar) {
            return false;
        } else {
            // Every token consumes exactly one byte, so retrying only the last star is enough: an earlier star
            // could only absorb bytes the last one can absorb as well.
            starText.remove_prefix(1);
            if (starText.empty()) return false;
            pattern = starPattern;
            text = starText;
        }
    }
    return skipStars(pattern).empty();
}

} // namespace cachelens::engine
