// The Keys panel's rankings against real sources: the biggest keys of each type by element count (HLEN, LLEN, SCARD,
// ZCARD, XLEN, STRLEN) and the hot keys by OBJECT FREQ on a redis-server running allkeys-lfu; on a server without an
// LFU policy the tab says why there are none; on the local engine the same lists come from its W-TinyLFU sketch (and
// an LRU engine says it keeps no frequency). A key picked in a ranking is shown in the tree and the value viewer.
#include "IsolatedEnvironment.h"

#include "KeysPanelSupport.h"
#include "RedisServer.h"
#include "RedisSourceOnThread.h"
#include "connectors/SourceHost.h"
#include <cachelens/cache.h>
#include "ui/keys/KeyStatsView.h"
#include "ui/keys/KeyTreeModel.h"
#include "ui/keys/KeysPanel.h"
#include "ui/keys/MemoryView.h"
#include "ui/keys/ReadCostDialog.h"
#include "ui/keys/ValueViewer.h"

#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

#include <memory>

using namespace cachelens;
using namespace cachelens::ui;
using cachelens::test::RedisServer;
using cachelens::test::RedisSourceOnThread;

namespace {

struct Row {
    QString key, type, value;
};

QList<Row> rows(const QStandardItemModel* model)
{
    QList<Row> out;
    for (int r = 0; r < model->rowCount(); ++r)
        out.append({model->item(r, KeyStatsView::KeyColumn)->text(), model->item(r, KeyStatsView::TypeColumn)->text(),
                    model->item(r, KeyStatsView::ValueColumn)->text()});
    return out;
}

// The first row of `type` (rows of a type come biggest first).
Row firstOfType(const QList<Row>& all, const QString& type)
{
    for (const Row& r : all)
        if (r.type == type)
            return r;
    return {};
}

std::unique_ptr<KeysPanel> scanned(Source* source, const QString& name, bool local = false)
{
    auto panel = std::make_unique<KeysPanel>();
    panel->resize(1200, 800);
    panel->show();
    ConnectionEntry e = test::connectionEntry(name);
    e.local = local;
    panel->setConnection(e);
    QSignalSpy done(panel.get(), &KeysPanel::scanDone);
    panel->setSource(source);
    if (!QTest::qWaitFor([&] { return !done.isEmpty(); }, 15000))
        return nullptr;
    return panel;
}

// Presses the view's Start button; returns the question it asked first (what the reads cost the server), or an
// empty string when it asked none.
QString press(KeyStatsView* view)
{
    view->findChild<QPushButton*>(view->objectName().replace(QStringLiteral("View"), QStringLiteral("Button")))->click();
    const auto* question = qobject_cast<ReadCostDialog*>(view->pendingConfirmation());
    return question ? question->text() : QString();
}

// Presses Start, answers the question about the cost (when one is asked) with Read, and waits for the end.
bool run(KeyStatsView* view, QString* question = nullptr)
{
    QSignalSpy finished(view, &KeyStatsView::finished);
    const QString asked = press(view);
    if (question)
        *question = asked;
    if (view->pendingConfirmation())
        view->pendingConfirmation()->accept();
    return QTest::qWaitFor([&] { return !finished.isEmpty(); }, 15000);
}

qint64 keyspaceLookups(RedisServer& server)
{
    qint64 n = 0;
    const QString info = QString::fromUtf8(server.cli({QStringLiteral("INFO"), QStringLiteral("stats")}));
    for (const QString& line : info.split(QLatin1Char('\n')))
        if (line.startsWith(QLatin1String("keyspace_hits:")) || line.startsWith(QLatin1String("keyspace_misses:")))
            n += line.section(QLatin1Char(':'), 1).trimmed().toLongLong();
    return n;
}

std::string_view sv(const char* s) { return s; }

} // namespace

