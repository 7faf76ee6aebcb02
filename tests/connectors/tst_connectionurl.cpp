#include "connectors/ConnectionUrl.h"

#include "UrlsWithSecrets.h"

#include <QTest>

using cachelens::ConnectionUrl;
using Scheme = ConnectionUrl::Scheme;

class ConnectionUrlTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void valid_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<int>("scheme");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<int>("db");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("canonical");

        QTest::addRow("host only") << "redis://localhost" << int(Scheme::Redis) << "localhost" << 6379 << 0 << "" << ""
                                   << "redis://localhost:6379";
        QTest::addRow("port and db") << "redis://10.1.2.3:7000/5" << int(Scheme::Redis) << "10.1.2.3" << 7000 << 5
                                     << "" << "" << "redis://10.1.2.3:7000/5";
        QTest::addRow("legacy password") << "redis://:s3cret@h" << int(Scheme::Redis) << "h" << 6379 << 0 << ""
                                         << "s3cret" << "redis://:***@h:6379";
        QTest::addRow("lone userinfo is the password") << "redis://s3cret@h" << int(Scheme::Redis) << "h" << 6379 << 0
                                                       << "" << "s3cret" << "redis://:***@h:6379";
        QTest::addRow("ACL user, encoded password") << "redis://app:p%40ss%3Aw@h:1/2" << int(Scheme::Redis) << "h" << 1
                                                    << 2 << "app" << "p@ss:w" << "redis://app:***@h:1/2";
        QTest::addRow("IPv6") << "redis://[::1]:6380" << int(Scheme::Redis) << "::1" << 6380 << 0 << "" << ""
                              << "redis://[::1]:6380";
        QTest::addRow("TLS with options") << "rediss://cache.example:6380?ca=/etc/ca.pem&sni=cache&verify=no"
                                          << int(Scheme::RedisTls) << "cache.example" << 6380 << 0 << "" << ""
                                          << "rediss://cache.example:6380?ca=/etc/ca.pem&sni=cache&verify=no";
        QTest::addRow("unix socket with db") << "unix:///run/redis/redis.sock?db=3" << int(Scheme::Unix) << "" << 0 << 3
                                             << "" << "" << "unix:///run/redis/redis.sock?db=3";
        QTest::addRow("ACL user without password") << "redis://app:@h:1" << int(Scheme::Redis) << "h" << 1 << 0 << "app"
                                                   << "" << "redis://app:@h:1";
        QTest::addRow("scheme is case-insensitive") << "REDIS://h:1" << int(Scheme::Redis) << "h" << 1 << 0 << "" << ""
                                                    << "redis://h:1";
        QTest::addRow("surrounding blanks") << "  redis://h  " << int(Scheme::Redis) << "h" << 6379 << 0 << "" << ""
                                            << "redis://h:6379";
    }

    void valid()
    {
        QFETCH(QString, input);
        QFETCH(int, scheme);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(int, db);
        QFETCH(QString, user);
        QFETCH(QString, password);
        QFETCH(QString, canonical);
        const auto r = ConnectionUrl::parse(input);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(int(r.url->scheme), scheme);
        QCOMPARE(r.url->host, host);
        QCOMPARE(int(r.url->port), port);
        QCOMPARE(r.url->db, db);
        QCOMPARE(r.url->user, user);
        QCOMPARE(r.url->password, password);
        QCOMPARE(r.url->toString(), canonical);
        // The canonical form with the secret parses back to the same URL.
        const auto again = ConnectionUrl::parse(r.url->toString(true));
        QVERIFY(again.ok());
        QCOMPARE(again.url->password, password);
        QCOMPARE(again.url->toString(), canonical);
    }

    void sentinel()
    {
        const auto r = ConnectionUrl::parse(QStringLiteral("redis-sentinel://s1:26379,s2,[::1]:26380/mymaster/2"));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.url->sentinels.size(), 3);
        QCOMPARE(r.url->sentinels.at(1).host, QStringLiteral("s2"));
        QCOMPARE(r.url->sentinels.at(1).port, quint16(26379));
        QCOMPARE(r.url->sentinels.at(2).host, QStringLiteral("::1"));
        QCOMPARE(r.url->masterName, QStringLiteral("mymaster"));
        QCOMPARE(r.url->db, 2);
        QCOMPARE(r.url->endpointLabel(), QStringLiteral("mymaster via 3 sentinel(s)"));
    }

    void sentinelCredentials_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("password");           // the master's
        QTest::addColumn<QString>("sentinelUser");
        QTest::addColumn<QString>("sentinelPassword");
        QTest::addColumn<QString>("canonical");

        QTest::addRow("sentinel password") << "redis-sentinel://s1/mymaster?sentinel_password=sp" << "" << "" << "sp"
                                           << "redis-sentinel://s1:26379/mymaster?sentinel_password=***";
        QTest::addRow("ACL user, percent-encoded, with the master's") << "redis-sentinel://:mp@s1,s2:26380/m/1?sentinel_user=mon&sentinel_password=a%26b%3Dc%40d"
                                                  << "mp" << "mon" << "a&b=c@d"
                                                  << "redis-sentinel://:***@s1:26379,s2:26380/m/1?sentinel_user=mon&sentinel_password=***";
        QTest::addRow("sentinel_username is sentinel_user") << "redis-sentinel://s1/m?SENTINEL_USERNAME=mon&sentinel_password=x"
                                                            << "" << "mon" << "x"
                                                            << "redis-sentinel://s1:26379/m?sentinel_user=mon&sentinel_password=***";
        // A saved profile's URL: the password is in the keychain, the user stays in the URL.
        QTest::addRow("sentinel user alone") << "redis-sentinel://s1/m?sentinel_user=mon" << "" << "mon" << ""
                                             << "redis-sentinel://s1:26379/m?sentinel_user=mon";
        QTest::addRow("with a timeout") << "redis-sentinel://s1/m?timeout=300&sentinel_password=x" << "" << "" << "x"
                                        << "redis-sentinel://s1:26379/m?timeout=300&sentinel_password=***";
    }
    void sentinelCredentials()
    {
        QFETCH(QString, input);
        QFETCH(QString, password);
        QFETCH(QString, sentinelUser);
        QFETCH(QString, sentinelPassword);
        QFETCH(QString, canonical);
        const auto r = ConnectionUrl::parse(input);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.url->password, password);
        QCOMPARE(r.url->sentinelUser, sentinelUser);
        QCOMPARE(r.url->sentinelPassword, sentinelPassword);
        QCOMPARE(r.url->toString(), canonical);
        QVERIFY(sentinelPassword.isEmpty() || !r.url->endpointLabel().contains(sentinelPassword));
        const auto again = ConnectionUrl::parse(r.url->toString(true));
        QVERIFY2(again.ok(), qPrintable(again.error));
        QCOMPARE(again.url->sentinelUser, sentinelUser);
        QCOMPARE(again.url->sentinelPassword, sentinelPassword);
        QCOMPARE(again.url->toString(), canonical);
    }

    // What toString(true) prints (saved connections, the CLI's --target) reads back as the same URL.
    void printedUrlReadsBackAsItself_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("host");   // host, socket path or first sentinel's host, as parsed
        QTest::addRow("placeholder-like zone, with a db") << "redis://[fe80::1%1]:7000/2" << "fe80::1%1";
        QTest::addRow("placeholder-like zone") << "redis://[fe80::1%2]:7000" << "fe80::1%2";
        QTest::addRow("placeholder-like sentinel zone") << "redis-sentinel://[fe80::1%1]:1/m" << "fe80::1%1";
        QTest::addRow("placeholder-like socket path, with a db") << "unix:///tmp/%1.sock?db=2" << "/tmp/%1.sock";
        QTest::addRow("CA path with an encoded percent") << "rediss://h?ca=/tmp/100%25.pem" << "h";
        QTest::addRow("client files with encoded '&' and '='") << "rediss://h?cert=/c%26d.pem&key=/k%3D.pem&sni=n%26m" << "h";
        QTest::addRow("master name of blanks") << "redis-sentinel://s1/  /" << "s1";
        QTest::addRow("master name with a blank, and a db") << "redis-sentinel://s1/my master/1" << "s1";
    }
    void printedUrlReadsBackAsItself()
    {
        QFETCH(QString, input);
        QFETCH(QString, host);
        const auto r = ConnectionUrl::parse(input);
        QVERIFY2(r.ok(), qPrintable(r.error));
        const QString parsedHost = r.url->scheme == Scheme::Unix       ? r.url->socketPath
                                   : r.url->scheme == Scheme::Sentinel ? r.url->sentinels.value(0).host
                                                                       : r.url->host;
        QCOMPARE(parsedHost, host);
        QVERIFY2(r.url->endpointLabel().contains(host) || r.url->scheme == Scheme::Sentinel, qPrintable(r.url->endpointLabel()));
        const QString printed = r.url->toString(true);
        const auto again = ConnectionUrl::parse(printed);
        QVERIFY2(again.ok(), qPrintable(printed + QStringLiteral(": ") + again.error));
        QCOMPARE(again.url->toString(true), printed);
        QCOMPARE(again.url->host, r.url->host);
        QCOMPARE(again.url->socketPath, r.url->socketPath);
        QCOMPARE(again.url->sentinels, r.url->sentinels);
        QCOMPARE(again.url->caFile, r.url->caFile);
        QCOMPARE(again.url->certFile, r.url->certFile);
        QCOMPARE(again.url->keyFile, r.url->keyFile);
        QCOMPARE(again.url->sni, r.url->sni);
        QCOMPARE(again.url->masterName, r.url->masterName);
        QCOMPARE(again.url->db, r.url->db);
    }

    void invalid_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");

        QTest::addRow("empty") << "" << 0 << "empty";
        QTest::addRow("no scheme") << "localhost:6379" << 0 << "missing scheme";
        QTest::addRow("unknown scheme") << "http://h" << 0 << "unknown scheme 'http'";
        QTest::addRow("port out of range") << "redis://h:65536" << 10 << "out of range";
        QTest::addRow("port not a number") << "redis://h:63x9" << 10 << "not a number";
        QTest::addRow("empty port") << "redis://h:" << 10 << "port is missing";
        QTest::addRow("no host") << "redis://:6379" << 8 << "host is missing";
        QTest::addRow("bad db") << "redis://h/abc" << 10 << "database 'abc'";
        QTest::addRow("unterminated IPv6") << "redis://[::1:6379" << 8 << "closing ']'";
        QTest::addRow("relative socket") << "unix://redis.sock" << 7 << "absolute path";
        QTest::addRow("unknown option") << "redis://h?bogus=1" << 10 << "unknown option 'bogus'";
        QTest::addRow("TLS option on plain") << "redis://h?ca=/x" << 10 << "unknown option 'ca'";
        QTest::addRow("bad verify") << "rediss://h?verify=maybe" << 18 << "verify must be yes or no";
        QTest::addRow("cert without key") << "rediss://h?cert=/c.pem" << 11 << "both cert= and key=";
        QTest::addRow("sentinel without master") << "redis-sentinel://s1:26379" << 25 << "master name is missing";
        QTest::addRow("bad timeout") << "redis://h?timeout=0" << 18 << "timeout";
        QTest::addRow("sentinel password on plain redis") << "redis://h?sentinel_password=x" << 10
                                                          << "unknown option 'sentinel_password' for redis://";
        QTest::addRow("empty sentinel password") << "redis-sentinel://s1/m?sentinel_password=" << 40 << "needs a value";
        QTest::addRow("bracket inside a host") << "redis://a]:1" << 9 << "host 'a]' contains ']'";
        QTest::addRow("bracket inside an IPv6 host") << "redis://[a[b]:1" << 10 << "contains '['";
        QTest::addRow("bracket inside a sentinel host") << "redis-sentinel://s1,x]y/m" << 21 << "contains ']'";
        QTest::addRow("socket path ending in a blank") << "unix:///tmp/r.sock ?db=1" << 18 << "ends in a space";
        QTest::addRow("socket path ending in a no-break space") << QString::fromUtf8("unix:///tmp/r.sock\u00a0?db=1") << 18
                                                                << "ends in a space";
        // Columns count characters as the user sees them, not UTF-8 bytes.
        QTest::addRow("non-ASCII before the bad part") << QString::fromUtf8("redis://\u00fc:pw@h:0") << 15 << "out of range";
        QTest::addRow("blank inside the port") << "redis://h: 80" << 10 << "port ' 80' is not a number";
        QTest::addRow("blank inside the database") << "redis://h/ 5" << 10 << "database ' 5' is not a non-negative number";
    }

    void invalid()
    {
        QFETCH(QString, input);
        QFETCH(int, column);
        QFETCH(QString, message);
        const auto r = ConnectionUrl::parse(input);
        QVERIFY(!r.ok());
        QVERIFY2(r.error.contains(message), qPrintable(r.error));
        QCOMPARE(r.errorColumn, column);
        QVERIFY(r.pointedError().contains(QStringLiteral("^ ")));
    }

    void aRefusedUrlNeverShowsItsSecrets_data()
    {
        QTest::addColumn<QString>("input");
        for (const auto& [name, url] : cachelens::test::urlsWithSecrets())
            QTest::addRow("%s", name) << url;
    }

    void aRefusedUrlNeverShowsItsSecrets()
    {
        QFETCH(QString, input);
        const auto r = ConnectionUrl::parse(input);
        QVERIFY(!r.ok());
        for (const QString& shown : {r.error, r.pointedError(), ConnectionUrl::masked(input)}) {
            QVERIFY2(!shown.contains(cachelens::test::kUrlSecret), qPrintable(shown));
            QVERIFY2(!shown.contains(cachelens::test::kUrlSentinelSecret), qPrintable(shown));
        }
        QVERIFY2(r.pointedError().contains(QStringLiteral("***")), qPrintable(r.pointedError()));
        QVERIFY2(r.pointedError().contains(QStringLiteral("^ ") + r.error), qPrintable(r.pointedError()));
    }

    // The echoed input is shorter or longer once masked: the caret still sits under the bad part.
    void theCaretStaysUnderTheBadPartOfTheMaskedInput_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("atCaret");
        QTest::addRow("after the password") << "redis://u:longersecret@h:99999" << "99999";
        QTest::addRow("after both secrets") << "redis-sentinel://:pw@s1/m?sentinel_password=x&bogus=1" << "bogus=1";
        QTest::addRow("inside the password") << "redis://u:abc%zz@h" << "***@h";
        QTest::addRow("leading blanks") << "   redis://:topsecret@h:0" << "0";
        QTest::addRow("non-ASCII user and password") << QString::fromUtf8("redis://\u00fc:l\u00e4ngersecret@h:99999") << "99999";
    }

    void theCaretStaysUnderTheBadPartOfTheMaskedInput()
    {
        QFETCH(QString, input);
        QFETCH(QString, atCaret);
        const QStringList lines = ConnectionUrl::parse(input).pointedError().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 2);
        const int caret = int(lines.at(1).indexOf(QLatin1Char('^')));
        QCOMPARE(lines.at(0).mid(caret), atCaret);
    }

    void badPercentEncodingIsRefusedWithItsPosition_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        QTest::addRow("%%zz in the password") << "redis://u:ab%zz@h" << 12 << "the password has a '%' that does not start a %HH escape";
        QTest::addRow("lone %%2 ending the password") << "redis://u:ab%2@h" << 12 << "the password has a '%'";
        QTest::addRow("%% ending a lone userinfo") << "redis://ab%@h" << 10 << "the password has a '%'";
        QTest::addRow("bytes that are not UTF-8") << "redis://u:a%ff%fe@h" << 11 << "the password is not UTF-8";
        QTest::addRow("%%zz in the user") << "redis://a%zz:pw@h" << 9 << "the user name has a '%'";
        QTest::addRow("in the sentinel password") << "redis-sentinel://s1/m?sentinel_password=a%g1" << 41
                                                  << "the value of sentinel_password has a '%'";
        QTest::addRow("in a TLS option") << "rediss://h?ca=/etc/100%.pem" << 22 << "the value of ca has a '%'";
        QTest::addRow("in the master name") << "redis-sentinel://s1/my%master" << 22 << "the master name has a '%'";
    }

    void badPercentEncodingIsRefusedWithItsPosition()
    {
        QFETCH(QString, input);
        QFETCH(int, column);
        QFETCH(QString, message);
        const auto r = ConnectionUrl::parse(input);
        QVERIFY2(!r.ok(), qPrintable(r.ok() ? r.url->toString(true) : QString()));
        QVERIFY2(r.error.contains(message), qPrintable(r.error));
        QCOMPARE(r.errorColumn, column);
    }

    // Base64 passwords hold '/', socket paths may hold '@': both are read as typed.
    void userinfoEndsAtTheRightAt_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("where");   // host, socket path or master name
        QTest::addRow("'/' in a redis password") << "redis://u:ab/cd+e=@h:1/2" << "ab/cd+e=" << "h";
        QTest::addRow("'/' in a sentinel URL's password") << "redis-sentinel://:ab/cd@s1/m" << "ab/cd" << "m";
        QTest::addRow("'/' in a unix password") << "unix://:p/w@/run/redis@1.sock" << "p/w" << "/run/redis@1.sock";
        QTest::addRow("'@' in a socket path") << "unix:///run/redis@6379.sock" << "" << "/run/redis@6379.sock";
        QTest::addRow("encoded '@' in a master name") << "redis-sentinel://s1/my%40master" << "" << "my@master";
    }

    void userinfoEndsAtTheRightAt()
    {
        QFETCH(QString, input);
        QFETCH(QString, password);
        QFETCH(QString, where);
        const auto r = ConnectionUrl::parse(input);
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.url->password, password);
        QCOMPARE(r.url->host + r.url->socketPath + r.url->masterName, where);
        const auto again = ConnectionUrl::parse(r.url->toString(true));
        QVERIFY2(again.ok(), qPrintable(again.error));
        QCOMPARE(again.url->password, password);
        QCOMPARE(again.url->toString(true), r.url->toString(true));
    }

    // A saved profile is its URL's canonical form: option values with '%', '&' or '=' must read back the same.
    void optionValuesSurviveTheCanonicalForm()
    {
        const auto r = ConnectionUrl::parse(QStringLiteral("rediss://h?ca=/etc/a%25b%26c%3Dd.pem&sni=x"));
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.url->caFile, QStringLiteral("/etc/a%b&c=d.pem"));
        const auto again = ConnectionUrl::parse(r.url->toString());
        QVERIFY2(again.ok(), qPrintable(again.error));
        QCOMPARE(again.url->caFile, r.url->caFile);
        QCOMPARE(again.url->sni, QStringLiteral("x"));
    }

    void passwordIsNeverShownUnlessAsked()
    {
        const auto r = ConnectionUrl::parse(QStringLiteral("rediss://admin:topsecret@h:6380/1"));
        QVERIFY(r.ok());
        QVERIFY(!r.url->toString().contains(QStringLiteral("topsecret")));
        QVERIFY(r.url->toString(true).contains(QStringLiteral("topsecret")));
        QVERIFY(!r.url->endpointLabel().contains(QStringLiteral("topsecret")));
    }

    void sentinelPasswordIsNeverShownUnlessAsked()
    {
        const auto r = ConnectionUrl::parse(QStringLiteral("redis-sentinel://:masterpw@s1/m?sentinel_password=sentinelpw"));
        QVERIFY(r.ok());
        for (const QString& shown : {r.url->toString(), r.url->endpointLabel()}) {
            QVERIFY2(!shown.contains(QStringLiteral("masterpw")), qPrintable(shown));
            QVERIFY2(!shown.contains(QStringLiteral("sentinelpw")), qPrintable(shown));
        }
        QVERIFY(r.url->toString(true).contains(QStringLiteral("sentinel_password=sentinelpw")));
    }
};

QTEST_APPLESS_MAIN(ConnectionUrlTest)
#include "tst_connectionurl.moc"
