#include "Url.h"

#include <algorithm>
#include <climits>

namespace cachelens::rediscore {
namespace {

constexpr std::size_t npos = std::string_view::npos;
constexpr char32_t kInvalid = 0xFFFFFFFF;

UrlParse fail(std::size_t position, const char* text, std::vector<std::string> args = {})
{
    UrlParse r;
    r.error.position = position;
    r.error.text = text;
    r.error.args = std::move(args);
    return r;
}

// The code point that starts at s[i] and its length in bytes; kInvalid (length 1) for a byte that starts none.
char32_t decodeAt(std::string_view s, std::size_t i, std::size_t& length)
{
    length = 1;
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size() || (n == 2 && c < 0xC2))
        return kInvalid;
    char32_t cp = n == 1 ? c : c & (0x7F >> n);
    for (std::size_t k = 1; k < n; ++k) {
        const auto d = static_cast<unsigned char>(s[i + k]);
        if ((d >> 6) != 0x2)
            return kInvalid;
        cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
        return kInvalid;
    length = n;
    return cp;
}

bool validUtf8(std::string_view s)
{
    for (std::size_t i = 0, n = 0; i < s.size(); i += n)
        if (decodeAt(s, i, n) == kInvalid)
            return false;
    return true;
}

// What QChar::isSpace() calls a blank (the C0 blanks, NEL and the Unicode separators), so that the GUI, which hands
// its text to this parser, trims and refuses the same characters it shows as blanks.
bool isBlank(char32_t c)
{
    return c == 0x20 || (c >= 0x09 && c <= 0x0D) || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A)
           || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Start of the code point that ends s (at s.size()), or npos when s does not end with a whole one.
std::size_t lastCodePoint(std::string_view s)
{
    for (std::size_t back = 1; back <= 4 && back <= s.size(); ++back) {
        std::size_t n = 0;
        const std::size_t at = s.size() - back;
        if (decodeAt(s, at, n) != kInvalid && n == back)
            return at;
    }
    return npos;
}

bool endsWithBlank(std::string_view s, std::size_t* at = nullptr)
{
    const std::size_t start = lastCodePoint(s);
    std::size_t n = 0;
    if (start == npos || !isBlank(decodeAt(s, start, n)))
        return false;
    if (at)
        *at = start;
    return true;
}

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
        parts.push_back(s.substr(from, at == npos ? npos : at - from));
        if (at == npos)
            return parts;
        from = at + 1;
    }
}

bool isAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isAsciiDigit(char c) { return c >= '0' && c <= '9'; }

std::optional<Scheme> schemeNamed(std::string_view name)
{
    if (name == "redis")
        return Scheme::Redis;
    if (name == "rediss")
        return Scheme::RedisTls;
    if (name == "unix")
        return Scheme::Unix;
    if (name == "redis-sentinel")
        return Scheme::Sentinel;
    return std::nullopt;
}

// A scheme as RFC 3986 spells one. Anything else before "://" is not a scheme but text that may hold a secret.
bool looksLikeScheme(std::string_view s)
{
    if (s.empty() || s.size() > 32 || !isAsciiAlpha(s[0]))
        return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return isAsciiAlpha(c) || isAsciiDigit(c) || c == '+' || c == '-' || c == '.'; });
}

// Where each part of a URL is, found once for both parseUrl() and maskSecrets(), so that what is masked in an echoed
// input is exactly what parseUrl() reads as a secret, valid URL or not. Offsets are bytes.
struct Layout {
    std::string_view text;          // the input without surrounding blanks
    std::size_t lead = 0;           // text[i] is input[lead + i]
    std::size_t sep = npos;         // "://" in text
    std::optional<Scheme> scheme;   // unset when unknown or missing
    std::size_t restStart = 0;      // in text: what follows "://" (0 without a scheme)
    std::string_view rest;          // from restStart up to the query
    std::size_t queryStart = npos;  // in text: after '?'
    std::string_view query;
    std::size_t at = npos;          // in rest: the '@' that ends the userinfo
};

