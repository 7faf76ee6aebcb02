#pragma once
// NamespaceTree: the namespaces of the keys a KeyStore holds, as the Keys panel shows them. Plain C++ (no Qt).
//
// A key "character:published:1" lives in namespace "published" below "character" (split on the separator, ":" by
// default). Namespaces are nodes in a first-child / next-sibling tree, in fixed blocks (ChunkedVector: growing never
// moves them), whose names point into the store's arena (no copy), found through an open-addressing index keyed by
// (parent, segment). Each namespace counts the keys below it and sums the memory of those whose memory is known.
// A key is in the tree only once someone inserted it (KeyTreeModel inserts the keys that pass its filter).
//
// Rows: a namespace's children (its namespaces and its own keys, as Refs) are listed only once it is built — when a
// view expands it — so a million leaves cost nothing here until someone looks at them. A built node's list grows
// as keys arrive below it (insert() says which refs to append). How many of a built node's refs are rows of a view
// (Children::shown) is the Qt model's business: it pages them in (KeyTreeModel::kPageRows).
//
// Not thread-safe: the GUI thread owns it.
#include "ui/keys/ChunkedVector.h"
#include "ui/keys/IdIndex.h"
#include "ui/keys/KeyStore.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cachelens::ui {

class NamespaceTree
{
public:
    using Id = std::uint32_t;   // a namespace
    using Ref = std::uint32_t;  // a row: a namespace's Id, or a key's KeyStore::Id | kKeyFlag
    static constexpr Id kNone = 0xffffffffu;
    static constexpr Id kRoot = 0;
    static constexpr Ref kKeyFlag = 0x80000000u;
    static bool isKey(Ref ref) { return (ref & kKeyFlag) != 0; }
    static Ref keyRef(KeyStore::Id key) { return key | kKeyFlag; }
    static std::uint32_t idOf(Ref ref) { return ref & ~kKeyFlag; }

    struct Node {
        Id parent = kNone;
        KeyStore::Id nameKey = KeyStore::kNone;   // the key whose bytes hold this segment
        std::uint32_t nameOffset = 0;
        std::uint32_t nameLength = 0;
        Id firstChild = kNone;
        Id nextSibling = kNone;
        KeyStore::Id firstLeaf = KeyStore::kNone;
        std::uint32_t row = 0;                    // position in the parent's refs (valid while the parent is built)
        std::uint64_t count = 0;                  // keys in the tree below
        std::uint64_t measured = 0;               // of those, keys whose memory is known
        std::int64_t memory = 0;                  // their memory, summed
    };
    struct Children {
        std::vector<Ref> refs;                    // every child; in the view's order once sorted
        std::size_t shown = 0;                    // refs[0, shown) are rows of a view; the rest wait
    };
    // Refs insert() found for built nodes, by node: the caller appends them (and tells its views).
    using Appended = std::unordered_map<Id, std::vector<Ref>>;

    explicit NamespaceTree(const KeyStore& keys);

    std::string_view separator() const { return m_separator; }
    void setSeparator(std::string_view separator);   // for the next reset()
    void reset();                                    // only the root (built, empty); no key in the tree
    void clear();                                    // reset(), and the memory kept for keys is given back
    void reserve(std::size_t keys);

    // ---- keys ----
    void insert(KeyStore::Id key, Appended& appended);   // into its namespace, which is created as needed
    // Keys leave the tree: counts, memory sums and leaf lists. Their refs must have left built nodes already.
    void detach(const std::vector<KeyStore::Id>& keys);
    void memoryChanged(KeyStore::Id key, std::int32_t before);   // the store's memory of `key` was `before` (−1)
    Id namespaceOf(KeyStore::Id key) const { return key < m_keyNs.size() ? m_keyNs[key] : kNone; }
    bool contains(KeyStore::Id key) const { return namespaceOf(key) != kNone; }

    // ---- namespaces ----
    std::size_t size() const { return m_ns.size(); }     // the root included
    const Node& node(Id n) const { return m_ns[n]; }
    std::string_view name(Id n) const;
    std::string_view leafName(KeyStore::Id key) const;   // the key's last segment
    std::string_view nameOf(Ref ref) const { return isKey(ref) ? leafName(idOf(ref)) : name(ref); }
    std::string path(Id n) const;                        // "character:published" (no trailing separator)
    Id find(Id parent, std::string_view segment) const;  // kNone: no such child
    std::uint64_t directKeyCount(Id n) const;            // keys in n itself, not below
    // f(key) for the keys in the tree in n (and below, when `recursive`): n's own first, then each namespace's.
    template <class F>
    void forEachKey(Id n, bool recursive, F&& f) const
    {
        std::vector<Id> stack{n};
        while (!stack.empty()) {
            const Id cur = stack.back();
            stack.pop_back();
            for (KeyStore::Id k = m_ns[cur].firstLeaf; k != KeyStore::kNone; k = m_nextLeaf[k])
                f(k);
            if (recursive)
                for (Id c = m_ns[cur].firstChild; c != kNone; c = m_ns[c].nextSibling)
                    stack.push_back(c);
        }
    }

    // ---- rows of built nodes ----
    bool isBuilt(Id n) const { return m_built.find(n) != m_built.end(); }
    std::vector<Ref> childRefs(Id n) const;              // n's namespaces then keys, unordered: to build n
    Children& children(Id n) { return m_built[n]; }      // n's rows; building n when it is not built yet
    const Children* findChildren(Id n) const;            // nullptr: not built
    std::unordered_map<Id, Children>& built() { return m_built; }
    const std::unordered_map<Id, Children>& built() const { return m_built; }
    void append(Id n, const std::vector<Ref>& refs);     // to a built node's refs (not shown yet)
    void renumber(Id n, std::size_t from = 0);           // the namespaces among n's refs [from, …) learn their row
    // n's rows can be in a view: n is the root, or a shown row of a node whose rows can be.
    bool isShown(Id n) const;

    std::size_t bytesUsed() const;                       // heap held (the store's not included)

private:
    std::size_t hashOf(Id parent, std::string_view segment) const;
    void index(Id n);

    const KeyStore& m_keys;
    std::string m_separator = ":";
    ChunkedVector<Node> m_ns;
    IdIndex m_nsIndex;                                   // (parent, segment) → namespace
    std::vector<Id> m_keyNs;                             // by key: its namespace, kNone when not in the tree
    std::vector<KeyStore::Id> m_nextLeaf;                // by key: the next key of its namespace's leaf list
    std::unordered_map<Id, Children> m_built;
};

} // namespace cachelens::ui
