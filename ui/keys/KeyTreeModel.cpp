// KeyTreeModel: the Qt side — indexes, data(), and the changes that come in (scan batches, details, removals,
// filter and separator), told to views in batches. Row bookkeeping (pages, removals, sorting) is KeyTreeModelRows.cpp.
#include "ui/keys/KeyTreeModel.h"

#include "connectors/support/Units.h"

#include <cachelens/key_escape.h>

#include <QDateTime>
#include <QLocale>
#include <QMimeData>
#include <QTimer>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace cachelens::ui {

static_assert(KeyStore::kTypeUnknown == std::uint8_t(KeyType::Unknown));
static_assert(KeyStore::kTypeDeleted == std::uint8_t(KeyType::None));

namespace {

std::string_view bytesOf(const QByteArray& key)
{
    return {key.constData(), std::size_t(key.size())};
}

QByteArrayView viewOf(std::string_view bytes)
{
    return QByteArrayView(bytes.data(), qsizetype(bytes.size()));
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

KeyTreeModel::KeyTreeModel(KeyStore& keys, QObject* parent)
    : QAbstractItemModel(parent), m_keys(keys), m_tree(keys), m_rebuild(new QTimer(this)), m_sortTimer(new QTimer(this))
{
    m_rebuild->setInterval(0);
    m_sortTimer->setInterval(0);
    connect(m_sortTimer, &QTimer::timeout, this, &KeyTreeModel::sortSlice);
    connect(m_rebuild, &QTimer::timeout, this, &KeyTreeModel::rebuildSlice);
    if (m_keys.size() > 0)
        m_rebuild->start();   // keys stored before the model came: into the tree like a refilter's
}

KeyTreeModel::~KeyTreeModel() = default;

QByteArray KeyTreeModel::keyBytes(KeyStore::Id k) const
{
    const std::string_view bytes = m_keys.bytes(k);
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

QList<QByteArray> KeyTreeModel::keysOf(const std::vector<KeyStore::Id>& ids) const
{
    QList<QByteArray> out;
    out.reserve(qsizetype(ids.size()));
    for (KeyStore::Id k : ids)
        out.append(keyBytes(k));
    return out;
}

std::size_t KeyTreeModel::bytesUsed() const
{
    return m_keys.bytesUsed() + m_tree.bytesUsed();
}

quint64 KeyTreeModel::loadedKeys() const { return m_keys.liveCount(); }

quint64 KeyTreeModel::visibleKeys() const { return m_tree.node(NamespaceTree::kRoot).count; }

bool KeyTreeModel::isRebuilding() const { return m_rebuild->isActive(); }

// ---- changes -------------------------------------------------------------------------------------------------

void KeyTreeModel::insert(KeyStore::Id k, NamespaceTree::Appended& appended)
{
    m_tree.insert(k, appended);
    m_inserted = true;
}

void KeyTreeModel::setMemory(KeyStore::Id k, std::int64_t bytes)
{
    const std::int32_t before = m_keys.memory(k);
    m_keys.setMemory(k, bytes);
    m_tree.memoryChanged(k, before);
}

void KeyTreeModel::indexUpTo(quint32 end)
{
    NamespaceTree::Appended appended;
    for (; m_cursor < end; ++m_cursor)
        if (m_filter.passes(m_keys, m_cursor))
            insert(m_cursor, appended);
    flush(appended);
}

void KeyTreeModel::rebuildSlice()
{
    const quint32 size = quint32(m_keys.size());
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
    m_tree.reset();
    m_fetchQueue.clear();
    m_cursor = 0;
    endResetModel();
    Q_EMIT countsChanged();
    if (m_keys.size() > 0)
        m_rebuild->start();
}

void KeyTreeModel::clear()
{
    cancelSorts();
    m_rebuild->stop();
    beginResetModel();
    m_keys.clear();
    m_tree.clear();
    m_fetchQueue.clear();
    m_cursor = 0;
    endResetModel();
    Q_EMIT countsChanged();
}

void KeyTreeModel::reserve(quint64 keys, quint64 keyBytes)
{
    const std::size_t n = std::size_t(std::min<quint64>(keys, KeyStore::kMaxKeys));
    if (n <= m_keys.size())
        return;
    m_keys.reserve(n, std::size_t(keyBytes));
    m_tree.reserve(n);
}

void KeyTreeModel::addKeys(const QVector<KeyEntry>& keys)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const KeyEntry& e : keys) {
        const KeyStore::Id k = m_keys.add(bytesOf(e.key)).id;
        if (k == KeyStore::kNone)
            break;   // 2^31 keys: beyond what a desktop tree can show
        if (e.type != KeyType::Unknown && e.type != KeyType::None)
            m_keys.setType(k, std::uint8_t(e.type));
        if (e.ttlMs >= 0)
            m_keys.setDeadline(k, now + e.ttlMs);
        else if (e.ttlMs == KeyStore::kNoExpiry)
            m_keys.setDeadline(k, KeyStore::kNoExpiry);
        if (e.memoryBytes >= 0)
            setMemory(k, e.memoryBytes);
        if (k < m_cursor && !m_tree.contains(k) && m_filter.passes(m_keys, k)) {
            NamespaceTree::Appended appended;   // a key deleted earlier and found again
            insert(k, appended);
            flush(appended);
        }
    }
    if (!m_rebuild->isActive())
        indexUpTo(quint32(m_keys.size()));
    else
        Q_EMIT countsChanged();
}

void KeyTreeModel::applyDetails(const QVector<KeyEntry>& details)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    NamespaceTree::Appended appended;
    std::vector<KeyStore::Id> leaving;                           // keys that leave the tree
    std::unordered_map<NsId, std::unordered_set<Ref>> changed;   // built node → refs of keys with new details
    bool memoryChanged = false;
    for (const KeyEntry& e : details) {
        const KeyStore::Id k = m_keys.find(bytesOf(e.key));
        if (k == KeyStore::kNone || !m_keys.isLive(k))
            continue;
        if (e.type == KeyType::None) {   // gone meanwhile
            leaving.push_back(k);
            m_keys.remove(k);
            continue;
        }
        if (e.type != KeyType::Unknown)
            m_keys.setType(k, std::uint8_t(e.type));
        m_keys.setDeadline(k, e.ttlMs >= 0 ? now + e.ttlMs : e.ttlMs);
        if (e.memoryBytes >= 0) {
            setMemory(k, e.memoryBytes);
            memoryChanged = true;
        }
        if (k >= m_cursor)
            continue;   // the rebuild has not reached it yet
        const NsId ns = m_tree.namespaceOf(k);
        const bool passes = m_filter.passes(m_keys, k);
        if (ns != NamespaceTree::kNone && !passes)
            leaving.push_back(k);
        else if (ns == NamespaceTree::kNone && passes)
            insert(k, appended);
        else if (ns != NamespaceTree::kNone && m_tree.isBuilt(ns))
            changed[ns].insert(NamespaceTree::keyRef(k));
    }
    removeFromTree(leaving);
    flush(appended);
    for (const auto& [n, refs] : changed) {
        if (!m_tree.isShown(n))
            continue;
        const NamespaceTree::Children& rows = m_tree.children(n);
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
    std::vector<KeyStore::Id> leaving;
    for (const QByteArray& key : keys) {
        const KeyStore::Id k = m_keys.find(bytesOf(key));
        if (k == KeyStore::kNone || !m_keys.remove(k))
            continue;
        leaving.push_back(k);
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
        const KeyStore::Id k = m_keys.find(bytesOf(key));
        if (k == KeyStore::kNone || !m_keys.isLive(k))
            continue;
        KeyEntry e;
        e.key = key;
        e.type = KeyType(m_keys.type(k));
        e.ttlMs = ttlMs < 0 ? KeyStore::kNoExpiry : ttlMs;
        e.memoryBytes = m_keys.memory(k);
        details.append(e);
    }
    applyDetails(details);
}

QByteArray KeyTreeModel::separator() const
{
    return QByteArray(m_tree.separator().data(), qsizetype(m_tree.separator().size()));
}

void KeyTreeModel::setSeparator(const QByteArray& separator)
{
    if (separator == this->separator())
        return;
    m_tree.setSeparator(bytesOf(separator));
    restartTree();
}

void KeyTreeModel::setFilter(const QString& text, KeyType type)
{
    if (text == m_filterText && type == m_filterType)
        return;
    m_filterText = text;
    m_filterType = type;
    m_filter.set(bytesOf(text.toUtf8()), std::uint8_t(type));
    restartTree();
}

// ---- QAbstractItemModel --------------------------------------------------------------------------------------

KeyTreeModel::NsId KeyTreeModel::nodeOf(const QModelIndex& parent)
{
    return parent.isValid() ? NsId(parent.internalId()) : NamespaceTree::kRoot;
}

QModelIndex KeyTreeModel::nsIndex(NsId n, int column) const
{
    if (n == NamespaceTree::kRoot)
        return {};
    return createIndex(int(m_tree.node(n).row), column, quintptr(n));
}

QModelIndex KeyTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount || isKeyIndex(parent))
        return {};
    const NamespaceTree::Children* rows = m_tree.findChildren(nodeOf(parent));
    if (!rows || std::size_t(row) >= rows->shown)
        return {};
    return createIndex(row, column, quintptr(rows->refs[std::size_t(row)]));
}