class TestKeysRankings : public QObject
{
    Q_OBJECT
    // One server with an LFU policy (log factor 0: every access counts, so the counters are exact; decay time 0: a
    // counter never loses a point when the clock passes a minute between the reads and OBJECT FREQ), one without.
    std::unique_ptr<RedisServer> m_lfu;
    std::unique_ptr<RedisServer> m_plain;
    std::unique_ptr<RedisSourceOnThread> m_lfuSource;
    std::unique_ptr<RedisSourceOnThread> m_plainSource;

private Q_SLOTS:
    void initTestCase()
    {
        RedisServer::Options lfu;
        lfu.extraArgs = {QStringLiteral("--maxmemory-policy"), QStringLiteral("allkeys-lfu"),
                         QStringLiteral("--lfu-log-factor"), QStringLiteral("0"),
                         QStringLiteral("--lfu-decay-time"), QStringLiteral("0")};
        m_lfu = std::make_unique<RedisServer>(lfu);
        QVERIFY2(m_lfu->start(), qPrintable(m_lfu->errorString()));
        m_plain = std::make_unique<RedisServer>();
        QVERIFY2(m_plain->start(), qPrintable(m_plain->errorString()));
        for (RedisServer* s : {m_lfu.get(), m_plain.get()}) {
            s->cli({QStringLiteral("HSET"), QStringLiteral("profile:big"), QStringLiteral("a"), QStringLiteral("1"),
                    QStringLiteral("b"), QStringLiteral("2"), QStringLiteral("c"), QStringLiteral("3")});
            s->cli({QStringLiteral("HSET"), QStringLiteral("profile:small"), QStringLiteral("a"), QStringLiteral("1")});
            s->cli({QStringLiteral("RPUSH"), QStringLiteral("queue:jobs"), QStringLiteral("1"), QStringLiteral("2"),
                    QStringLiteral("3"), QStringLiteral("4"), QStringLiteral("5")});
            s->cli({QStringLiteral("SADD"), QStringLiteral("tags:all"), QStringLiteral("x"), QStringLiteral("y")});
            s->cli({QStringLiteral("ZADD"), QStringLiteral("board:top"), QStringLiteral("1"), QStringLiteral("x"),
                    QStringLiteral("2"), QStringLiteral("y"), QStringLiteral("3"), QStringLiteral("z"), QStringLiteral("4"),
                    QStringLiteral("w")});
            s->cli({QStringLiteral("XADD"), QStringLiteral("events:log"), QStringLiteral("*"), QStringLiteral("k"), QStringLiteral("v")});
            s->cli({QStringLiteral("XADD"), QStringLiteral("events:log"), QStringLiteral("*"), QStringLiteral("k"), QStringLiteral("w")});
            s->cli({QStringLiteral("SET"), QStringLiteral("page:home"), QStringLiteral("0123456789")});
            s->cli({QStringLiteral("SET"), QStringLiteral("page:hot"), QStringLiteral("x")});
            s->cli({QStringLiteral("SET"), QStringLiteral("page:warm"), QStringLiteral("x")});
            // Reads the server counts (a script's GET touches the key like a client's).
            s->cli({QStringLiteral("EVAL"),
                    QStringLiteral("for i = 1, 40 do redis.call('GET', 'page:hot') end "
                                   "for i = 1, 12 do redis.call('GET', 'page:warm') end"),
                    QStringLiteral("0")});
        }
        m_lfuSource = std::make_unique<RedisSourceOnThread>(QStringLiteral("lfu"), m_lfu->url());
        QVERIFY(m_lfuSource->open());
        m_plainSource = std::make_unique<RedisSourceOnThread>(QStringLiteral("plain"), m_plain->url());
        QVERIFY(m_plainSource->open());
    }
    void cleanupTestCase()
    {
        m_lfuSource.reset();
        m_plainSource.reset();
        m_lfu.reset();
        m_plain.reset();
    }

