#pragma once
// RowOrder: the order of a namespace's rows in the Keys panel. Namespaces come before keys in both directions; within
// each group rows compare by the chosen column (a namespace's key count or memory; a key's type, TTL deadline or
// memory), then by name in natural order (NaturalOrder.h: "user:2" before "user:10"), so that the order is total and
// a sort is deterministic. Plain C++: a comparator over NamespaceTree refs, for std::stable_sort and SlicedSort.
#include "ui/keys/KeyStore.h"
#include "ui/keys/NamespaceTree.h"

#include <array>
#include <cstdint>

namespace cachelens::ui {

class RowOrder
{
public:
    enum class By : std::uint8_t { Name, Keys, Type, Ttl, Memory };
    // typeRank[t]: where a key of type byte t sorts by type (the model ranks them by their names).
    using TypeRank = std::array<std::uint8_t, 8>;

    RowOrder(const KeyStore& keys, const NamespaceTree& tree, By by, bool descending, const TypeRank& typeRank)
        : m_keys(&keys), m_tree(&tree), m_by(by), m_descending(descending), m_typeRank(typeRank)
    {
    }

    bool operator()(NamespaceTree::Ref a, NamespaceTree::Ref b) const
    {
        const bool aKey = NamespaceTree::isKey(a), bKey = NamespaceTree::isKey(b);
        if (aKey != bKey)
            return !aKey;   // namespaces first, whatever the direction
        return m_descending ? lessThan(b, a) : lessThan(a, b);
    }

private:
    bool lessThan(NamespaceTree::Ref a, NamespaceTree::Ref b) const;   // both namespaces, or both keys
    std::uint8_t rankOf(std::uint8_t type) const { return type < m_typeRank.size() ? m_typeRank[type] : type; }

    const KeyStore* m_keys;
    const NamespaceTree* m_tree;
    By m_by;
    bool m_descending;
    TypeRank m_typeRank;
};

} // namespace cachelens::ui
