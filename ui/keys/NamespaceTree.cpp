#include "ui/keys/NamespaceTree.h"

#include <algorithm>
#include <functional>

namespace cachelens::ui {

NamespaceTree::NamespaceTree(const KeyStore& keys) : m_keys(keys)
{
    reset();
}

void NamespaceTree::setSeparator(std::string_view separator)
{
    m_separator.assign(separator);
}

void NamespaceTree::reset()
{
    m_ns.clear();
    m_ns.emplace_back();   // the root
    m_nsIndex.reset();
    m_built.clear();
    m_built[kRoot] = {};
    std::fill(m_keyNs.begin(), m_keyNs.end(), kNone);
}

void NamespaceTree::clear()
{
    m_keyNs.clear();
    m_nextLeaf.clear();
    reset();
}

void NamespaceTree::reserve(std::size_t keys)
{
    m_keyNs.reserve(keys);
    m_nextLeaf.reserve(keys);
}

std::size_t NamespaceTree::hashOf(Id parent, std::string_view segment) const
{
    return std::hash<std::string_view>{}(segment) ^ (std::size_t(parent) * 0x9e3779b97f4a7c15ull + 1);
}

void NamespaceTree::index(Id n)
{
    m_nsIndex.insert(n, hashOf(m_ns[n].parent, name(n)), [this](Id id) { return hashOf(m_ns[id].parent, name(id)); });
}

NamespaceTree::Id NamespaceTree::find(Id parent, std::string_view segment) const
{
    return m_nsIndex.find(hashOf(parent, segment),
                          [&](Id n) { return m_ns[n].parent == parent && name(n) == segment; });
}

std::string_view NamespaceTree::name(Id n) const
{
    const Node& ns = m_ns[n];
    return m_keys.bytes(ns.nameKey).substr(ns.nameOffset, ns.nameLength);
}

std::string_view NamespaceTree::leafName(KeyStore::Id key) const
{
    const std::string_view bytes = m_keys.bytes(key);
    if (m_separator.empty())
        return bytes;
    const std::size_t at = bytes.rfind(m_separator);
    return at == std::string_view::npos ? bytes : bytes.substr(at + m_separator.size());
}

std::string NamespaceTree::path(Id n) const
{
    std::vector<std::string_view> parts;
    for (; n != kRoot && n != kNone; n = m_ns[n].parent)
        parts.push_back(name(n));
    std::string out;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        if (it != parts.rbegin())
            out += m_separator;
        out += *it;
    }
    return out;
}

void NamespaceTree::insert(KeyStore::Id k, Appended& appended)
{
    if (k >= m_keyNs.size()) {
        m_keyNs.resize(std::size_t(k) + 1, kNone);
        m_nextLeaf.resize(std::size_t(k) + 1, KeyStore::kNone);
    }
    const std::string_view key = m_keys.bytes(k);
    const std::string_view sep = m_separator;
    Id ns = kRoot;
    std::size_t pos = 0;
    for (std::size_t at = sep.empty() ? std::string_view::npos : key.find(sep, pos); at != std::string_view::npos;
         at = key.find(sep, pos)) {
        const std::string_view segment = key.substr(pos, at - pos);
        Id child = find(ns, segment);
        if (child == kNone) {
            child = Id(m_ns.size());
            Node node;
            node.parent = ns;
            node.nameKey = k;
            node.nameOffset = std::uint32_t(pos);
            node.nameLength = std::uint32_t(segment.size());
            node.nextSibling = m_ns[ns].firstChild;
            m_ns.push_back(node);
            m_ns[ns].firstChild = child;
            index(child);
            if (isBuilt(ns))
                appended[ns].push_back(child);
        }
        ns = child;
        pos = at + sep.size();
    }
    m_nextLeaf[k] = m_ns[ns].firstLeaf;
    m_ns[ns].firstLeaf = k;
    m_keyNs[k] = ns;
    if (isBuilt(ns))
        appended[ns].push_back(keyRef(k));
    const std::int64_t memory = m_keys.memory(k);
    for (Id n = ns; n != kNone; n = m_ns[n].parent) {
        ++m_ns[n].count;
        if (memory >= 0) {
            m_ns[n].memory += memory;
            ++m_ns[n].measured;
        }
    }
}

