#include "RedisServer.h"

#include "connectors/ConnectionTester.h"

#include <QSignalSpy>
#include <QTest>

using namespace cachelens;

class ConnectionTesterTest : public QObject
{
    Q_OBJECT
private:
    test::RedisServer m_plain;
    test::RedisServer m_protected{test::RedisServer::Options::requiringPassword(QStringLiteral("right"))};

    static ConnectionUrl url(const QString& text)
    {
        const auto parsed = ConnectionUrl::parse(text);
        if (!parsed.ok())
            qFatal("bad test URL %s", qPrintable(text));
        return *parsed.url;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_plain.start(), qPrintable(m_plain.errorString()));
        QVERIFY2(m_protected.start(), qPrintable(m_protected.errorString()));
    }

    void reportsLatencyAndVersion()
    {
        ConnectionTester tester;
        QSignalSpy spy(&tester, &ConnectionTester::finished);
        tester.test(url(m_plain.url()));
        QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 10000);
        const auto r = spy.first().first().value<ConnectionTester::Result>();
        QVERIFY2(r.ok, qPrintable(r.message));
        QVERIFY(r.latencyMs > 0);
        QVERIFY(r.version.startsWith(QLatin1Char('7')) || r.version.startsWith(QLatin1Char('6')));
        QCOMPARE(r.mode, QStringLiteral("standalone"));
        QVERIFY2(r.message.startsWith(QStringLiteral("PONG in ")) && r.message.contains(QStringLiteral("Redis ")),
                 qPrintable(r.message));
    }

    void failuresSayWhy_data()
    {
        QTest::addColumn<QString>("which");
        QTest::addColumn<QString>("expect");
        QTest::addRow("wrong password") << QStringLiteral("wrongpass") << QStringLiteral("pass");
        QTest::addRow("no password") << QStringLiteral("nopass") << QStringLiteral("auth");
        QTest::addRow("nothing listens") << QStringLiteral("refused") << QStringLiteral("refused");
    }

    void failuresSayWhy()
    {
        QFETCH(QString, which);
        QFETCH(QString, expect);
        QString target;
        if (which == QLatin1String("wrongpass"))
            target = QStringLiteral("redis://:wrong@127.0.0.1:%1").arg(m_protected.port());
        else if (which == QLatin1String("nopass"))
            target = m_protected.url();
        else
            target = QStringLiteral("redis://127.0.0.1:%1").arg(test::RedisServer::freePort());
        ConnectionTester tester;
        QSignalSpy spy(&tester, &ConnectionTester::finished);
        tester.test(url(target), 3000);
        QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 10000);
        const auto r = spy.first().first().value<ConnectionTester::Result>();
        QVERIFY(!r.ok);
        QVERIFY2(r.message.contains(expect, Qt::CaseInsensitive), qPrintable(r.message));
    }

    void aNewerTestSupersedesAnOlderOne()
    {
        ConnectionTester tester;
        QSignalSpy spy(&tester, &ConnectionTester::finished);
        tester.test(url(m_protected.url()));
        const quint64 second = tester.test(url(m_plain.url()));
        QTRY_COMPARE_WITH_TIMEOUT(spy.count(), 1, 10000);
        const auto r = spy.first().first().value<ConnectionTester::Result>();
        QCOMPARE(r.requestId, second);
        QTest::qWait(200);   // the superseded test's answer, if it comes, is dropped: still one result
        QCOMPARE(spy.count(), 1);
        QVERIFY(r.ok);
    }
};

QTEST_GUILESS_MAIN(ConnectionTesterTest)
#include "tst_connectiontester.moc"
