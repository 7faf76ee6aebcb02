#include "IsolatedEnvironment.h"

#include "connectors/profiles/ProfileStore.h"
#include "connectors/profiles/SecretStore.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>

using namespace cachelens;

namespace {
ConnectionProfile profile(const QString& name, const QString& url, bool production = false)
{
    ConnectionProfile p;
    p.id = ConnectionProfile::newId();
    p.name = name;
    p.url = *ConnectionUrl::parse(url).url;
    p.production = production;
    return p;
}
} // namespace

class ProfilesTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("CacheLensTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_profiles"));
    }
    void init() { QSettings().clear(); }

    void savedProfilesComeBackInOrderWithTheirFlags()
    {
        ProfileStore store;
        QVERIFY(store.save(profile(QStringLiteral("prod eu"), QStringLiteral("rediss://cache.eu:6380/1?verify=no"), true)));
        QVERIFY(store.save(profile(QStringLiteral("staging"), QStringLiteral("redis://stage:6379"))));
        const auto all = ProfileStore().list();
        QCOMPARE(all.size(), 2);
        QCOMPARE(all.at(0).name, QStringLiteral("prod eu"));
        QVERIFY(all.at(0).production);
        QVERIFY(all.at(0).url.isTls());
        QVERIFY(!all.at(0).url.verifyPeer);
        QCOMPARE(all.at(0).url.db, 1);
        QCOMPARE(all.at(1).name, QStringLiteral("staging"));
        QVERIFY(!all.at(1).production);
    }

    void passwordsNeverReachTheSettingsFile()
    {
        ProfileStore store;
        QVERIFY(store.save(profile(QStringLiteral("p"), QStringLiteral("redis://admin:Sup3rSecret@h:6379"))));
        const QByteArray settingsText = test::settingsFileText();
        QVERIFY(!settingsText.isEmpty());
        QVERIFY(settingsText.contains("admin"));
        QVERIFY(!settingsText.contains("Sup3rSecret"));
        QVERIFY(store.list().first().url.password.isEmpty());
        QVERIFY(!store.exportJson().contains("Sup3rSecret"));
    }

    void sentinelPasswordsNeverReachTheSettingsFile()
    {
        ProfileStore store;
        QVERIFY(store.save(profile(QStringLiteral("s"), QStringLiteral("redis-sentinel://:M4sterPw@s1/m?sentinel_user=mon&sentinel_password=Sent1nelPw"))));
        const QByteArray settingsText = test::settingsFileText();
        QVERIFY(!settingsText.isEmpty());
        QVERIFY(settingsText.contains("sentinel_user=mon"));
        QVERIFY(!settingsText.contains("Sent1nelPw"));
        QVERIFY(!settingsText.contains("M4sterPw"));
        QVERIFY(store.list().first().url.sentinelPassword.isEmpty());
        QCOMPARE(store.list().first().url.sentinelUser, QStringLiteral("mon"));
        QVERIFY(!store.exportJson().contains("Sent1nelPw"));
        const auto report = store.importJson(QByteArray("{\"format\":\"cachelens-profiles\",\"version\":1,\"profiles\":[ "
                                                        "{\"name\":\"t\",\"url\":\"redis-sentinel://s1/m?sentinel_password=leaked\"}]}"));
        QCOMPARE(report.imported, 1);
        QCOMPARE(report.secretsDropped, 1);
        QVERIFY(store.find(QStringLiteral("t"))->url.sentinelPassword.isEmpty());
    }

    void namesAreUnique()
    {
        ProfileStore store;
        QVERIFY(store.save(profile(QStringLiteral("cache"), QStringLiteral("redis://a"))));
        QString error;
        QVERIFY(!store.save(profile(QStringLiteral("Cache"), QStringLiteral("redis://b")), &error));
        QVERIFY(error.contains(QStringLiteral("already exists")));
        QCOMPARE(store.list().size(), 1);
    }

    void namesWithControlCharactersAreRefused_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addRow("escape sequence") << QStringLiteral("prod\x1b[31m");
        QTest::addRow("newline") << QStringLiteral("prod\nstaging");
        QTest::addRow("tab") << QStringLiteral("prod\tcache");
        QTest::addRow("DEL") << QStringLiteral("prod\x7f");
        QTest::addRow("right-to-left override") << QStringLiteral("prod\u202Eelif");
        QTest::addRow("line separator") << QStringLiteral("prod\u2028cache");
    }

    void namesWithControlCharactersAreRefused()
    {
        QFETCH(QString, name);
        ProfileStore store;
        QString error;
        QVERIFY(!store.save(profile(name, QStringLiteral("redis://a")), &error));
        QVERIFY2(error.contains(QStringLiteral("control characters")), qPrintable(error));
        QVERIFY(store.list().isEmpty());
        QJsonObject entry{{QStringLiteral("name"), name}, {QStringLiteral("url"), QStringLiteral("redis://h:1")}};
        const QJsonObject doc{{QStringLiteral("format"), QStringLiteral("cachelens-profiles")},
                              {QStringLiteral("version"), 1},
                              {QStringLiteral("profiles"), QJsonArray{entry}}};
        const auto report = store.importJson(QJsonDocument(doc).toJson());
        QCOMPARE(report.imported, 0);
        QVERIFY2(report.summary().contains(QStringLiteral("control characters")), qPrintable(report.summary()));
        QVERIFY(store.list().isEmpty());
        // Names are still free text otherwise.
        QVERIFY(store.save(profile(QStringLiteral("prod — eu-west (cache) 🚀"), QStringLiteral("redis://a")), &error));
    }

    void duplicateGetsAFreeNameAndANewId()
    {
        ProfileStore store;
        const auto original = profile(QStringLiteral("cache"), QStringLiteral("redis://a:1/2"), true);
        QVERIFY(store.save(original));
        const auto copy1 = store.duplicate(original.id);
        const auto copy2 = store.duplicate(original.id);
        QVERIFY(copy1 && copy2);
        QCOMPARE(copy1->name, QStringLiteral("cache (copy)"));
        QCOMPARE(copy2->name, QStringLiteral("cache (copy) (2)"));
        QVERIFY(copy1->id != original.id);
        QVERIFY(copy1->production);
        QCOMPARE(copy1->url.toString(), original.url.toString());
        QCOMPARE(store.list().size(), 3);
        QVERIFY(store.remove(copy1->id));
        QVERIFY(!store.remove(copy1->id));
        QCOMPARE(store.list().size(), 2);
    }

    void exportThenImportRestoresEverythingButSecrets()
    {
        ProfileStore store;
        QVERIFY(store.save(profile(QStringLiteral("a"), QStringLiteral("redis://:pw@a:1"), true)));
        QVERIFY(store.save(profile(QStringLiteral("b"), QStringLiteral("unix:///run/r.sock?db=3"))));
        const QByteArray json = store.exportJson();
        const QJsonObject doc = QJsonDocument::fromJson(json).object();
        QCOMPARE(doc.value(QStringLiteral("format")).toString(), QStringLiteral("cachelens-profiles"));
        QCOMPARE(doc.value(QStringLiteral("profiles")).toArray().size(), 2);
        QSettings().clear();
        const auto report = store.importJson(json);
        QCOMPARE(report.imported, 2);
        QVERIFY(report.errors.isEmpty());
        const auto all = store.list();
        QCOMPARE(all.size(), 2);
        QVERIFY(all.at(0).production);
        QCOMPARE(all.at(1).url.socketPath, QStringLiteral("/run/r.sock"));
        // Importing the same file again replaces by id rather than duplicating.
        const auto again = store.importJson(json);
        QCOMPARE(again.replaced, 2);
        QCOMPARE(store.list().size(), 2);
    }

    void importRejectsBadDocumentsAndEntries_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("imported");
        QTest::addColumn<QString>("error");
        QTest::addRow("not JSON") << QByteArray("{nope") << 0 << QStringLiteral("not JSON");
        QTest::addRow("wrong format") << QByteArray("{\"format\":\"other\",\"profiles\":[]}") << 0
                                      << QStringLiteral("not a CacheLens profiles file");
        QTest::addRow("newer version") << QByteArray("{\"format\":\"cachelens-profiles\",\"version\":99,\"profiles\":[]}")
                                       << 0 << QStringLiteral("newer CacheLens");
        QTest::addRow("one bad URL among good") << QByteArray("{\"format\":\"cachelens-profiles\",\"version\":1,\"profiles\":[ {\"name\":\"ok\",\"url\":\"redis://h:1\"},{\"name\":\"bad\",\"url\":\"redis://h:99999\"}]}")
                                                << 1 << QStringLiteral("profile 'bad': bad url");
        QTest::addRow("nameless") << QByteArray("{\"format\":\"cachelens-profiles\",\"version\":1,\"profiles\":[{\"url\":\"redis://h\"}]}")
                                  << 0 << QStringLiteral("no name");
    }

    void importRejectsBadDocumentsAndEntries()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, imported);
        QFETCH(QString, error);
        const auto report = ProfileStore().importJson(json);
        QCOMPARE(report.imported, imported);
        QVERIFY2(report.summary().contains(error), qPrintable(report.summary()));
        QCOMPARE(ProfileStore().list().size(), imported);
    }

    void importDropsSecretsAndResolvesNameClashes()
    {
        ProfileStore store;
        QVERIFY(store.save(profile(QStringLiteral("cache"), QStringLiteral("redis://a"))));
        const auto report = store.importJson(QByteArray("{\"format\":\"cachelens-profiles\",\"version\":1,\"profiles\":[ {\"name\":\"cache\",\"url\":\"redis://u:leaked@b:1\"}]}"));
        QCOMPARE(report.imported, 1);
        QCOMPARE(report.renamed, 1);
        QCOMPARE(report.secretsDropped, 1);
        QVERIFY(report.summary().contains(QStringLiteral("keychain only")));
        QVERIFY(store.find(QStringLiteral("cache (2)")));
        QVERIFY(store.find(QStringLiteral("cache (2)"))->url.password.isEmpty());
    }

    // Registered twice in CTest: once plain (no session bus: there is no keychain) and once under
    // tests/support/with-keyring.sh (a real GNOME Keyring in a private D-Bus session).
    void secretsGoToTheKeychainOrAreRefusedClearly()
    {
        const bool keychainExpected = qEnvironmentVariable("CACHELENS_EXPECT_KEYCHAIN") == QLatin1String("1");
        SecretStore secrets(QStringLiteral("CacheLensTest"));
        const QString id = ConnectionProfile::newId();
        std::optional<SecretStore::Result> written, read, removed, readAfter;
        secrets.write(id, QStringLiteral("p@ss wörd"), this, [&](const SecretStore::Result& r) { written = r; });
        QTRY_VERIFY_WITH_TIMEOUT(written.has_value(), 20000);
        if (!keychainExpected) {
            QVERIFY2(written->status == SecretStore::Status::NoKeychain, qPrintable(written->message));
            QVERIFY(written->message.contains(QStringLiteral("password was not saved")));
            QVERIFY(written->message.contains(QStringLiteral("never stored in plain text")));
            return;
        }
        QVERIFY2(written->ok(), qPrintable(written->message));
        secrets.read(id, this, [&](const SecretStore::Result& r) { read = r; });
        QTRY_VERIFY_WITH_TIMEOUT(read.has_value(), 20000);
        QVERIFY2(read->ok(), qPrintable(read->message));
        QCOMPARE(read->secret, QStringLiteral("p@ss wörd"));
        secrets.remove(id, this, [&](const SecretStore::Result& r) { removed = r; });
        QTRY_VERIFY_WITH_TIMEOUT(removed.has_value(), 20000);
        QVERIFY(removed->ok());
        secrets.read(id, this, [&](const SecretStore::Result& r) { readAfter = r; });
        QTRY_VERIFY_WITH_TIMEOUT(readAfter.has_value(), 20000);
        QCOMPARE(int(readAfter->status), int(SecretStore::Status::NotFound));
    }
};

QTEST_GUILESS_MAIN(ProfilesTest)
#include "tst_profiles.moc"
