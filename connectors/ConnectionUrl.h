#pragma once
// Connection URLs, parsed with messages that point at the bad part:
//   redis://[user:pass@]host[:port][/db][?timeout=MS]
//   rediss://[user:pass@]host[:port][/db][?ca=FILE&cert=FILE&key=FILE&sni=NAME&verify=yes|no]
//   unix://[user:pass@]/path/to.sock[?db=N]
//   redis-sentinel://[user:pass@]host[:port][,host[:port]…]/master-name[/db][?sentinel_password=P[&sentinel_user=U]]
// User, password and option values are percent-decoded (a '%' not followed by two hex digits, or bytes that are not
// UTF-8, are refused with their position). In a redis-sentinel:// URL the userinfo is the master's; sentinel_password
// is the sentinels' own `requirepass` (or ACL user's) password. IPv6 hosts go in brackets: redis://[::1]:6379.
// A secret is never shown: toString() masks it, and a parse error echoes the input with it masked.
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace cachelens {

struct HostPort {
    QString host;
    quint16 port = 0;
    bool operator==(const HostPort&) const = default;
};

struct ConnectionUrl {
    enum class Scheme { Redis, RedisTls, Unix, Sentinel };

    Scheme scheme = Scheme::Redis;
    QString host;                 // Redis, RedisTls
    quint16 port = 6379;
    QString socketPath;           // Unix
    QList<HostPort> sentinels;    // Sentinel (default port 26379)
    QString masterName;           // Sentinel
    int db = 0;
    QString user;                 // empty: legacy AUTH with password only (or none)
    QString password;
    // Sentinel: AUTH for the sentinels themselves. Empty sentinelPassword: sentinels are asked without AUTH, and one
    // that answers NOAUTH is asked again with user/password (sentinels often share the master's password).
    QString sentinelUser, sentinelPassword;
    int timeoutMs = 0;            // 0 = client default
    // TLS (rediss)
    QString caFile, certFile, keyFile, sni;
    bool verifyPeer = true;

    bool isTls() const { return scheme == Scheme::RedisTls; }
    bool hasPassword() const { return !password.isEmpty(); }
    // Canonical form; the passwords (master and sentinel) are shown as "***" unless withSecret (a URL in a log or window title never
    // carries the secret).
    QString toString(bool withSecret = false) const;
    // Short human label: "127.0.0.1:6379/2", "/run/redis.sock", "mymaster via 3 sentinels".
    QString endpointLabel() const;

    struct ParseResult;
    static ParseResult parse(const QString& text);
    // `text` (a URL as typed, valid or not) with the passwords in it (userinfo, sentinel_password=, password=)
    // replaced by "***": for any message that must quote what the user gave.
    static QString masked(const QString& text);
};

struct ConnectionUrl::ParseResult {
    std::optional<ConnectionUrl> url;
    QString error;          // "port '99999' is out of range 1–65535"; never quotes a secret
    int errorColumn = -1;   // 0-based position in the input of the bad part
    bool ok() const { return url.has_value(); }
    // "redis://u:***@host:99999\n                   ^ port '99999' is out of range 1–65535": the input as masked()
    // shows it, the caret under the bad part. Built by parse() from the input it saw, so no caller can echo a secret.
    QString pointedError() const { return m_pointedError; }

private:
    friend struct ConnectionUrl;
    QString m_pointedError;
};

} // namespace cachelens

Q_DECLARE_METATYPE(cachelens::ConnectionUrl)
