// The Keys panel's data without Qt (cachelens_keystore, linked here without the Qt model): the key store keeps each key
// once in its arena and brings a deleted key back under its old id; the namespace tree counts and sums what is below
// each namespace, lists a namespace's rows only once built and appends what arrives below a built one; the filter
// and the row order decide what the tree shows and in which order.
#include "ui/keys/KeyFilter.h"
#include "ui/keys/KeyStore.h"
#include "ui/keys/NamespaceTree.h"
#include "ui/keys/RowOrder.h"
#include "ui/keys/SortQueue.h"

#include <QTest>

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

using namespace cachelens::ui;

namespace {

constexpr std::uint8_t kString = 1, kHash = 5;   // KeyType::String, KeyType::Hash

std::vector<std::string> names(const NamespaceTree& tree, const std::vector<NamespaceTree::Ref>& refs)
{
    std::vector<std::string> out;
    for (NamespaceTree::Ref r : refs)
        out.emplace_back(tree.nameOf(r));
    return out;
}

void insertAll(const KeyStore& keys, NamespaceTree& tree)
{
    NamespaceTree::Appended appended;
    for (KeyStore::Id k = 0; k < keys.size(); ++k)
        if (keys.isLive(k))
            tree.insert(k, appended);
}

RowOrder byName(const KeyStore& keys, const NamespaceTree& tree, bool descending = false)
{
    RowOrder::TypeRank rank{};
    std::iota(rank.begin(), rank.end(), 0);
    return RowOrder(keys, tree, RowOrder::By::Name, descending, rank);
}

} // namespace

class KeyStoreTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void aKeyDeliveredTwiceIsStoredOnceWithItsExactBytes()
    {
        KeyStore keys;
        const std::string binary("ns:\0\xfe\n", 6);
        const auto a = keys.add("user:1");
        const auto b = keys.add(binary);
        const auto again = keys.add("user:1");
        QVERIFY(a.created && b.created && !again.created);
        QCOMPARE(again.id, a.id);
        QCOMPARE(keys.size(), std::size_t(2));
        QCOMPARE(keys.liveCount(), std::size_t(2));
        QCOMPARE(keys.keyBytes(), std::size_t(6 + 6));   // one arena, no copy per delivery
        QVERIFY(keys.bytes(b.id) == binary);
        QCOMPARE(keys.find(binary), b.id);
        QCOMPARE(keys.find("user:2"), KeyStore::kNone);
        QCOMPARE(keys.type(a.id), KeyStore::kTypeUnknown);
        QCOMPARE(keys.deadline(a.id), KeyStore::kTtlUnknown);
        QCOMPARE(keys.memory(a.id), -1);
    }

    void aDeletedKeyKeepsItsIdAndComesBackWhenFoundAgain()
    {
        KeyStore keys;
        const KeyStore::Id id = keys.add("session:9").id;
        keys.setType(id, kHash);
        QVERIFY(keys.remove(id));
        QVERIFY(!keys.remove(id));
        QVERIFY(!keys.isLive(id));
        QCOMPARE(keys.liveCount(), std::size_t(0));
        const auto back = keys.add("session:9");
        QVERIFY(back.revived && !back.created);
        QCOMPARE(back.id, id);
        QCOMPARE(keys.type(id), KeyStore::kTypeUnknown);   // what it is now must be read again
        QCOMPARE(keys.liveCount(), std::size_t(1));
    }

    void detailsAreKeptPerKey()
    {
        KeyStore keys;
        const KeyStore::Id id = keys.add("k").id;
        keys.setMemory(id, std::int64_t(5) << 32);   // 20 GiB: saturated, not wrapped
        QCOMPARE(keys.memory(id), std::numeric_limits<std::int32_t>::max());
        keys.setDeadline(id, 10'000);
        QCOMPARE(keys.remainingMs(id, 4'000), std::int64_t(6'000));
        QCOMPARE(keys.remainingMs(id, 12'000), std::int64_t(0));
        keys.setDeadline(id, KeyStore::kNoExpiry);
        QCOMPARE(keys.remainingMs(id, 12'000), KeyStore::kNoExpiry);
    }

    void keysAreFoundByWhatTheyLack()
    {
        KeyStore keys;
        for (int i = 0; i < 10; ++i)
            keys.add("k" + std::to_string(i));
        keys.setType(2, kString);
        keys.setMemory(3, 300);
        keys.setMemory(4, 400);
        keys.setMemory(5, 100);
        keys.remove(4);
        QCOMPARE(keys.count(KeyStore::Which::Live), std::size_t(9));
        QCOMPARE(keys.count(KeyStore::Which::UnknownType), std::size_t(8));   // neither the typed nor the deleted one
        QCOMPARE(keys.count(KeyStore::Which::UnknownMemory), std::size_t(7));
        KeyStore::Id cursor = 0;
        QVERIFY((keys.next(cursor, 3, KeyStore::Which::UnknownMemory) == std::vector<KeyStore::Id>{0, 1, 2}));
        QVERIFY((keys.next(cursor, 3, KeyStore::Which::UnknownMemory) == std::vector<KeyStore::Id>{6, 7, 8}));
        QVERIFY((keys.next(cursor, 3, KeyStore::Which::UnknownMemory) == std::vector<KeyStore::Id>{9}));
        QVERIFY(keys.next(cursor, 3, KeyStore::Which::UnknownMemory).empty());
        QVERIFY((keys.biggest(5) == std::vector<KeyStore::Id>{3, 5}));   // the deleted one is not among them
    }

    void aReservedStoreDoesNotGrowWhileFilled()
    {
        KeyStore keys;
        keys.reserve(50'000, 50'000 * 12);
        const std::size_t reserved = keys.bytesUsed();
        for (int i = 0; i < 50'000; ++i)
            keys.add("user:" + std::to_string(100'000 + i));
        QCOMPARE(keys.bytesUsed(), reserved);
        keys.clear();
        QCOMPARE(keys.size(), std::size_t(0));
        QVERIFY(keys.bytesUsed() < reserved / 10);
    }

    void namespacesCountAndSumWhatIsBelowThem()
    {
        KeyStore keys;
        for (const char* k : {"character:published:1", "character:published:2", "character:draft:9", "plain"})
            keys.add(k);
        keys.setMemory(keys.find("character:published:1"), 100);
        NamespaceTree tree(keys);
        insertAll(keys, tree);
        const NamespaceTree::Id character = tree.find(NamespaceTree::kRoot, "character");
        const NamespaceTree::Id published = tree.find(character, "published");
        QVERIFY(character != NamespaceTree::kNone && published != NamespaceTree::kNone);
        QCOMPARE(tree.size(), std::size_t(4));   // the root, character, published, draft
        QCOMPARE(tree.node(NamespaceTree::kRoot).count, 4u);
        QCOMPARE(tree.node(character).count, 3u);
        QCOMPARE(tree.node(published).count, 2u);
        QCOMPARE(tree.node(character).measured, 1u);
        QCOMPARE(tree.node(character).memory, 100);
        QCOMPARE(tree.path(published), std::string("character:published"));
        QCOMPARE(tree.leafName(keys.find("character:draft:9")), std::string_view("9"));
        QCOMPARE(tree.directKeyCount(NamespaceTree::kRoot), 1u);   // "plain"
        // The store's memory of a key changes: the sums follow.
        const KeyStore::Id two = keys.find("character:published:2");
        const std::int32_t before = keys.memory(two);
        keys.setMemory(two, 50);
        tree.memoryChanged(two, before);
        QCOMPARE(tree.node(published).memory, 150);
        QCOMPARE(tree.node(published).measured, 2u);
        // Names are not copied: they point into the store's arena. Compared as addresses: as const char* QCOMPARE
        // would compare C strings, and arena bytes have no terminating zero.
        QCOMPARE(static_cast<const void*>(tree.name(character).data()),
                 static_cast<const void*>(keys.bytes(keys.find("character:published:1")).data()));
    }

    void aNamespaceListsItsRowsOnlyOnceBuiltAndGrowsWhenBuilt()
    {
        KeyStore keys;
        keys.add("a:1");
        keys.add("a:2");
        NamespaceTree tree(keys);
        insertAll(keys, tree);
        const NamespaceTree::Id a = tree.find(NamespaceTree::kRoot, "a");
        QVERIFY(!tree.isBuilt(a));
        QVERIFY(tree.isBuilt(NamespaceTree::kRoot));   // the root's rows are always listed
        std::vector<NamespaceTree::Ref> refs = tree.childRefs(a);
        std::stable_sort(refs.begin(), refs.end(), byName(keys, tree));
        tree.children(a).refs = refs;
        QVERIFY((names(tree, tree.children(a).refs) == std::vector<std::string>{"1", "2"}));
        // Keys arriving below a built namespace are handed back to be appended; others are not.
        NamespaceTree::Appended appended;
        tree.insert(keys.add("a:3").id, appended);
        tree.insert(keys.add("b:1").id, appended);
        QCOMPARE(appended.size(), std::size_t(2));   // a's new key, and the root's new namespace b
        QVERIFY((names(tree, appended.at(a)) == std::vector<std::string>{"3"}));
        QVERIFY((names(tree, appended.at(NamespaceTree::kRoot)) == std::vector<std::string>{"b"}));
    }

    void detachedKeysLeaveCountsAndLists()
    {
        KeyStore keys;
        for (int i = 0; i < 1000; ++i)
            keys.add("ns:" + std::to_string(i));
        NamespaceTree tree(keys);
        insertAll(keys, tree);
        std::vector<KeyStore::Id> gone;
        for (KeyStore::Id k = 0; k < 1000; k += 3)
            gone.push_back(k);
        tree.detach(gone);
        const NamespaceTree::Id ns = tree.find(NamespaceTree::kRoot, "ns");
        QCOMPARE(tree.node(ns).count, std::uint64_t(1000 - gone.size()));
        std::size_t listed = 0;
        tree.forEachKey(ns, true, [&](KeyStore::Id k) {
            QVERIFY(k % 3 != 0);
            ++listed;
        });
        QCOMPARE(listed, std::size_t(1000 - gone.size()));
        QVERIFY(!tree.contains(0));
        QVERIFY(tree.contains(1));
    }

    void withoutASeparatorEveryKeyIsTopLevel()
    {
        KeyStore keys;
        keys.add("a:b:c");
        NamespaceTree tree(keys);
        tree.setSeparator({});
        tree.reset();
        insertAll(keys, tree);
        QCOMPARE(tree.size(), std::size_t(1));
        QCOMPARE(tree.leafName(0), std::string_view("a:b:c"));
        tree.setSeparator("/");
        tree.reset();
        QVERIFY(!tree.contains(0));   // a reset empties the tree; the store keeps its keys
        QCOMPARE(keys.liveCount(), std::size_t(1));
    }

    void theFilterMatchesTheEscapedKeyAndTheType_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("type");
        QTest::addColumn<int>("passing");
        QTest::addRow("substring, any case") << QByteArray("GUILD") << 0 << 2;
        QTest::addRow("escaped binary") << QByteArray("\\xff") << 0 << 1;
        QTest::addRow("type only") << QByteArray() << int(kHash) << 1;
        QTest::addRow("type and text") << QByteArray("guild") << int(kHash) << 0;
        QTest::addRow("nothing") << QByteArray("zzz") << 0 << 0;
        QTest::addRow("everything") << QByteArray() << 0 << 4;
    }
    void theFilterMatchesTheEscapedKeyAndTheType()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, type);
        QFETCH(int, passing);
        KeyStore keys;
        for (const std::string& k : {std::string("discord:guildMember:1"), std::string("discord:guildMember:2"),
                                     std::string("room:1"), std::string("bin:\xff\x01", 6)})
            keys.add(k);
        keys.setType(keys.find("room:1"), kHash);
        keys.add("gone:guild");
        keys.remove(keys.find("gone:guild"));   // deleted keys never pass
        KeyFilter filter;
        filter.set(std::string_view(text.constData(), std::size_t(text.size())), std::uint8_t(type));
        int n = 0;
        for (KeyStore::Id k = 0; k < keys.size(); ++k)
            n += filter.passes(keys, k) ? 1 : 0;
        QCOMPARE(n, passing);
    }

    void rowsSortNamespacesFirstThenByTheColumn()
    {
        KeyStore keys;
        for (const char* k : {"k10", "user:1", "k9", "shard10:a", "k2", "shard9:a"})
            keys.add(k);
        keys.setDeadline(keys.find("k10"), 5'000);
        keys.setDeadline(keys.find("k9"), KeyStore::kNoExpiry);   // k2: unknown
        NamespaceTree tree(keys);
        insertAll(keys, tree);
        std::vector<NamespaceTree::Ref> refs = tree.childRefs(NamespaceTree::kRoot);
        std::stable_sort(refs.begin(), refs.end(), byName(keys, tree));
        QVERIFY((names(tree, refs) == std::vector<std::string>{"shard9", "shard10", "user", "k2", "k9", "k10"}));
        std::stable_sort(refs.begin(), refs.end(), byName(keys, tree, true));
        QVERIFY((names(tree, refs) == std::vector<std::string>{"user", "shard10", "shard9", "k10", "k9", "k2"}));
        RowOrder::TypeRank rank{};
        const RowOrder byTtl(keys, tree, RowOrder::By::Ttl, false, rank);
        std::stable_sort(refs.begin(), refs.end(), byTtl);
        QVERIFY((names(tree, refs) == std::vector<std::string>{"shard9", "shard10", "user", "k10", "k9", "k2"}));
    }

    void aBigNodeIsSortedInStepsAndMergesWhatArrivedMeanwhile()
    {
        KeyStore keys;
        const int n = 30'000;
        for (int i = n - 1; i >= 0; --i)
            keys.add("k" + std::to_string(i));
        NamespaceTree tree(keys);
        insertAll(keys, tree);
        tree.children(NamespaceTree::kRoot).refs = tree.childRefs(NamespaceTree::kRoot);
        SortQueue queue;
        const RowOrder order = byName(keys, tree);
        queue.push(NamespaceTree::kRoot);
        QVERIFY(queue.isBusy());
        int steps = 0;
        SortQueue::Outcome outcome;
        // A deadline already passed: each step does the least it can.
        while ((outcome = queue.step(std::chrono::steady_clock::now(), tree, order, 1)) == SortQueue::Outcome::TimeUp)
            ++steps;
        QVERIFY(outcome == SortQueue::Outcome::Finished);
        QVERIFY2(steps > 3, qPrintable(QString::number(steps)));
        std::unique_ptr<SortQueue::Job> job = queue.takeFinished();
        QVERIFY(!queue.isBusy());
        // A scan delivered two more keys meanwhile.
        NamespaceTree::Appended appended;
        tree.insert(keys.add("a").id, appended);
        tree.insert(keys.add("k15000x").id, appended);
        tree.append(NamespaceTree::kRoot, appended.at(NamespaceTree::kRoot));
        const auto sorted = SortQueue::merged(*job, tree.children(NamespaceTree::kRoot).refs, order, 100);
        QVERIFY(sorted.has_value());
        QCOMPARE(sorted->size(), std::size_t(n + 2));
        QVERIFY(std::is_sorted(sorted->begin(), sorted->end(), order));
        QCOMPARE(std::string(tree.nameOf(sorted->front())), std::string("a"));
        QVERIFY(queue.step(std::chrono::steady_clock::now(), tree, order, 1) == SortQueue::Outcome::Idle);
    }
};

QTEST_APPLESS_MAIN(KeyStoreTest)
#include "tst_keystore.moc"
