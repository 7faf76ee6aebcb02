#pragma once
// Connection URLs that ConnectionUrl::parse() refuses, one for each way it can refuse one (each fail(...) in
// connectors/ConnectionUrl.cpp), every one carrying a password and, where the URL can hold one, a
// sentinel_password. Whatever prints the error (the parser's pointed error, cachelensctl, cachelens --connect) must
// show neither. (Only the empty URL is missing: it cannot carry a secret.)
#include <QList>
#include <QString>

namespace cachelens::test {

inline const QString kUrlSecret = QStringLiteral("secretpw");
inline const QString kUrlSentinelSecret = QStringLiteral("sentinelpw");

struct UrlWithSecrets {
    const char* name;
    QString url;
};

inline QList<UrlWithSecrets> urlsWithSecrets()
{
    const auto u = [](const char* text) { return QString::fromUtf8(text); };
    return {
        {"missing scheme", u("u:secretpw@127.0.0.1:6379/0?sentinel_password=sentinelpw")},
        {"text before :// that is no scheme", u("redis:u:secretpw@h://x")},
        {"unknown scheme", u("http://u:secretpw@h/?sentinel_password=sentinelpw")},
        {"unclosed IPv6", u("redis://u:secretpw@[::1:6379")},
        {"no ':' after IPv6", u("redis://u:secretpw@[::1]x")},
        {"nothing after the userinfo", u("redis://u:secretpw@")},
        {"port without host", u("redis://u:secretpw@:6379")},
        {"blank in the host", u("redis://u:secretpw@h st:1")},
        {"empty port", u("redis://u:secretpw@h:")},
        {"port not a number", u("redis://u:secretpw@h:63x9")},
        {"port out of range", u("redis://u:secretpw@127.0.0.1:99999")},
        {"bad database in the path", u("redis://u:secretpw@h/abc")},
        {"relative socket path", u("unix://u:secretpw@redis.sock")},
        {"socket path missing", u("unix://u:secretpw@/")},
        {"sentinel without master", u("redis-sentinel://u:secretpw@s1:26379?sentinel_password=sentinelpw")},
        {"sentinel without host", u("redis-sentinel://u:secretpw@/m?sentinel_password=sentinelpw")},
        {"sentinel with empty master", u("redis-sentinel://u:secretpw@s1//1?sentinel_password=sentinelpw")},
        {"sentinel bad database", u("redis-sentinel://u:secretpw@s1/m/x?sentinel_password=sentinelpw")},
        {"sentinel bad port", u("redis-sentinel://u:secretpw@s1:0/m?sentinel_password=sentinelpw")},
        {"bad db option", u("redis://u:secretpw@h?db=x")},
        {"bad timeout", u("redis://u:secretpw@h?timeout=0")},
        {"TLS option without value", u("rediss://u:secretpw@h?ca=")},
        {"bad verify", u("rediss://u:secretpw@h?verify=maybe")},
        {"sentinel option without value", u("redis-sentinel://u:secretpw@s1/m?sentinel_password=sentinelpw&sentinel_user=")},
        {"unknown option", u("redis://u:secretpw@127.0.0.1:1/0?x")},
        {"unknown option after the sentinel password", u("redis-sentinel://u:secretpw@s1/m?sentinel_password=sentinelpw&bogus=1")},
        {"sentinel password on plain redis", u("redis://u:secretpw@h?sentinel_password=sentinelpw")},
        {"password= option", u("redis://h?password=secretpw")},
        {"certificate without key", u("rediss://u:secretpw@h?cert=/c.pem")},
        {"bad escape in the password", u("redis://u:secretpw%zz@h")},
        {"lone %2 ending the password", u("redis://u:secretpw%2@h")},
        {"password not UTF-8", u("redis://u:secretpw%ff@h")},
        {"bad escape in the user", u("redis://u%zz:secretpw@h")},
        {"bad escape in the sentinel password", u("redis-sentinel://u:secretpw@s1/m?sentinel_password=sentinelpw%zz")},
        {"bad escape in the master name", u("redis-sentinel://u:secretpw@s1/m%zz?sentinel_password=sentinelpw")},
        {"bad escape in an option", u("rediss://u:secretpw@h?ca=%zz")},
        {"unencoded '/' in the password", u("redis://u:secretpw/secretpw@h:x")},
        {"unencoded '/' in a sentinel URL's password", u("redis-sentinel://u:secretpw/secretpw@s1:x/m?sentinel_password=sentinelpw")},
        {"bracket inside the host", u("redis://u:secretpw@a]:1")},
        {"no-break space in the host", u("redis://u:secretpw@h\u00a0st:1")},
        {"blank inside the port", u("redis://u:secretpw@h: 80")},
        {"blank inside the database", u("redis://u:secretpw@h/ 5")},
        {"option name that is one only once lowercased by Unicode", u("rediss://u:secretpw@h?cert=/c.pem&\u212Aey=/k.pem")},
        {"socket path ending in a blank", u("unix://u:secretpw@/tmp/r.sock ?db=1")},
        {"lone userinfo", u("redis://secretpw@h:0")},
        {"leading blanks", u("  redis://u:secretpw@h:0")},
    };
}

} // namespace cachelens::test