QModelIndex KeyTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid())
        return {};
    const Ref ref = Ref(child.internalId());
    return nsIndex(NamespaceTree::isKey(ref) ? m_tree.namespaceOf(NamespaceTree::idOf(ref)) : m_tree.node(ref).parent, 0);
}

int KeyTreeModel::rowCount(const QModelIndex& parent) const
{
    if ((parent.isValid() && parent.column() != 0) || isKeyIndex(parent))
        return 0;
    const NamespaceTree::Children* rows = m_tree.findChildren(nodeOf(parent));
    return rows ? int(rows->shown) : 0;
}

int KeyTreeModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() && parent.column() != 0 ? 0 : ColumnCount;
}

bool KeyTreeModel::hasChildren(const QModelIndex& parent) const
{
    if (!parent.isValid())
        return rowCount() > 0;
    if (parent.column() != 0 || isKeyIndex(parent))
        return false;
    const NamespaceTree::Node& node = m_tree.node(nodeOf(parent));
    return node.firstChild != NamespaceTree::kNone || node.firstLeaf != KeyStore::kNone;
}

bool KeyTreeModel::canFetchMore(const QModelIndex& parent) const
{
    if (!parent.isValid() || parent.column() != 0 || isKeyIndex(parent))
        return false;
    return !m_tree.isBuilt(nodeOf(parent)) && hasChildren(parent);
}

