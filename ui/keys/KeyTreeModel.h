#pragma once
// KeyTreeModel: the namespace tree of the Keys panel, built for keyspaces of millions of keys.
//
// Storage (all indices are 32-bit; see bytesUsed()):
//   - every key ever delivered by the scan lives once in one byte arena (m_arena + m_offsets), with its metadata in
//     parallel vectors (type, TTL deadline, memory) and an open-addressing index of key numbers for deduplication
//     (SCAN may return a key twice) and lookup by bytes;
//   - namespaces are nodes in a first-child / next-sibling tree whose names point into the arena (no copy), found
//     through a second open-addressing index keyed by (parent, segment);
//   - a node's rows (sorted child refs) exist only once the view expanded it (canFetchMore/fetchMore), so a million
//     leaves cost nothing in the model until someone looks at them;
//   - a node shows its rows a page (kPageRows) at a time: QTreeView lays out every visible row again after each
//     insertion or layout change (~30 ns a row), so a flat keyspace of a million top-level keys would cost a 30 ms
//     relayout per batch and per repaint. The rest stay in the node (sorted with it) and come into view when the
//     view scrolls to the last shown row (showMoreRows, driven by KeysPanel) or when a key is looked up.
//   - a key's type, TTL and memory arrive when someone asks for them (applyDetails): the model never asks by itself,
//     so that bringing a page of 10,000 rows into the model costs the server nothing; the panel asks for the rows on
//     screen (needsDetails).
// Growth is amortised everywhere (IdIndex moves its slots a few per insert, namespaces live in fixed blocks), so no
// single batch pays for a rehash or a reallocation of everything loaded before it.
// The client-side filter (text and type) decides which keys are in the tree; changing it rebuilds the tree from the
// arena in slices on the event loop, the same way scan batches grow it, so the GUI never stalls on a big keyspace.
#include "connectors/SourceTypes.h"
#include "ui/keys/ChunkedVector.h"
#include "ui/keys/IdIndex.h"

#include <QAbstractItemModel>
#include <QByteArray>
#include <QString>

