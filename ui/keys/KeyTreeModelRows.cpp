// KeyTreeModel: the rows of built nodes as views see them. A node's refs (NamespaceTree::Children) hold all its
// children; the first `shown` are rows of the model, a page (kPageRows) at a time, so that Qt's tree view, which lays
// out every shown row again after each insertion or layout change, never has a million of them. Rows come into view
// as a scan delivers them (up to a page), when the view scrolls to the last shown row (showMoreRows), or when a key
// or a namespace is looked up. Removals leave rows in one pass per node. Orders: nodes of up to kSyncSortRows rows
// are sorted at once, bigger ones by SortQueue in time-boxed slices, put in place with one layout change.
#include "ui/keys/KeyTreeModel.h"

#include <QScopeGuard>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <unordered_map>
#include <unordered_set>

namespace cachelens::ui {

namespace {

std::size_t pageEnd(std::size_t row)   // the shown row count that includes `row`, in whole pages
{
    return (row / KeyTreeModel::kPageRows + 1) * KeyTreeModel::kPageRows;
}

// Where each type sorts in the Type column: by its name, as the column shows it.
const RowOrder::TypeRank& typeRank()
{
    static const RowOrder::TypeRank rank = [] {
        std::array<std::uint8_t, std::tuple_size_v<RowOrder::TypeRank>> types{};
        for (std::uint8_t t = 0; t < types.size(); ++t)
            types[t] = t;
        std::sort(types.begin(), types.end(),
                  [](std::uint8_t a, std::uint8_t b) { return keyTypeName(KeyType(a)) < keyTypeName(KeyType(b)); });
        RowOrder::TypeRank out{};
        for (std::uint8_t i = 0; i < types.size(); ++i)
            out[types[i]] = i;
        return out;
    }();
    return rank;
}

RowOrder::By byColumn(int column)
{
    switch (column) {
    case KeyTreeModel::KeysColumn: return RowOrder::By::Keys;
    case KeyTreeModel::TypeColumn: return RowOrder::By::Type;
    case KeyTreeModel::TtlColumn: return RowOrder::By::Ttl;
    case KeyTreeModel::MemoryColumn: return RowOrder::By::Memory;
    default: return RowOrder::By::Name;
    }
}

} // namespace

void KeyTreeModel::flush(NamespaceTree::Appended& appended)
{
    for (auto& [n, refs] : appended) {
        m_tree.append(n, refs);
        const NamespaceTree::Children& rows = m_tree.children(n);
        // Up to a page, new rows show at once (the first keys of a scan are visible at once); beyond, they wait for
        // showMoreRows, so a flat keyspace does not make the view lay out a million rows again per batch.
        expose(n, std::max(rows.shown, std::min(rows.refs.size(), kPageRows)));
    }
    if (m_inserted) {
        m_inserted = false;
        namespaceRowsChanged();
    }
    Q_EMIT countsChanged();
}

void KeyTreeModel::namespaceRowsChanged()
{
    // Shown namespace rows may have new counts (or memory sums); key rows show neither. After a sort namespaces are
    // the first rows, so each range is short; views repaint only what they show.
    for (auto& [n, rows] : m_tree.built()) {
        if (rows.shown == 0 || m_tree.node(n).firstChild == NamespaceTree::kNone || !m_tree.isShown(n))
            continue;
        std::size_t first = rows.shown, last = 0;
        for (std::size_t i = 0; i < rows.shown; ++i)
            if (!NamespaceTree::isKey(rows.refs[i])) {
                first = std::min(first, i);
                last = i;
            }
        if (first > last)
            continue;
        const QModelIndex parent = nsIndex(n, 0);
        Q_EMIT dataChanged(index(int(first), KeysColumn, parent), index(int(last), MemoryColumn, parent));
    }
}

void KeyTreeModel::removeFromTree(const std::vector<KeyStore::Id>& keys)
{
    // Rows first, while the keys still have their place (views may look at the rows being removed), then the rest.
    std::unordered_map<NsId, std::vector<Ref>> gone;   // built node → its refs that leave
    for (KeyStore::Id k : keys)
        if (const NsId ns = m_tree.namespaceOf(k); ns != NamespaceTree::kNone && m_tree.isBuilt(ns))
            gone[ns].push_back(NamespaceTree::keyRef(k));
    for (const auto& [n, refs] : gone)
        removeRefs(n, refs);
    m_tree.detach(keys);
}

void KeyTreeModel::removeRefs(NsId n, const std::vector<Ref>& goneRefs)
{
    static constexpr std::size_t kMaxRanges = 32;   // beyond, one layout change instead of a signal pair per range
    const std::unordered_set<Ref> gone(goneRefs.begin(), goneRefs.end());
    NamespaceTree::Children& rows = m_tree.children(n);
    std::vector<Ref>& refs = rows.refs;
    ++m_rowsVersion;   // a sort in progress on a copy of these rows starts over
    // Rows not shown leave silently, in one pass; the tail is kept aside meanwhile so that removing shown rows
    // range by range moves only the shown ones.
    std::vector<Ref> tail;
    tail.reserve(refs.size() - rows.shown);
    for (std::size_t i = rows.shown; i < refs.size(); ++i)
        if (!gone.contains(refs[i]))
            tail.push_back(refs[i]);
    refs.resize(rows.shown);
    std::vector<std::pair<std::size_t, std::size_t>> ranges;   // shown rows leaving: [first, last], ascending
    for (std::size_t i = 0; i < refs.size(); ++i) {
        if (!gone.contains(refs[i]))
            continue;
        if (!ranges.empty() && ranges.back().second + 1 == i)
            ranges.back().second = i;
        else
            ranges.emplace_back(i, i);
    }
    const bool visible = m_tree.isShown(n);
    const QModelIndex parent = visible ? nsIndex(n, 0) : QModelIndex();
    if (!visible) {   // no view has these rows: one pass
        std::erase_if(refs, [&](Ref ref) { return gone.contains(ref); });
        rows.shown = refs.size();
        refs.insert(refs.end(), tail.begin(), tail.end());
        m_tree.renumber(n);
    } else if (ranges.size() > kMaxRanges) {
        const QList<QPersistentModelIndex> parents = n == NamespaceTree::kRoot
                                                         ? QList<QPersistentModelIndex>{}
                                                         : QList<QPersistentModelIndex>{QPersistentModelIndex(parent)};
        Q_EMIT layoutAboutToBeChanged(parents);
        const QModelIndexList before = persistentIndexList();
        std::erase_if(refs, [&](Ref ref) { return gone.contains(ref); });
        rows.shown = refs.size();
        refs.insert(refs.end(), tail.begin(), tail.end());
        m_tree.renumber(n);
        remapPersistent(before);   // the keys that left have no row any more: their indexes become invalid
        Q_EMIT layoutChanged(parents);
    } else {
        for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) {
            const auto [first, last] = *it;
            beginRemoveRows(parent, int(first), int(last));
            refs.erase(refs.begin() + std::ptrdiff_t(first), refs.begin() + std::ptrdiff_t(last) + 1);
            rows.shown = refs.size();
            m_tree.renumber(n, first);   // namespaces below keep their row numbers right
            endRemoveRows();
        }
        refs.insert(refs.end(), tail.begin(), tail.end());
        m_tree.renumber(n);
    }
    // Below a page, the next rows come into view as a scan's would.
    expose(n, std::max(rows.shown, std::min(refs.size(), kPageRows)));
}