// The userinfo ends at the last '@' before the query: generated passwords often hold an unencoded '/' (base64), and
// the path after the host (a database number, a master name) has no '@'. A unix socket path may have one
// (/run/redis@6379.sock), so there the userinfo ends where the absolute path starts.
std::size_t userinfoEnd(std::optional<Scheme> scheme, std::string_view rest)
{
    if (scheme != Scheme::Unix)
        return rest.rfind('@');
    if (!rest.empty() && rest[0] == '/')
        return npos;
    if (const std::size_t at = rest.find("@/"); at != npos)
        return at;
    return rest.rfind('@'); // the path is missing or relative: refused later
}

Layout layoutOf(std::string_view input)
{
    Layout l;
    std::size_t n = 0;
    while (l.lead < input.size() && isBlank(decodeAt(input, l.lead, n)))
        l.lead += n;
    std::string_view text = input.substr(l.lead);
    for (std::size_t at = 0; endsWithBlank(text, &at);)
        text = text.substr(0, at);
    l.text = text;
    l.sep = text.find("://");
    if (l.sep != npos && !looksLikeScheme(text.substr(0, l.sep)))
        l.sep = npos; // "u:pw@host://…": no scheme at all, and the userinfo starts the text
    if (l.sep != npos) {
        l.scheme = schemeNamed(lower(text.substr(0, l.sep)));
        l.restStart = l.sep + 3;
    }
    l.rest = text.substr(l.restStart);
    if (const std::size_t q = l.rest.find('?'); q != npos) {
        l.query = l.rest.substr(q + 1);
        l.queryStart = l.restStart + q + 1;
        l.rest = l.rest.substr(0, q);
    }
    l.at = userinfoEnd(l.scheme, l.rest);
    return l;
}

struct Span {
    std::size_t start, end; // [start, end) in the input
};

// The secrets in the input: the userinfo's password (all of a lone userinfo, "redis://secret@host"), and the values of
// sentinel_password= and password= (not an option of ours, but other clients take one) wherever they are.
std::vector<Span> secretSpans(const Layout& l)
{
    std::vector<Span> spans;
    if (l.at != npos && l.at > 0) {
        const std::size_t colon = l.rest.substr(0, l.at).find(':');
        const std::size_t start = colon == npos ? 0 : colon + 1;
        if (start < l.at)
            spans.push_back({l.lead + l.restStart + start, l.lead + l.restStart + l.at});
    }
    if (l.queryStart != npos) {
        std::size_t position = l.lead + l.queryStart;
        for (std::string_view item : split(l.query, '&')) {
            const std::size_t eq = item.find('=');
            const std::string name = lower(item.substr(0, eq));
            if (eq != npos && eq + 1 < item.size() && (name == "sentinel_password" || name == "password"))
                spans.push_back({position + eq + 1, position + item.size()});
            position += item.size() + 1;
        }
    }
    return spans;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// The part a percent-decoding error names. The sentence never quotes the part: it may be a secret.
enum class Part { Password, UserName, MasterName, OptionValue };

const char* badEscapeText(Part part)
{
    switch (part) {
    case Part::Password: return "the password has a '%' that does not start a %HH escape (write %25 for a '%' itself)";
    case Part::UserName: return "the user name has a '%' that does not start a %HH escape (write %25 for a '%' itself)";
    case Part::MasterName: return "the master name has a '%' that does not start a %HH escape (write %25 for a '%' itself)";
    case Part::OptionValue: break;
    }
    return "the value of %1 has a '%' that does not start a %HH escape (write %25 for a '%' itself)";
}

const char* notUtf8Text(Part part)
{
    switch (part) {
    case Part::Password: return "the password is not UTF-8 once its %HH escapes are decoded";
    case Part::UserName: return "the user name is not UTF-8 once its %HH escapes are decoded";
    case Part::MasterName: return "the master name is not UTF-8 once its %HH escapes are decoded";
    case Part::OptionValue: break;
    }
    return "the value of %1 is not UTF-8 once its %HH escapes are decoded";
}

// Percent-decodes `text`, found at `position` of the input. A '%' must start a %HH escape and the bytes must be
// UTF-8: anything else is refused with its position rather than guessed (a lone '%' kept as is and bad bytes turned
// into U+FFFD would send the server a password nobody typed). `option` names an option value's option.
bool decodePercent(std::string_view text, std::size_t position, Part part, std::string_view option, std::string& out,
                   UrlParse& error)
{
    const std::vector<std::string> args = part == Part::OptionValue ? std::vector<std::string>{std::string(option)}
                                                                   : std::vector<std::string>{};
    out.clear();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        const int high = i + 1 < text.size() ? hexValue(text[i + 1]) : -1;
        const int low = i + 2 < text.size() ? hexValue(text[i + 2]) : -1;
        if (high < 0 || low < 0) {
            error = fail(position + i, badEscapeText(part), args);
            return false;
        }
        out += static_cast<char>(high * 16 + low);
        i += 2;
    }
    if (!validUtf8(out)) {
        const std::size_t percent = text.find('%');
        error = fail(position + (percent == npos ? 0 : percent), notUtf8Text(part), args);
        return false;
    }
    return true;
}

