// SecretResolver: the one way the GUI, cachelensctl and the simulator fill a connection's URL with its secrets.
// Registered twice in CTest: plain, without a session bus (the keychain cannot be read: the rows check the sentence
// said instead, and that it holds no secret), and under tests/support/with-keyring.sh with a real GNOME Keyring (the
// rows' stored secrets come back from it, or are not asked for).
#include "IsolatedEnvironment.h"

#include "connectors/profiles/SecretResolver.h"
#include "connectors/profiles/SecretStore.h"

#include <QTest>

using namespace cachelens;

namespace {

bool keychainExpected() { return qEnvironmentVariable("CACHELENS_EXPECT_KEYCHAIN") == QLatin1String("1"); }

std::optional<QString> given(const QString& s) { return s.isNull() ? std::nullopt : std::optional<QString>(s); }

const QString kNoKeychain = QStringLiteral("no system keychain is running (no Secret Service or KWallet on the session bus)");

} // namespace

class SecretResolverTest : public QObject
{
    Q_OBJECT
private:
    void writeSecret(const QString& key, const QString& secret)
    {
        std::optional<SecretStore::Result> written;
        SecretStore().write(key, secret, this, [&](const SecretStore::Result& r) { written = r; });
        QTRY_VERIFY_WITH_TIMEOUT(written.has_value(), 20000);
        if (keychainExpected())
            QVERIFY2(written->ok(), qPrintable(written->message));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("CacheLensTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_secretresolver"));
    }

    // `stored*`: what the keychain holds for the profile (written first where a keychain runs; null: nothing).
    // `*From`: where the resolved secret must come from — "given", "keychain" (empty where no keychain runs), or
    // "none". `problem`: the exact sentence where no keychain runs (empty: nothing said, so nothing was asked).
    void secretsComeFromTheSessionThenTheKeychain_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<int>("keychainSecrets");   // -1 unset (saved by the GUI, imported), 0 false, 1 true
        QTest::addColumn<QString>("givenPassword");
        QTest::addColumn<QString>("givenSentinel");
        QTest::addColumn<QString>("storedPassword");
        QTest::addColumn<QString>("storedSentinel");
        QTest::addColumn<bool>("asks");
        QTest::addColumn<QString>("passwordFrom");
        QTest::addColumn<QString>("sentinelFrom");
        QTest::addColumn<QString>("problem");

        const QString plain = QStringLiteral("redis://127.0.0.1:6390/0");
        const QString sentinel = QStringLiteral("redis-sentinel://127.0.0.1:26390/mymaster");
        const QString none;
        const QString readFailed = QStringLiteral("the password could not be read from the keychain: ") + kNoKeychain;
        // A stale entry under the id of a profile saved without a password: never read, nothing said.
        QTest::addRow("no password saved") << plain << 0 << none << none << QStringLiteral("stale-pw") << none << false
                                           << "none" << "none" << QString();
        QTest::addRow("session secret wins over the keychain")
            << plain << -1 << QStringLiteral("typed-pw") << none << QStringLiteral("stored-pw") << none << false
            << "given" << "none" << QString();
        QTest::addRow("keychain unavailable") << plain << -1 << none << none << QStringLiteral("stored-pw") << none
                                              << true << "keychain" << "none" << readFailed;
        QTest::addRow("sentinel secret") << sentinel << 1 << none << none << QStringLiteral("master-pw")
                                         << QStringLiteral("sentinel-pw") << true << "keychain" << "keychain"
                                         << readFailed;   // one sentence for both reads, not two alike
        QTest::addRow("sentinel secret while the master's was typed")
            << sentinel << -1 << QStringLiteral("typed-pw") << none << QStringLiteral("stored-pw")
            << QStringLiteral("sentinel-pw") << true << "given" << "keychain"
            << QStringLiteral("the sentinel password could not be read from the keychain: ") + kNoKeychain;
        QTest::addRow("both typed: no keychain asked")
            << sentinel << 1 << QStringLiteral("typed-pw") << QStringLiteral("typed-sentinel-pw")
            << QStringLiteral("stored-pw") << QStringLiteral("sentinel-pw") << false << "given" << "given" << QString();
    }

    void secretsComeFromTheSessionThenTheKeychain()
    {
        QFETCH(QString, url);
        QFETCH(int, keychainSecrets);
        QFETCH(QString, givenPassword);
        QFETCH(QString, givenSentinel);
        QFETCH(QString, storedPassword);
        QFETCH(QString, storedSentinel);
        QFETCH(bool, asks);
        QFETCH(QString, passwordFrom);
        QFETCH(QString, sentinelFrom);
        QFETCH(QString, problem);

        ConnectionProfile profile;
        profile.id = ConnectionProfile::newId();
        profile.name = QStringLiteral("resolved");
        profile.url = *ConnectionUrl::parse(url).url;
        if (keychainSecrets >= 0)
            profile.keychainSecrets = keychainSecrets == 1;
        if (!storedPassword.isNull())
            writeSecret(profile.id, storedPassword);
        if (!storedSentinel.isNull())
            writeSecret(ConnectionProfile::sentinelSecretKey(profile.id), storedSentinel);
        if (QTest::currentTestFailed())
            return;

        const SecretResolver::Given typed{given(givenPassword), given(givenSentinel)};
        QCOMPARE(SecretResolver::asksKeychain(profile, typed), asks);
        const auto expected = [](const QString& from, const QString& typedSecret, const QString& stored) {
            if (from == QLatin1String("given"))
                return typedSecret;
            if (from == QLatin1String("keychain") && keychainExpected())
                return stored;
            return QString();
        };

        // The GUI's asynchronous call and the CLI's blocking one are the same code: both must say the same.
        std::optional<SecretResolver::Resolved> async;
        SecretResolver::resolve(profile, typed, this, [&](const SecretResolver::Resolved& r) { async = r; });
        QTRY_VERIFY_WITH_TIMEOUT(async.has_value(), 20000);
        const SecretResolver::Resolved now = SecretResolver::resolveNow(profile, typed);
        for (const SecretResolver::Resolved& r : {*async, now}) {
            QCOMPARE(r.url.password, expected(passwordFrom, givenPassword, storedPassword));
            QCOMPARE(r.url.sentinelPassword, expected(sentinelFrom, givenSentinel, storedSentinel));
            QCOMPARE(r.url.host, profile.url.host);
            QCOMPARE(r.problem, keychainExpected() ? QString() : problem);
            for (const QString& secret : {givenPassword, givenSentinel, storedPassword, storedSentinel}) {
                if (!secret.isEmpty())
                    QVERIFY2(!r.problem.contains(secret), qPrintable(r.problem));
            }
        }
    }

    // An ad-hoc URL (a connection that is not saved) keeps the password it was typed with; no keychain is asked.
    void anUnsavedUrlKeepsItsOwnPassword()
    {
        ConnectionProfile adHoc;
        adHoc.url = *ConnectionUrl::parse(QStringLiteral("redis://:url-pw@127.0.0.1:6390")).url;
        QVERIFY(!SecretResolver::asksKeychain(adHoc));
        const auto r = SecretResolver::resolveNow(adHoc);
        QCOMPARE(r.url.password, QStringLiteral("url-pw"));
        QVERIFY2(r.problem.isEmpty(), qPrintable(r.problem));
    }
};

QTEST_MAIN(SecretResolverTest)
#include "tst_secretresolver.moc"
