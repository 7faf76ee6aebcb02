// The Invalidate panel's snapshots, offscreen, over a real RedisSource on its own thread and a real redis-server: a
// purge with "Snapshot" ticked saves its keys and says so, "Snapshots…" lists the file, restores it into the
// connection (typed name on production, re-created keys skipped and counted, progress, the closing sentence, an
// audit row) and deletes it; read-only connections and the local engine disable snapshots with the reason.
#include "IsolatedEnvironment.h"

#include "RedisServer.h"
#include "connectors/LocalSource.h"
#include "connectors/RedisSource.h"
#include "ui/ConnectionListModel.h"
#include "ui/invalidate/AuditModel.h"
#include "ui/invalidate/AuditView.h"
#include "ui/invalidate/ConfirmPurgeDialog.h"
#include "ui/invalidate/InvalidatePanel.h"
#include "ui/invalidate/SnapshotListModel.h"
#include "ui/invalidate/SnapshotsDialog.h"

#include <cachelens/cache.h>

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace cachelens;
using namespace cachelens::ui;

class TestInvalidateSnapshots : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<test::RedisServer> m_server;
    QThread m_thread;
    RedisSource* m_source = nullptr;
    std::unique_ptr<InvalidatePanel> m_panel;

    ConnectionEntry redisEntry(bool production, bool readOnly)
    {
        ConnectionEntry e;
        e.id = QStringLiteral("r");
        e.name = QStringLiteral("redis test");
        e.production = production;
        e.readOnly = readOnly;
        return e;
    }
    qint64 dbsize() { return m_server->cli({QStringLiteral("DBSIZE")}).toLongLong(); }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<test::RedisServer>();
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        RedisSource::Options options;
        options.guard.auditPath = m_dir.filePath(QStringLiteral("audit.db"));   // the panel's Audit view follows it
        m_source = new RedisSource(QStringLiteral("r"), QStringLiteral("redis test"), *ConnectionUrl::parse(m_server->url()).url,
                                   options);
        m_source->moveToThread(&m_thread);
        connect(&m_thread, &QThread::finished, m_source, &QObject::deleteLater);
        m_thread.start();
        QSignalSpy states(m_source, &Source::stateChanged);
        QMetaObject::invokeMethod(m_source, &Source::open, Qt::QueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(!states.isEmpty() && states.constLast().at(0).value<ConnectionState>() == ConnectionState::Ready,
                                 10000);
        m_panel = std::make_unique<InvalidatePanel>();
        m_panel->setSnapshotDirectory(m_dir.filePath(QStringLiteral("snapshots")));
        m_panel->setConnection(redisEntry(true, false));
        m_panel->setSource(m_source);
        m_panel->show();
    }
    void cleanupTestCase()
    {
        m_panel.reset();
        QMetaObject::invokeMethod(m_source, &Source::close, Qt::QueuedConnection);
        m_thread.quit();
        m_thread.wait();
        m_server.reset();
    }

    void purgeWithSnapshotThenRestoreAndDeleteFromTheDialog()
    {
        m_server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("2000"), QStringLiteral("user")});
        QVERIFY(m_panel->snapshotCheck()->isEnabled());
        QVERIFY(!m_panel->snapshotCheck()->isChecked());   // optional: the user asks for it
        m_panel->snapshotCheck()->setChecked(true);
        QVERIFY(m_panel->snapshotLimitSpin()->isEnabled());
        QCOMPARE(m_panel->snapshotLimitSpin()->value(), 512);

        m_panel->patternEdit()->setText(QStringLiteral("user:*"));
        QTest::mouseClick(m_panel->dryRunButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->purgeButton()->isEnabled(), 10000);
        QTest::mouseClick(m_panel->purgeButton(), Qt::LeftButton);
        ConfirmPurgeDialog* confirm = m_panel->pendingConfirmation();
        QVERIFY(confirm && confirm->nameEdit());   // production
        QVERIFY2(confirm->text().contains(QStringLiteral("saved to a snapshot first")), qPrintable(confirm->text()));
        QTest::keyClicks(confirm->nameEdit(), QStringLiteral("redis test"));
        QTest::mouseClick(confirm->okButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->resultLabel()->text().contains(QStringLiteral("deleted 2,000 of 2,000 keys")), 20000);
        QVERIFY2(m_panel->resultLabel()->text().contains(QStringLiteral("2,000 keys saved in the snapshot")),
                 qPrintable(m_panel->resultLabel()->text()));
        QVERIFY(m_panel->resultLabel()->text().contains(QStringLiteral("Snapshots… can put them back")));
        QCOMPARE(dbsize(), 0);

        m_server->cli({QStringLiteral("SET"), QStringLiteral("user:5"), QStringLiteral("fresh")});
        QTest::mouseClick(m_panel->snapshotsButton(), Qt::LeftButton);
        SnapshotsDialog* dialog = m_panel->snapshotsDialog();
        QVERIFY(dialog && dialog->isVisible());
        QAbstractItemModelTester tester(dialog->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE(dialog->model()->rowCount(), 1);
        QCOMPARE(dialog->model()->index(0, SnapshotListModel::Keys).data().toString(), QStringLiteral("2,000"));
        QCOMPARE(dialog->model()->index(0, SnapshotListModel::Target).data().toString(), QStringLiteral("pattern user:*"));
        QCOMPARE(dialog->model()->index(0, SnapshotListModel::Connection).data().toString(), QStringLiteral("redis test"));
        QCOMPARE(dialog->model()->index(0, SnapshotListModel::State).data().toString(), QStringLiteral("complete"));
        dialog->view()->selectRow(0);
        QVERIFY(dialog->restoreButton()->isEnabled());

        // Read-only: restoring writes keys, so it is disabled and the dialog says why.
        m_panel->setConnection(redisEntry(true, true));
        QVERIFY(!dialog->restoreButton()->isEnabled());
        QVERIFY2(dialog->reasonLabel()->text().contains(QStringLiteral("read-only")), qPrintable(dialog->reasonLabel()->text()));
        m_panel->setConnection(redisEntry(true, false));
        QVERIFY(dialog->restoreButton()->isEnabled());

        QTest::mouseClick(dialog->restoreButton(), Qt::LeftButton);
        ConfirmPurgeDialog* ask = dialog->pendingConfirmation();
        QVERIFY(ask && ask->nameEdit());
        QCOMPARE(ask->okButton()->text(), QStringLiteral("Restore"));
        QVERIFY2(ask->text().contains(QStringLiteral("Restore the 2,000 keys")), qPrintable(ask->text()));
        QVERIFY(!ask->okButton()->isEnabled());
        QTest::keyClicks(ask->nameEdit(), QStringLiteral("redis test"));
        QTest::mouseClick(ask->okButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog->resultLabel()->text().contains(QStringLiteral("restored 1,999 of 2,000 keys")), 20000);
        QVERIFY2(dialog->resultLabel()->text().contains(QStringLiteral("skipped 1 re-created meanwhile")),
                 qPrintable(dialog->resultLabel()->text()));
        QCOMPARE(dbsize(), 2000);
        QCOMPARE(m_server->cli({QStringLiteral("GET"), QStringLiteral("user:5")}), QByteArray("fresh"));
        QTRY_VERIFY(dialog->model()->index(0, SnapshotListModel::State).data().toString().contains(QStringLiteral("1,999 restored")));
        QTRY_VERIFY(!m_panel->auditView()->model()->entries().isEmpty()
                    && m_panel->auditView()->model()->entries().first().action == QStringLiteral("restore snapshot"));

        const QString path = dialog->model()->snapshot(0).path;
        QVERIFY(QFile::exists(path));
        dialog->view()->selectRow(0);
        QTest::mouseClick(dialog->deleteButton(), Qt::LeftButton);
        QVERIFY(dialog->pendingConfirmation() && !dialog->pendingConfirmation()->nameEdit());   // a local file
        dialog->pendingConfirmation()->accept();
        QTRY_COMPARE(dialog->model()->rowCount(), 0);
        QVERIFY(!QFile::exists(path));
        dialog->close();
        m_panel->snapshotCheck()->setChecked(false);
    }

    void localEngineDisablesSnapshotsWithTheReason()
    {
        auto cache = std::make_shared<engine::Cache>();
        QThread thread;
        auto* local = new LocalSource(cache);
        local->moveToThread(&thread);
        connect(&thread, &QThread::finished, local, &QObject::deleteLater);
        thread.start();
        ConnectionEntry e;
        e.id = QStringLiteral("local");
        e.name = QStringLiteral("Local engine");
        e.local = true;
        m_panel->setConnection(e);
        m_panel->setSource(local);
        QVERIFY(!m_panel->snapshotCheck()->isEnabled());
        QVERIFY(!m_panel->snapshotCheck()->isChecked());
        QVERIFY2(m_panel->snapshotCheck()->toolTip().contains(QStringLiteral("Redis connections only")),
                 qPrintable(m_panel->snapshotCheck()->toolTip()));
        m_panel->showSnapshots();
        SnapshotsDialog* dialog = m_panel->snapshotsDialog();
        QVERIFY(!dialog->restoreButton()->isEnabled());
        QVERIFY2(dialog->reasonLabel()->text().contains(QStringLiteral("Snapshots are for Redis connections")),
                 qPrintable(dialog->reasonLabel()->text()));
        dialog->close();
        m_panel->setSource(m_source);
        m_panel->setConnection(redisEntry(true, false));
        QVERIFY(m_panel->snapshotCheck()->isEnabled());
        thread.quit();
        thread.wait();
    }
};

QTEST_MAIN(TestInvalidateSnapshots)
#include "tst_invalidate_snapshots.moc"
