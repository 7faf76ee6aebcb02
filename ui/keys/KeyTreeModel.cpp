#include "ui/keys/KeyTreeModel_p.h"

#include <cachelens/key_escape.h>

#include <QDateTime>
#include <QLocale>
#include <QMimeData>
#include <QTimer>

#include <algorithm>
#include <limits>
#include <unordered_set>

namespace cachelens::ui {

namespace {

char lowerAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

// ASCII case-insensitive search of an already lower-cased needle.
bool containsLower(QByteArrayView hay, QByteArrayView needleLower)
{
    if (needleLower.isEmpty())
        return true;
    const qsizetype n = needleLower.size();
    for (qsizetype i = 0; i + n <= hay.size(); ++i) {
        qsizetype j = 0;
        while (j < n && lowerAscii(hay[i + j]) == needleLower[j])
            ++j;
        if (j == n)
            return true;
    }
    return false;
}

QString formatTtl(qint64 ms)
{
    if (ms <= 0)
        return KeyTreeModel::tr("expired");
    qint64 s = (ms + 999) / 1000;
    const qint64 d = s / 86400;
    s %= 86400;
    const qint64 h = s / 3600;
    s %= 3600;
    const qint64 m = s / 60;
    s %= 60;
    if (d > 0)
        return KeyTreeModel::tr("%1d %2h %3m").arg(d).arg(h).arg(m);
    if (h > 0)
        return KeyTreeModel::tr("%1h %2m %3s").arg(h).arg(m, 2, 10, QLatin1Char('0')).arg(s, 2, 10, QLatin1Char('0'));
    if (m > 0)
        return KeyTreeModel::tr("%1m %2s").arg(m).arg(s, 2, 10, QLatin1Char('0'));
    return KeyTreeModel::tr("%1s").arg(s);
}

} // namespace

KeyTreeModel::KeyTreeModel(QObject* parent)
    : QAbstractItemModel(parent), m_rebuild(new QTimer(this)), m_sortTimer(new QTimer(this))
{
    m_rebuild->setInterval(0);
    m_sortTimer->setInterval(0);
    connect(m_sortTimer, &QTimer::timeout, this, &KeyTreeModel::sortSlice);
    connect(m_rebuild, &QTimer::timeout, this, &KeyTreeModel::rebuildSlice);
    m_ns.emplace_back();   // the root
    m_rows[0] = {};
}

KeyTreeModel::~KeyTreeModel() = default;

// ---- storage -------------------------------------------------------------------------------------------------

QByteArrayView KeyTreeModel::keyBytes(quint32 k) const
{
    return QByteArrayView(m_arena.data() + m_offsets[k], qsizetype(m_offsets[k + 1] - m_offsets[k]));
}

QByteArrayView KeyTreeModel::nsName(quint32 n) const
{
    const Ns& ns = m_ns[n];
    return keyBytes(ns.nameKey).sliced(ns.nameOffset, ns.nameLength);
}

QByteArrayView KeyTreeModel::leafName(quint32 k) const
{
    const QByteArrayView key = keyBytes(k);
    if (m_separator.isEmpty())
        return key;
    const qsizetype at = key.lastIndexOf(QByteArrayView(m_separator));
    return at < 0 ? key : key.sliced(at + m_separator.size());
}

std::size_t KeyTreeModel::keyHash(QByteArrayView bytes) const
{
    return qHash(bytes, 0x9e3779b9u);
}

std::size_t KeyTreeModel::nsHash(quint32 parent, QByteArrayView segment) const
{
    return qHash(segment, std::size_t(parent) * 0x9e3779b97f4a7c15ull + 1);
}

quint32 KeyTreeModel::findKey(QByteArrayView bytes) const
{
    return m_keyIndex.find(keyHash(bytes), [&](quint32 k) { return keyBytes(k) == bytes; });
}

quint32 KeyTreeModel::findNs(quint32 parent, QByteArrayView segment) const
{
    return m_nsIndex.find(nsHash(parent, segment), [&](quint32 n) { return m_ns[n].parent == parent && nsName(n) == segment; });
}

void KeyTreeModel::insertKeyIndex(quint32 k)
{
    m_keyIndex.insert(k, keyHash(keyBytes(k)), [this](quint32 id) { return keyHash(keyBytes(id)); });
}

void KeyTreeModel::insertNsIndex(quint32 n)
{
    m_nsIndex.insert(n, nsHash(m_ns[n].parent, nsName(n)), [this](quint32 id) { return nsHash(m_ns[id].parent, nsName(id)); });
}

std::size_t KeyTreeModel::bytesUsed() const
{
    std::size_t rows = 0;
    for (const auto& [n, r] : m_rows)
        rows += r.refs.capacity() * sizeof(quint32) + 64;
    return m_arena.capacity() + m_offsets.capacity() * sizeof(quint64) + m_deadline.capacity() * sizeof(qint64)
        + m_memory.capacity() * sizeof(qint32) + m_type.capacity() * sizeof(KeyType)
        + m_keyNs.capacity() * sizeof(quint32) + m_nextLeaf.capacity() * sizeof(quint32)
        + m_keyIndex.bytes() + m_ns.capacityBytes() + m_nsIndex.bytes() + rows;
}

quint64 KeyTreeModel::loadedKeys() const { return m_liveKeys; }

quint64 KeyTreeModel::visibleKeys() const { return m_ns[0].count; }

bool KeyTreeModel::isRebuilding() const { return m_rebuild->isActive(); }

// ---- tree ----------------------------------------------------------------------------------------------------

bool KeyTreeModel::passes(quint32 k) const
{
    if (m_type[k] == KeyType::None)
        return false;
    if (m_filterType != KeyType::Unknown && m_type[k] != m_filterType)
        return false;
    if (m_filterLower.isEmpty())
        return true;
    const QByteArrayView key = keyBytes(k);
    // Printable ASCII escapes to itself (except the backslash), so most keys are searched without escaping.
    if (!m_filterLower.contains('\\')
        && std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c < 0x7f; }))
        return containsLower(key, m_filterLower);
    const std::string escaped = engine::escapeKey(std::string_view(key.data(), std::size_t(key.size())));
    return containsLower(QByteArrayView(escaped.data(), qsizetype(escaped.size())), m_filterLower);
}

