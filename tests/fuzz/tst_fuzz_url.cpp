// ConnectionUrl::parse on mutated URLs of every scheme: never crashes; a rejection is a sentence that points inside
// the input; an accepted URL prints (toString) to a URL that parses back to the same URL.
#include "Fuzz.h"

#include "connectors/ConnectionUrl.h"

#include <QTest>

using namespace cachelens;
using namespace cachelens::test::fuzz;

namespace {

const QList<QByteArray> kCorpus{
    "redis://localhost:6379",
    "redis://127.0.0.1",
    "redis://cache.example.com:6380/2?timeout=1500",
    "redis://:secret@host:6379/0",
    "redis://app:p%40ss%3Aword@host/3",
    "redis://secret@host",
    "redis://[::1]:6379/1",
    "redis://[fe80::1%25eth0]:7000",
    "rediss://user:pw@tls.example.com:6380/0?ca=/etc/ca.pem&cert=/c.pem&key=/k.pem&sni=name&verify=no",
    "rediss://h?verify=yes",
    "unix:///run/redis/redis.sock?db=4",
    "unix://user:pw@/tmp/r.sock",
    "redis-sentinel://s1:26379,s2:26380,[::1]/mymaster/2",
    "redis-sentinel://:pw@s1/mymaster?sentinel_password=sp&sentinel_user=su",
    "redis-sentinel://a,b,c/m?sentinel_password=p%26q",
    "  REDIS://Host:1/  ",
};

const QList<QByteArray> kTokens{"://", "redis", "rediss", "unix", "redis-sentinel", "@", ":", "::", "/", "//", "?", "&",
                                "=", "[", "]", ",", "%", "%4", "%zz", "%00", "%25", "db=", "timeout=", "ca=", "cert=",
                                "key=", "sni=", "verify=", "sentinel_password=", "sentinel_user=", "sentinel_username=",
                                " ", "\t", "\n", "\xc3\xa9", "\xff", "\xe2\x80", "0", "65535", "99999", "-1"};

bool sameUrl(const ConnectionUrl& a, const ConnectionUrl& b)
{
    return a.toString(true) == b.toString(true) && a.scheme == b.scheme && a.host == b.host && a.port == b.port
           && a.socketPath == b.socketPath && a.sentinels == b.sentinels && a.masterName == b.masterName && a.db == b.db
           && a.user == b.user && a.password == b.password && a.sentinelUser == b.sentinelUser
           && a.sentinelPassword == b.sentinelPassword && a.timeoutMs == b.timeoutMs && a.caFile == b.caFile
           && a.certFile == b.certFile && a.keyFile == b.keyFile && a.sni == b.sni && a.verifyPeer == b.verifyPeer;
}

void check(const QString& text)
{
    const ConnectionUrl::ParseResult r = ConnectionUrl::parse(text);
    if (!r.ok()) {
        QVERIFY2(isSentence(r.error), qPrintable(r.error));
        QVERIFY2(r.errorColumn >= 0 && r.errorColumn <= text.size(),
                 qPrintable(QStringLiteral("column %1 of %2").arg(r.errorColumn).arg(text.size())));
        QVERIFY(r.pointedError().contains(r.error));
        return;
    }
    const ConnectionUrl& url = *r.url;
    QVERIFY(!url.endpointLabel().isEmpty());
    const QString printed = url.toString(true);
    const ConnectionUrl::ParseResult again = ConnectionUrl::parse(printed);
    QVERIFY2(again.ok(), qPrintable(printed + QStringLiteral(" → ") + again.error));
    QVERIFY2(sameUrl(url, *again.url), qPrintable(printed + QStringLiteral(" → ") + again.url->toString(true)));
    QVERIFY(ConnectionUrl::parse(url.toString()).ok());   // the masked form is a URL too
}

} // namespace

class FuzzUrl : public QObject
{
    Q_OBJECT
private slots:
    void mutatedUrlsParseOrAreRefusedWithASentence()
    {
        const Mutator mutator(kCorpus, kTokens, 512);
        run("url", [&](Rng& rng, QByteArray& input) {
            input = mutator.next(rng);
            check(QString::fromUtf8(input));
        });
    }

    // Inputs the random cases found, kept as they were minimised.
    void regressions_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addRow("empty") << QByteArray();
        QTest::addRow("scheme only") << QByteArray("redis://");
        QTest::addRow("bracket in a host") << QByteArray("redis://:3ecret@host:%25eth0]:7000");
        QTest::addRow("placeholder and NUL in a zone") << QByteArray("redis://[fe80::1%2\0" "5eth0]:7000", 30);
        QTest::addRow("encoded percent in a CA path") << QByteArray("rediss://user:pw@tls.example.com:6380/0?ca=/%25etc65535/ca.pem");
        QTest::addRow("master name of blanks") << QByteArray("redis-sentinel://a,b,c:1,b,c:1/  /  ");
    }
    void regressions()
    {
        QFETCH(QByteArray, input);
        check(QString::fromUtf8(input));
    }
};

QTEST_APPLESS_MAIN(FuzzUrl)
#include "tst_fuzz_url.moc"
