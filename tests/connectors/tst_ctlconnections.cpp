#include "IsolatedEnvironment.h"
#include "RedisServer.h"

#include "connectors/ctl/Command.h"
#include "connectors/profiles/ProfileStore.h"
#include "connectors/profiles/SecretStore.h"

#include <QBuffer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace cachelens;

namespace {
struct Out {
    int code = -1;
    QString out, err;
};
Out runCtl(const QStringList& args, const QByteArray& input = {})
{
    QString out, err;
    QTextStream o(&out), e(&err);
    QByteArray in = input;
    QBuffer buffer(&in);
    buffer.open(QIODevice::ReadOnly);
    Out r;
    r.code = ctl::run(args, o, e, buffer);
    r.out = out;
    r.err = err;
    return r;
}
} // namespace

class CtlConnectionsTest : public QObject
{
    Q_OBJECT
private:
    test::RedisServer m_server;
    test::RedisServer m_protected{test::RedisServer::Options::requiringPassword(QStringLiteral("pw"))};

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("CacheLensTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_ctlconnections"));
        QVERIFY(m_server.start());
        QVERIFY(m_protected.start());
    }
    void init() { QSettings().clear(); }

    void addListPingByNameAndRemove()
    {
        Out r = runCtl({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("prod"), m_server.url(),
                     QStringLiteral("--production"), QStringLiteral("--read-only")});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.startsWith(QStringLiteral("saved prod")));
        r = runCtl({QStringLiteral("connections"), QStringLiteral("list")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains(QStringLiteral("prod\t") + m_server.url()), qPrintable(r.out));
        QVERIFY(r.out.contains(QStringLiteral("production,read-only")));
        r = runCtl({QStringLiteral("connections"), QStringLiteral("list"), QStringLiteral("--json")});
        const QJsonArray array = QJsonDocument::fromJson(r.out.toUtf8()).array();
        QCOMPARE(array.size(), 1);
        QVERIFY(array.first().toObject().value(QStringLiteral("production")).toBool());
        // Redis subcommands take a saved connection's name in place of a URL.
        r = runCtl({QStringLiteral("ping"), QStringLiteral("prod")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("PONG")), qPrintable(r.out + r.err));
        r = runCtl({QStringLiteral("connections"), QStringLiteral("remove"), QStringLiteral("prod")});
        QCOMPARE(r.code, 0);
        r = runCtl({QStringLiteral("connections"), QStringLiteral("list")});
        QVERIFY(r.out.contains(QStringLiteral("no saved connections")));
    }

    // Registered twice in CTest, like the sentinel test below. With a keychain the password goes there and the ping
    // by name authenticates; without one, `add` keeps nothing at all and says why and what to do instead (it used to
    // save the connection without its password and exit 0, leaving only a password on the command line). Either way
    // the settings file never holds the password.
    void aPasswordFromStdinGoesToTheKeychainOrNothingIsSaved()
    {
        const bool keychainExpected = qEnvironmentVariable("CACHELENS_EXPECT_KEYCHAIN") == QLatin1String("1");
        const Out r = runCtl({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("locked"),
                           m_protected.url(), QStringLiteral("--password-stdin")},
                          "pw\n");
        const QByteArray settingsText = test::settingsFileText();
        QVERIFY(!settingsText.isEmpty());
        QVERIFY(!settingsText.contains("pw\n"));
        const Out ping = runCtl({QStringLiteral("ping"), QStringLiteral("locked")});
        if (keychainExpected) {
            QCOMPARE(r.code, 0);
            QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
            QCOMPARE(ping.code, 0);
            QVERIFY2(ping.out.startsWith(QStringLiteral("PONG")), qPrintable(ping.out + ping.err));
            return;
        }
        QCOMPARE(r.code, 1);
        QVERIFY(r.out.isEmpty());
        for (const QString& part : {QStringLiteral("nothing was saved"), QStringLiteral("no system keychain is running"),
                                    QStringLiteral("CACHELENS_PASSWORD"), QStringLiteral("--password-stdin")})
            QVERIFY2(r.err.contains(part), qPrintable(r.err));
        QCOMPARE(r.err.trimmed().count(QLatin1Char('\n')), 0);
        QVERIFY(!ProfileStore().find(QStringLiteral("locked")));
        QVERIFY(runCtl({QStringLiteral("connections"), QStringLiteral("list")}).out.contains(QStringLiteral("no saved connections")));
        QVERIFY(ping.code != 0);   // not a saved connection (nor a URL)
    }

    // No password, no keychain needed: nothing about a keychain is said when saving, using or removing it (a
    // server without a Secret Service used to get a keychain warning on every command).
    void aConnectionWithoutPasswordNeverMentionsTheKeychain()
    {
        Out r = runCtl({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("open"), m_server.url()});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
        r = runCtl({QStringLiteral("ping"), QStringLiteral("open")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
        r = runCtl({QStringLiteral("scan"), QStringLiteral("open"), QStringLiteral("--count-only")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
        r = runCtl({QStringLiteral("connections"), QStringLiteral("remove"), QStringLiteral("open")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    }

    // Registered twice in CTest: plain (no keychain: both passwords are refused clearly, the sentinel's is then missing)
    // and under tests/support/with-keyring.sh (both come back from a real GNOME Keyring and the ping goes through).
    void aSavedSentinelConnectionKeepsItsSentinelPasswordInTheKeychain()
    {
        const bool keychainExpected = qEnvironmentVariable("CACHELENS_EXPECT_KEYCHAIN") == QLatin1String("1");
        test::RedisServer::Options so;
        so.sentinelConfig = {QStringLiteral("sentinel monitor mymaster 127.0.0.1 %1 1").arg(m_protected.port()),
                             QStringLiteral("sentinel auth-pass mymaster pw"), QStringLiteral("requirepass sentinel-pw")};
        test::RedisServer sentinel(so);
        QVERIFY2(sentinel.start(), qPrintable(sentinel.errorString()));
        const QString url = QStringLiteral("redis-sentinel://127.0.0.1:%1/mymaster").arg(sentinel.port());
        Out r = runCtl({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("behind sentinels"), url,
                        QStringLiteral("--password-stdin"), QStringLiteral("--sentinel-password-stdin")},
                       "pw\nsentinel-pw\n");
        const QByteArray settingsText = test::settingsFileText();
        QVERIFY(!settingsText.isEmpty());
        QVERIFY(!settingsText.contains("sentinel-pw"));
        if (!keychainExpected) {   // neither password can be kept: nothing is saved (see the test above)
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains(QStringLiteral("nothing was saved")), qPrintable(r.err));
            QVERIFY(!ProfileStore().find(QStringLiteral("behind sentinels")));
            return;
        }
        QCOMPARE(r.code, 0);
        QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
        r = runCtl({QStringLiteral("ping"), QStringLiteral("behind sentinels")});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith(QStringLiteral("PONG from 127.0.0.1:%1").arg(m_protected.port())), qPrintable(r.out + r.err));
        const QString id = ProfileStore().find(QStringLiteral("behind sentinels"))->id;
        QCOMPARE(runCtl({QStringLiteral("connections"), QStringLiteral("remove"), QStringLiteral("behind sentinels")}).code, 0);
        if (keychainExpected) {   // removing the connection removes both secrets
            SecretStore secrets;
            std::optional<SecretStore::Result> left;
            secrets.read(ConnectionProfile::sentinelSecretKey(id), this, [&](const SecretStore::Result& x) { left = x; });
            QTRY_VERIFY_WITH_TIMEOUT(left.has_value(), 20000);
            QCOMPARE(int(left->status), int(SecretStore::Status::NotFound));
        }
    }

    void exportImportRoundTrip()
    {
        QCOMPARE(runCtl({QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("a"), QStringLiteral("redis://h:1/2")}).code, 0);
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("c.json"));
        QCOMPARE(runCtl({QStringLiteral("connections"), QStringLiteral("export"), file}).code, 0);
        QSettings().clear();
        const Out r = runCtl({QStringLiteral("connections"), QStringLiteral("import"), file});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains(QStringLiteral("imported 1 profile")));
        QVERIFY(runCtl({QStringLiteral("connections"), QStringLiteral("list")}).out.contains(QStringLiteral("redis://h:1/2")));
    }

    void misuse_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("no action") << QStringList{QStringLiteral("connections")} << QStringLiteral("missing action");
        QTest::addRow("bad action") << QStringList{QStringLiteral("connections"), QStringLiteral("frob")} << QStringLiteral("unknown action");
        QTest::addRow("add without url") << QStringList{QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("x")}
                                         << QStringLiteral("add expects NAME URL");
        QTest::addRow("add bad url") << QStringList{QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("x"), QStringLiteral("redis://h:0")}
                                     << QStringLiteral("out of range");
        QTest::addRow("name with an escape sequence")
            << QStringList{QStringLiteral("connections"), QStringLiteral("add"), QStringLiteral("prod\x1b]0;owned\x07"), QStringLiteral("redis://h:1")}
            << QStringLiteral("cannot contain control characters");
        QTest::addRow("remove unknown") << QStringList{QStringLiteral("connections"), QStringLiteral("remove"), QStringLiteral("ghost")}
                                        << QStringLiteral("no saved connection named 'ghost'");
    }

    void misuse()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Out r = runCtl(args);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(message), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(CtlConnectionsTest)
#include "tst_ctlconnections.moc"
