#pragma once
// The one reading of CacheLens's Redis connection URLs, without Qt and without I/O, shared by the GUI and
// cachelensctl (connectors/ConnectionUrl, a Qt adapter) and the embeddable provider (parseRedisUrl):
//   redis://[user:pass@]host[:port][/db][?timeout=MS]
//   rediss://[user:pass@]host[:port][/db][?ca=FILE&cert=FILE&key=FILE&sni=NAME&verify=yes|no]
//   unix://[user:pass@]/path/to.sock[?db=N]
//   redis-sentinel://[user:pass@]host[:port][,host[:port]…]/master-name[/db][?sentinel_password=P[&sentinel_user=U]]
// Input and output are UTF-8. User, password, master name and option values are percent-decoded; a '%' that does not
// start a %HH escape, or decoded bytes that are not UTF-8, are refused with their position rather than guessed. The
// userinfo ends at the last '@' (generated passwords hold unencoded '/'), except in unix:// where it ends before the
// absolute path (socket paths may hold '@'). Private to the provider and connectors/: not an installed header.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cachelens::rediscore {

enum class Scheme { Redis, RedisTls, Unix, Sentinel };

struct HostPort {
    std::string host;
    int port = 0;
    bool operator==(const HostPort&) const = default;
};

struct Url {
    Scheme scheme = Scheme::Redis;
    std::string host;                 // Redis, RedisTls
    int port = 6379;                  // Redis, RedisTls; 0 otherwise
    std::string socketPath;           // Unix
    std::vector<HostPort> sentinels;  // Sentinel (default port 26379)
    std::string masterName;           // Sentinel
    int db = 0;
    std::string user;                 // empty: legacy AUTH with the password only (or none)
    std::string password;
    std::string sentinelUser, sentinelPassword; // Sentinel: the sentinels' own AUTH
    int timeoutMs = 0;                // 0: the client's default
    std::string caFile, certFile, keyFile, sni; // RedisTls
    bool verifyPeer = true;
};

// A refusal: where, and a sentence that never quotes a secret (only scheme, host, port, database, path, option
// names and non-secret values). `text` is English with %1, %2 placeholders for `args`; it is also the source text a
// Qt front end translates (context "ConnectionUrl") before filling it in with fillPlaceholders().
struct UrlError {
    std::size_t position = 0;         // byte offset in the input as given (blanks before the URL count)
    const char* text = "";
    std::vector<std::string> args;
    std::string message() const;
};

struct UrlParse {
    std::optional<Url> url;
    UrlError error;                   // meaningful when !url
    bool ok() const { return url.has_value(); }
};

UrlParse parseUrl(std::string_view input);

// The canonical form, which parseUrl() reads back as the same Url. The passwords (master and sentinel) are "***"
// unless withSecret.
std::string formatUrl(const Url& url, bool withSecret);

// `input` (a URL as typed, valid or not) with each secret parseUrl() would read in it (the userinfo's password, the
// values of sentinel_password= and password=) replaced by "***", for any message that must quote what was given.
// `position`, a byte offset in `input`, is moved to the same place in the result (the mask's start when it pointed
// into a secret).
std::string maskSecrets(std::string_view input, std::size_t* position = nullptr);

// `text` with %1…%99 replaced by args[0…] in one pass (a placeholder-like "%1" inside an argument stays as it is; a
// number beyond args, such as the "%25" of a message, is left alone).
std::string fillPlaceholders(std::string_view text, const std::vector<std::string>& args);

} // namespace cachelens::rediscore
