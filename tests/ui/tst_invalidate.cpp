// The Invalidate panel offscreen, over a real LocalSource on its own thread: live glob validation, dry run with
// forecast and sample, confirmation (typed name on production), read-only connections, progress and cancel, tags,
// and the Audit view (filter, CSV export) reading the audit.db the purges wrote.
#include "IsolatedEnvironment.h"

#include "RedisServer.h"
#include "connectors/LocalSource.h"
#include "connectors/RedisSource.h"
#include "ui/ConnectionListModel.h"
#include "ui/invalidate/AuditModel.h"
#include "ui/invalidate/AuditView.h"
#include "ui/invalidate/ConfirmPurgeDialog.h"
#include "ui/invalidate/InvalidatePanel.h"
#include "ui/invalidate/TagListModel.h"
#include "ui/invalidate/TagPage.h"

#include <cachelens/cache.h>

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace cachelens;
using namespace cachelens::ui;

class TestInvalidate : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    std::shared_ptr<engine::Cache> m_cache;
    QThread m_thread;
    LocalSource* m_source = nullptr;
    std::unique_ptr<InvalidatePanel> m_panel;

    ConnectionEntry entry(bool production, bool readOnly)
    {
        ConnectionEntry e;
        e.id = QStringLiteral("local");
        e.name = QStringLiteral("Local engine");
        e.local = true;
        e.production = production;
        e.readOnly = readOnly;
        return e;
    }
    void fill(const std::string& prefix, int n, std::vector<std::string> tags = {})
    {
        engine::SetOptions o;
        o.tags = std::move(tags);
        for (int i = 0; i < n; ++i)
            m_cache->set(prefix + std::to_string(i), "value-value", o);
    }
    void dryRun(const QString& pattern)
    {
        m_panel->patternEdit()->setText(pattern);
        QVERIFY(m_panel->dryRunButton()->isEnabled());
        QTest::mouseClick(m_panel->dryRunButton(), Qt::LeftButton);
        QTRY_VERIFY(m_panel->purgeButton()->isEnabled());
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_cache = std::make_shared<engine::Cache>();
        m_source = new LocalSource(m_cache, GuardPolicy{QStringLiteral("Local engine"), false, false,
                                                         m_dir.filePath(QStringLiteral("audit.db"))});
        m_source->moveToThread(&m_thread);
        connect(&m_thread, &QThread::finished, m_source, &QObject::deleteLater);
        m_thread.start();
        QMetaObject::invokeMethod(m_source, &Source::open, Qt::QueuedConnection);
        m_panel = std::make_unique<InvalidatePanel>();
        m_panel->setConnection(entry(false, false));
        m_panel->setSource(m_source);
        m_panel->show();
    }
    void cleanupTestCase()
    {
        m_panel.reset();
        m_thread.quit();
        m_thread.wait();
    }

    void invalidGlobIsExplainedAndBlocksActions_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("says");
        QTest::addRow("unterminated class") << QStringLiteral("user:[ab") << QStringLiteral("never closed");
        QTest::addRow("trailing backslash") << QStringLiteral("user:\\") << QStringLiteral("backslash");
        QTest::addRow("range up to bracket") << QStringLiteral("a[b-]") << QStringLiteral("range");
    }
    void invalidGlobIsExplainedAndBlocksActions()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, says);
        m_panel->patternEdit()->setText(pattern);
        QVERIFY(m_panel->validationLabel()->isVisible());
        QVERIFY2(m_panel->validationLabel()->text().contains(says), qPrintable(m_panel->validationLabel()->text()));
        QVERIFY(!m_panel->dryRunButton()->isEnabled());
        QVERIFY(!m_panel->purgeButton()->isEnabled());
        m_panel->patternEdit()->setText(QStringLiteral("user:*"));
        QVERIFY(!m_panel->validationLabel()->isVisible());
        QVERIFY(m_panel->dryRunButton()->isEnabled());
    }

    void dryRunForecastsThenConfirmedPurgeDeletes()
    {
        fill("user:", 3000);
        fill("other:", 1000);
        QVERIFY(!m_panel->purgeButton()->isEnabled());   // a dry run comes first
        dryRun(QStringLiteral("user:*"));
        const QString forecast = m_panel->forecastLabel()->text();
        QVERIFY2(forecast.contains(QStringLiteral("3,000 keys match")), qPrintable(forecast));
        QVERIFY2(forecast.contains(QStringLiteral("75.0%")), qPrintable(forecast));
        QCOMPARE(m_panel->sampleList()->count(), 20);
        QVERIFY(m_panel->sampleList()->item(0)->text().startsWith(QStringLiteral("user:")));
        QCOMPARE(m_cache->stats().entries, 4000u);

        QTest::mouseClick(m_panel->purgeButton(), Qt::LeftButton);
        ConfirmPurgeDialog* dialog = m_panel->pendingConfirmation();
        QVERIFY(dialog);
        QVERIFY(dialog->text().contains(QStringLiteral("3,000")));
        QVERIFY(!dialog->nameEdit());   // not production: no typed name
        dialog->accept();
        QTRY_VERIFY2(m_panel->resultLabel()->text().contains(QStringLiteral("deleted 3,000 of 3,000 keys")),
                     qPrintable(m_panel->resultLabel()->text()));
        QCOMPARE(m_cache->stats().entries, 1000u);
        QVERIFY(!m_panel->purgeButton()->isEnabled());   // the count is stale now
    }

    void productionNeedsTheTypedName()
    {
        m_panel->setConnection(entry(true, false));
        dryRun(QStringLiteral("other:*"));
        QTest::mouseClick(m_panel->purgeButton(), Qt::LeftButton);
        ConfirmPurgeDialog* dialog = m_panel->pendingConfirmation();
        QVERIFY(dialog && dialog->nameEdit());
        QVERIFY(!dialog->okButton()->isEnabled());
        QTest::keyClicks(dialog->nameEdit(), QStringLiteral("Local"));
        QVERIFY(!dialog->okButton()->isEnabled());
        QTest::keyClicks(dialog->nameEdit(), QStringLiteral(" engine"));
        QVERIFY(dialog->okButton()->isEnabled());
        QTest::mouseClick(dialog->okButton(), Qt::LeftButton);
        QTRY_VERIFY(m_panel->resultLabel()->text().contains(QStringLiteral("deleted 1,000 of 1,000 keys")));
        QCOMPARE(m_cache->stats().entries, 0u);
        m_panel->setConnection(entry(false, false));
    }

    void readOnlyDisablesPurgeAndSaysWhy()
    {
        fill("ro:", 10);
        m_panel->setConnection(entry(false, true));
        m_panel->patternEdit()->setText(QStringLiteral("ro:*"));
        QTest::mouseClick(m_panel->dryRunButton(), Qt::LeftButton);   // counting is allowed
        QTRY_VERIFY(m_panel->forecastLabel()->text().contains(QStringLiteral("10 keys match")));
        QVERIFY(!m_panel->purgeButton()->isEnabled());
        QVERIFY(m_panel->reasonLabel()->isVisible());
        QVERIFY(m_panel->reasonLabel()->text().contains(QStringLiteral("read-only")));
        m_panel->setConnection(entry(false, false));
        QVERIFY(m_panel->purgeButton()->isEnabled());
    }

    void throttledPurgeShowsRateAndCancelsWithExactCount()
    {
        fill("slow:", 20000);
        m_panel->rateSpin()->setValue(5000);
        dryRun(QStringLiteral("slow:*"));
        QTest::mouseClick(m_panel->purgeButton(), Qt::LeftButton);
        m_panel->pendingConfirmation()->accept();
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->progressLabel()->text().contains(QStringLiteral("keys/s")), 10000);
        QVERIFY(m_panel->progressLabel()->text().contains(QStringLiteral("ETA")));
        QVERIFY(m_panel->cancelButton()->isEnabled());
        QTest::mouseClick(m_panel->cancelButton(), Qt::LeftButton);
        QTRY_VERIFY(m_panel->resultLabel()->text().contains(QStringLiteral("cancelled")));
        const std::size_t left = m_cache->stats().entries - 10;   // the ro: keys stay
        QVERIFY(left > 0 && left < 20000);
        QVERIFY2(m_panel->resultLabel()->text().contains(QLocale().toString(qulonglong(20000 - left))),
                 qPrintable(m_panel->resultLabel()->text()));
        m_panel->rateSpin()->setValue(0);
    }

    void tagsAreListedWithCountsDryRunThenInvalidated()
    {
        fill("item:", 50, {"catalog"});
        fill("promo:", 5, {"catalog", "promo"});
        TagPage* page = m_panel->tagPage();
        QAbstractItemModelTester tester(page->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!page->prefixEdit()->isEnabled());   // the engine's tags carry no key prefix
        QTest::mouseClick(page->listButton(), Qt::LeftButton);
        QTRY_COMPARE(page->model()->rowCount(), 2);
        QCOMPARE(page->model()->index(0, TagListModel::Name).data().toString(), QStringLiteral("catalog"));
        QCOMPARE(page->model()->index(0, TagListModel::Members).data().toString(), QStringLiteral("55"));
        QCOMPARE(page->model()->index(1, TagListModel::Members).data().toString(), QStringLiteral("5"));
        QVERIFY(!page->dryRunButton()->isEnabled());   // nothing checked yet
        page->model()->setChecked(0, true);
        QVERIFY(page->dryRunButton()->isEnabled());
        QVERIFY(!page->invalidateButton()->isEnabled());   // a dry run comes first
        QTest::mouseClick(page->dryRunButton(), Qt::LeftButton);
        QTRY_VERIFY(page->invalidateButton()->isEnabled());
        QVERIFY2(page->resultLabel()->text().contains(QStringLiteral("55 keys match")), qPrintable(page->resultLabel()->text()));
        QCOMPARE(m_cache->tagCounts().at("catalog"), 55u);   // a dry run deletes nothing
        const auto entries = m_cache->stats().entries;
        QTest::mouseClick(page->invalidateButton(), Qt::LeftButton);
        QVERIFY(page->pendingConfirmation());
        QVERIFY(page->pendingConfirmation()->text().contains(QStringLiteral("55 keys tagged catalog")));
        page->pendingConfirmation()->accept();
        QTRY_VERIFY2(page->resultLabel()->text().contains(QStringLiteral("deleted 55 of 55 keys")),
                     qPrintable(page->resultLabel()->text()));
        QCOMPARE(m_cache->stats().entries, entries - 55);
        QVERIFY(m_cache->tagCounts().empty());
        QTRY_COMPARE(page->model()->rowCount(), 0);   // listed again after the run
        QVERIFY(page->resultLabel()->text().contains(QStringLiteral("deleted 55 of 55 keys")));   // the report stays
    }

    void tagPageIsDisabledOnReadOnlyConnectionsWithTheReason()
    {
        fill("ro:", 3, {"ro"});
        TagPage* page = m_panel->tagPage();
        m_panel->setConnection(entry(false, true));
        QTest::mouseClick(page->listButton(), Qt::LeftButton);
        QTRY_COMPARE(page->model()->rowCount(), 1);
        page->model()->setChecked(0, true);
        QTest::mouseClick(page->dryRunButton(), Qt::LeftButton);   // counting is allowed
        QTRY_VERIFY(page->resultLabel()->text().contains(QStringLiteral("3 keys match")));
        QVERIFY(!page->invalidateButton()->isEnabled());
        QVERIFY(page->reasonLabel()->text().contains(QStringLiteral("read-only")));
        m_panel->setConnection(entry(false, false));
        QVERIFY(page->invalidateButton()->isEnabled());
        QTest::mouseClick(page->invalidateButton(), Qt::LeftButton);
        page->pendingConfirmation()->accept();
        QTRY_VERIFY(page->resultLabel()->text().contains(QStringLiteral("deleted 3 of 3 keys")));
    }

    void auditViewListsFiltersAndExports()
    {
        AuditView* view = m_panel->auditView();
        QAbstractItemModelTester tester(view->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        view->reload();
        QTRY_COMPARE(view->model()->rowCount(), 5);   // user:*, other:*, slow:* (cancelled), two tag runs; dry runs are not audited
        QCOMPARE(view->model()->entries().first().action, QStringLiteral("invalidate tag"));
        QCOMPARE(view->model()->index(0, AuditModel::Connection).data().toString(), QStringLiteral("Local engine"));
        view->filterEdit()->setText(QStringLiteral("cancelled"));
        QTRY_COMPARE(view->model()->rowCount(), 1);
        QCOMPARE(view->model()->entries().first().target, QStringLiteral("slow:*"));
        const QString csv = m_dir.filePath(QStringLiteral("audit.csv"));
        view->exportTo(csv);
        QTRY_VERIFY(view->statusText().contains(QStringLiteral("Exported 1")));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QVERIFY(lines.first().startsWith("time,user,host,connection,action,target,matched,deleted,outcome"));
        QVERIFY(lines.at(1).contains(",slow:*,"));
    }

    void interruptedPurgeResumesAfterTheServerIsBack()
    {
        // Every write reaches the append-only file before its reply, so what the server did survives its death.
        test::RedisServer::Options so;
        so.extraArgs = {QStringLiteral("--appendonly"), QStringLiteral("yes"), QStringLiteral("--appendfsync"),
                        QStringLiteral("always")};
        test::RedisServer server(so);
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        constexpr int kKeys = 20000;
        server.cli({QStringLiteral("EVAL"), QStringLiteral("for i = 1, tonumber(ARGV[1]) do redis.call('SET', 'user:' .. i, 'v') end"),
                    QStringLiteral("0"), QString::number(kKeys)});
        RedisSource::Options options;
        options.client.reconnectInitialMs = 50;
        options.client.reconnectMaxMs = 200;
        QThread thread;
        auto* source = new RedisSource(QStringLiteral("r"), QStringLiteral("redis test"),
                                       *ConnectionUrl::parse(server.url()).url, options);
        source->moveToThread(&thread);
        connect(&thread, &QThread::finished, source, &QObject::deleteLater);
        thread.start();
        QSignalSpy states(source, &Source::stateChanged);
        QMetaObject::invokeMethod(source, &Source::open, Qt::QueuedConnection);
        QTRY_VERIFY_WITH_TIMEOUT(!states.isEmpty() && states.constLast().at(0).value<ConnectionState>() == ConnectionState::Ready,
                                 10000);
        ConnectionEntry e = entry(false, false);
        e.id = QStringLiteral("r");
        e.name = QStringLiteral("redis test");
        e.local = false;
        m_panel->setConnection(e);
        m_panel->setSource(source);
        QVERIFY(!m_panel->resumeButton()->isVisible());

        dryRun(QStringLiteral("user:*"));
        QVERIFY2(m_panel->forecastLabel()->text().contains(QStringLiteral("20,000 keys match")),
                 qPrintable(m_panel->forecastLabel()->text()));
        m_panel->rateSpin()->setValue(5000);   // 4 s in all: the kill comes long before the end
        QTest::mouseClick(m_panel->purgeButton(), Qt::LeftButton);
        m_panel->pendingConfirmation()->accept();
        QTRY_VERIFY_WITH_TIMEOUT(server.cli({QStringLiteral("DBSIZE")}).toLongLong() <= kKeys - 3000, 20000);
        server.kill();
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->resumeButton()->isVisible(), 20000);
        QVERIFY2(m_panel->resultLabel()->text().contains(QStringLiteral("interrupted")), qPrintable(m_panel->resultLabel()->text()));
        const auto m = QRegularExpression(QStringLiteral("deleted ([0-9,]+) of")).match(m_panel->resultLabel()->text());
        QVERIFY(m.hasMatch());
        const qint64 deleted1 = QLocale().toLongLong(m.captured(1));

        // While the server is away, nothing can be started; the panel says it waits for the connection.
        QTRY_VERIFY_WITH_TIMEOUT(states.constLast().at(0).value<ConnectionState>() != ConnectionState::Ready, 10000);
        QTRY_VERIFY(!m_panel->resumeButton()->isEnabled());
        QVERIFY2(m_panel->reasonLabel()->text().contains(QStringLiteral("waits for the connection")),
                 qPrintable(m_panel->reasonLabel()->text()));

        QVERIFY2(server.restart(), qPrintable(server.errorString()));   // same port, same data directory
        const qint64 left = server.cli({QStringLiteral("DBSIZE")}).toLongLong();
        QVERIFY(left > 0 && deleted1 + left <= kKeys);
        QTRY_VERIFY_WITH_TIMEOUT(states.constLast().at(0).value<ConnectionState>() == ConnectionState::Ready &&
                                     m_panel->resumeButton()->isEnabled(),
                                 10000);
        QTest::mouseClick(m_panel->resumeButton(), Qt::LeftButton);
        QVERIFY(m_panel->pendingConfirmation());
        m_panel->pendingConfirmation()->accept();
        QTRY_VERIFY_WITH_TIMEOUT(m_panel->resultLabel()->text().contains(QStringLiteral("resumed after an interruption")), 30000);
        const QString total = QLocale().toString(deleted1 + left);
        QVERIFY2(m_panel->resultLabel()->text().contains(QStringLiteral("deleted %1 of %1 keys").arg(total)),
                 qPrintable(m_panel->resultLabel()->text()));
        QCOMPARE(server.cli({QStringLiteral("DBSIZE")}).toLongLong(), 0);
        QVERIFY(!m_panel->resumeButton()->isVisible());

        m_panel->rateSpin()->setValue(0);
        m_panel->setSource(m_source);
        m_panel->setConnection(entry(false, false));
        QMetaObject::invokeMethod(source, &Source::close, Qt::QueuedConnection);
        thread.quit();
        thread.wait();
    }

    void openPatternFromTheKeysPanelRunsADryRun()
    {
        fill("ns:", 7);
        m_panel->openPattern(QStringLiteral("local"), "ns:*");
        QCOMPARE(m_panel->patternEdit()->text(), QStringLiteral("ns:*"));
        QTRY_VERIFY(m_panel->forecastLabel()->text().contains(QStringLiteral("7 keys match")));
    }
};

QTEST_MAIN(TestInvalidate)
#include "tst_invalidate.moc"
