// KeysPanel offscreen against a real redis-server: scan into the namespace tree, filter, select a key and read its
// value, edit its TTL through the dialog, delete with confirmation (typed name on production, disabled when
// read-only), and a binary key that survives the round trip byte for byte.
#include "IsolatedEnvironment.h"

#include "AuditRows.h"

#include "KeysPanelSupport.h"
#include "RedisServer.h"
#include "RedisSourceOnThread.h"
#include "WarningGuard.h"
#include "connectors/DemoWorkload.h"
#include "connectors/RedisSource.h"
#include "connectors/SourceHost.h"
#include "connectors/invalidate/GlobCheck.h"
#include "connectors/support/Units.h"
#include <cachelens/cache.h>
#include "ui/keys/MemoryView.h"
#include "ui/keys/DeleteConfirmDialog.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/KeysPanel.h"
#include "ui/keys/TtlDialog.h"
#include "ui/keys/ValuePageModel.h"
#include "ui/keys/ValueViewer.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStandardItemModel>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTest>
#include <QThread>
#include <QTreeView>

#include <memory>

using namespace cachelens;
using namespace cachelens::ui;
using cachelens::test::RedisServer;
using SourceOnThread = cachelens::test::RedisSourceOnThread;
using cachelens::test::WarningGuard;

namespace {

ConnectionEntry entry(const QString& name, bool production = false, bool readOnly = false)
{
    return test::connectionEntry(name, production, readOnly);
}
using test::childNamed;
void select(KeysPanel& panel, const QModelIndex& index) { test::selectRow(panel, index); }

// Lua keeps arbitrary bytes: redis-cli arguments cannot carry a NUL.
const char* kBinaryKeyLua = "return string.char(98,105,110,58,255,0,10,42)";   // "bin:\xff\x00\n*"
const QByteArray kBinaryKey("bin:\xff\x00\n*", 8);

} // namespace

class TestKeysPanel : public QObject
{
    Q_OBJECT
    std::unique_ptr<RedisServer> m_server;
    std::unique_ptr<SourceOnThread> m_redis;

    void populate()
    {
        m_server->cli({QStringLiteral("FLUSHALL")});
        m_server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("300"),
                       QStringLiteral("character:published")});
        m_server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("20"),
                       QStringLiteral("room_messages")});
        for (int g = 0; g < 3; ++g)
            for (int u = 0; u < 4; ++u)
                m_server->cli({QStringLiteral("SET"), QStringLiteral("discord:guildMember:%1:%2").arg(g).arg(u),
                               QStringLiteral("{\"roles\":[1,2],\"nick\":\"u%1\"}").arg(u)});
        m_server->cli({QStringLiteral("HSET"), QStringLiteral("profile:1"), QStringLiteral("name"), QStringLiteral("Ada"),
                       QStringLiteral("lang"), QStringLiteral("en")});
        m_server->cli({QStringLiteral("RPUSH"), QStringLiteral("queue:jobs"), QStringLiteral("a"), QStringLiteral("b"),
                       QStringLiteral("c")});
        m_server->cli({QStringLiteral("EVAL"), QStringLiteral("redis.call('SET', %1, 'binary\\255value')").arg(QString::fromLatin1(kBinaryKeyLua).mid(7)),
                       QStringLiteral("0")});
    }

    // The server's keyspace_hits and keyspace_misses (redis-cli's INFO counts neither).
    std::pair<qint64, qint64> lookups() const
    {
        const QByteArray info = m_server->cli({QStringLiteral("INFO"), QStringLiteral("stats")});
        const auto field = [&](const QByteArray& name) {
            const qsizetype at = info.indexOf(name + ':');
            return info.mid(at + name.size() + 1, info.indexOf('\r', at) - at - name.size() - 1).toLongLong();
        };
        return {field("keyspace_hits"), field("keyspace_misses")};
    }

    std::unique_ptr<KeysPanel> scannedPanel(const ConnectionEntry& e)
    {
        auto panel = std::make_unique<KeysPanel>();
        panel->resize(1200, 800);
        panel->show();
        panel->setConnection(e);
        QSignalSpy done(panel.get(), &KeysPanel::scanDone);
        panel->setSource(m_redis->source);
        if (!QTest::qWaitFor([&] { return !done.isEmpty(); }, 15000))
            return nullptr;
        return panel;
    }

