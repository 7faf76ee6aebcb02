// KeyTreeModel: ordering of the rows of expanded nodes. Nodes of up to kSyncSortRows rows are sorted at once; bigger
// ones (a flat keyspace of a million top-level keys, a namespace of a million leaves) are sorted by SlicedSort in
// time-boxed slices on the event loop, on a copy of their rows; the result replaces the rows in one layout change.
// Rows appended meanwhile (a scan still delivering) are merged in at the end; a removal or a reset restarts the sort.
#include "ui/keys/KeyTreeModel_p.h"
#include "ui/keys/NaturalOrder.h"

#include <QDateTime>
#include <QScopeGuard>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <limits>
#include <unordered_map>

namespace cachelens::ui {

qint64 KeyTreeModel::remainingMs(quint32 k) const
{
    const qint64 d = m_deadline[k];
    if (d < 0)
        return d;
    return std::max<qint64>(0, d - QDateTime::currentMSecsSinceEpoch());
}

bool KeyTreeModel::lessThan(quint32 a, quint32 b) const
{
    const bool aKey = a & kKeyFlag, bKey = b & kKeyFlag;
    if (aKey != bKey)
        return !aKey;   // namespaces before keys, whatever the order
    const quint32 ia = a & ~kKeyFlag, ib = b & ~kKeyFlag;
    const auto name = [&](bool key, quint32 i) { return key ? leafName(i) : nsName(i); };
    auto byName = [&] { return naturalCompare(name(aKey, ia), name(bKey, ib)) < 0; };
    switch (m_sortColumn) {
    case KeysColumn:
        if (!aKey && m_ns[ia].count != m_ns[ib].count)
            return m_ns[ia].count < m_ns[ib].count;
        break;
    case TypeColumn:
        if (aKey && m_type[ia] != m_type[ib])
            return keyTypeName(m_type[ia]) < keyTypeName(m_type[ib]);
        break;
    case TtlColumn:
        if (aKey) {
            // By deadline (the order of the remaining times, but fixed while a sliced sort runs); no expiry sorts
            // after every TTL, unknown last.
            const auto rank = [&](quint32 k) {
                const qint64 d = m_deadline[k];
                return d >= 0 ? d : (d == -1 ? std::numeric_limits<qint64>::max() - 1 : std::numeric_limits<qint64>::max());
            };
            if (rank(ia) != rank(ib))
                return rank(ia) < rank(ib);
        }
        break;
    case MemoryColumn:
        if (!aKey && m_ns[ia].memory != m_ns[ib].memory)
            return m_ns[ia].memory < m_ns[ib].memory;
        if (aKey && m_memory[ia] != m_memory[ib])
            return m_memory[ia] < m_memory[ib];
        break;
    default:
        break;
    }
    return byName();
}

bool KeyTreeModel::rowLess(quint32 a, quint32 b) const
{
    // Namespaces stay first in both orders; descending reverses within each group.
    const bool aKey = a & kKeyFlag, bKey = b & kKeyFlag;
    if (aKey != bKey)
        return !aKey;
    return m_sortOrder == Qt::AscendingOrder ? lessThan(a, b) : lessThan(b, a);
}

void KeyTreeModel::sortRows(std::vector<quint32>& rows) const
{
    std::stable_sort(rows.begin(), rows.end(), RowLess{this});
}

void KeyTreeModel::renumber(quint32 n)
{
    const std::vector<quint32>& rows = m_rows[n].refs;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (!(rows[i] & kKeyFlag))
            m_ns[rows[i]].row = quint32(i);
}

void KeyTreeModel::remapPersistent(const QModelIndexList& before)
{
    // One pass over the shown rows of each node holding a persistent key index (a view holds a few: current,
    // selection, expanded namespaces) finds their new rows; namespaces know their row. An index whose row is no
    // longer shown (sorted beyond the pages shown, or below a namespace that was), or whose key left the tree,
    // becomes invalid.
    std::unordered_map<quint32, std::unordered_map<quint32, int>> wanted;   // node → key ref → new row
    for (const QModelIndex& old : before) {
        const quint32 ref = quint32(old.internalId());
        if ((ref & kKeyFlag) && m_keyNs[ref & ~kKeyFlag] != kNone)
            wanted[m_keyNs[ref & ~kKeyFlag]][ref] = -1;
    }
    for (auto& [n, refs] : wanted) {
        const Rows& rows = m_rows[n];
        for (std::size_t i = 0; i < rows.shown; ++i) {
            auto it = refs.find(rows.refs[i]);
            if (it != refs.end())
                it->second = int(i);
        }
    }
    QModelIndexList from, to;
    for (const QModelIndex& old : before) {
        const quint32 ref = quint32(old.internalId());
        QModelIndex now;
        if (!(ref & kKeyFlag)) {
            if (isVisible(ref))
                now = nsIndex(ref, old.column());
        } else if (const quint32 node = m_keyNs[ref & ~kKeyFlag]; node != kNone && isVisible(node)) {
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
    std::vector<quint32> small;
    for (auto& [n, rows] : m_rows) {
        if (rows.refs.size() > kSyncSortRows)
            queueSort(n);
        else if (rows.refs.size() > 1)
            small.push_back(n);
    }
    if (small.empty())
        return;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    for (quint32 n : small) {
        sortRows(m_rows[n].refs);
        renumber(n);
    }
    remapPersistent(before);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

bool KeyTreeModel::isSorting() const
{
    return m_sortJob != nullptr || !m_sortQueue.empty();
}

void KeyTreeModel::queueSort(quint32 n)
{
    const bool wasSorting = isSorting();
    if (m_sortJob && m_sortJob->node == n)
        m_sortJob.reset();   // its snapshot is out of date: start over
    if (std::find(m_sortQueue.begin(), m_sortQueue.end(), n) == m_sortQueue.end())
        m_sortQueue.push_back(n);
    if (!m_sortTimer->isActive())
        m_sortTimer->start();
    if (!wasSorting)
        Q_EMIT sortingChanged(true);
}

void KeyTreeModel::cancelSorts(bool notify)
{
    const bool was = isSorting();
    m_sortJob.reset();
    m_sortQueue.clear();
    m_sortTimer->stop();
    if (was && notify)
        Q_EMIT sortingChanged(false);
}

void KeyTreeModel::sortSlice()
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kSortSliceMs);
    while (std::chrono::steady_clock::now() < deadline) {
        if (!m_sortJob) {
            if (m_sortQueue.empty()) {
                m_sortTimer->stop();
                Q_EMIT sortingChanged(false);
                return;
            }
            const quint32 n = m_sortQueue.front();
            m_sortQueue.erase(m_sortQueue.begin());
            if (n >= m_ns.size() || !isExpanded(n))
                continue;   // collapsed by a reset meanwhile
            m_sortJob = std::make_unique<SortJob>(n, m_rows[n].refs, m_rowsVersion, this);
        }
        if (!m_sortJob->sorter.step(deadline))
            return;   // the rest on the next turn of the event loop
        finishSortJob();
        if (!isSorting()) {   // say so now: isSorting() already answers false
            m_sortTimer->stop();
            Q_EMIT sortingChanged(false);
            return;
        }
    }
}

void KeyTreeModel::finishSortJob()
{
    std::unique_ptr<SortJob> job = std::move(m_sortJob);
    const quint32 n = job->node;
    if (job->rowsVersion != m_rowsVersion || !isExpanded(n)) {
        if (isExpanded(n))
            queueSort(n);   // rows were removed meanwhile: the snapshot no longer matches
        return;
    }
    std::vector<quint32>& rows = m_rows[n].refs;
    std::vector<quint32> sorted = job->sorter.take();
    if (rows.size() > job->snapshotSize) {   // appended while sorting (a scan still running): merge them in
        std::vector<quint32> tail(rows.begin() + std::ptrdiff_t(job->snapshotSize), rows.end());
        if (tail.size() > kSyncSortRows) {
            queueSort(n);
            return;
        }
        sortRows(tail);
        std::vector<quint32> merged;
        merged.reserve(sorted.size() + tail.size());
        std::merge(sorted.begin(), sorted.end(), tail.begin(), tail.end(), std::back_inserter(merged), RowLess{this});
        sorted.swap(merged);
    }
    if (!isVisible(n)) {   // nothing of it is in the model: no view to tell
        rows.swap(sorted);
        renumber(n);
        return;
    }
    const QList<QPersistentModelIndex> parents =
        n == 0 ? QList<QPersistentModelIndex>{} : QList<QPersistentModelIndex>{QPersistentModelIndex(nsIndex(n, 0))};
    Q_EMIT layoutAboutToBeChanged(parents, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    rows.swap(sorted);
    renumber(n);
    remapPersistent(before);
    Q_EMIT layoutChanged(parents, QAbstractItemModel::VerticalSortHint);
}

} // namespace cachelens::ui
