#include "IsolatedEnvironment.h"
#include "RedisServer.h"

#include "app/cachelens/ConnectionManager.h"
#include "connectors/Source.h"
#include "ui/ConnectionListModel.h"

#include <QAbstractItemModelTester>
#include <QSettings>
#include <QSignalSpy>
#include <QTest>

using namespace cachelens;
using namespace cachelens::app;
using namespace cachelens::ui;

namespace {
ConnectionProfile makeProfile(const QString& name, const QString& url)
{
    ConnectionProfile p;
    p.id = ConnectionProfile::newId();
    p.name = name;
    p.url = *ConnectionUrl::parse(url).url;
    return p;
}
} // namespace

class ConnectionManagerTest : public QObject
{
    Q_OBJECT
private:
    test::RedisServer m_server;
    test::RedisServer m_protected{test::RedisServer::Options::requiringPassword(QStringLiteral("s3cret"))};

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("CacheLensTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_connectionmanager"));
        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
        QVERIFY2(m_protected.start(), qPrintable(m_protected.errorString()));
    }
    void init() { QSettings().clear(); }

    void savedProfilesAppearAfterTheLocalEngineAndSurviveARestart()
    {
        {
            ConnectionListModel model;
            QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
            ConnectionManager manager(&model);
            auto prod = makeProfile(QStringLiteral("prod"), m_server.url());
            prod.production = true;
            prod.readOnly = true;
            QVERIFY(manager.saveProfile(prod, std::nullopt));
            QVERIFY(manager.saveProfile(makeProfile(QStringLiteral("stage"), m_server.url()), std::nullopt));
            QCOMPARE(model.rowCount(), 3);
        }
        ConnectionListModel model;
        ConnectionManager manager(&model);
        manager.loadProfiles();
        QCOMPARE(model.rowCount(), 3);
        QVERIFY(model.entry(0).local);
        QCOMPARE(model.entry(1).name, QStringLiteral("prod"));
        QVERIFY(model.entry(1).production);
        QVERIFY(model.entry(1).readOnly);
        QVERIFY(model.entry(1).saved);
        QCOMPARE(model.entry(2).name, QStringLiteral("stage"));
    }

    void activatingOpensTheSourceAndTheModelFollowsItsState()
    {
        ConnectionListModel model;
        ConnectionManager manager(&model);
        QSignalSpy ready(&manager, &ConnectionManager::sourceReady);
        const int row = manager.openAdHoc(*ConnectionUrl::parse(m_server.url()).url);
        manager.activate(row);
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 5000);
        QVERIFY(manager.source(model.entry(row).id));
        QTRY_COMPARE_WITH_TIMEOUT(model.entry(row).state, ConnectionState::Ready, 10000);
        manager.activate(row);   // already open: nothing new
        QCOMPARE(ready.count(), 1);
    }

    void aPasswordTypedThisSessionIsUsedEvenWithoutAKeychain()
    {
        ConnectionListModel model;
        ConnectionManager manager(&model);
        QSignalSpy notices(&manager, &ConnectionManager::notice);
        auto p = makeProfile(QStringLiteral("protected"), m_protected.url());
        QVERIFY(manager.saveProfile(p, QStringLiteral("s3cret")));
        const int row = model.rowOf(p.id);
        manager.activate(row);
        QTRY_COMPARE_WITH_TIMEOUT(model.entry(row).state, ConnectionState::Ready, 10000);
        // The test runs without a session bus: the user is told the password was not kept.
        QTRY_VERIFY_WITH_TIMEOUT(!notices.isEmpty(), 10000);
        QVERIFY2(notices.first().first().toString().contains(QStringLiteral("not saved")),
                 qPrintable(notices.first().first().toString()));
        const QByteArray settingsText = test::settingsFileText();
        QVERIFY(!settingsText.isEmpty());
        QVERIFY(!settingsText.contains("s3cret"));
    }

    // A profile saved without a password has nothing in the keychain, so opening it in a later session asks none and
    // says nothing about one; a profile saved with a password still asks, and here (no session bus, so no keychain)
    // says it could not read it.
    void aConnectionSavedWithoutAPasswordOpensWithoutAKeychainNotice()
    {
        const auto plain = makeProfile(QStringLiteral("plain"), m_server.url());
        const auto secret = makeProfile(QStringLiteral("secret"), m_protected.url());
        {
            ConnectionListModel model;
            ConnectionManager manager(&model);
            QVERIFY(manager.saveProfile(plain, std::nullopt));
            QVERIFY(manager.saveProfile(secret, QStringLiteral("s3cret")));
        }
        ConnectionListModel model;
        ConnectionManager manager(&model);
        manager.loadProfiles();
        QSignalSpy notices(&manager, &ConnectionManager::notice);
        const int plainRow = model.rowOf(plain.id);
        manager.activate(plainRow);
        QTRY_COMPARE_WITH_TIMEOUT(model.entry(plainRow).state, ConnectionState::Ready, 10000);
        QVERIFY2(notices.isEmpty(), qPrintable(notices.value(0).value(0).toString()));

        manager.activate(model.rowOf(secret.id));
        QTRY_VERIFY_WITH_TIMEOUT(!notices.isEmpty(), 10000);
        QVERIFY2(notices.first().first().toString().startsWith(QStringLiteral("secret: ")),
                 qPrintable(notices.first().first().toString()));
    }

    // A sentinel with its own requirepass in front of the password-protected master. No keychain here: the passwords
    // typed this session are used (tst_ctlconnections_keyring covers the keychain round trip).
    void savedSentinelConnectionsUseTheirSentinelPassword()
    {
        test::RedisServer::Options so;
        so.sentinelConfig = {QStringLiteral("sentinel monitor mymaster 127.0.0.1 %1 1").arg(m_protected.port()),
                             QStringLiteral("sentinel auth-pass mymaster s3cret"), QStringLiteral("requirepass sentinel-pw")};
        test::RedisServer sentinel(so);
        QVERIFY2(sentinel.start(), qPrintable(sentinel.errorString()));
        const QString url = QStringLiteral("redis-sentinel://127.0.0.1:%1/mymaster").arg(sentinel.port());
        ConnectionListModel model;
        ConnectionManager manager(&model);
        auto with = makeProfile(QStringLiteral("with"), url);
        QVERIFY(manager.saveProfile(with, QStringLiteral("s3cret"), nullptr, QStringLiteral("sentinel-pw")));
        auto without = makeProfile(QStringLiteral("without"), url);
        QVERIFY(manager.saveProfile(without, QStringLiteral("s3cret")));
        const auto copy = manager.duplicateProfile(with.id);   // copies both secrets
        QVERIFY(copy);
        for (const QString& id : {with.id, without.id, copy->id})
            manager.activate(model.rowOf(id));
        QTRY_COMPARE_WITH_TIMEOUT(model.entry(model.rowOf(with.id)).state, ConnectionState::Ready, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(model.entry(model.rowOf(copy->id)).state, ConnectionState::Ready, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(model.entry(model.rowOf(without.id)).state, ConnectionState::Failed, 10000);
        const QString detail = model.entry(model.rowOf(without.id)).stateDetail;
        QVERIFY2(detail.contains(QStringLiteral("sentinel 127.0.0.1:%1 requires a password and refused the master's").arg(sentinel.port())),
                 qPrintable(detail));
        const QByteArray settingsText = test::settingsFileText();
        QVERIFY(!settingsText.isEmpty());
        QVERIFY(!settingsText.contains("sentinel-pw"));
        for (int row = 0; row < model.rowCount(); ++row)
            QVERIFY(!model.data(model.index(row), ConnectionListModel::UrlRole).toString().contains(QStringLiteral("sentinel-pw")));
    }

    void aWrongPasswordFailsWithTheReason()
    {
        ConnectionListModel model;
        ConnectionManager manager(&model);
        const int row = manager.openAdHoc(
            *ConnectionUrl::parse(QStringLiteral("redis://:nope@127.0.0.1:%1").arg(m_protected.port())).url);
        manager.activate(row);
        QTRY_COMPARE_WITH_TIMEOUT(model.entry(row).state, ConnectionState::Failed, 10000);
        QVERIFY2(model.entry(row).stateDetail.contains(QStringLiteral("pass"), Qt::CaseInsensitive),
                 qPrintable(model.entry(row).stateDetail));
    }

    void editingAnOpenProfileReconnectsToTheNewAddress()
    {
        ConnectionListModel model;
        ConnectionManager manager(&model);
        auto p = makeProfile(QStringLiteral("moving"), QStringLiteral("redis://127.0.0.1:%1").arg(test::RedisServer::freePort()));
        QVERIFY(manager.saveProfile(p, std::nullopt));
        const int row = model.rowOf(p.id);
        manager.activate(row);
        QTRY_VERIFY_WITH_TIMEOUT(model.entry(row).state == ConnectionState::Reconnecting
                                     || model.entry(row).state == ConnectionState::Failed, 10000);
        p.url = *ConnectionUrl::parse(m_server.url()).url;
        QVERIFY(manager.saveProfile(p, std::nullopt));
        QTRY_COMPARE_WITH_TIMEOUT(model.entry(row).state, ConnectionState::Ready, 10000);
    }

    void removeAndDuplicate()
    {
        ConnectionListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        ConnectionManager manager(&model);
        auto p = makeProfile(QStringLiteral("cache"), m_server.url());
        QVERIFY(manager.saveProfile(p, std::nullopt));
        const auto copy = manager.duplicateProfile(p.id);
        QVERIFY(copy);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.entry(2).name, QStringLiteral("cache (copy)"));
        manager.activate(1);
        QTRY_VERIFY_WITH_TIMEOUT(manager.source(p.id), 5000);
        QSignalSpy gone(&manager, &ConnectionManager::sourceReady);
        QVERIFY(manager.removeProfile(p.id));
        QCOMPARE(gone.count(), 1);
        QCOMPARE(gone.first().at(1).value<Source*>(), nullptr);
        QVERIFY(!manager.source(p.id));
        QCOMPARE(model.rowCount(), 2);
        QVERIFY(!manager.removeProfile(QStringLiteral("local")));
        ConnectionListModel reloaded;
        ConnectionManager again(&reloaded);
        again.loadProfiles();
        QCOMPARE(reloaded.rowCount(), 2);
    }
};

QTEST_MAIN(ConnectionManagerTest)
#include "tst_connectionmanager.moc"