void KeyTreeModel::insertIntoTree(quint32 k, Pending& pending)
{
    const QByteArrayView key = keyBytes(k);
    const QByteArrayView sep(m_separator);
    quint32 ns = 0;
    qsizetype pos = 0;
    for (qsizetype at = sep.isEmpty() ? -1 : key.indexOf(sep, pos); at >= 0; at = key.indexOf(sep, pos)) {
        const QByteArrayView segment = key.sliced(pos, at - pos);
        quint32 child = findNs(ns, segment);
        if (child == kNone) {
            child = quint32(m_ns.size());
            Ns node;
            node.parent = ns;
            node.nameKey = k;
            node.nameOffset = quint32(pos);
            node.nameLength = quint32(segment.size());
            node.nextSibling = m_ns[ns].firstChild;
            m_ns.push_back(node);
            m_ns[ns].firstChild = child;
            insertNsIndex(child);
            if (isExpanded(ns))
                pending[ns].push_back(child);
        }
        ns = child;
        pos = at + sep.size();
    }
    m_nextLeaf[k] = m_ns[ns].firstLeaf;
    m_ns[ns].firstLeaf = k;
    m_keyNs[k] = ns;
    m_inserted = true;
    if (isExpanded(ns))
        pending[ns].push_back(k | kKeyFlag);
    const qint64 memory = m_memory[k];
    for (quint32 n = ns; n != kNone; n = m_ns[n].parent) {
        ++m_ns[n].count;
        if (memory >= 0) {
            m_ns[n].memory += memory;
            ++m_ns[n].measured;
        }
    }
}

void KeyTreeModel::setMemory(quint32 k, std::int64_t bytes)
{
    const qint32 old = m_memory[k];
    m_memory[k] = qint32(std::min<std::int64_t>(bytes, std::numeric_limits<qint32>::max()));
    if (m_keyNs[k] == kNone)
        return;   // not in the tree: its namespaces count it when it goes in
    for (quint32 n = m_keyNs[k]; n != kNone; n = m_ns[n].parent) {
        m_ns[n].memory += qint64(m_memory[k]) - std::max<qint64>(0, old);
        if (old < 0)
            ++m_ns[n].measured;
    }
}

void KeyTreeModel::indexUpTo(quint32 end)
{
    Pending pending;
    for (; m_cursor < end; ++m_cursor)
        if (passes(m_cursor))
            insertIntoTree(m_cursor, pending);
    flush(pending);
}