void KeyTreeModel::fetchNow(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    const NsId n = nodeOf(parent);
    std::vector<Ref> refs = m_tree.childRefs(n);
    const bool sliced = refs.size() > kSyncSortRows;
    if (!sliced)
        sortRows(refs);
    m_tree.children(n).refs = std::move(refs);
    m_tree.renumber(n);
    expose(n, kPageRows);
    if (sliced)   // a namespace of a million keys: its first rows appear now, in order a few slices later
        queueSort(n);
}

quint64 KeyTreeModel::hiddenRowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && (parent.column() != 0 || isKeyIndex(parent)))
        return 0;
    const NamespaceTree::Children* rows = m_tree.findChildren(nodeOf(parent));
    return rows ? quint64(rows->refs.size() - rows->shown) : 0;
}

void KeyTreeModel::showMoreRows(const QModelIndex& parent)
{
    if (hiddenRowCount(parent) == 0)
        return;
    const NsId n = nodeOf(parent);
    expose(n, m_tree.children(n).shown + kPageRows);
}

void KeyTreeModel::expose(NsId n, std::size_t upTo)
{
    NamespaceTree::Children& rows = m_tree.children(n);
    upTo = std::min(upTo, rows.refs.size());
    if (upTo <= rows.shown)
        return;
    if (m_tree.isShown(n)) {
        beginInsertRows(nsIndex(n, 0), int(rows.shown), int(upTo) - 1);
        rows.shown = upTo;
        endInsertRows();
    } else {
        rows.shown = upTo;   // nobody can see these rows yet (an ancestor's row is not shown)
    }
}

