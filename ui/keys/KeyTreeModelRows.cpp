// KeyTreeModel: which rows a built node shows and how they change. A node's refs hold all its children; the first
// `shown` of them are rows of the model, a page (kPageRows) at a time, so that Qt's tree view, which lays out every
// shown row again after each insertion or layout change, never has a million of them. Rows come into view as a scan
// delivers them (up to a page), when the view scrolls to the last shown row (showMoreRows), or when a key or a
// namespace is looked up. Removals leave rows in one pass per node.
#include "ui/keys/KeyTreeModel_p.h"

#include <algorithm>
#include <unordered_set>

namespace cachelens::ui {

void KeyTreeModel::flush(Pending& pending)
{
    for (auto& [n, refs] : pending) {
        Rows& rows = m_rows[n];
        for (quint32 ref : refs) {
            if (!(ref & kKeyFlag))
                m_ns[ref].row = quint32(rows.refs.size());
            rows.refs.push_back(ref);
        }
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
    for (auto& [n, rows] : m_rows) {
        if (rows.shown == 0 || m_ns[n].firstChild == kNone || !isVisible(n))
            continue;
        std::size_t first = rows.shown, last = 0;
        for (std::size_t i = 0; i < rows.shown; ++i)
            if (!(rows.refs[i] & kKeyFlag)) {
                first = std::min(first, i);
                last = i;
            }
        if (first > last)
            continue;
        const QModelIndex parent = nsIndex(n, 0);
        Q_EMIT dataChanged(index(int(first), KeysColumn, parent), index(int(last), MemoryColumn, parent));
    }
}

void KeyTreeModel::removeFromTree(const std::vector<quint32>& keys)
{
    // Rows first, while the keys still have their place (views may look at the rows being removed), then the rest.
    std::unordered_map<quint32, std::vector<quint32>> gone;   // built node → its refs that leave
    for (quint32 k : keys)
        if (m_keyNs[k] != kNone && isExpanded(m_keyNs[k]))
            gone[m_keyNs[k]].push_back(k | kKeyFlag);
    for (auto& [n, refs] : gone)
        removeRefs(n, m_rows[n], refs);
    std::vector<quint32> lists;   // namespaces whose leaf lists lose keys
    for (quint32 k : keys) {
        const quint32 ns = m_keyNs[k];
        if (ns == kNone)
            continue;
        lists.push_back(ns);
        m_keyNs[k] = kNone;
        const qint64 memory = m_memory[k];
        for (quint32 n = ns; n != kNone; n = m_ns[n].parent) {
            --m_ns[n].count;
            if (memory >= 0) {
                m_ns[n].memory -= memory;
                --m_ns[n].measured;
            }
        }
    }
    // One walk per leaf list drops every key that left it (deleting a namespace of 300,000 keys is one pass, not
    // 300,000 searches).
    std::sort(lists.begin(), lists.end());
    lists.erase(std::unique(lists.begin(), lists.end()), lists.end());
    for (quint32 ns : lists) {
        quint32* link = &m_ns[ns].firstLeaf;
        while (*link != kNone) {
            if (m_keyNs[*link] != ns)
                *link = m_nextLeaf[*link];
            else
                link = &m_nextLeaf[*link];
        }
    }
}

void KeyTreeModel::removeRefs(quint32 n, Rows& rows, const std::vector<quint32>& goneRefs)
{
    static constexpr std::size_t kMaxRanges = 32;   // beyond, one layout change instead of a signal pair per range
    const std::unordered_set<quint32> gone(goneRefs.begin(), goneRefs.end());
    std::vector<quint32>& refs = rows.refs;
    ++m_rowsVersion;   // a sort in progress on a snapshot of these rows starts over
    // Rows not shown leave silently, in one pass; the tail is kept aside meanwhile so that removing shown rows
    // range by range moves only the shown ones.
    std::vector<quint32> tail;
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
    const bool visible = isVisible(n);
    const QModelIndex parent = visible ? nsIndex(n, 0) : QModelIndex();
    if (!visible) {   // no view has these rows: one pass
        std::erase_if(refs, [&](quint32 ref) { return gone.contains(ref); });
        rows.shown = refs.size();
        refs.insert(refs.end(), tail.begin(), tail.end());
        renumber(n);
    } else if (ranges.size() > kMaxRanges) {
        const QList<QPersistentModelIndex> parents = n == 0 ? QList<QPersistentModelIndex>{}
                                                            : QList<QPersistentModelIndex>{QPersistentModelIndex(parent)};
        Q_EMIT layoutAboutToBeChanged(parents);
        const QModelIndexList before = persistentIndexList();
        std::erase_if(refs, [&](quint32 ref) { return gone.contains(ref); });
        rows.shown = refs.size();
        refs.insert(refs.end(), tail.begin(), tail.end());
        renumber(n);
        remapPersistent(before);   // the keys that left have no row any more: their indexes become invalid
        Q_EMIT layoutChanged(parents);
    } else {
        for (auto it = ranges.rbegin(); it != ranges.rend(); ++it) {
            const auto [first, last] = *it;
            beginRemoveRows(parent, int(first), int(last));
            refs.erase(refs.begin() + std::ptrdiff_t(first), refs.begin() + std::ptrdiff_t(last) + 1);
            rows.shown = refs.size();
            for (std::size_t i = first; i < refs.size(); ++i)   // namespaces below keep their row numbers right
                if (!(refs[i] & kKeyFlag))
                    m_ns[refs[i]].row = quint32(i);
            endRemoveRows();
        }
        refs.insert(refs.end(), tail.begin(), tail.end());
        renumber(n);
    }
    // Below a page, the next rows come into view as a scan's would.
    expose(n, std::max(rows.shown, std::min(refs.size(), kPageRows)));
}

void KeyTreeModel::fetchNow(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    const quint32 n = quint32(parent.internalId());
    std::vector<quint32> refs;
    refs.reserve(std::size_t(std::min<quint64>(m_ns[n].count, 1u << 20)));
    for (quint32 c = m_ns[n].firstChild; c != kNone; c = m_ns[c].nextSibling)
        refs.push_back(c);
    for (quint32 k = m_ns[n].firstLeaf; k != kNone; k = m_nextLeaf[k])
        refs.push_back(k | kKeyFlag);
    const bool sliced = refs.size() > kSyncSortRows;
    if (!sliced)
        sortRows(refs);
    m_rows[n].refs = std::move(refs);
    renumber(n);
    expose(n, kPageRows);
    if (sliced)   // a namespace of a million keys: its first rows appear now, in order a few slices later
        queueSort(n);
}

quint64 KeyTreeModel::hiddenRowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && (parent.column() != 0 || (parent.internalId() & kKeyFlag)))
        return 0;
    const auto it = m_rows.find(parent.isValid() ? quint32(parent.internalId()) : 0);
    return it == m_rows.end() ? 0 : quint64(it->second.refs.size() - it->second.shown);
}