void KeyTreeModel::fetchMore(const QModelIndex& parent)
{
    if (!canFetchMore(parent))
        return;
    const NsId n = nodeOf(parent);
    if (std::find(m_fetchQueue.begin(), m_fetchQueue.end(), n) != m_fetchQueue.end())
        return;
    m_fetchQueue.push_back(n);
    if (m_fetchQueue.size() == 1)
        QTimer::singleShot(0, this, &KeyTreeModel::fetchQueued);
}

void KeyTreeModel::fetchQueued()
{
    std::vector<NsId> queue;
    queue.swap(m_fetchQueue);
    for (NsId n : queue)   // still in the tree (not reset meanwhile)?
        if (n < m_tree.size() && (n == NamespaceTree::kRoot || m_tree.isBuilt(m_tree.node(n).parent)))
            fetchNow(nsIndex(n, 0));
}

QVariant KeyTreeModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid())
        return {};
    const Ref ref = Ref(index.internalId());
    const bool isKey = NamespaceTree::isKey(ref);
    const quint32 i = NamespaceTree::idOf(ref);
    const QLocale locale;
    const auto remainingMs = [&] { return qint64(m_keys.remainingMs(i, QDateTime::currentMSecsSinceEpoch())); };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: {
            const std::string_view name = m_tree.nameOf(ref);
            if (name.empty())
                return isKey ? tr("(empty)") : tr("(empty namespace)");
            return displayKey(viewOf(name));
        }
        case KeysColumn:
            return isKey ? QVariant() : QVariant(locale.toString(m_tree.node(i).count));
        case TypeColumn:
            return isKey && m_keys.type(i) != KeyStore::kTypeUnknown ? QVariant(keyTypeName(KeyType(m_keys.type(i))))
                                                                     : QVariant();
        case TtlColumn: {
            if (!isKey)
                return {};
            const qint64 r = remainingMs();
            return r == KeyStore::kTtlUnknown ? QVariant() : QVariant(r == KeyStore::kNoExpiry ? tr("no expiry") : formatTtl(r));
        }
        case MemoryColumn: {
            if (isKey)
                return m_keys.memory(i) >= 0 ? QVariant(formatBytes(m_keys.memory(i), 1, locale)) : QVariant();
            // A namespace: the sum of what was measured (Memory ▸ Measure); "≥" until every key below is.
            const NamespaceTree::Node& ns = m_tree.node(i);
            if (ns.measured == 0)
                return {};
            return ns.measured >= ns.count ? formatBytes(ns.memory, 1, locale)
                                           : tr("≥ %1").arg(formatBytes(ns.memory, 1, locale));
        }
        }
        return {};
    case Qt::ToolTipRole: {
        if (isKey)
            return displayKey(viewOf(m_keys.bytes(i)));
        const NamespaceTree::Node& ns = m_tree.node(i);
        if (ns.measured > 0 && ns.measured < ns.count)
            return tr("%1 — %2 keys, memory measured for %3").arg(QString::fromUtf8(patternAt(index)),
                                                                  locale.toString(ns.count), locale.toString(ns.measured));
        return tr("%1 — %2 keys").arg(QString::fromUtf8(patternAt(index)), locale.toString(ns.count));
    }
    case Qt::TextAlignmentRole:
        if (index.column() == KeysColumn || index.column() == MemoryColumn || index.column() == TtlColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case KeyRole:
        return isKey ? keyBytes(i) : QByteArray();
    case IsNamespaceRole:
        return !isKey;
    case PatternRole:
        return patternAt(index);
    case KeyCountRole:
        return isKey ? qulonglong(1) : qulonglong(m_tree.node(i).count);
    case TypeRole:
        return isKey ? int(m_keys.type(i)) : int(KeyType::Unknown);
    case TtlMsRole:
        return isKey ? qlonglong(remainingMs()) : qlonglong(KeyStore::kTtlUnknown);
    case MemoryRole: {
        if (isKey)
            return qlonglong(m_keys.memory(i));
        // A namespace: bytes of its keys once every one is measured, else -1.
        const NamespaceTree::Node& ns = m_tree.node(i);
        return qlonglong(ns.count > 0 && ns.measured >= ns.count ? ns.memory : -1);
    }
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
    if (isKeyIndex(index))
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
    return index.isValid() && !isKeyIndex(index);
}