void KeyTreeModel::rebuildSlice()
{
    const quint32 size = quint32(m_type.size());
    indexUpTo(std::min<quint32>(size, m_cursor + kRebuildSlice));
    if (m_cursor >= size) {
        m_rebuild->stop();
        sort(m_sortColumn, m_sortOrder);
        Q_EMIT rebuildFinished();
    }
}

void KeyTreeModel::restartTree()
{
    cancelSorts();
    beginResetModel();
    m_ns.clear();
    m_ns.emplace_back();
    m_nsIndex.reset();
    m_rows.clear();
    m_rows[0] = {};
    m_fetchQueue.clear();
    std::fill(m_keyNs.begin(), m_keyNs.end(), kNone);
    m_cursor = 0;
    endResetModel();
    Q_EMIT countsChanged();
    if (!m_type.empty())
        m_rebuild->start();
}

void KeyTreeModel::clear()
{
    cancelSorts();
    m_rebuild->stop();
    beginResetModel();
    m_arena.clear();
    m_arena.shrink_to_fit();
    m_offsets.assign(1, 0);
    m_deadline.clear();
    m_memory.clear();
    m_type.clear();
    m_keyNs.clear();
    m_nextLeaf.clear();
    m_keyIndex.reset();
    m_liveKeys = 0;
    m_ns.clear();
    m_ns.emplace_back();
    m_nsIndex.reset();
    m_rows.clear();
    m_rows[0] = {};
    m_fetchQueue.clear();
    m_cursor = 0;
    endResetModel();
    Q_EMIT countsChanged();
}

void KeyTreeModel::reserve(quint64 keys, quint64 keyBytes)
{
    keys = std::min<quint64>(keys, kKeyFlag - 1);
    if (keys <= m_type.size())
        return;
    m_arena.reserve(std::size_t(keyBytes));
    m_offsets.reserve(std::size_t(keys + 1));
    m_deadline.reserve(std::size_t(keys));
    m_memory.reserve(std::size_t(keys));
    m_type.reserve(std::size_t(keys));
    m_keyNs.reserve(std::size_t(keys));
    m_nextLeaf.reserve(std::size_t(keys));
    m_keyIndex.reserve(std::size_t(keys));
}

void KeyTreeModel::addKeys(const QVector<KeyEntry>& keys)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const KeyEntry& e : keys) {
        quint32 k = findKey(e.key);
        if (k == kNone) {
            if (m_type.size() >= kKeyFlag)
                break;   // 2^31 keys: beyond what a desktop tree can show
            k = quint32(m_type.size());
            m_arena.insert(m_arena.end(), e.key.begin(), e.key.end());
            m_offsets.push_back(m_arena.size());
            m_deadline.push_back(-2);
            m_memory.push_back(-1);
            m_type.push_back(KeyType::Unknown);
            m_keyNs.push_back(kNone);
            m_nextLeaf.push_back(kNone);
            insertKeyIndex(k);
            ++m_liveKeys;
        } else if (m_type[k] == KeyType::None) {
            ++m_liveKeys;   // deleted, then created again
            m_type[k] = KeyType::Unknown;
        }
        if (e.type != KeyType::Unknown && e.type != KeyType::None)
            m_type[k] = e.type;
        if (e.ttlMs >= 0)
            m_deadline[k] = now + e.ttlMs;
        else if (e.ttlMs == -1)
            m_deadline[k] = -1;
        if (e.memoryBytes >= 0)
            setMemory(k, e.memoryBytes);
        if (k < m_cursor && m_keyNs[k] == kNone && passes(k)) {
            Pending pending;   // a key deleted earlier and found again
            insertIntoTree(k, pending);
            flush(pending);
        }
    }
    if (!m_rebuild->isActive())
        indexUpTo(quint32(m_type.size()));
    else
        Q_EMIT countsChanged();
}