void KeyTreeModel::showMoreRows(const QModelIndex& parent)
{
    if (hiddenRowCount(parent) == 0)
        return;
    const quint32 n = parent.isValid() ? quint32(parent.internalId()) : 0;
    expose(n, m_rows[n].shown + kPageRows);
}

bool KeyTreeModel::isVisible(quint32 n) const
{
    while (n != 0) {
        const quint32 p = m_ns[n].parent;
        const auto it = m_rows.find(p);
        if (it == m_rows.end() || m_ns[n].row >= it->second.shown)
            return false;
        n = p;
    }
    return true;
}

void KeyTreeModel::expose(quint32 n, std::size_t upTo)
{
    Rows& rows = m_rows[n];
    upTo = std::min(upTo, rows.refs.size());
    if (upTo <= rows.shown)
        return;
    if (isVisible(n)) {
        beginInsertRows(nsIndex(n, 0), int(rows.shown), int(upTo) - 1);
        rows.shown = upTo;
        endInsertRows();
    } else {
        rows.shown = upTo;   // nobody can see these rows yet (an ancestor's row is not shown)
    }
}

namespace {
std::size_t pageEnd(std::size_t row)   // the shown row count that includes `row`, in whole pages
{
    return (row / KeyTreeModel::kPageRows + 1) * KeyTreeModel::kPageRows;
}
} // namespace

QModelIndex KeyTreeModel::indexOfNamespace(const QByteArray& path)
{
    quint32 n = 0;
    const QByteArrayView p(path);
    qsizetype pos = 0;
    while (true) {
        const qsizetype at = m_separator.isEmpty() ? -1 : p.indexOf(QByteArrayView(m_separator), pos);
        const QByteArrayView segment = at < 0 ? p.sliced(pos) : p.sliced(pos, at - pos);
        const quint32 child = findNs(n, segment);
        if (child == kNone)
            return {};
        if (n != 0 && !isExpanded(n))
            fetchNow(nsIndex(n, 0));
        expose(n, pageEnd(m_ns[child].row));   // its row may be beyond the pages shown so far
        n = child;
        if (at < 0)
            break;
        pos = at + m_separator.size();
    }
    return nsIndex(n, 0);
}

QModelIndex KeyTreeModel::indexOfKey(const QByteArray& key)
{
    const quint32 k = findKey(key);
    if (k == kNone || m_keyNs[k] == kNone)
        return {};
    std::vector<quint32> chain;
    for (quint32 n = m_keyNs[k]; n != kNone; n = m_ns[n].parent)
        chain.push_back(n);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if (*it == 0)
            continue;
        expose(m_ns[*it].parent, pageEnd(m_ns[*it].row));
        if (!isExpanded(*it))
            fetchNow(nsIndex(*it, 0));
    }
    const quint32 node = m_keyNs[k];
    const std::vector<quint32>& refs = m_rows[node].refs;
    const auto pos = std::find(refs.begin(), refs.end(), k | kKeyFlag);
    if (pos == refs.end())
        return {};
    const std::size_t row = std::size_t(pos - refs.begin());
    expose(node, pageEnd(row));
    return createIndex(int(row), 0, quintptr(k | kKeyFlag));
}

} // namespace cachelens::ui
