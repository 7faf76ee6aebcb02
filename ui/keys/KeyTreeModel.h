#pragma once
// KeyTreeModel: the Keys panel's namespace tree as a Qt item model, built for keyspaces of millions of keys. It
// adapts plain C++ collaborators, each with one job:
//   - KeyStore (not owned: the panel's) holds every key delivered, once, in one arena of bytes, with type, TTL and
//     memory; the model is its one writer while it adapts it, so that views hear of every change;
//   - KeyFilter decides which keys are in the tree (the client-side text and type filter);
//   - NamespaceTree holds the namespaces, their counts and memory sums, and the rows of the nodes a view expanded
//     (canFetchMore/fetchMore): a million leaves cost nothing in the model until someone looks at them;
//   - RowOrder orders rows (namespaces first, natural order), SortQueue sorts big nodes in slices on the event loop.
// What the model itself does is what only a Qt model can: indexes, data(), and the signals that tell views what
// changed, in batches (one insertion per node per batch of keys, one layout change per sort).
//
// Paging: a node shows its rows a page (kPageRows) at a time. QTreeView lays out every visible row again after each
// insertion or layout change (~30 ns a row), so a flat keyspace of a million top-level keys would cost a 30 ms
// relayout per batch and per repaint. The rest stay in the node (sorted with it) and come into view when the view
// scrolls to the last shown row (showMoreRows, driven by KeysPanel) or when a key is looked up.
// Details: a key's type, TTL and memory arrive when someone asks for them (applyDetails); the model never asks by
// itself, so that bringing a page of 10,000 rows into the model costs the server nothing (the panel asks for the rows
// on screen: needsDetails).
// Refiltering or a new separator rebuilds the tree from the store in slices on the event loop, the same way scan
// batches grow it, so the GUI never stalls on a big keyspace.
#include "connectors/SourceTypes.h"
#include "ui/keys/KeyFilter.h"
#include "ui/keys/KeyStore.h"
#include "ui/keys/NamespaceTree.h"
#include "ui/keys/RowOrder.h"
#include "ui/keys/SortQueue.h"

#include <QAbstractItemModel>
#include <QByteArray>
#include <QString>

#include <vector>

class QTimer;

namespace cachelens::ui {

class KeyTreeModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, KeysColumn, TypeColumn, TtlColumn, MemoryColumn, ColumnCount };
    enum Role {
        KeyRole = Qt::UserRole + 1,   // QByteArray: the exact key bytes (leaves only)
        IsNamespaceRole,              // bool
        PatternRole,                  // QByteArray: the namespace as a glob ("character:published:*"), or the key
        KeyCountRole,                 // qulonglong: keys below a namespace (1 for a key)
        TypeRole,                     // int (KeyType)
        TtlMsRole,                    // qlonglong: remaining ms, -1 no expiry, -2 unknown
        MemoryRole,                   // qlonglong: bytes, -1 unknown (a namespace: known once all its keys are)
    };
    static constexpr int kRebuildSlice = 20000;   // keys indexed per event-loop turn while refiltering
    static constexpr std::size_t kSyncSortRows = 20000;   // bigger nodes are sorted in slices (SortQueue)
    static constexpr int kSortSliceMs = 8;
    static constexpr std::size_t kPageRows = 10000;        // rows a node shows at once; more as the view scrolls

    // Adapts `keys`, which must outlive the model; the model clears it and fills it from scan batches.
    explicit KeyTreeModel(KeyStore& keys, QObject* parent = nullptr);
    ~KeyTreeModel() override;

    // QAbstractItemModel
    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    // True for a namespace whose rows are not built yet. Paging through a built node's rows is not done through
    // fetchMore: QTreeView calls fetchMore for every node that can fetch on each relayout, which would page on its own.
    bool canFetchMore(const QModelIndex& parent) const override;
    // Deferred to the event loop (like QFileSystemModel): a view or QAbstractItemModelTester may call fetchMore from
    // inside a rowsInserted handler, where inserting rows again would nest two insertions.
    void fetchMore(const QModelIndex& parent) override;
    void fetchNow(const QModelIndex& parent);             // builds a namespace's rows at once
    // Rows of a built node that are not shown yet (beyond its first pages), and showing the next page of them.
    quint64 hiddenRowCount(const QModelIndex& parent = {}) const;
    void showMoreRows(const QModelIndex& parent = {});
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    QStringList mimeTypes() const override;
    QMimeData* mimeData(const QModelIndexList& indexes) const override;

    // Keys
    void clear();
    void reserve(quint64 keys, quint64 keyBytes);          // a scan's estimate: no rehash or regrowth while loading
    void addKeys(const QVector<KeyEntry>& keys);           // a scan batch; duplicates are merged
    void applyDetails(const QVector<KeyEntry>& details);   // type/TTL/memory; type None removes the key
    void removeKeys(const QList<QByteArray>& keys);        // deleted on the server
    void setTtl(const QList<QByteArray>& keys, qint64 ttlMs);   // after a successful TTL edit (<0: persist)

    QByteArray separator() const;
    void setSeparator(const QByteArray& separator);        // rebuilds the tree
    // Client-side filter: keys whose escaped form contains `text` (ASCII case-insensitive) and whose type is `type`
    // (Unknown = any type; keys whose type is not known yet are hidden while a type is chosen).
    void setFilter(const QString& text, KeyType type);
    QString filterText() const { return m_filterText; }
    KeyType filterType() const { return m_filterType; }
    bool isRebuilding() const;
    bool isSorting() const;                                // a big node's rows are being sorted in slices

    quint64 loadedKeys() const;                            // distinct live keys delivered (before filtering)
    quint64 visibleKeys() const;                           // keys in the tree (after filtering)
    quint64 namespaceCount() const { return quint64(m_tree.size() - 1); }
    std::size_t bytesUsed() const;                         // heap held by the store and the model, key bytes included
    std::size_t keyBytes() const { return m_keys.keyBytes(); }

    bool isNamespace(const QModelIndex& index) const;
    bool needsDetails(const QModelIndex& index) const;   // a key row whose type/TTL/memory have not arrived yet
    QByteArray keyAt(const QModelIndex& index) const;      // empty for a namespace
    QByteArray patternAt(const QModelIndex& index) const;  // glob of a namespace (escaped glob chars), or the key
    QList<QByteArray> keysUnder(const QModelIndex& index) const;   // every key in the tree below (or the key itself)
    quint64 keyCountAt(const QModelIndex& index) const;
    // Up to `max` live keys (filtered or not) still lacking a type, from key number `cursor` on; advances `cursor`.
    QList<QByteArray> keysWithUnknownType(quint32& cursor, int max) const;
    quint64 unknownTypeCount() const;
    // The index of a key in the tree, expanding (fetching) its namespaces on the way; invalid if not in the tree.
    QModelIndex indexOfKey(const QByteArray& key);
    QModelIndex indexOfNamespace(const QByteArray& path);  // "character:published" (no trailing separator)

    // Up to `n` keys drawn uniformly at random from the keys in the tree below `index` (reservoir sampling over the
    // namespace's lists: no copy of the whole namespace); all of them when there are fewer.
    // recursive = false: only the keys directly in that namespace (not in its sub-namespaces).
    QList<QByteArray> sampleKeys(const QModelIndex& index, int n, quint64 seed, bool recursive = true) const;
    quint64 directKeyCount(const QModelIndex& index) const;   // keys directly in a namespace (not below)
    qint64 memoryOf(const QByteArray& key) const;          // -1 unknown
    KeyType typeOf(const QByteArray& key) const;           // None: not loaded or deleted
    // The `n` largest loaded keys by known memory, largest first.
    QList<QPair<QByteArray, qint64>> biggestKeys(int n) const;
    quint64 unknownMemoryCount() const;
    // Up to `max` live keys (filtered or not) from key number `cursor` on; advances `cursor`.
    QList<QByteArray> liveKeys(quint32& cursor, int max) const;
    QList<QByteArray> keysWithUnknownMemory(quint32& cursor, int max) const;

    static QByteArray escapeGlob(QByteArrayView bytes);    // '*', '?', '[', ']' and '\' get a backslash
    static QString displayKey(QByteArrayView bytes);       // engine::escapeKey as a QString