void NamespaceTree::detach(const std::vector<KeyStore::Id>& keys)
{
    std::vector<Id> lists;   // namespaces whose leaf lists lose keys
    for (KeyStore::Id k : keys) {
        const Id ns = namespaceOf(k);
        if (ns == kNone)
            continue;
        lists.push_back(ns);
        m_keyNs[k] = kNone;
        const std::int64_t memory = m_keys.memory(k);
        for (Id n = ns; n != kNone; n = m_ns[n].parent) {
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
    for (Id ns : lists) {
        KeyStore::Id* link = &m_ns[ns].firstLeaf;
        while (*link != KeyStore::kNone) {
            if (m_keyNs[*link] != ns)
                *link = m_nextLeaf[*link];
            else
                link = &m_nextLeaf[*link];
        }
    }
}

void NamespaceTree::memoryChanged(KeyStore::Id key, std::int32_t before)
{
    const Id ns = namespaceOf(key);
    if (ns == kNone)
        return;   // not in the tree: its namespaces count it when it goes in
    const std::int64_t delta = std::int64_t(m_keys.memory(key)) - std::max<std::int64_t>(0, before);
    for (Id n = ns; n != kNone; n = m_ns[n].parent) {
        m_ns[n].memory += delta;
        if (before < 0)
            ++m_ns[n].measured;
    }
}

std::uint64_t NamespaceTree::directKeyCount(Id n) const
{
    std::uint64_t below = 0;
    for (Id c = m_ns[n].firstChild; c != kNone; c = m_ns[c].nextSibling)
        below += m_ns[c].count;
    return m_ns[n].count - below;
}

std::vector<NamespaceTree::Ref> NamespaceTree::childRefs(Id n) const
{
    std::vector<Ref> refs;
    refs.reserve(std::size_t(std::min<std::uint64_t>(m_ns[n].count, 1u << 20)));
    for (Id c = m_ns[n].firstChild; c != kNone; c = m_ns[c].nextSibling)
        refs.push_back(c);
    for (KeyStore::Id k = m_ns[n].firstLeaf; k != KeyStore::kNone; k = m_nextLeaf[k])
        refs.push_back(keyRef(k));
    return refs;
}

const NamespaceTree::Children* NamespaceTree::findChildren(Id n) const
{
    const auto it = m_built.find(n);
    return it == m_built.end() ? nullptr : &it->second;
}

void NamespaceTree::append(Id n, const std::vector<Ref>& refs)
{
    std::vector<Ref>& to = m_built[n].refs;
    for (Ref ref : refs) {
        if (!isKey(ref))
            m_ns[ref].row = std::uint32_t(to.size());
        to.push_back(ref);
    }
}

void NamespaceTree::renumber(Id n, std::size_t from)
{
    const std::vector<Ref>& refs = m_built[n].refs;
    for (std::size_t i = from; i < refs.size(); ++i)
        if (!isKey(refs[i]))
            m_ns[refs[i]].row = std::uint32_t(i);
}

bool NamespaceTree::isShown(Id n) const
{
    while (n != kRoot) {
        const Id p = m_ns[n].parent;
        const auto it = m_built.find(p);
        if (it == m_built.end() || m_ns[n].row >= it->second.shown)
            return false;
        n = p;
    }
    return true;
}

std::size_t NamespaceTree::bytesUsed() const
{
    std::size_t rows = 0;
    for (const auto& [n, c] : m_built)
        rows += c.refs.capacity() * sizeof(Ref) + 64;
    return m_keyNs.capacity() * sizeof(Id) + m_nextLeaf.capacity() * sizeof(KeyStore::Id) + m_ns.capacityBytes()
        + m_nsIndex.bytes() + rows;
}

} // namespace cachelens::ui