void KeyTreeModel::applyDetails(const QVector<KeyEntry>& details)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Pending pending;
    std::vector<quint32> leaving;                                  // keys that leave the tree
    std::unordered_map<quint32, std::unordered_set<quint32>> changed;   // built node → refs of keys with new details
    bool memoryChanged = false;
    for (const KeyEntry& e : details) {
        const quint32 k = findKey(e.key);
        if (k == kNone || m_type[k] == KeyType::None)
            continue;
        if (e.type == KeyType::None) {   // gone meanwhile
            leaving.push_back(k);
            m_type[k] = KeyType::None;
            --m_liveKeys;
            continue;
        }
        if (e.type != KeyType::Unknown)
            m_type[k] = e.type;
        m_deadline[k] = e.ttlMs >= 0 ? now + e.ttlMs : e.ttlMs;
        if (e.memoryBytes >= 0) {
            setMemory(k, e.memoryBytes);
            memoryChanged = true;
        }
        if (k >= m_cursor)
            continue;   // the rebuild has not reached it yet
        const bool inTree = m_keyNs[k] != kNone;
        if (inTree && !passes(k))
            leaving.push_back(k);
        else if (!inTree && passes(k))
            insertIntoTree(k, pending);
        else if (inTree && isExpanded(m_keyNs[k]))
            changed[m_keyNs[k]].insert(k | kKeyFlag);
    }
    removeFromTree(leaving);
    flush(pending);
    for (const auto& [n, refs] : changed) {
        const Rows& rows = m_rows[n];
        if (!isVisible(n))
            continue;
        std::size_t first = rows.shown, last = 0;
        for (std::size_t i = 0; i < rows.shown; ++i)
            if (refs.contains(rows.refs[i])) {
                first = std::min(first, i);
                last = i;
            }
        if (first <= last)
            Q_EMIT dataChanged(index(int(first), TypeColumn, nsIndex(n, 0)), index(int(last), MemoryColumn, nsIndex(n, 0)));
    }
    if (memoryChanged)
        namespaceRowsChanged();   // their memory sums
}

void KeyTreeModel::removeKeys(const QList<QByteArray>& keys)
{
    std::vector<quint32> leaving;
    for (const QByteArray& key : keys) {
        const quint32 k = findKey(key);
        if (k == kNone || m_type[k] == KeyType::None)
            continue;
        leaving.push_back(k);
        m_type[k] = KeyType::None;
        --m_liveKeys;
    }
    removeFromTree(leaving);
    namespaceRowsChanged();
    Q_EMIT countsChanged();
}

void KeyTreeModel::setTtl(const QList<QByteArray>& keys, qint64 ttlMs)
{
    QVector<KeyEntry> details;
    details.reserve(keys.size());
    for (const QByteArray& key : keys) {
        const quint32 k = findKey(key);
        if (k == kNone || m_type[k] == KeyType::None)
            continue;
        KeyEntry e;
        e.key = key;
        e.type = m_type[k];
        e.ttlMs = ttlMs < 0 ? -1 : ttlMs;
        e.memoryBytes = m_memory[k];
        details.append(e);
    }
    applyDetails(details);
}

void KeyTreeModel::setSeparator(const QByteArray& separator)
{
    if (separator == m_separator)
        return;
    m_separator = separator;
    restartTree();
}

void KeyTreeModel::setFilter(const QString& text, KeyType type)
{
    if (text == m_filterText && type == m_filterType)
        return;
    m_filterText = text;
    m_filterLower = text.toUtf8();
    for (char& c : m_filterLower)
        c = lowerAscii(c);
    m_filterType = type;
    restartTree();
}

// ---- QAbstractItemModel --------------------------------------------------------------------------------------

QModelIndex KeyTreeModel::nsIndex(quint32 n, int column) const
{
    if (n == 0)
        return {};
    return createIndex(int(m_ns[n].row), column, quintptr(n));
}

QModelIndex KeyTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    const quint32 n = parent.isValid() ? quint32(parent.internalId()) : 0;
    if (n & kKeyFlag)
        return {};
    auto it = m_rows.find(n);
    if (it == m_rows.end() || std::size_t(row) >= it->second.shown)
        return {};
    return createIndex(row, column, quintptr(it->second.refs[std::size_t(row)]));
}

QModelIndex KeyTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const quint32 ref = quint32(child.internalId());
    const quint32 parent = (ref & kKeyFlag) ? m_keyNs[ref & ~kKeyFlag] : m_ns[ref].parent;
    return nsIndex(parent, 0);
}

int KeyTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.isValid() && parent.column() != 0)
        return 0;
    const quint32 n = parent.isValid() ? quint32(parent.internalId()) : 0;
    if (n & kKeyFlag)
        return 0;
    auto it = m_rows.find(n);
    return it == m_rows.end() ? 0 : int(it->second.shown);
}

int KeyTreeModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() && parent.column() != 0 ? 0 : ColumnCount;
}