// Decimal digits with an optional '+', as typed for a port, a database or a timeout; nullopt for anything else
// (blanks, signs, other digits) and for values beyond `max` (at most INT_MAX).
std::optional<long long> number(std::string_view s, long long max)
{
    if (!s.empty() && s[0] == '+')
        s.remove_prefix(1);
    if (s.empty())
        return std::nullopt;
    long long v = 0;
    for (char c : s) {
        v = v * 10 + (c - '0'); // max is at most INT_MAX: this cannot overflow before the check below
        if (!isAsciiDigit(c) || v > max)
            return std::nullopt;
    }
    return v;
}

// "host[:port]" found at `position` of the input.
std::optional<HostPort> parseHostPort(std::string_view part, std::size_t position, int defaultPort, UrlParse& error)
{
    HostPort hp;
    hp.port = defaultPort;
    std::string_view host, portText;
    std::size_t portPosition = npos;
    const bool bracketed = !part.empty() && part[0] == '[';
    if (bracketed) {
        const std::size_t close = part.find(']');
        if (close == npos) {
            error = fail(position, "IPv6 address is missing its closing ']'");
            return std::nullopt;
        }
        host = part.substr(1, close - 1);
        const std::string_view rest = part.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') {
                error = fail(position + close + 1, "expected ':' and a port after the IPv6 address");
                return std::nullopt;
            }
            portText = rest.substr(1);
            portPosition = position + close + 2;
        }
    } else if (const std::size_t colon = part.rfind(':'); colon != npos) {
        host = part.substr(0, colon);
        portText = part.substr(colon + 1);
        portPosition = position + colon + 1;
    } else {
        host = part;
    }
    if (host.empty()) {
        error = fail(position, "host is missing");
        return std::nullopt;
    }
    for (std::size_t i = 0, n = 0; i < host.size(); i += n) {
        const char32_t c = decodeAt(host, i, n);
        if (isBlank(c) || c == '/' || c == '@' || c == '?' || c == '[' || c == ']') {
            error = fail(position + (bracketed ? 1 : 0) + i, "host '%1' contains '%2'",
                         {std::string(host), std::string(host.substr(i, n))});
            return std::nullopt;
        }
    }
    hp.host = std::string(host);
    if (portPosition == npos)
        return hp;
    if (portText.empty()) {
        error = fail(portPosition, "port is missing after ':'");
        return std::nullopt;
    }
    const auto port = number(portText, INT_MAX);
    if (!port) {
        error = fail(portPosition, "port '%1' is not a number", {std::string(portText)});
        return std::nullopt;
    }
    if (*port < 1 || *port > 65535) {
        error = fail(portPosition, "port '%1' is out of range 1–65535", {std::string(portText)});
        return std::nullopt;
    }
    hp.port = static_cast<int>(*port);
    return hp;
}