    void hotKeysUnderAnLfuPolicyRankByObjectFreq()
    {
        auto panel = scanned(m_lfuSource->source, QStringLiteral("lfu"));
        QVERIFY(panel);
        KeyStatsView* hot = panel->memoryView()->hotKeysView();
        QTRY_VERIFY2(hot->frequencySupport().available, qPrintable(hot->noteText()));
        QCOMPARE(hot->frequencySupport().policy, QStringLiteral("allkeys-lfu"));
        QVERIFY2(hot->noteText().startsWith(QStringLiteral("Hot keys by OBJECT FREQ")), qPrintable(hot->noteText()));
        QAbstractItemModelTester tester(hot->resultModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(run(hot));
        const QList<Row> ranked = rows(hot->resultModel());
        QCOMPARE(ranked.size(), 9);   // every key has a counter
        // LFU_INIT_VAL is 5; with log factor 0 every read adds one: 5 + 40 and 5 + 12 (the keys' creation touches
        // nothing more; SCAN, TYPE and OBJECT FREQ do not touch).
        QCOMPARE(ranked.at(0).key, QStringLiteral("page:hot"));
        QCOMPARE(ranked.at(0).value, QStringLiteral("45"));
        QCOMPARE(ranked.at(1).key, QStringLiteral("page:warm"));
        QCOMPARE(ranked.at(1).value, QStringLiteral("17"));
        QVERIFY2(hot->statusText().startsWith(QStringLiteral("Read 9 keys in ")), qPrintable(hot->statusText()));
        // Browsable: picking a row shows the key in the tree and the value viewer; activating it opens the viewer.
        hot->resultView()->selectionModel()->setCurrentIndex(hot->resultModel()->index(1, 0),
                                                             QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QTRY_COMPARE(panel->viewer()->key(), QByteArray("page:warm"));
        const QModelIndexList selected = panel->view()->selectionModel()->selectedRows(0);
        QCOMPARE(selected.size(), 1);
        QCOMPARE(panel->model()->keyAt(selected.first()), QByteArray("page:warm"));
        panel->detailTabs()->setCurrentWidget(panel->memoryView());
        Q_EMIT hot->resultView()->activated(hot->resultModel()->index(0, 0));
        QCOMPARE(panel->detailTabs()->currentWidget(), static_cast<QWidget*>(panel->viewer()));
        QTRY_COMPARE(panel->viewer()->key(), QByteArray("page:hot"));
    }

    void hotKeysWithoutAnLfuPolicySayWhy()
    {
        auto panel = scanned(m_plainSource->source, QStringLiteral("plain"));
        QVERIFY(panel);
        KeyStatsView* hot = panel->memoryView()->hotKeysView();
        QTRY_COMPARE(hot->frequencySupport().policy, QStringLiteral("noeviction"));
        QVERIFY(!hot->frequencySupport().available);
        QCOMPARE(hot->noteText(), QStringLiteral("Hot keys are not available: maxmemory-policy is noeviction: Redis counts "
                                                 "accesses (OBJECT FREQ) only under allkeys-lfu or volatile-lfu."));
        QCOMPARE(panel->memoryView()->hotKeysText(), hot->noteText());
        QVERIFY(!hot->findChild<QPushButton*>(QStringLiteral("hotKeysButton"))->isEnabled());
        // A policy switched at runtime is seen on the next connection to the panel.
        m_plain->cli({QStringLiteral("CONFIG"), QStringLiteral("SET"), QStringLiteral("maxmemory-policy"), QStringLiteral("volatile-lfu")});
        QSignalSpy rescanned(panel.get(), &KeysPanel::scanDone);
        panel->setSource(nullptr);
        panel->setSource(m_plainSource->source);
        QTRY_VERIFY2(hot->frequencySupport().available, qPrintable(hot->noteText()));
        // The run reads the keys the tree holds: wait until the new connection's scan has loaded them again.
        QTRY_VERIFY_WITH_TIMEOUT(!rescanned.isEmpty() && panel->model()->loadedKeys() == 9, 15000);
        m_plain->cli({QStringLiteral("CONFIG"), QStringLiteral("SET"), QStringLiteral("maxmemory-policy"), QStringLiteral("noeviction")});
        // Now the policy changes while the tab thinks it may read: the run stops with the reason.
        QVERIFY(run(hot));
        QVERIFY2(hot->statusText().startsWith(QStringLiteral("Stopped after ")), qPrintable(hot->statusText()));
        QVERIFY2(hot->statusText().contains(QStringLiteral("maxmemory-policy is noeviction")), qPrintable(hot->statusText()));
        QCOMPARE(hot->resultModel()->rowCount(), 0);
    }

    void bigKeysByElementCountPerType()
    {
        auto panel = scanned(m_plainSource->source, QStringLiteral("plain"));
        QVERIFY(panel);
        KeyStatsView* big = panel->memoryView()->elementsView();
        QAbstractItemModelTester tester(big->resultModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        // Reading a server's keys moves its hit rate: the button says what it costs before anything is sent, and
        // Cancel sends nothing.
        const qint64 lookupsBefore = keyspaceLookups(*m_plain);
        QCOMPARE(press(big), QStringLiteral("Count the elements of 9 keys? It reads 9 keys: 18 commands, about 18 "
                                            "keyspace hits on the server, which its hit rate counts (CacheLens's "
                                            "Dashboard takes them out)."));
        big->pendingConfirmation()->reject();
        QTRY_VERIFY(!big->pendingConfirmation());
        QCOMPARE(big->statusText(), QStringLiteral("Nothing was read."));
        QCOMPARE(keyspaceLookups(*m_plain), lookupsBefore);
        QVERIFY(run(big));
        QVERIFY2(big->statusText().contains(QStringLiteral(" s with 18 commands, 18 of them keyspace lookups.")),
                 qPrintable(big->statusText()));
        // At most what it said: keys of a type without an element count send one command less.
        QVERIFY2(keyspaceLookups(*m_plain) - lookupsBefore <= 18, qPrintable(QString::number(keyspaceLookups(*m_plain) - lookupsBefore)));
        const QList<Row> ranked = rows(big->resultModel());
        QCOMPARE(ranked.size(), 9);
        QCOMPARE(firstOfType(ranked, QStringLiteral("hash")).key, QStringLiteral("profile:big"));
        QCOMPARE(firstOfType(ranked, QStringLiteral("hash")).value, QStringLiteral("3 fields"));
        QCOMPARE(firstOfType(ranked, QStringLiteral("list")).value, QStringLiteral("5 items"));
        QCOMPARE(firstOfType(ranked, QStringLiteral("set")).value, QStringLiteral("2 members"));
        QCOMPARE(firstOfType(ranked, QStringLiteral("zset")).value, QStringLiteral("4 members"));
        QCOMPARE(firstOfType(ranked, QStringLiteral("stream")).value, QStringLiteral("2 entries"));
        QCOMPARE(firstOfType(ranked, QStringLiteral("string")).key, QStringLiteral("page:home"));
        QCOMPARE(firstOfType(ranked, QStringLiteral("string")).value, QStringLiteral("10 bytes"));
        QVERIFY2(big->statusText().contains(QStringLiteral("2 hash keys, biggest profile:big (3 fields)")),
                 qPrintable(big->statusText()));
        QVERIFY2(big->statusText().contains(QStringLiteral("3 string keys, biggest page:home (10 bytes)")),
                 qPrintable(big->statusText()));
        // A random sample reads at most the sample; here the sample is bigger than the keyspace: every key.
        big->setSampleSize(10000);
        QVERIFY(run(big));
        QCOMPARE(big->resultModel()->rowCount(), 9);
        // Browsable like the others.
        int row = 0;
        while (big->resultModel()->item(row, 0)->text() != QStringLiteral("queue:jobs"))
            ++row;
        Q_EMIT big->resultView()->activated(big->resultModel()->index(row, 0));
        QTRY_COMPARE(panel->viewer()->key(), QByteArray("queue:jobs"));
        QCOMPARE(panel->detailTabs()->currentWidget(), static_cast<QWidget*>(panel->viewer()));
    }

    void cancelStopsWithAnExactCount()
    {
        auto panel = scanned(m_plainSource->source, QStringLiteral("plain"));
        QVERIFY(panel);
        KeyStatsView* big = panel->memoryView()->elementsView();
        QSignalSpy finished(big, &KeyStatsView::finished);
        big->start();
        big->cancel();   // before any reply: the requests in flight are still counted when they come back
        QTRY_COMPARE(finished.size(), 1);
        QVERIFY2(big->statusText().startsWith(QStringLiteral("Cancelled after 9 of 9 keys")), qPrintable(big->statusText()));
    }

    void localEngineRanksFromItsOwnAccounting()
    {
        engine::CacheOptions options;
        options.backgroundThread = false;
        auto cache = std::make_shared<engine::Cache>(options);
        cache->set(sv("page:hot"), sv("x"));
        cache->set(sv("page:cold"), sv("a much longer value"));
        cache->set(sv("page:warm"), sv("xy"));
        for (int i = 0; i < 9; ++i)
            cache->get(sv("page:hot"));
        for (int i = 0; i < 3; ++i)
            cache->get(sv("page:warm"));
        auto host = SourceHost::forLocal(cache);
        host->open();
        auto panel = scanned(host->source(), QStringLiteral("Local engine"), true);
        QVERIFY(panel);
        const auto hitsBefore = cache->stats().gets();
        KeyStatsView* hot = panel->memoryView()->hotKeysView();
        QTRY_VERIFY2(hot->frequencySupport().available, qPrintable(hot->noteText()));
        QCOMPARE(hot->frequencySupport().policy, QStringLiteral("wtinylfu"));
        QVERIFY(run(hot));
        const QList<Row> ranked = rows(hot->resultModel());
        QCOMPARE(ranked.size(), 3);
        QCOMPARE(ranked.at(0).key, QStringLiteral("page:hot"));
        QCOMPARE(ranked.at(1).key, QStringLiteral("page:warm"));
        QVERIFY(ranked.at(0).value.toInt() > ranked.at(1).value.toInt());
        KeyStatsView* big = panel->memoryView()->elementsView();
        QVERIFY(run(big));
        QCOMPARE(firstOfType(rows(big->resultModel()), QStringLiteral("string")).key, QStringLiteral("page:cold"));
        QCOMPARE(firstOfType(rows(big->resultModel()), QStringLiteral("string")).value, QStringLiteral("19 bytes"));
        QCOMPARE(cache->stats().gets(), hitsBefore);   // looking is not an access
        panel->setSource(nullptr);

        engine::CacheOptions lru = options;
        lru.policy = engine::PolicyKind::Lru;
        auto lruCache = std::make_shared<engine::Cache>(lru);
        lruCache->set(sv("a"), sv("b"));
        auto lruHost = SourceHost::forLocal(lruCache);
        lruHost->open();
        auto lruPanel = scanned(lruHost->source(), QStringLiteral("Local engine"), true);
        QVERIFY(lruPanel);
        KeyStatsView* none = lruPanel->memoryView()->hotKeysView();
        QTRY_COMPARE(none->frequencySupport().policy, QStringLiteral("lru"));
        QCOMPARE(none->noteText(), QStringLiteral("Hot keys are not available: the engine's lru policy keeps no access "
                                                  "frequency; only W-TinyLFU has a frequency sketch."));
        lruPanel->setSource(nullptr);
    }
};

QTEST_MAIN(TestKeysRankings)
#include "tst_keys_rankings.moc"