bool KeyTreeModel::hasChildren(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return rowCount() > 0;
    if (parent.column() != 0)
        return false;
    const quint32 n = quint32(parent.internalId());
    if (n & kKeyFlag)
        return false;
    return m_ns[n].firstChild != kNone || m_ns[n].firstLeaf != kNone;
}

bool KeyTreeModel::canFetchMore(const QModelIndex& parent) const
{
    if (!parent.isValid() || parent.column() != 0)
        return false;
    const quint32 n = quint32(parent.internalId());
    return !(n & kKeyFlag) && !isExpanded(n) && hasChildren(parent);
}

void KeyTreeModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    const quint32 n = quint32(parent.internalId());
    if (std::find(m_fetchQueue.begin(), m_fetchQueue.end(), n) != m_fetchQueue.end())
        return;
    m_fetchQueue.push_back(n);
    if (m_fetchQueue.size() == 1)
        QTimer::singleShot(0, this, &KeyTreeModel::fetchQueued);
}

void KeyTreeModel::fetchQueued()
{
    std::vector<quint32> queue;
    queue.swap(m_fetchQueue);
    for (quint32 n : queue)
        if (n < m_ns.size() && (n == 0 || isExpanded(m_ns[n].parent)))   // still in the tree (not reset meanwhile)
            fetchNow(nsIndex(n, 0));
}

QVariant KeyTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const quint32 ref = quint32(index.internalId());
    const bool isKey = ref & kKeyFlag;
    const quint32 i = ref & ~kKeyFlag;
    const QLocale locale;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: {
            const QByteArrayView name = isKey ? leafName(i) : nsName(i);
            if (name.isEmpty())
                return isKey ? tr("(empty)") : tr("(empty namespace)");
            return displayKey(name);
        }
        case KeysColumn:
            return isKey ? QVariant() : QVariant(locale.toString(m_ns[i].count));
        case TypeColumn:
            return isKey && m_type[i] != KeyType::Unknown ? QVariant(keyTypeName(m_type[i])) : QVariant();
        case TtlColumn: {
            if (!isKey)
                return {};
            const qint64 r = remainingMs(i);
            return r == -2 ? QVariant() : QVariant(r == -1 ? tr("no expiry") : formatTtl(r));
        }
        case MemoryColumn:
            if (isKey)
                return m_memory[i] >= 0 ? QVariant(locale.formattedDataSize(m_memory[i])) : QVariant();
            // A namespace: the sum of what was measured (Memory ▸ Measure); "≥" until every key below is.
            if (m_ns[i].measured == 0)
                return {};
            return m_ns[i].measured >= m_ns[i].count ? locale.formattedDataSize(m_ns[i].memory)
                                                     : tr("≥ %1").arg(locale.formattedDataSize(m_ns[i].memory));
        }
        return {};
    case Qt::ToolTipRole:
        if (isKey)
            return displayKey(keyBytes(i));
        if (m_ns[i].measured > 0 && m_ns[i].measured < m_ns[i].count)
            return tr("%1 — %2 keys, memory measured for %3").arg(QString::fromUtf8(patternAt(index)),
                                                                  locale.toString(m_ns[i].count), locale.toString(m_ns[i].measured));
        return tr("%1 — %2 keys").arg(QString::fromUtf8(patternAt(index)), locale.toString(m_ns[i].count));
    case Qt::TextAlignmentRole:
        if (index.column() == KeysColumn || index.column() == MemoryColumn || index.column() == TtlColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case KeyRole:
        return isKey ? keyBytes(i).toByteArray() : QByteArray();
    case IsNamespaceRole:
        return !isKey;
    case PatternRole:
        return patternAt(index);
    case KeyCountRole:
        return isKey ? qulonglong(1) : qulonglong(m_ns[i].count);
    case TypeRole:
        return isKey ? int(m_type[i]) : int(KeyType::Unknown);
    case TtlMsRole:
        return isKey ? qlonglong(remainingMs(i)) : qlonglong(-2);
    case MemoryRole:
        // A namespace: bytes of its keys once every one is measured, else -1.
        return isKey ? qlonglong(m_memory[i])
                     : qlonglong(m_ns[i].count > 0 && m_ns[i].measured >= m_ns[i].count ? m_ns[i].memory : -1);
    default:
        return {};
    }
}

QVariant KeyTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Name");
    case KeysColumn: return tr("Keys");
    case TypeColumn: return tr("Type");
    case TtlColumn: return tr("TTL");
    case MemoryColumn: return tr("Memory");
    }
    return {};
}