bool parseDb(std::string_view text, std::size_t position, int& db, UrlParse& error)
{
    const auto value = number(text, INT_MAX);
    if (!value) {
        error = fail(position, "database '%1' is not a non-negative number", {std::string(text)});
        return false;
    }
    db = static_cast<int>(*value);
    return true;
}

UrlParse parseLayout(const Layout& l)
{
    const std::string_view text = l.text;
    const std::size_t lead = l.lead;
    if (text.empty())
        return fail(0, "the URL is empty; expected e.g. redis://localhost:6379");
    if (l.sep == npos)
        return fail(lead, "missing scheme; expected redis://, rediss://, unix:// or redis-sentinel://");
    const std::string scheme = lower(text.substr(0, l.sep));
    if (!l.scheme)
        return fail(lead, "unknown scheme '%1'; expected redis, rediss, unix or redis-sentinel",
                    {std::string(text.substr(0, l.sep))});

    Url url;
    url.scheme = *l.scheme;
    UrlParse error;
    std::size_t pos = l.restStart;
    std::string_view rest = l.rest;
    if (l.at != npos) {
        const std::string_view userinfo = rest.substr(0, l.at);
        const std::size_t position = lead + pos;
        const std::size_t colon = userinfo.find(':');
        if (colon == npos) {
            // "redis://secret@host": redis-cli and most clients treat a lone userinfo as the password.
            if (!decodePercent(userinfo, position, Part::Password, {}, url.password, error))
                return error;
        } else if (!decodePercent(userinfo.substr(0, colon), position, Part::UserName, {}, url.user, error)
                   || !decodePercent(userinfo.substr(colon + 1), position + colon + 1, Part::Password, {}, url.password, error)) {
            return error;
        }
        pos += l.at + 1;
        rest = rest.substr(l.at + 1);
    }
    const std::size_t restPosition = lead + pos;

    switch (url.scheme) {
    case Scheme::Unix: {
        if (rest.empty() || rest[0] != '/')
            return fail(restPosition, "a unix socket URL needs an absolute path: unix:///path/to/redis.sock");
        if (rest.size() == 1)
            return fail(restPosition, "the socket path is missing");
        if (std::size_t blank = 0; endsWithBlank(rest, &blank)) // the URL is trimmed when read back: the path would lose it
            return fail(restPosition + blank, "the socket path '%1' ends in a space", {std::string(rest)});
        url.socketPath = std::string(rest);
        url.port = 0;
        break;
    }
    case Scheme::Redis:
    case Scheme::RedisTls: {
        const std::size_t slash = rest.find('/');
        const std::string_view authority = rest.substr(0, slash);
        if (authority.empty())
            return fail(restPosition, "host is missing");
        auto hp = parseHostPort(authority, restPosition, 6379, error);
        if (!hp)
            return error;
        url.host = hp->host;
        url.port = hp->port;
        if (slash != npos) {
            const std::string_view db = rest.substr(slash + 1);
            if (!db.empty() && !parseDb(db, restPosition + slash + 1, url.db, error))
                return error;
        }
        break;
    }
    case Scheme::Sentinel: {
        const std::size_t slash = rest.find('/');
        if (slash == npos)
            return fail(lead + text.size(), "the master name is missing: redis-sentinel://host:26379/mymaster");
        if (slash == 0)
            return fail(restPosition, "at least one sentinel host is needed");
        std::size_t position = restPosition;
        for (std::string_view part : split(rest.substr(0, slash), ',')) {
            auto hp = parseHostPort(part, position, 26379, error);
            if (!hp)
                return error;
            url.sentinels.push_back(*hp);
            position += part.size() + 1;
        }
        const std::vector<std::string_view> path = split(rest.substr(slash + 1), '/');
        if (path[0].empty())
            return fail(restPosition + slash + 1, "the master name is missing");
        if (!decodePercent(path[0], restPosition + slash + 1, Part::MasterName, {}, url.masterName, error))
            return error;
        if (path.size() > 1 && !path[1].empty() && !parseDb(path[1], restPosition + slash + 2 + path[0].size(), url.db, error))
            return error;
        url.port = 0;
        break;
    }
    }

    const std::size_t queryPosition = lead + l.queryStart;
    if (!l.query.empty()) {
        std::size_t position = queryPosition;
        for (std::string_view item : split(l.query, '&')) {
            const std::size_t eq = item.find('=');
            const std::string name = lower(item.substr(0, eq));
            const std::size_t valuePosition = position + (eq == npos ? item.size() : eq + 1);
            const bool tlsOption = name == "ca" || name == "cert" || name == "key" || name == "sni" || name == "verify";
            const bool sentinelOption = name == "sentinel_password" || name == "sentinel_user" || name == "sentinel_username";
            if (name != "db" && name != "timeout" && !(url.scheme == Scheme::RedisTls && tlsOption)
                && !(url.scheme == Scheme::Sentinel && sentinelOption))
                return fail(position, "unknown option '%1' for %2://", {name, scheme});
            std::string value;
            if (eq != npos && !decodePercent(item.substr(eq + 1), valuePosition, Part::OptionValue, name, value, error))
                return error;
            if (name == "db") {
                if (!parseDb(value, valuePosition, url.db, error))
                    return error;
            } else if (name == "timeout") {
                const auto ms = number(value, INT_MAX);
                if (!ms || *ms <= 0)
                    return fail(valuePosition, "timeout '%1' must be a positive number of milliseconds", {value});
                url.timeoutMs = static_cast<int>(*ms);
            } else if (name == "verify") {
                const std::string v = lower(value);
                if (v == "yes" || v == "true" || v == "1")
                    url.verifyPeer = true;
                else if (v == "no" || v == "false" || v == "0")
                    url.verifyPeer = false;
                else
                    return fail(valuePosition, "verify must be yes or no, not '%1'", {value});
            } else {
                if (value.empty())
                    return fail(valuePosition, "option '%1' needs a value", {name});
                (name == "ca"                  ? url.caFile
                 : name == "cert"              ? url.certFile
                 : name == "key"               ? url.keyFile
                 : name == "sni"               ? url.sni
                 : name == "sentinel_password" ? url.sentinelPassword
                                               : url.sentinelUser) = value;
            }
            position += item.size() + 1;
        }
    }
    if (url.certFile.empty() != url.keyFile.empty())
        return fail(queryPosition, "a client certificate needs both cert= and key=");

    UrlParse ok;
    ok.url = std::move(url);
    return ok;
}