QModelIndex KeyTreeModel::indexOfNamespace(const QByteArray& path)
{
    const std::string_view p(path.constData(), std::size_t(path.size()));
    const std::string_view sep = m_tree.separator();
    NsId n = NamespaceTree::kRoot;
    std::size_t pos = 0;
    while (true) {
        const std::size_t at = sep.empty() ? std::string_view::npos : p.find(sep, pos);
        const std::string_view segment = at == std::string_view::npos ? p.substr(pos) : p.substr(pos, at - pos);
        const NsId child = m_tree.find(n, segment);
        if (child == NamespaceTree::kNone)
            return {};
        if (n != NamespaceTree::kRoot && !m_tree.isBuilt(n))
            fetchNow(nsIndex(n, 0));
        expose(n, pageEnd(m_tree.node(child).row));   // its row may be beyond the pages shown so far
        n = child;
        if (at == std::string_view::npos)
            break;
        pos = at + sep.size();
    }
    return nsIndex(n, 0);
}

QModelIndex KeyTreeModel::indexOfKey(const QByteArray& key)
{
    const KeyStore::Id k = m_keys.find(std::string_view(key.constData(), std::size_t(key.size())));
    if (k == KeyStore::kNone || !m_tree.contains(k))
        return {};
    std::vector<NsId> chain;
    for (NsId n = m_tree.namespaceOf(k); n != NamespaceTree::kNone; n = m_tree.node(n).parent)
        chain.push_back(n);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if (*it == NamespaceTree::kRoot)
            continue;
        expose(m_tree.node(*it).parent, pageEnd(m_tree.node(*it).row));
        if (!m_tree.isBuilt(*it))
            fetchNow(nsIndex(*it, 0));
    }
    const NsId node = m_tree.namespaceOf(k);
    const std::vector<Ref>& refs = m_tree.children(node).refs;
    const auto pos = std::find(refs.begin(), refs.end(), NamespaceTree::keyRef(k));
    if (pos == refs.end())
        return {};
    const std::size_t row = std::size_t(pos - refs.begin());
    expose(node, pageEnd(row));
    return createIndex(int(row), 0, quintptr(NamespaceTree::keyRef(k)));
}

// ---- order ---------------------------------------------------------------------------------------------------

RowOrder KeyTreeModel::order() const
{
    return RowOrder(m_keys, m_tree, byColumn(m_sortColumn), m_sortOrder == Qt::DescendingOrder, typeRank());
}

void KeyTreeModel::sortRows(std::vector<Ref>& rows) const
{
    std::stable_sort(rows.begin(), rows.end(), order());
}

void KeyTreeModel::remapPersistent(const QModelIndexList& before)
{
    // One pass over the shown rows of each node holding a persistent key index (a view holds a few: current,
    // selection, expanded namespaces) finds their new rows; namespaces know their row. An index whose row is no
    // longer shown (sorted beyond the pages shown, or below a namespace that was), or whose key left the tree,
    // becomes invalid.
    std::unordered_map<NsId, std::unordered_map<Ref, int>> wanted;   // node → key ref → new row
    for (const QModelIndex& old : before)
        if (isKeyIndex(old))
            if (const NsId ns = m_tree.namespaceOf(keyIdOf(old)); ns != NamespaceTree::kNone)
                wanted[ns][Ref(old.internalId())] = -1;
    for (auto& [n, refs] : wanted) {
        const NamespaceTree::Children& rows = m_tree.children(n);
        for (std::size_t i = 0; i < rows.shown; ++i) {
            auto it = refs.find(rows.refs[i]);
            if (it != refs.end())
                it->second = int(i);
        }
    }
    QModelIndexList from, to;
    for (const QModelIndex& old : before) {
        const Ref ref = Ref(old.internalId());
        QModelIndex now;
        if (!NamespaceTree::isKey(ref)) {
            if (m_tree.isShown(ref))
                now = nsIndex(ref, old.column());
        } else if (const NsId node = m_tree.namespaceOf(NamespaceTree::idOf(ref));
                   node != NamespaceTree::kNone && m_tree.isShown(node)) {
            if (const int row = wanted[node][ref]; row >= 0)
                now = createIndex(row, old.column(), quintptr(ref));
        }
        if (now != old) {
            from.append(old);
            to.append(now);
        }
    }
    changePersistentIndexList(from, to);
}

