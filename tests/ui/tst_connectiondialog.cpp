// The connection dialog: it validates what is typed, warns about unverified TLS, tests the connection against a
// real server, asks for a sentinel password only for sentinel URLs and keeps a saved password unless it is changed.
#include "IsolatedEnvironment.h"
#include "RedisServer.h"

#include "ui/ConnectionDialog.h"

#include <QCheckBox>
#include <QLineEdit>
#include <QSettings>
#include <QTest>

using namespace cachelens;
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

class ConnectionDialogTest : public QObject
{
    Q_OBJECT
private:
    test::RedisServer m_server;

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("CacheLensTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_connectiondialog"));
        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
    }
    void init() { QSettings().clear(); }

    void dialogValidatesWarnsAndTests()
    {
        ConnectionDialog dialog(std::nullopt);
        auto* name = dialog.findChild<QLineEdit*>(QStringLiteral("name"));
        auto* url = dialog.findChild<QLineEdit*>(QStringLiteral("url"));
        QVERIFY(name && url);
        QVERIFY(dialog.validationMessage().contains(QStringLiteral("name")));
        name->setText(QStringLiteral("local redis"));
        url->setText(QStringLiteral("redis://127.0.0.1:99999"));
        QVERIFY(dialog.validationMessage().contains(QStringLiteral("out of range")));
        url->setText(QStringLiteral("rediss://cache:6380?verify=no"));
        QVERIFY(dialog.validationMessage().isEmpty());
        QVERIFY(dialog.tlsWarningVisible());
        url->setText(m_server.url());
        QVERIFY(!dialog.tlsWarningVisible());
        dialog.runTest();
        QTRY_VERIFY2_WITH_TIMEOUT(dialog.testMessage().contains(QStringLiteral("PONG in")),
                                  qPrintable(dialog.testMessage()), 10000);
        const ConnectionProfile p = dialog.profile();
        QCOMPARE(p.name, QStringLiteral("local redis"));
        QCOMPARE(p.url.port, m_server.port());
        QVERIFY(dialog.password().has_value());   // new profile: the (empty) field is the password
    }

    void dialogAsksForTheSentinelPasswordOnlyForSentinelUrls()
    {
        test::RedisServer::Options so;
        so.sentinelConfig = {QStringLiteral("sentinel monitor mymaster 127.0.0.1 %1 1").arg(m_server.port()),
                             QStringLiteral("requirepass sentinel-pw")};
        test::RedisServer sentinel(so);
        QVERIFY2(sentinel.start(), qPrintable(sentinel.errorString()));
        ConnectionDialog dialog(std::nullopt);
        auto* url = dialog.findChild<QLineEdit*>(QStringLiteral("url"));
        auto* field = dialog.findChild<QLineEdit*>(QStringLiteral("sentinelPassword"));
        QVERIFY(url && field);
        dialog.findChild<QLineEdit*>(QStringLiteral("name"))->setText(QStringLiteral("s"));
        QVERIFY(field->isHidden());
        url->setText(QStringLiteral("redis-sentinel://127.0.0.1:%1/mymaster").arg(sentinel.port()));
        QVERIFY(!field->isHidden());
        QVERIFY(dialog.findChild<QCheckBox*>(QStringLiteral("clearSentinelPassword"))->isHidden());   // new profile
        dialog.runTest();
        QTRY_VERIFY2_WITH_TIMEOUT(dialog.testMessage().contains(QStringLiteral("requires a password: add sentinel_password")),
                                  qPrintable(dialog.testMessage()), 10000);
        field->setText(QStringLiteral("sentinel-pw"));
        QCOMPARE(dialog.sentinelPassword().value(), QStringLiteral("sentinel-pw"));
        dialog.runTest();
        QTRY_VERIFY2_WITH_TIMEOUT(dialog.testMessage().contains(QStringLiteral("PONG in")), qPrintable(dialog.testMessage()), 10000);
        // Typed in the URL instead: taken from there, and never part of the saved profile.
        field->clear();
        url->setText(url->text() + QStringLiteral("?sentinel_password=from-url"));
        QCOMPARE(dialog.sentinelPassword().value(), QStringLiteral("from-url"));
        QVERIFY(dialog.profile().url.sentinelPassword.isEmpty());
        // Editing: an empty field keeps the saved one; the checkbox forgets it; another scheme forgets it.
        ConnectionDialog edit(makeProfile(QStringLiteral("s"), QStringLiteral("redis-sentinel://h/m")));
        QVERIFY(!edit.sentinelPassword().has_value());
        edit.findChild<QCheckBox*>(QStringLiteral("clearSentinelPassword"))->setChecked(true);
        QCOMPARE(edit.sentinelPassword().value(), QString());
        ConnectionDialog plain(makeProfile(QStringLiteral("p"), QStringLiteral("redis://h")));
        QCOMPARE(plain.sentinelPassword().value(), QString());
    }

    void editingKeepsThePasswordUnlessChanged()
    {
        auto p = makeProfile(QStringLiteral("x"), QStringLiteral("redis://app:@h:1"));
        ConnectionDialog dialog(p);
        QCOMPARE(dialog.findChild<QLineEdit*>(QStringLiteral("user"))->text(), QStringLiteral("app"));
        QVERIFY(!dialog.password().has_value());
        dialog.findChild<QLineEdit*>(QStringLiteral("password"))->setText(QStringLiteral("new"));
        QCOMPARE(dialog.password().value(), QStringLiteral("new"));
        dialog.findChild<QCheckBox*>(QStringLiteral("clearPassword"))->setChecked(true);
        QCOMPARE(dialog.password().value(), QString());
        QCOMPARE(dialog.profile().id, p.id);
        QCOMPARE(dialog.profile().url.user, QStringLiteral("app"));
    }
};

QTEST_MAIN(ConnectionDialogTest)
#include "tst_connectiondialog.moc"