private Q_SLOTS:
    void initTestCase()
    {
        RedisServer::Options options;
        options.extraArgs = {QStringLiteral("--enable-debug-command"), QStringLiteral("local")};   // DEBUG POPULATE (Redis 7)
        m_server = std::make_unique<RedisServer>(options);
        QVERIFY2(m_server->start(), qPrintable(m_server->errorString()));
        m_redis = std::make_unique<SourceOnThread>(QStringLiteral("redis-keys"), m_server->url());
        QVERIFY(m_redis->open());
    }
    void cleanupTestCase()
    {
        m_redis.reset();
        m_server.reset();
    }
    void init() { populate(); }

    void scanBuildsTheNamespaceTree()
    {
        WarningGuard guard;
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        QAbstractItemModelTester tester(panel->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        KeyTreeModel& model = *panel->model();
        QCOMPARE(model.loadedKeys(), 335u);
        const QModelIndex character = childNamed(model, {}, QStringLiteral("character"));
        QVERIFY(character.isValid());
        QCOMPARE(model.keyCountAt(character), 300u);
        QVERIFY(panel->statusText().contains(QStringLiteral("335")));
        // Expanding asks the server for types, TTLs and sizes.
        const QModelIndex discord = childNamed(model, {}, QStringLiteral("discord"));
        panel->view()->expand(discord);   // rows are fetched on the next event-loop turn
        QTRY_COMPARE(model.rowCount(discord), 1);
        const QModelIndex member = childNamed(model, discord, QStringLiteral("guildMember"));
        panel->view()->expand(member);
        QTRY_COMPARE(model.rowCount(member), 3);
        const QModelIndex guild = childNamed(model, member, QStringLiteral("1"));
        QSignalSpy details(panel.get(), &KeysPanel::detailsApplied);
        panel->view()->expand(guild);
        QTRY_COMPARE(model.rowCount(guild), 4);
        QTRY_VERIFY(!details.isEmpty());
        const QModelIndex leaf = model.index(0, 0, guild);
        QTRY_COMPARE(leaf.siblingAtColumn(KeyTreeModel::TypeColumn).data().toString(), QStringLiteral("string"));
        QCOMPARE(leaf.siblingAtColumn(KeyTreeModel::TtlColumn).data().toString(), QStringLiteral("no expiry"));
        QVERIFY(model.data(leaf, KeyTreeModel::MemoryRole).toLongLong() > 0);
        QVERIFY(guard.warnings().isEmpty());
    }

    void serverGlobAndClientFilters()
    {
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        QSignalSpy rebuilt(panel->model(), &KeyTreeModel::rebuildFinished);
        panel->setClientFilter(QStringLiteral("GUILDMEMBER:2"));
        QTRY_COMPARE(rebuilt.size(), 1);
        QCOMPARE(panel->model()->visibleKeys(), 4u);
        QVERIFY(panel->progressText().contains(QStringLiteral("4 match")));
        panel->setClientFilter(QString());
        QTRY_COMPARE(rebuilt.size(), 2);
        // Type filter: the panel asks for the types of every loaded key in the background.
        panel->setTypeFilter(KeyType::Hash);
        QTRY_COMPARE_WITH_TIMEOUT(panel->model()->visibleKeys(), 1u, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(panel->model()->unknownTypeCount(), 0u, 10000);
        QCOMPARE(panel->model()->visibleKeys(), 1u);
        panel->setTypeFilter(KeyType::Unknown);
        // MATCH on the server.
        QSignalSpy done(panel.get(), &KeysPanel::scanDone);
        panel->setServerGlob(QStringLiteral("room_messages:*"));
        panel->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 15000);
        QCOMPARE(panel->model()->loadedKeys(), 20u);
    }

    // The MATCH field refuses a glob Redis would read otherwise than typed (here: an unclosed class, which matches
    // nothing), with the same sentence as the Invalidate panel and cachelensctl, and keeps the tree it shows.
    void aBadServerGlobIsRefusedAndTheTreeStays()
    {
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        QCOMPARE(panel->model()->loadedKeys(), 335u);
        QSignalSpy started(panel.get(), &KeysPanel::scanStarted);
        panel->setServerGlob(QStringLiteral("character:["));
        panel->refresh();
        QCOMPARE(started.size(), 0);
        QVERIFY2(panel->statusText().contains(globProblem(QByteArrayLiteral("character:["))), qPrintable(panel->statusText()));
        QCOMPARE(panel->model()->loadedKeys(), 335u);
    }

    void aTypeFilterOverManyKeysSaysItsCostFirst()
    {
        // Filtering by type reads the type of every loaded key: past a screenful, the panel says what that costs
        // the server before it sends anything, and leaves the filter as it was when told no.
        m_server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("5000"), QStringLiteral("bulk")});
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        QTRY_VERIFY(!panel->isFetchingDetails());
        const auto before = lookups();
        panel->setTypeFilter(KeyType::Hash);
        QDialog* question = panel->pendingConfirmation();
        QVERIFY(question);
        const QString cost = question->findChild<QLabel*>(QStringLiteral("readCost"))->text();
        QVERIFY2(cost.contains(QStringLiteral("It reads 5,335 keys: 16,005 commands, about 10,670 keyspace hits on the server")),
                 qPrintable(cost));
        question->reject();
        QCOMPARE(panel->model()->filterType(), KeyType::Unknown);
        QCOMPARE(panel->findChild<QComboBox*>(QStringLiteral("typeFilter"))->currentData().toInt(), int(KeyType::Unknown));
        QCOMPARE(panel->statusText(), QStringLiteral("The type filter was left as it was."));
        QVERIFY(!panel->isFetchingDetails());
        QCOMPARE(lookups(), before);

        panel->setTypeFilter(KeyType::Hash);
        panel->pendingConfirmation()->accept();
        QCOMPARE(panel->model()->filterType(), KeyType::Hash);
        QTRY_COMPARE_WITH_TIMEOUT(panel->model()->unknownTypeCount(), 0u, 15000);
        QCOMPARE(panel->model()->visibleKeys(), 1u);   // profile:1
    }

    void aFlatKeyspaceListsAPageAndMoreAsYouScroll()
    {
        // 25,000 keys without a separator: the root shows a page of them (the view would otherwise lay out every
        // row again per batch), the next pages as the view scrolls to the end, and each shown key gets its details.
        m_server->cli({QStringLiteral("EVAL"),
                       QStringLiteral("for i = 0, 24999 do redis.call('SET', string.format('k%05d', i), 'v') end"),
                       QStringLiteral("0")});
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        KeyTreeModel& model = *panel->model();   // (tst_keytreemodel runs the paging under QAbstractItemModelTester)
        const int page = int(KeyTreeModel::kPageRows);
        const int rows = 25000 + 6;   // and bin, character, discord, profile, queue, room_messages
        QCOMPARE(model.rowCount(), page);
        QCOMPARE(model.hiddenRowCount(), quint64(rows - page));
        const QLocale locale;
        QVERIFY2(panel->progressText().contains(QStringLiteral("the first %1 of %2 top-level rows").arg(locale.toString(page), locale.toString(rows))),
                 qPrintable(panel->progressText()));
        QCOMPARE(model.index(5, 0).data().toString(), QStringLiteral("room_messages"));   // namespaces first
        QCOMPARE(model.index(6, 0).data().toString(), QStringLiteral("k00000"));
        QTRY_COMPARE_WITH_TIMEOUT(model.index(6, KeyTreeModel::TypeColumn).data().toString(), QStringLiteral("string"), 20000);
        QCOMPARE(model.index(6, KeyTreeModel::TtlColumn).data().toString(), QStringLiteral("no expiry"));
        panel->view()->scrollToBottom();
        QTRY_COMPARE(model.rowCount(), 2 * page);
        QCOMPARE(model.index(2 * page - 1, 0).data().toString(), QStringLiteral("k%1").arg(2 * page - 7, 5, 10, QLatin1Char('0')));
        panel->view()->scrollToBottom();
        QTRY_COMPARE(model.rowCount(), rows);   // the last page is a short one
        QCOMPARE(model.hiddenRowCount(), 0u);
        QVERIFY(!panel->progressText().contains(QStringLiteral("top-level rows")));
        // A key far down is selected by lookup (the rankings do this) without scrolling there first.
        panel->refresh();
        QSignalSpy done(panel.get(), &KeysPanel::scanDone);
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 15000);
        QCOMPARE(model.rowCount(), page);
        QSignalSpy loaded(panel->viewer(), &ValueViewer::loaded);
        panel->showKey("k24000", KeyType::String);
        QCOMPARE(panel->view()->currentIndex().data().toString(), QStringLiteral("k24000"));
        QTRY_COMPARE(loaded.size(), 1);
    }

    void openingAKeyInABigNamespaceLooksUpOnlyTheRowsOnScreen()
    {
        // `cachelens --connect URL --key bar:ns3:13` in a namespace of 100,000 keys: looking costs the server's
        // statistics no more than the rows on screen (TYPE and PTTL of each are keyspace lookups), not the 10,000
        // rows of each page brought into the tree.
        m_server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("100000"), QStringLiteral("bar:ns3")});
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        QTRY_VERIFY(!panel->isFetchingDetails());
        const auto before = lookups();
        QSignalSpy loaded(panel->viewer(), &ValueViewer::loaded);
        panel->openKey("bar:ns3:13");
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->model()->isSorting(), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->isFetchingDetails(), 15000);
        // The rows on screen have their details …
        QTreeView* view = panel->view();
        const QModelIndex middle = view->indexAt(QPoint(10, view->viewport()->height() / 2));
        QVERIFY(panel->model()->keyAt(middle).startsWith("bar:ns3:"));
        QTRY_COMPARE(middle.siblingAtColumn(KeyTreeModel::TypeColumn).data().toString(), QStringLiteral("string"));
        // … and that is all that was looked up.
        const auto after = lookups();
        QVERIFY2(after.first - before.first <= 500, qPrintable(QString::number(after.first - before.first)));
        QVERIFY2(after.second - before.second <= 10, qPrintable(QString::number(after.second - before.second)));
    }

    void anOpenedKeyIsSelectedAndOnScreenOnceItsNamespaceIsInOrder()
    {
        // `cachelens --key bar:ns3:13` in a namespace of 100,000 keys: the namespace is sorted in slices after its
        // rows were built and the key first scrolled to; once in order, the key is still the one selected, and on
        // screen where it now is (not row 13's old place among unsorted rows).
        m_server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("100000"), QStringLiteral("bar:ns3")});
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        QSignalSpy loaded(panel->viewer(), &ValueViewer::loaded);
        panel->openKey("bar:ns3:13");
        QVERIFY(panel->model()->isSorting());
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!panel->model()->isSorting(), 30000);
        QTreeView* view = panel->view();
        const QModelIndex current = view->currentIndex();
        QCOMPARE(panel->model()->keyAt(current), QByteArray("bar:ns3:13"));
        QCOMPARE(current.row(), 13);   // natural order: bar:ns3:0 … bar:ns3:13
        QVERIFY(view->selectionModel()->isRowSelected(current.row(), current.parent()));
        QTRY_VERIFY2(view->viewport()->rect().contains(view->visualRect(current)),
                     qPrintable(QStringLiteral("row %1 is at y %2, the view shows rows from %3")
                                    .arg(current.row())
                                    .arg(view->visualRect(current).top())
                                    .arg(view->indexAt(QPoint(0, 0)).row())));
        QTRY_COMPARE(current.siblingAtColumn(KeyTreeModel::TypeColumn).data().toString(), QStringLiteral("string"));
        QCOMPARE(panel->viewer()->key(), QByteArray("bar:ns3:13"));
    }

    void cancelStopsTheScanAndSaysSo()
    {
        m_server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("300000"), QStringLiteral("bulk")});
        KeysPanel panel;
        panel.show();
        panel.setConnection(entry(QStringLiteral("test")));
        QSignalSpy done(&panel, &KeysPanel::scanDone);
        panel.setSource(m_redis->source);
        QTRY_VERIFY_WITH_TIMEOUT(panel.model()->loadedKeys() > 0 || !done.isEmpty(), 15000);
        panel.cancelScan();
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 15000);
        if (done.at(0).at(1).toBool()) {   // the scan may have finished before the cancel arrived
            QVERIFY(panel.statusText().startsWith(QStringLiteral("Scan cancelled after")));
            QVERIFY(panel.model()->loadedKeys() < 300335u);
        }
        QVERIFY(!panel.isScanning());
    }

    void selectedKeyShowsItsValue()
    {
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        ValueViewer* viewer = panel->viewer();
        QSignalSpy loaded(viewer, &ValueViewer::loaded);
        select(*panel, panel->model()->indexOfKey("discord:guildMember:0:1"));
        QTRY_COMPARE(loaded.size(), 1);
        QCOMPARE(viewer->type(), KeyType::String);
        QCOMPARE(viewer->loadedBytes(), QByteArray("{\"roles\":[1,2],\"nick\":\"u1\"}"));
        QVERIFY(viewer->text().contains(QStringLiteral("\"nick\": \"u1\"")));   // pretty-printed
        viewer->setStringMode(ValueViewer::StringMode::Hex);
        QVERIFY(viewer->text().startsWith(QStringLiteral("00000000  7b 22")));

        select(*panel, panel->model()->indexOfKey("profile:1"));
        QTRY_COMPARE(loaded.size(), 2);
        QCOMPARE(viewer->type(), KeyType::Hash);
        QAbstractItemModelTester tester(viewer->pageModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_COMPARE(viewer->pageModel()->rowCount(), 2);
        QVERIFY(viewer->pageModel()->isComplete());

        select(*panel, panel->model()->indexOfKey(kBinaryKey));
        QTRY_COMPARE(loaded.size(), 3);
        QCOMPARE(viewer->loadedBytes(), QByteArray("binary\xffvalue"));
        viewer->setStringMode(ValueViewer::StringMode::Text);
        QCOMPARE(viewer->text(), QStringLiteral("binary\\xffvalue"));   // escaped, never mangled
        viewer->copyValue();
        QCOMPARE(QApplication::clipboard()->mimeData()->data(QStringLiteral("application/octet-stream")),
                 QByteArray("binary\xffvalue"));
    }

    void openKeyShowsItOrSaysItIsNotLoaded()
    {
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        panel->detailTabs()->setCurrentWidget(panel->memoryView());
        QSignalSpy loaded(panel->viewer(), &ValueViewer::loaded);
        panel->openKey(kBinaryKey);   // what `cachelens --key 'bin:\xff\x00\n*'` does once the keys are loaded
        QTRY_COMPARE(loaded.size(), 1);
        QCOMPARE(panel->viewer()->loadedBytes(), QByteArray("binary\xffvalue"));
        QCOMPARE(panel->detailTabs()->currentWidget(), static_cast<QWidget*>(panel->viewer()));
        QCOMPARE(panel->model()->keyAt(panel->view()->currentIndex()), kBinaryKey);
        QVERIFY(panel->view()->isExpanded(panel->view()->currentIndex().parent()));
        panel->openKey("no:such:key");
        QCOMPARE(panel->statusText(), QStringLiteral("No key no:such:key was loaded from test."));
        QCOMPARE(panel->viewer()->key(), kBinaryKey);
    }

    void collectionsAreReadAPageAtATime_data()
    {
        // Lua that makes the key `c` with n elements, element i named "m<i>". Small collections are one listpack that
        // *SCAN returns whole (hashes up to 512 entries by default): these are big enough to be paged.
        QTest::addColumn<QString>("fill");
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("n");
        QTest::addColumn<bool>("exactPages");   // LRANGE/XRANGE read exactly a page; *SCAN's COUNT is a hint
        QTest::addRow("list") << QStringLiteral("for i = 0, 449 do redis.call('RPUSH', 'c', 'm' .. i) end")
                              << int(KeyType::List) << 450 << true;
        QTest::addRow("hash") << QStringLiteral("for i = 0, 999 do redis.call('HSET', 'c', 'm' .. i, i) end")
                              << int(KeyType::Hash) << 1000 << false;
        QTest::addRow("set") << QStringLiteral("for i = 0, 449 do redis.call('SADD', 'c', 'm' .. i) end")
                             << int(KeyType::Set) << 450 << false;
        QTest::addRow("sorted set") << QStringLiteral("for i = 0, 449 do redis.call('ZADD', 'c', i, 'm' .. i) end")
                                    << int(KeyType::ZSet) << 450 << false;
        QTest::addRow("stream") << QStringLiteral("for i = 0, 449 do redis.call('XADD', 'c', '*', 'm' .. i, i) end")
                                << int(KeyType::Stream) << 450 << true;
    }
    void collectionsAreReadAPageAtATime()
    {
        QFETCH(QString, fill);
        QFETCH(int, type);
        QFETCH(int, n);
        QFETCH(bool, exactPages);
        m_server->cli({QStringLiteral("EVAL"), fill, QStringLiteral("0")});
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        ValueViewer* viewer = panel->viewer();
        QSignalSpy loaded(viewer, &ValueViewer::loaded);
        panel->openKey("c");
        QTRY_COMPARE(loaded.size(), 1);
        QCOMPARE(int(viewer->type()), type);
        ValuePageModel* page = viewer->pageModel();
        QAbstractItemModelTester tester(page, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QTRY_VERIFY(page->rowCount() > 0);
        QVERIFY2(page->rowCount() < n, qPrintable(QString::number(page->rowCount())));   // never all at once
        if (exactPages)
            QCOMPARE(page->rowCount(), ValueViewer::kCollectionPage);
        QVERIFY(!page->isComplete());
        QSet<QByteArray> seen;   // the exact bytes of every element, once each, after scrolling to the end
        while (!page->isComplete()) {
            const int before = page->rowCount();
            page->fetchMore({});   // what the table view does when scrolled to its last row
            QTRY_VERIFY(page->rowCount() > before || page->isComplete());
        }
        for (int r = 0; r < page->rowCount(); ++r) {
            const ValueItem& item = page->item(r);
            if (type == int(KeyType::List))
                seen.insert(item.value);
            else if (type == int(KeyType::Stream))
                seen.insert(item.fields.value(0));
            else
                seen.insert(item.name);
        }
        QCOMPARE(page->rowCount(), n);
        QCOMPARE(seen.size(), n);
        QVERIFY(seen.contains("m0") && seen.contains("m" + QByteArray::number(n - 1)));
    }

    void ttlEditorExpiresInAtAndExtends_data()
    {
        QTest::addColumn<int>("mode");
        QTest::addColumn<qint64>("expectedS");   // the TTL the server should then report, in seconds
        QTest::addRow("expire in 2 hours") << int(TtlDialog::Mode::ExpireIn) << qint64(7200);
        QTest::addRow("expire at tomorrow, this time") << int(TtlDialog::Mode::ExpireAt) << qint64(86400);
        QTest::addRow("extend 100 s by 10 minutes") << int(TtlDialog::Mode::ExtendBy) << qint64(700);
    }
    void ttlEditorExpiresInAtAndExtends()
    {
        QFETCH(int, mode);
        QFETCH(qint64, expectedS);
        m_server->cli({QStringLiteral("EXPIRE"), QStringLiteral("profile:1"), QStringLiteral("100")});
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        const QModelIndex key = panel->model()->indexOfKey("profile:1");
        panel->view()->scrollTo(key);   // on screen: its details are asked for
        QTRY_VERIFY(panel->model()->data(key, KeyTreeModel::TtlMsRole).toLongLong() > 0);   // its details arrived
        select(*panel, key);
        panel->editTtlOfSelected();
        auto* dialog = panel->findChild<TtlDialog*>();
        QVERIFY(dialog);
        dialog->setMode(TtlDialog::Mode(mode));
        if (mode == int(TtlDialog::Mode::ExpireAt))
            dialog->setExpireAt(QDateTime::currentDateTime().addDays(1));
        else
            dialog->setAmount(mode == int(TtlDialog::Mode::ExpireIn) ? 2 : 10,
                              mode == int(TtlDialog::Mode::ExpireIn) ? TtlDialog::Unit::Hours : TtlDialog::Unit::Minutes);
        QVERIFY2(dialog->problem().isEmpty(), qPrintable(dialog->problem()));
        QSignalSpy done(panel.get(), &KeysPanel::operationDone);
        dialog->accept();
        QTRY_COMPARE(done.size(), 1);
        QCOMPARE(done.at(0).at(0).toString(), QStringLiteral("Set the TTL of 1 of 1 keys."));
        const qint64 ttl = m_server->cli({QStringLiteral("TTL"), QStringLiteral("profile:1")}).toLongLong();
        QVERIFY2(ttl > expectedS - 120 && ttl <= expectedS, QByteArray::number(ttl));
    }

    void largeStringLoadsPartiallyThenAll_data()
    {
        QTest::addColumn<int>("size");
        QTest::addColumn<bool>("warned");   // above kLargeValue, Load all says how much it will hold in memory
        QTest::addColumn<QString>("sizeText");
        QTest::addRow("three pages") << ValueViewer::kStringPage * 3 + 17 << false << QStringLiteral("768.0 KiB");
        QTest::addRow("above 16 MiB") << int(ValueViewer::kLargeValue) + 5 << true << QStringLiteral("16.0 MiB");
    }
    void largeStringLoadsPartiallyThenAll()
    {
        QFETCH(int, size);
        QFETCH(bool, warned);
        QFETCH(QString, sizeText);
        m_server->cli({QStringLiteral("EVAL"), QStringLiteral("redis.call('SET', 'big:blob', string.rep('x', %1))").arg(size),
                       QStringLiteral("0")});
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        ValueViewer* viewer = panel->viewer();
        QSignalSpy loaded(viewer, &ValueViewer::loaded);
        QSignalSpy all(viewer, &ValueViewer::allLoaded);
        select(*panel, panel->model()->indexOfKey("big:blob"));
        QTRY_COMPARE(loaded.size(), 1);
        QCOMPARE(viewer->loadedBytes().size(), ValueViewer::kStringPage);
        QVERIFY(viewer->isPartial());
        QCOMPARE(viewer->totalSize(), size);
        QCOMPARE(viewer->findChild<QPushButton*>(QStringLiteral("loadAllButton"))->text(),
                 warned ? QStringLiteral("Load all %1 (large)").arg(sizeText) : QStringLiteral("Load all %1").arg(sizeText));
        QCOMPARE(viewer->statusText().contains(QStringLiteral("Loading all of it holds %1 in memory.").arg(sizeText)), warned);
        if (warned)
            return;   // loading 16 MiB into the viewer is the same path, only slower
        viewer->loadAll();
        QTRY_COMPARE(all.size(), 1);
        QCOMPARE(viewer->loadedBytes().size(), size);
        QVERIFY(!viewer->isPartial());
    }

    void ttlEditorSetsAndRefusesNonPositive()
    {
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        select(*panel, panel->model()->indexOfKey("queue:jobs"));
        panel->editTtlOfSelected();
        auto* dialog = panel->findChild<TtlDialog*>();
        QVERIFY(dialog);
        QPushButton* ok = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        dialog->setAmount(0, TtlDialog::Unit::Seconds);
        QVERIFY(!ok->isEnabled());
        QVERIFY(dialog->problem().contains(QStringLiteral("must be positive")));
        dialog->setAmount(10, TtlDialog::Unit::Minutes);
        QVERIFY(ok->isEnabled());
        QSignalSpy done(panel.get(), &KeysPanel::operationDone);
        ok->click();
        QTRY_COMPARE(done.size(), 1);
        QCOMPARE(done.at(0).at(0).toString(), QStringLiteral("Set the TTL of 1 of 1 keys."));
        const qint64 pttl = m_server->cli({QStringLiteral("PTTL"), QStringLiteral("queue:jobs")}).toLongLong();
        QVERIFY2(pttl > 590000 && pttl <= 600000, QByteArray::number(pttl));
        const QModelIndex index = panel->model()->indexOfKey("queue:jobs");
        QVERIFY(index.siblingAtColumn(KeyTreeModel::TtlColumn).data().toString().startsWith(QStringLiteral("9m")) ||
                index.siblingAtColumn(KeyTreeModel::TtlColumn).data().toString().startsWith(QStringLiteral("10m")));

        // A whole namespace, persisted: the dialog says how many keys first.
        const QModelIndex rooms = childNamed(*panel->model(), {}, QStringLiteral("room_messages"));
        m_server->cli({QStringLiteral("EXPIRE"), QStringLiteral("room_messages:3"), QStringLiteral("100")});
        select(*panel, rooms);
        panel->editTtlOfSelected();
        dialog = panel->findChildren<TtlDialog*>().last();
        QCOMPARE(dialog->findChild<QLabel*>(QStringLiteral("ttlKeyCount"))->text().left(40),
                 QStringLiteral("This changes the TTL of 20 keys (room_me"));
        dialog->setMode(TtlDialog::Mode::Persist);
        dialog->accept();
        QTRY_COMPARE(done.size(), 2);
        QCOMPARE(done.at(1).at(0).toString(),
                 QStringLiteral("Removed the expiry of 1 of 20 keys (the others had no expiry or no longer existed)."));
        QCOMPARE(m_server->cli({QStringLiteral("TTL"), QStringLiteral("room_messages:3")}), QByteArray("-1"));
    }

    void nonPositiveTtlIsOfferedAsDeleteWithConfirmation()
    {
        auto panel = scannedPanel(entry(QStringLiteral("prod-cache"), /*production*/ true));
        QVERIFY(panel);
        select(*panel, panel->model()->indexOfKey("queue:jobs"));
        panel->editTtlOfSelected();
        auto* dialog = panel->findChild<TtlDialog*>();
        QVERIFY(dialog);
        QVERIFY(dialog->deleteInsteadButton()->isHidden());   // a valid TTL: nothing to offer
        dialog->setAmount(-5, TtlDialog::Unit::Seconds);
        QVERIFY(!dialog->deleteInsteadButton()->isHidden());
        QVERIFY(dialog->problem().contains(QStringLiteral("Delete Instead")));
        dialog->deleteInsteadButton()->click();
        QVERIFY(!dialog->isVisible());
        // The delete's own confirmation, with the typed name this production connection needs; nothing gone yet.
        auto* confirm = panel->findChild<DeleteConfirmDialog*>();
        QVERIFY(confirm);
        QCOMPARE(confirm->findChild<QLabel*>(QStringLiteral("deleteSummary"))->text(), QStringLiteral("Delete this key from prod-cache?"));
        QCOMPARE(m_server->cli({QStringLiteral("EXISTS"), QStringLiteral("queue:jobs")}), QByteArray("1"));
        QTest::keyClicks(confirm->nameEdit(), QStringLiteral("prod-cache"));
        QSignalSpy done(panel.get(), &KeysPanel::operationDone);
        confirm->findChild<QPushButton*>(QStringLiteral("confirmDeleteButton"))->click();
        QTRY_COMPARE(done.size(), 1);
        QCOMPARE(done.at(0).at(0).toString(), QStringLiteral("Deleted 1 of 1 keys."));
        QCOMPARE(m_server->cli({QStringLiteral("EXISTS"), QStringLiteral("queue:jobs")}), QByteArray("0"));
    }

    void deleteOnProductionNeedsTheTypedName()
    {
        auto panel = scannedPanel(entry(QStringLiteral("prod-cache"), /*production*/ true));
        QVERIFY(panel);
        const QModelIndex rooms = childNamed(*panel->model(), {}, QStringLiteral("room_messages"));
        select(*panel, rooms);
        QVERIFY(panel->deleteAction()->isEnabled());
        panel->deleteAction()->trigger();
        auto* dialog = panel->findChild<DeleteConfirmDialog*>();
        QVERIFY(dialog);
        QVERIFY(dialog->findChild<QLabel*>(QStringLiteral("deleteSummary"))->text().contains(QStringLiteral("20 keys")));
        QPushButton* del = dialog->findChild<QPushButton*>(QStringLiteral("confirmDeleteButton"));
        QVERIFY(!del->isEnabled());
        QTest::keyClicks(dialog->nameEdit(), QStringLiteral("prod-cach"));
        QVERIFY(!del->isEnabled());
        dialog->accept();   // refused: nothing is deleted
        QCOMPARE(m_server->cli({QStringLiteral("EXISTS"), QStringLiteral("room_messages:0")}), QByteArray("1"));
        QTest::keyClicks(dialog->nameEdit(), QStringLiteral("e"));
        QVERIFY(del->isEnabled());
        QSignalSpy done(panel.get(), &KeysPanel::operationDone);
        del->click();
        QTRY_COMPARE(done.size(), 1);
        QCOMPARE(done.at(0).at(0).toString(), QStringLiteral("Deleted 20 of 20 keys."));
        QCOMPARE(m_server->cli({QStringLiteral("EVAL"), QStringLiteral("return #redis.call('KEYS', 'room_messages:*')"),
                                QStringLiteral("0")}),
                 QByteArray("0"));
        QCOMPARE(panel->model()->loadedKeys(), 315u);
        QVERIFY(!childNamed(*panel->model(), {}, QStringLiteral("room_messages")).isValid()
                || panel->model()->keyCountAt(childNamed(*panel->model(), {}, QStringLiteral("room_messages"))) == 0);
    }

    // The panel's dialogs ask for the typed name, and it travels with the request to a source whose guard is the
    // production connection's own: the TTL dialog too (it sent the change without asking before), end to end.
    void ttlAndDeleteOnAGuardedProductionSourceCarryTheTypedName()
    {
        RedisSource::Options options;
        options.guard = GuardPolicy{QStringLiteral("prod-cache"), false, true, {}};
        SourceOnThread guarded(QStringLiteral("prod"), m_server->url(), options);
        QVERIFY(guarded.open());
        auto panel = std::make_unique<KeysPanel>();
        panel->resize(1200, 800);
        panel->show();
        panel->setConnection(entry(QStringLiteral("prod-cache"), /*production*/ true));
        QSignalSpy scanned(panel.get(), &KeysPanel::scanDone);
        panel->setSource(guarded.source);
        QTRY_VERIFY_WITH_TIMEOUT(!scanned.isEmpty(), 15000);
        const qint64 rowsBefore = test::auditRows(AuditStore::defaultPath()).size();

        select(*panel, panel->model()->indexOfKey("queue:jobs"));
        panel->editTtlOfSelected();
        auto* dialog = panel->findChild<TtlDialog*>();
        QVERIFY(dialog);
        QPushButton* ok = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
        dialog->setAmount(10, TtlDialog::Unit::Minutes);
        QVERIFY(!ok->isEnabled());   // production: the name first
        QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("typedConnectionName")), QStringLiteral("prod-cache"));
        QVERIFY(ok->isEnabled());
        QSignalSpy done(panel.get(), &KeysPanel::operationDone);
        ok->click();
        QTRY_COMPARE(done.size(), 1);
        QCOMPARE(done.at(0).at(0).toString(), QStringLiteral("Set the TTL of 1 of 1 keys."));
        QVERIFY(m_server->cli({QStringLiteral("PTTL"), QStringLiteral("queue:jobs")}).toLongLong() > 590000);

        panel->deleteAction()->trigger();
        auto* confirm = panel->findChild<DeleteConfirmDialog*>();
        QVERIFY(confirm);
        QTest::keyClicks(confirm->nameEdit(), QStringLiteral("prod-cache"));
        confirm->findChild<QPushButton*>(QStringLiteral("confirmDeleteButton"))->click();
        QTRY_COMPARE(done.size(), 2);
        QCOMPARE(done.at(1).at(0).toString(), QStringLiteral("Deleted 1 of 1 keys."));
        const QVector<AuditEntry> rows = test::auditRows(AuditStore::defaultPath());
        QCOMPARE(rows.size(), rowsBefore + 2);
        QCOMPARE(rows.at(0).action, QStringLiteral("delete keys"));
        QCOMPARE(rows.at(1).action, QStringLiteral("set TTL"));
        QCOMPARE(rows.at(0).connection, QStringLiteral("prod-cache"));
    }

    void readOnlyConnectionCannotDeleteOrEditTtl()
    {
        auto panel = scannedPanel(entry(QStringLiteral("replica"), false, /*readOnly*/ true));
        QVERIFY(panel);
        select(*panel, panel->model()->indexOfKey("profile:1"));
        QVERIFY(!panel->deleteAction()->isEnabled());
        QVERIFY(!panel->ttlAction()->isEnabled());
        QVERIFY(panel->deleteAction()->toolTip().contains(QStringLiteral("read-only")));
        QSignalSpy loaded(panel->viewer(), &ValueViewer::loaded);
        select(*panel, panel->model()->indexOfKey("discord:guildMember:1:1"));
        QTRY_COMPARE(loaded.size(), 1);
        QVERIFY(!panel->viewer()->findChild<QPushButton*>(QStringLiteral("editValueButton"))->isEnabled());
        panel->deleteSelected();
        QVERIFY(!panel->findChild<DeleteConfirmDialog*>());
    }

    void editStringKeepsTtlAndHashFieldOnProduction()
    {
        m_server->cli({QStringLiteral("EXPIRE"), QStringLiteral("discord:guildMember:0:1"), QStringLiteral("1000")});
        auto panel = scannedPanel(entry(QStringLiteral("prod-cache"), /*production*/ true));
        QVERIFY(panel);
        ValueViewer* viewer = panel->viewer();
        QSignalSpy loaded(viewer, &ValueViewer::loaded);
        QSignalSpy written(viewer, &ValueViewer::written);
        select(*panel, panel->model()->indexOfKey("discord:guildMember:0:1"));
        QTRY_COMPARE(loaded.size(), 1);
        auto* editButton = viewer->findChild<QPushButton*>(QStringLiteral("editValueButton"));
        QVERIFY(editButton->isEnabled());
        editButton->click();
        auto* dialog = viewer->findChild<QDialog*>(QStringLiteral("valueEditDialog"));
        QVERIFY(dialog);
        dialog->findChild<QPlainTextEdit*>(QStringLiteral("valueEditText"))->setPlainText(QStringLiteral("{\"nick\":\"renamed\"}"));
        QPushButton* save = dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save);
        QVERIFY(!save->isEnabled());   // production: the name first
        QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("typedConnectionName")), QStringLiteral("prod-cache"));
        QVERIFY(save->isEnabled());
        save->click();
        QTRY_COMPARE(written.size(), 1);
        QCOMPARE(written.at(0).at(0).toString(), QStringLiteral("Saved 18 bytes to discord:guildMember:0:1."));
        QCOMPARE(m_server->cli({QStringLiteral("GET"), QStringLiteral("discord:guildMember:0:1")}), QByteArray("{\"nick\":\"renamed\"}"));
        const qint64 ttl = m_server->cli({QStringLiteral("TTL"), QStringLiteral("discord:guildMember:0:1")}).toLongLong();
        QVERIFY2(ttl > 990 && ttl <= 1000, QByteArray::number(ttl));   // KEEPTTL
        QTRY_COMPARE(loaded.size(), 2);   // reloaded from the server
        QCOMPARE(viewer->loadedBytes(), QByteArray("{\"nick\":\"renamed\"}"));

        select(*panel, panel->model()->indexOfKey("profile:1"));
        QTRY_COMPARE(loaded.size(), 3);
        QTRY_COMPARE(viewer->pageModel()->rowCount(), 2);
        int row = viewer->pageModel()->item(0).name == "name" ? 0 : 1;
        viewer->editHashField(row);
        dialog = viewer->findChildren<QDialog*>(QStringLiteral("valueEditDialog")).last();
        QCOMPARE(dialog->findChild<QPlainTextEdit*>(QStringLiteral("valueEditText"))->toPlainText(), QStringLiteral("Ada"));
        dialog->findChild<QPlainTextEdit*>(QStringLiteral("valueEditText"))->setPlainText(QStringLiteral("Grace"));
        QTest::keyClicks(dialog->findChild<QLineEdit*>(QStringLiteral("typedConnectionName")), QStringLiteral("prod-cache"));
        dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
        QTRY_COMPARE(written.size(), 2);
        QCOMPARE(written.at(1).at(0).toString(), QStringLiteral("Saved 5 bytes to field name of profile:1."));
        QCOMPARE(m_server->cli({QStringLiteral("HGET"), QStringLiteral("profile:1"), QStringLiteral("name")}), QByteArray("Grace"));
    }

    void memoryByNamespaceIsSampledWithABound()
    {
        m_server->cli({QStringLiteral("EVAL"), QStringLiteral("redis.call('SET', 'queue:huge', string.rep('x', 200000))"),
                       QStringLiteral("0")});
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        MemoryView* memory = panel->memoryView();
        QSignalSpy finished(memory, &MemoryView::finished);
        memory->estimate({});
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);
        QStandardItemModel* ns = memory->namespaceModel();
        QAbstractItemModelTester tester(ns, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(ns->rowCount(), 6);   // bin, character, discord, profile, queue, room_messages
        QCOMPARE(ns->item(0, MemoryView::NsName)->text(), QStringLiteral("queue:*"));   // the 200 kB value: biggest first
        int character = -1;
        for (int r = 0; r < ns->rowCount(); ++r)
            if (ns->item(r, MemoryView::NsName)->text() == QStringLiteral("character:*"))
                character = r;
        QVERIFY(character >= 0);
        QCOMPARE(ns->item(character, MemoryView::NsKeys)->text(), QStringLiteral("300"));
        QCOMPARE(ns->item(character, MemoryView::NsSampled)->text(), QStringLiteral("100"));
        QVERIFY(ns->item(character, MemoryView::NsBound)->text() != QStringLiteral("exact"));
        for (int r = 0; r < ns->rowCount(); ++r)
            if (ns->item(r, MemoryView::NsName)->text() == QStringLiteral("room_messages:*"))
                QCOMPARE(ns->item(r, MemoryView::NsBound)->text(), QStringLiteral("exact"));   // 20 keys: all measured
        memory->exact(character);
        QVERIFY(memory->pendingConfirmation());   // every key of a namespace: it asks first
        memory->pendingConfirmation()->accept();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 15000);
        QVERIFY2(memory->statusText().startsWith(QStringLiteral("Exact for character:*: 300 keys measured")),
                 qPrintable(memory->statusText()));

        memory->findBigKeys();
        QVERIFY(memory->pendingConfirmation());
        memory->pendingConfirmation()->accept();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 15000);
        QStandardItemModel* big = memory->bigKeysModel();
        QVERIFY(big->rowCount() >= 10);
        QCOMPARE(big->item(0, 0)->text(), QStringLiteral("queue:huge"));
        QCOMPARE(panel->model()->unknownMemoryCount(), 0u);
        // This server runs noeviction: the hot-keys tab says why it has nothing (tst_keys_rankings has the rest).
        QTRY_VERIFY2(memory->hotKeysText().contains(QStringLiteral("maxmemory-policy is noeviction")),
                     qPrintable(memory->hotKeysText()));
    }

    void namespaceMemoryOnDemandAndPatternCopy()
    {
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        const QModelIndex character = childNamed(*panel->model(), {}, QStringLiteral("character"));
        const QModelIndex memoryCell = character.siblingAtColumn(KeyTreeModel::MemoryColumn);
        QVERIFY(memoryCell.data().toString().isEmpty());   // nothing measured yet
        select(*panel, character);
        panel->copyPattern();
        QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("character:*"));
        QVERIFY(panel->measureAction()->isEnabled());
        QSignalSpy finished(panel->memoryView(), &MemoryView::finished);
        panel->measureAction()->trigger();
        QCOMPARE(panel->detailTabs()->currentWidget(), static_cast<QWidget*>(panel->memoryView()));
        QVERIFY(panel->memoryView()->pendingConfirmation());   // it says its cost first (measuringSaysItsCostFirst)
        panel->memoryView()->pendingConfirmation()->accept();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);
        const qlonglong expected = m_server->cli({QStringLiteral("EVAL"),
                                                  QStringLiteral("local s = 0 for _, k in ipairs(redis.call('KEYS', 'character:*')) do "
                                                                 "s = s + redis.call('MEMORY', 'USAGE', k) end return s"),
                                                  QStringLiteral("0")}).toLongLong();
        QVERIFY(expected > 0);
        QCOMPARE(panel->model()->data(character, KeyTreeModel::MemoryRole).toLongLong(), expected);
        QCOMPARE(memoryCell.data().toString(), formatBytes(expected));
        QVERIFY2(panel->memoryView()->statusText().startsWith(QStringLiteral("Exact for character:*: 300 keys measured")),
                 qPrintable(panel->memoryView()->statusText()));
        // Every level below has its share (all of character's keys are in character:published).
        panel->model()->fetchNow(character);
        const QModelIndex published = childNamed(*panel->model(), character, QStringLiteral("published"));
        QCOMPARE(panel->model()->data(published, KeyTreeModel::MemoryRole).toLongLong(), expected);
    }

    void measuringANamespaceSaysItsCostFirst()
    {
        // Measuring every key of a namespace costs the server TYPE, PTTL and MEMORY USAGE per key, the first two
        // counted in its hit rate: the panel says so before anything is sent, sends nothing when told no, and says
        // afterwards what it did, which is what the server counted.
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        QTRY_VERIFY(!panel->isFetchingDetails());
        const QModelIndex character = childNamed(*panel->model(), {}, QStringLiteral("character"));
        select(*panel, character);
        MemoryView* memory = panel->memoryView();
        const auto before = lookups();
        panel->measureAction()->trigger();
        QDialog* question = memory->pendingConfirmation();
        QVERIFY(question);
        const QString cost = question->findChild<QLabel*>(QStringLiteral("readCost"))->text();
        QVERIFY2(cost.contains(QStringLiteral("character:*")) && cost.contains(QStringLiteral("It reads 300 keys: 900 commands, about 600 keyspace hits on the server")),
                 qPrintable(cost));
        question->reject();
        QCOMPARE(memory->statusText(), QStringLiteral("Nothing was measured."));
        QVERIFY(!memory->isBusy());
        QCOMPARE(lookups(), before);
        QVERIFY(character.siblingAtColumn(KeyTreeModel::MemoryColumn).data().toString().isEmpty());

        QSignalSpy finished(memory, &MemoryView::finished);
        panel->measureAction()->trigger();
        memory->pendingConfirmation()->accept();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000);
        QCOMPARE(memory->statusText(),
                 QStringLiteral("Exact for character:*: 300 keys measured with 900 commands, 600 of them keyspace lookups."));
        const auto after = lookups();
        QCOMPARE(after.first - before.first, qint64(600));
        QCOMPARE(after.second - before.second, qint64(0));

        // A big one can be cancelled, and says how far it got.
        m_server->cli({QStringLiteral("DEBUG"), QStringLiteral("POPULATE"), QStringLiteral("100000"), QStringLiteral("bar:ns3")});
        QSignalSpy done(panel.get(), &KeysPanel::scanDone);
        panel->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 15000);
        select(*panel, childNamed(*panel->model(), {}, QStringLiteral("bar")));
        panel->measureAction()->trigger();
        memory->pendingConfirmation()->accept();
        QVERIFY(memory->isBusy());
        QTRY_VERIFY(memory->statusText().startsWith(QStringLiteral("Measuring… ")));
        memory->cancel();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 15000);
        QVERIFY2(memory->statusText().contains(QStringLiteral(", cancelled (the figure covers those only).")),
                 qPrintable(memory->statusText()));
        QVERIFY(!memory->statusText().contains(QStringLiteral(" 100,000 keys measured")));
    }

    void localEngineStartsWithDemoNamespaces()
    {
        auto cache = std::make_shared<engine::Cache>(engine::CacheOptions{});
        const std::size_t loaded = DemoWorkload::populate(*cache);
        QVERIFY(loaded > 100);
        auto host = SourceHost::forLocal(cache);
        host->open();
        KeysPanel panel;
        panel.show();
        ConnectionEntry local = entry(QStringLiteral("Local engine"));
        local.local = true;
        panel.setConnection(local);
        QSignalSpy done(&panel, &KeysPanel::scanDone);
        panel.setSource(host->source());
        QTRY_COMPARE_WITH_TIMEOUT(done.size(), 1, 15000);
        KeyTreeModel& model = *panel.model();
        QCOMPARE(model.loadedKeys(), quint64(cache->stats().entries));
        for (const char* ns : {"character", "room_messages", "discord"})
            QVERIFY2(childNamed(model, {}, QString::fromLatin1(ns)).isValid(), ns);
        // TTL edit and delete work the same on the engine.
        const QModelIndex rooms = childNamed(model, {}, QStringLiteral("room_messages"));
        panel.view()->expand(rooms);
        QTRY_VERIFY(model.rowCount(rooms) > 0);
        const QByteArray key = model.keyAt(model.index(0, 0, rooms));
        select(panel, model.index(0, 0, rooms));
        QSignalSpy ops(&panel, &KeysPanel::operationDone);
        panel.editTtlOfSelected();
        auto* dialog = panel.findChild<TtlDialog*>();
        QVERIFY(dialog);
        dialog->setAmount(3, TtlDialog::Unit::Hours);
        dialog->accept();
        QTRY_COMPARE(ops.size(), 1);
        QCOMPARE(ops.at(0).at(0).toString(), QStringLiteral("Set the TTL of 1 of 1 keys."));
        const std::int64_t pttl = cache->pttl(std::string_view(key.constData(), std::size_t(key.size())));
        QVERIFY2(pttl > 3 * 3600 * 1000 - 60000 && pttl <= 3 * 3600 * 1000, QByteArray::number(qint64(pttl)));
        // Editing a string on the engine keeps its TTL.
        QSignalSpy written(panel.viewer(), &ValueViewer::written);
        QTRY_COMPARE(panel.viewer()->key(), key);
        QTRY_VERIFY(panel.viewer()->findChild<QPushButton*>(QStringLiteral("editValueButton"))->isEnabled());
        panel.viewer()->editString();
        auto* edit = panel.viewer()->findChild<QDialog*>(QStringLiteral("valueEditDialog"));
        QVERIFY(edit);
        edit->findChild<QPlainTextEdit*>(QStringLiteral("valueEditText"))->setPlainText(QStringLiteral("edited"));
        edit->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Save)->click();
        QTRY_COMPARE(written.size(), 1);
        std::string value;
        QVERIFY(cache->read(std::string_view(key.constData(), std::size_t(key.size())), [&](std::string_view v) { value = v; }));
        QCOMPARE(QByteArray::fromStdString(value), QByteArray("edited"));
        QVERIFY(cache->pttl(std::string_view(key.constData(), std::size_t(key.size()))) > 3 * 3600 * 1000 - 60000);
        panel.setSource(nullptr);
    }

    void binaryKeyRoundTrip()
    {
        auto panel = scannedPanel(entry(QStringLiteral("test")));
        QVERIFY(panel);
        const QModelIndex index = panel->model()->indexOfKey(kBinaryKey);
        QVERIFY(index.isValid());
        QCOMPARE(index.data().toString(), QStringLiteral("\\xff\\x00\\n*"));
        select(*panel, index);
        panel->copySelected();
        QCOMPARE(QApplication::clipboard()->mimeData()->text(), QStringLiteral("bin:\\xff\\x00\\n*"));
        QSignalSpy invalidate(panel.get(), &KeysPanel::openInInvalidate);
        select(*panel, index.parent());
        panel->invalidateAction()->trigger();
        QCOMPARE(invalidate.size(), 1);
        QCOMPARE(invalidate.at(0).at(1).toByteArray(), QByteArray("bin:*"));

        select(*panel, index);
        QSignalSpy done(panel.get(), &KeysPanel::operationDone);
        panel->deleteSelected();
        auto* dialog = panel->findChild<DeleteConfirmDialog*>();
        QVERIFY(dialog);
        dialog->findChild<QPushButton*>(QStringLiteral("confirmDeleteButton"))->click();
        QTRY_COMPARE(done.size(), 1);
        QCOMPARE(done.at(0).at(0).toString(), QStringLiteral("Deleted 1 of 1 keys."));
        QCOMPARE(m_server->cli({QStringLiteral("EVAL"),
                                QStringLiteral("return redis.call('EXISTS', %1)").arg(QString::fromLatin1(kBinaryKeyLua).mid(7)),
                                QStringLiteral("0")}),
                 QByteArray("0"));
    }
};

QTEST_MAIN(TestKeysPanel)
#include "tst_keys.moc"