bool KeyTreeModel::needsDetails(const QModelIndex& index) const
{
    return isKeyIndex(index) && m_keys.deadline(keyIdOf(index)) == KeyStore::kTtlUnknown;
}

QByteArray KeyTreeModel::keyAt(const QModelIndex& index) const
{
    return isKeyIndex(index) ? keyBytes(keyIdOf(index)) : QByteArray();
}

QByteArray KeyTreeModel::patternAt(const QModelIndex& index) const
{
    if (!index.isValid())
        return QByteArrayLiteral("*");
    if (isKeyIndex(index))
        return keyAt(index);
    return escapeGlob(QByteArray::fromStdString(m_tree.path(nodeOf(index)))) + escapeGlob(separator()) + '*';
}

quint64 KeyTreeModel::keyCountAt(const QModelIndex& index) const
{
    return isKeyIndex(index) ? 1 : m_tree.node(nodeOf(index)).count;
}

QList<QByteArray> KeyTreeModel::keysUnder(const QModelIndex& index) const
{
    QList<QByteArray> out;
    if (isKeyIndex(index)) {
        out.append(keyAt(index));
        return out;
    }
    const NsId n = nodeOf(index);
    out.reserve(qsizetype(std::min<quint64>(m_tree.node(n).count, 1u << 24)));
    m_tree.forEachKey(n, true, [&](KeyStore::Id k) { out.append(keyBytes(k)); });
    return out;
}

