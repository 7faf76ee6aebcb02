#include "ui/keys/RowOrder.h"

#include "ui/keys/NaturalOrder.h"

#include <limits>

namespace cachelens::ui {

bool RowOrder::lessThan(NamespaceTree::Ref a, NamespaceTree::Ref b) const
{
    const bool keys = NamespaceTree::isKey(a);
    const std::uint32_t ia = NamespaceTree::idOf(a), ib = NamespaceTree::idOf(b);
    switch (m_by) {
    case By::Keys:
        if (!keys && m_tree->node(ia).count != m_tree->node(ib).count)
            return m_tree->node(ia).count < m_tree->node(ib).count;
        break;
    case By::Type:
        if (keys && m_keys->type(ia) != m_keys->type(ib))
            return rankOf(m_keys->type(ia)) < rankOf(m_keys->type(ib));
        break;
    case By::Ttl:
        if (keys) {
            // By deadline (the order of the remaining times, but fixed while a sliced sort runs); no expiry sorts
            // after every TTL, unknown last.
            const auto rank = [&](std::uint32_t k) {
                const std::int64_t d = m_keys->deadline(k);
                return d >= 0 ? d
                              : (d == KeyStore::kNoExpiry ? std::numeric_limits<std::int64_t>::max() - 1
                                                          : std::numeric_limits<std::int64_t>::max());
            };
            if (rank(ia) != rank(ib))
                return rank(ia) < rank(ib);
        }
        break;
    case By::Memory:
        if (!keys && m_tree->node(ia).memory != m_tree->node(ib).memory)
            return m_tree->node(ia).memory < m_tree->node(ib).memory;
        if (keys && m_keys->memory(ia) != m_keys->memory(ib))
            return m_keys->memory(ia) < m_keys->memory(ib);
        break;
    case By::Name:
        break;
    }
    return naturalCompare(m_tree->nameOf(a), m_tree->nameOf(b)) < 0;
}

} // namespace cachelens::ui