Qt::ItemFlags KeyTreeModel::flags(const QModelIndex& index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    Qt::ItemFlags f = Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDragEnabled;
    if (index.internalId() & kKeyFlag)
        f |= Qt::ItemNeverHasChildren;
    return f;
}

QStringList KeyTreeModel::mimeTypes() const
{
    return {QStringLiteral("text/plain"), QStringLiteral("application/x-cachelens-keys")};
}

QMimeData* KeyTreeModel::mimeData(const QModelIndexList& indexes) const
{
    // Text: one escaped key (or namespace glob) per line; the private flavour: exact bytes, length-prefixed.
    QStringList lines;
    QByteArray exact;
    for (const QModelIndex& index : indexes) {
        if (index.column() != 0)
            continue;
        const QByteArray bytes = patternAt(index);
        lines.append(isNamespace(index) ? QString::fromUtf8(bytes) : displayKey(bytes));
        exact.append(QByteArray::number(bytes.size())).append(':').append(bytes);
    }
    auto* mime = new QMimeData;
    mime->setText(lines.join(QLatin1Char('\n')));
    mime->setData(QStringLiteral("application/x-cachelens-keys"), exact);
    return mime;
}

// ---- queries -------------------------------------------------------------------------------------------------

bool KeyTreeModel::isNamespace(const QModelIndex& index) const
{
    return index.isValid() && !(index.internalId() & kKeyFlag);
}

bool KeyTreeModel::needsDetails(const QModelIndex& index) const
{
    return index.isValid() && (index.internalId() & kKeyFlag)
           && m_deadline[quint32(index.internalId()) & ~kKeyFlag] == -2;
}

QByteArray KeyTreeModel::keyAt(const QModelIndex& index) const
{
    if (!index.isValid() || !(index.internalId() & kKeyFlag))
        return {};
    return keyBytes(quint32(index.internalId()) & ~kKeyFlag).toByteArray();
}

QByteArray KeyTreeModel::nsPath(quint32 n) const
{
    QList<QByteArrayView> parts;
    for (; n != 0 && n != kNone; n = m_ns[n].parent)
        parts.prepend(nsName(n));
    QByteArray out;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        if (i)
            out += m_separator;
        out += parts[i];
    }
    return out;
}

QByteArray KeyTreeModel::patternAt(const QModelIndex& index) const
{
    if (!index.isValid())
        return QByteArrayLiteral("*");
    if (index.internalId() & kKeyFlag)
        return keyAt(index);
    return escapeGlob(nsPath(quint32(index.internalId()))) + escapeGlob(m_separator) + '*';
}

quint64 KeyTreeModel::keyCountAt(const QModelIndex& index) const
{
    if (!index.isValid())
        return m_ns[0].count;
    return (index.internalId() & kKeyFlag) ? 1 : m_ns[quint32(index.internalId())].count;
}

void KeyTreeModel::collectKeys(quint32 n, QList<QByteArray>& out) const
{
    std::vector<quint32> stack{n};
    while (!stack.empty()) {
        const quint32 cur = stack.back();
        stack.pop_back();
        for (quint32 k = m_ns[cur].firstLeaf; k != kNone; k = m_nextLeaf[k])
            out.append(keyBytes(k).toByteArray());
        for (quint32 c = m_ns[cur].firstChild; c != kNone; c = m_ns[c].nextSibling)
            stack.push_back(c);
    }
}

QList<QByteArray> KeyTreeModel::keysUnder(const QModelIndex& index) const
{
    QList<QByteArray> out;
    if (index.isValid() && (index.internalId() & kKeyFlag)) {
        out.append(keyAt(index));
        return out;
    }
    const quint32 n = index.isValid() ? quint32(index.internalId()) : 0;
    out.reserve(qsizetype(std::min<quint64>(m_ns[n].count, 1u << 24)));
    collectKeys(n, out);
    return out;
}

QList<QByteArray> KeyTreeModel::keysWithUnknownType(quint32& cursor, int max) const
{
    QList<QByteArray> out;
    for (; cursor < m_type.size() && out.size() < max; ++cursor)
        if (m_type[cursor] == KeyType::Unknown)
            out.append(keyBytes(cursor).toByteArray());
    return out;
}

quint64 KeyTreeModel::unknownTypeCount() const
{
    return quint64(std::count(m_type.begin(), m_type.end(), KeyType::Unknown));
}