// As QUrl::toPercentEncoding(): RFC 3986's unreserved characters and those in `keep` as they are, every other byte
// as %HH.
std::string percentEncoded(std::string_view value, std::string_view keep = {})
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : value) {
        if (isAsciiAlpha(c) || isAsciiDigit(c) || c == '-' || c == '.' || c == '_' || c == '~' || keep.find(c) != npos) {
            out += c;
        } else {
            const auto b = static_cast<unsigned char>(c);
            out += '%';
            out += hex[b >> 4];
            out += hex[b & 0xF];
        }
    }
    return out;
}

// Query values as parseUrl() reads them back: percent-encoded where they would end the value or start an escape,
// paths otherwise left readable.
std::string encodeValue(std::string_view value) { return percentEncoded(value, "/:@!$'()*+,;[]"); }

std::string hostForUrl(const std::string& host)
{
    return host.find(':') != npos ? "[" + host + "]" : host;
}

} // namespace

std::string fillPlaceholders(std::string_view text, const std::vector<std::string>& args)
{
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 1 < text.size() && isAsciiDigit(text[i + 1])) {
            std::size_t end = i + 2;
            if (end < text.size() && isAsciiDigit(text[end]))
                ++end;
            std::size_t n = 0;
            for (std::size_t k = i + 1; k < end; ++k)
                n = n * 10 + std::size_t(text[k] - '0');
            if (n >= 1 && n <= args.size()) {
                out += args[n - 1];
                i = end - 1;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

std::string UrlError::message() const { return fillPlaceholders(text, args); }

UrlParse parseUrl(std::string_view input) { return parseLayout(layoutOf(input)); }

std::string maskSecrets(std::string_view input, std::size_t* position)
{
    static constexpr std::string_view mask = "***";
    const std::vector<Span> spans = secretSpans(layoutOf(input));
    std::string out;
    std::size_t from = 0;
    const std::size_t original = position ? std::min(*position, input.size()) : 0;
    bool placed = false;
    for (const Span& s : spans) {
        out += input.substr(from, s.start - from);
        if (position && !placed && original < s.end) { // before this secret, or inside it: then at the mask's start
            *position = original < s.start ? out.size() - (s.start - original) : out.size();
            placed = true;
        }
        out += mask;
        from = s.end;
    }
    if (position && !placed)
        *position = out.size() + (original - from);
    out += input.substr(from);
    return out;
}

std::string formatUrl(const Url& url, bool withSecret)
{
    static const char* const names[] = {"redis", "rediss", "unix", "redis-sentinel"};
    std::string out = std::string(names[int(url.scheme)]) + "://";
    if (!url.user.empty() || !url.password.empty()) {
        out += percentEncoded(url.user);
        out += ':'; // always: "user@host" would read back as a lone password
        if (!url.password.empty())
            out += withSecret ? percentEncoded(url.password) : "***";
        out += '@';
    }
    std::vector<std::string> query;
    switch (url.scheme) {
    case Scheme::Unix:
        out += url.socketPath;
        if (url.db)
            query.push_back("db=" + std::to_string(url.db));
        break;
    case Scheme::Sentinel:
        for (std::size_t i = 0; i < url.sentinels.size(); ++i)
            out += (i ? "," : "") + hostForUrl(url.sentinels[i].host) + ':' + std::to_string(url.sentinels[i].port);
        out += '/' + percentEncoded(url.masterName);
        if (url.db)
            out += '/' + std::to_string(url.db);
        break;
    case Scheme::Redis:
    case Scheme::RedisTls:
        out += hostForUrl(url.host) + ':' + std::to_string(url.port);
        if (url.db)
            out += '/' + std::to_string(url.db);
        break;
    }
    if (url.timeoutMs)
        query.push_back("timeout=" + std::to_string(url.timeoutMs));
    if (url.scheme == Scheme::RedisTls) {
        if (!url.caFile.empty()) query.push_back("ca=" + encodeValue(url.caFile));
        if (!url.certFile.empty()) query.push_back("cert=" + encodeValue(url.certFile));
        if (!url.keyFile.empty()) query.push_back("key=" + encodeValue(url.keyFile));
        if (!url.sni.empty()) query.push_back("sni=" + encodeValue(url.sni));
        if (!url.verifyPeer) query.push_back("verify=no");
    }
    if (url.scheme == Scheme::Sentinel) {
        if (!url.sentinelUser.empty())
            query.push_back("sentinel_user=" + percentEncoded(url.sentinelUser));
        if (!url.sentinelPassword.empty())
            query.push_back("sentinel_password=" + (withSecret ? percentEncoded(url.sentinelPassword) : std::string("***")));
    }
    for (std::size_t i = 0; i < query.size(); ++i)
        out += (i ? '&' : '?') + query[i];
    return out;
}

} // namespace cachelens::rediscore