QList<QByteArray> KeyTreeModel::keysWithUnknownType(quint32& cursor, int max) const
{
    return keysOf(m_keys.next(cursor, std::size_t(std::max(0, max)), KeyStore::Which::UnknownType));
}

quint64 KeyTreeModel::unknownTypeCount() const
{
    return m_keys.count(KeyStore::Which::UnknownType);
}

quint64 KeyTreeModel::directKeyCount(const QModelIndex& index) const
{
    return isKeyIndex(index) ? 0 : m_tree.directKeyCount(nodeOf(index));
}

QList<QByteArray> KeyTreeModel::sampleKeys(const QModelIndex& index, int n, quint64 seed, bool recursive) const
{
    QList<QByteArray> out;
    if (isKeyIndex(index)) {
        out.append(keyAt(index));
        return out;
    }
    std::vector<KeyStore::Id> reservoir;
    reservoir.reserve(std::size_t(std::max(0, n)));
    std::uint64_t state = seed * 0x9e3779b97f4a7c15ull + 1;
    auto next = [&state] {   // splitmix64
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    };
    quint64 seen = 0;
    m_tree.forEachKey(nodeOf(index), recursive, [&](KeyStore::Id k) {
        ++seen;
        if (reservoir.size() < std::size_t(n))
            reservoir.push_back(k);
        else if (const quint64 j = next() % seen; j < quint64(n))
            reservoir[std::size_t(j)] = k;
    });
    return keysOf(reservoir);
}

qint64 KeyTreeModel::memoryOf(const QByteArray& key) const
{
    const KeyStore::Id k = m_keys.find(bytesOf(key));
    return k == KeyStore::kNone ? -1 : qint64(m_keys.memory(k));
}

KeyType KeyTreeModel::typeOf(const QByteArray& key) const
{
    const KeyStore::Id k = m_keys.find(bytesOf(key));
    return k == KeyStore::kNone ? KeyType::None : KeyType(m_keys.type(k));
}

QList<QPair<QByteArray, qint64>> KeyTreeModel::biggestKeys(int n) const
{
    QList<QPair<QByteArray, qint64>> out;
    for (KeyStore::Id k : m_keys.biggest(std::size_t(std::max(0, n))))
        out.append({keyBytes(k), qint64(m_keys.memory(k))});
    return out;
}

quint64 KeyTreeModel::unknownMemoryCount() const
{
    return m_keys.count(KeyStore::Which::UnknownMemory);
}

QList<QByteArray> KeyTreeModel::keysWithUnknownMemory(quint32& cursor, int max) const
{
    return keysOf(m_keys.next(cursor, std::size_t(std::max(0, max)), KeyStore::Which::UnknownMemory));
}

QList<QByteArray> KeyTreeModel::liveKeys(quint32& cursor, int max) const
{
    return keysOf(m_keys.next(cursor, std::size_t(std::max(0, max)), KeyStore::Which::Live));
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