Q_SIGNALS:
    void rebuildFinished();
    void countsChanged();                                  // loaded or visible counts changed
    void sortingChanged(bool sorting);                     // sliced sorting started / everything is in order

private:
    using Ref = NamespaceTree::Ref;
    using NsId = NamespaceTree::Id;

    // changing the tree (KeyTreeModel.cpp)
    void insert(KeyStore::Id k, NamespaceTree::Appended& appended);
    void setMemory(KeyStore::Id k, std::int64_t bytes);    // keeps the namespaces' sums
    void flush(NamespaceTree::Appended& appended);         // appended refs become rows (up to a page)
    void namespaceRowsChanged();
    void indexUpTo(quint32 end);
    void rebuildSlice();
    void restartTree();
    // rows (KeyTreeModelRows.cpp)
    void removeFromTree(const std::vector<KeyStore::Id>& keys);   // rows removed range by range, then detached
    void removeRefs(NsId n, const std::vector<Ref>& gone);
    void fetchQueued();
    void expose(NsId n, std::size_t upTo);                 // shows refs up to upTo
    void remapPersistent(const QModelIndexList& before);   // after rows moved or left: persistent indexes follow
    void sortRows(std::vector<Ref>& rows) const;
    RowOrder order() const;
    void queueSort(NsId n);
    void cancelSorts(bool notify = true);
    void sortSlice();
    void finishSortJob(std::unique_ptr<SortQueue::Job> job);
    QModelIndex nsIndex(NsId n, int column) const;
    QModelIndex refIndex(Ref ref, int column) const;       // a ref whose parent shows it
    static NsId nodeOf(const QModelIndex& parent);         // the root for an invalid index
    static bool isKeyIndex(const QModelIndex& index) { return index.isValid() && NamespaceTree::isKey(Ref(index.internalId())); }
    static KeyStore::Id keyIdOf(const QModelIndex& index) { return NamespaceTree::idOf(Ref(index.internalId())); }
    QByteArray keyBytes(KeyStore::Id k) const;
    QList<QByteArray> keysOf(const std::vector<KeyStore::Id>& ids) const;

    KeyStore& m_keys;
    KeyFilter m_filter;
    NamespaceTree m_tree;
    SortQueue m_sorts;
    std::vector<NsId> m_fetchQueue;          // namespaces whose rows fetchMore asked for
    quint32 m_cursor = 0;                    // keys [0, m_cursor) have been offered to the tree
    bool m_inserted = false;                 // keys went into the tree since the last flush
    QTimer* m_rebuild;
    QTimer* m_sortTimer;
    QString m_filterText;
    KeyType m_filterType = KeyType::Unknown;
    quint64 m_rowsVersion = 0;               // bumped when rows are removed or reset (a sort's copy is then stale)
    int m_sortColumn = NameColumn;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
};

} // namespace cachelens::ui