quint64 KeyTreeModel::directKeyCount(const QModelIndex& index) const
{
    if (index.isValid() && (index.internalId() & kKeyFlag))
        return 0;
    const quint32 n = index.isValid() ? quint32(index.internalId()) : 0;
    quint64 below = 0;
    for (quint32 c = m_ns[n].firstChild; c != kNone; c = m_ns[c].nextSibling)
        below += m_ns[c].count;
    return m_ns[n].count - below;
}

QList<QByteArray> KeyTreeModel::sampleKeys(const QModelIndex& index, int n, quint64 seed, bool recursive) const
{
    QList<QByteArray> out;
    if (index.isValid() && (index.internalId() & kKeyFlag)) {
        out.append(keyAt(index));
        return out;
    }
    std::vector<quint32> reservoir;
    reservoir.reserve(std::size_t(std::max(0, n)));
    std::uint64_t state = seed * 0x9e3779b97f4a7c15ull + 1;
    auto next = [&state] {   // splitmix64
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    };
    quint64 seen = 0;
    std::vector<quint32> stack{index.isValid() ? quint32(index.internalId()) : 0};
    while (!stack.empty()) {
        const quint32 cur = stack.back();
        stack.pop_back();
        for (quint32 k = m_ns[cur].firstLeaf; k != kNone; k = m_nextLeaf[k]) {
            ++seen;
            if (reservoir.size() < std::size_t(n))
                reservoir.push_back(k);
            else if (const quint64 j = next() % seen; j < quint64(n))
                reservoir[std::size_t(j)] = k;
        }
        if (recursive)
            for (quint32 c = m_ns[cur].firstChild; c != kNone; c = m_ns[c].nextSibling)
                stack.push_back(c);
    }
    out.reserve(qsizetype(reservoir.size()));
    for (quint32 k : reservoir)
        out.append(keyBytes(k).toByteArray());
    return out;
}

qint64 KeyTreeModel::memoryOf(const QByteArray& key) const
{
    const quint32 k = findKey(key);
    return k == kNone ? -1 : qint64(m_memory[k]);
}

KeyType KeyTreeModel::typeOf(const QByteArray& key) const
{
    const quint32 k = findKey(key);
    return k == kNone ? KeyType::None : m_type[k];
}

QList<QPair<QByteArray, qint64>> KeyTreeModel::biggestKeys(int n) const
{
    std::vector<quint32> ids;
    for (quint32 k = 0; k < m_type.size(); ++k)
        if (m_type[k] != KeyType::None && m_memory[k] >= 0)
            ids.push_back(k);
    const std::size_t take = std::min<std::size_t>(ids.size(), std::size_t(std::max(0, n)));
    std::partial_sort(ids.begin(), ids.begin() + std::ptrdiff_t(take), ids.end(),
                      [this](quint32 a, quint32 b) { return m_memory[a] > m_memory[b]; });
    QList<QPair<QByteArray, qint64>> out;
    for (std::size_t i = 0; i < take; ++i)
        out.append({keyBytes(ids[i]).toByteArray(), qint64(m_memory[ids[i]])});
    return out;
}

quint64 KeyTreeModel::unknownMemoryCount() const
{
    quint64 n = 0;
    for (quint32 k = 0; k < m_type.size(); ++k)
        n += (m_type[k] != KeyType::None && m_memory[k] < 0) ? 1 : 0;
    return n;
}

QList<QByteArray> KeyTreeModel::keysWithUnknownMemory(quint32& cursor, int max) const
{
    QList<QByteArray> out;
    for (; cursor < m_type.size() && out.size() < max; ++cursor)
        if (m_type[cursor] != KeyType::None && m_memory[cursor] < 0)
            out.append(keyBytes(cursor).toByteArray());
    return out;
}

QList<QByteArray> KeyTreeModel::liveKeys(quint32& cursor, int max) const
{
    QList<QByteArray> out;
    for (; cursor < m_type.size() && out.size() < max; ++cursor)
        if (m_type[cursor] != KeyType::None)
            out.append(keyBytes(cursor).toByteArray());
    return out;
}

QByteArray KeyTreeModel::escapeGlob(QByteArrayView bytes)
{
    QByteArray out;
    out.reserve(bytes.size());
    for (char c : bytes) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

QString KeyTreeModel::displayKey(QByteArrayView bytes)
{
    return QString::fromStdString(engine::escapeKey(std::string_view(bytes.data(), std::size_t(bytes.size()))));
}

} // namespace cachelens::ui