void KeyTreeModel::sort(int column, Qt::SortOrder order)
{
    m_sortColumn = column;
    m_sortOrder = order;
    const bool wasSorting = isSorting();
    cancelSorts(/*notify*/ false);
    const auto notify = qScopeGuard([this, wasSorting] {
        if (wasSorting && !isSorting())
            Q_EMIT sortingChanged(false);   // queueSort() announces a (re)start itself
    });
    if (m_rebuild->isActive())
        return;   // sorted when the rebuild ends
    std::vector<NsId> small;
    for (const auto& [n, rows] : m_tree.built()) {
        if (rows.refs.size() > kSyncSortRows)
            queueSort(n);
        else if (rows.refs.size() > 1)
            small.push_back(n);
    }
    if (small.empty())
        return;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    for (NsId n : small) {
        sortRows(m_tree.children(n).refs);
        m_tree.renumber(n);
    }
    remapPersistent(before);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

bool KeyTreeModel::isSorting() const
{
    return m_sorts.isBusy();
}

void KeyTreeModel::queueSort(NsId n)
{
    const bool wasSorting = isSorting();
    m_sorts.push(n);
    if (!m_sortTimer->isActive())
        m_sortTimer->start();
    if (!wasSorting)
        Q_EMIT sortingChanged(true);
}

void KeyTreeModel::cancelSorts(bool notify)
{
    const bool was = isSorting();
    m_sorts.clear();
    m_sortTimer->stop();
    if (was && notify)
        Q_EMIT sortingChanged(false);
}

void KeyTreeModel::sortSlice()
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kSortSliceMs);
    while (std::chrono::steady_clock::now() < deadline) {
        switch (m_sorts.step(deadline, m_tree, order(), m_rowsVersion)) {
        case SortQueue::Outcome::TimeUp:
            return;   // the rest on the next turn of the event loop
        case SortQueue::Outcome::Idle:
            m_sortTimer->stop();
            Q_EMIT sortingChanged(false);
            return;
        case SortQueue::Outcome::Finished:
            break;
        }
        finishSortJob(m_sorts.takeFinished());
        if (!isSorting()) {   // say so now: isSorting() already answers false
            m_sortTimer->stop();
            Q_EMIT sortingChanged(false);
            return;
        }
    }
}

void KeyTreeModel::finishSortJob(std::unique_ptr<SortQueue::Job> job)
{
    const NsId n = job->node;
    if (job->rowsVersion != m_rowsVersion || !m_tree.isBuilt(n)) {
        if (m_tree.isBuilt(n))
            queueSort(n);   // rows were removed meanwhile: the copy no longer matches
        return;
    }
    std::vector<Ref>& rows = m_tree.children(n).refs;
    // Rows appended while sorting (a scan still running) are merged in; too many, and the node is sorted again.
    std::optional<std::vector<Ref>> sorted = SortQueue::merged(*job, rows, order(), kSyncSortRows);
    if (!sorted) {
        queueSort(n);
        return;
    }
    if (!m_tree.isShown(n)) {   // nothing of it is in the model: no view to tell
        rows.swap(*sorted);
        m_tree.renumber(n);
        return;
    }
    const QList<QPersistentModelIndex> parents = n == NamespaceTree::kRoot
                                                     ? QList<QPersistentModelIndex>{}
                                                     : QList<QPersistentModelIndex>{QPersistentModelIndex(nsIndex(n, 0))};
    Q_EMIT layoutAboutToBeChanged(parents, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    rows.swap(*sorted);
    m_tree.renumber(n);
    remapPersistent(before);
    Q_EMIT layoutChanged(parents, QAbstractItemModel::VerticalSortHint);
}

} // namespace cachelens::ui