#include <memory>
#include <unordered_map>
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
    static constexpr std::size_t kSyncSortRows = 20000;   // bigger nodes are sorted in slices (KeyTreeModelSort.cpp)
    static constexpr int kSortSliceMs = 8;
    static constexpr std::size_t kPageRows = 10000;        // rows a node shows at once; more as the view scrolls

    explicit KeyTreeModel(QObject* parent = nullptr);
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

    QByteArray separator() const { return m_separator; }
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
    quint64 namespaceCount() const { return quint64(m_ns.size() - 1); }
    std::size_t bytesUsed() const;                         // heap held by the model, key bytes included
    std::size_t keyBytes() const { return m_arena.size(); }

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
    static constexpr quint32 kNone = 0xffffffffu;
    static constexpr quint32 kKeyFlag = 0x80000000u;
    struct Ns {
        quint32 parent = kNone;
        quint32 nameKey = kNone;     // the key whose bytes hold this segment
        quint32 nameOffset = 0;
        quint32 nameLength = 0;
        quint32 firstChild = kNone;
        quint32 nextSibling = kNone;
        quint32 firstLeaf = kNone;
        quint32 row = 0;             // position in the parent's refs (valid while the parent is built)
        quint64 count = 0;           // keys in the tree below
        quint64 measured = 0;        // of those, keys whose memory is known
        qint64 memory = 0;           // their memory, summed
    };
    struct Rows {
        std::vector<quint32> refs;   // every child: a namespace number, or key | kKeyFlag; in order once sorted
        std::size_t shown = 0;       // refs[0, shown) are the node's rows in the model; the rest wait (showMoreRows)
    };
    using Pending = std::unordered_map<quint32, std::vector<quint32>>;

    QByteArrayView keyBytes(quint32 k) const;
    QByteArrayView nsName(quint32 n) const;
    QByteArrayView leafName(quint32 k) const;
    std::size_t keyHash(QByteArrayView bytes) const;
    std::size_t nsHash(quint32 parent, QByteArrayView segment) const;
    quint32 findKey(QByteArrayView bytes) const;
    quint32 findNs(quint32 parent, QByteArrayView segment) const;
    void insertKeyIndex(quint32 k);
    void insertNsIndex(quint32 n);
    bool passes(quint32 k) const;
    void insertIntoTree(quint32 k, Pending& pending);
    void setMemory(quint32 k, std::int64_t bytes);         // keeps the namespaces' sums
    void removeFromTree(const std::vector<quint32>& keys); // keys leave the tree (rows removed range by range)
    void removeRefs(quint32 n, Rows& rows, const std::vector<quint32>& gone);
    void flush(Pending& pending);
    void namespaceRowsChanged();
    void fetchQueued();
    void indexUpTo(quint32 end);
    void rebuildSlice();
    void restartTree();
    bool isExpanded(quint32 n) const { return m_rows.find(n) != m_rows.end(); }
    // n's rows are in the model: n is the root, or a shown row of a node whose rows are (so it has a valid index).
    bool isVisible(quint32 n) const;
    void expose(quint32 n, std::size_t upTo);              // shows refs up to upTo
    // sorting (KeyTreeModelSort.cpp)
    struct RowLess;
    struct SortJob;
    void sortRows(std::vector<quint32>& rows) const;
    bool lessThan(quint32 a, quint32 b) const;
    bool rowLess(quint32 a, quint32 b) const;              // the order of rows: namespaces first, then m_sortColumn
    void renumber(quint32 n);
    void remapPersistent(const QModelIndexList& before);   // after rows moved or left: persistent indexes follow
    void queueSort(quint32 n);
    void cancelSorts(bool notify = true);
    void sortSlice();
    void finishSortJob();
    QModelIndex nsIndex(quint32 n, int column) const;
    qint64 remainingMs(quint32 k) const;
    QByteArray nsPath(quint32 n) const;
    void collectKeys(quint32 n, QList<QByteArray>& out) const;

    // keys (reserved from the scan's estimate, so they do not reallocate while a scan within it loads)
    std::vector<char> m_arena;
    std::vector<quint64> m_offsets{0};
    std::vector<qint64> m_deadline;          // ms since epoch; -1 no expiry; -2 unknown
    std::vector<qint32> m_memory;            // bytes (saturated), -1 unknown
    std::vector<KeyType> m_type;             // None: deleted
    std::vector<quint32> m_keyNs;            // namespace in the tree, kNone when filtered out
    std::vector<quint32> m_nextLeaf;
    IdIndex m_keyIndex;                      // key bytes → key number
    quint64 m_liveKeys = 0;
    // tree
    ChunkedVector<Ns> m_ns;
    IdIndex m_nsIndex;                       // (parent, segment) → namespace number
    std::unordered_map<quint32, Rows> m_rows;   // built nodes only
    std::vector<quint32> m_fetchQueue;       // namespaces whose rows fetchMore asked for
    quint32 m_cursor = 0;                    // keys [0, m_cursor) have been offered to the tree
    bool m_inserted = false;                 // keys went into the tree since the last flush
    QTimer* m_rebuild;
    QByteArray m_separator = QByteArrayLiteral(":");
    QString m_filterText;
    QByteArray m_filterLower;                // escaped, lower-cased
    KeyType m_filterType = KeyType::Unknown;
    std::unique_ptr<SortJob> m_sortJob;      // the big node being sorted in slices
    std::vector<quint32> m_sortQueue;        // big nodes waiting for it
    QTimer* m_sortTimer;
    quint64 m_rowsVersion = 0;               // bumped when rows are removed or reset (a sort snapshot is then stale)
    int m_sortColumn = NameColumn;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
};

} // namespace cachelens::ui
