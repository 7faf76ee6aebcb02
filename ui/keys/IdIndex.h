#pragma once
// IdIndex: an open-addressing hash set of 32-bit ids (KeyTreeModel's keys and namespaces) whose bytes live elsewhere;
// the caller supplies the hash of what it looks for, an equality test, and the hash of a stored id.
//
// Built so that no single insert does work proportional to the size of the index (a GUI thread inserts a million
// keys between events and must never stop for one big rehash):
//   - tables are zeroed lazily (calloc: the kernel hands out zero pages on first touch), so a big table costs nothing
//     until used — 0 marks an empty slot, an id is stored as id + 1;
//   - when the load passes one half, a table twice the size is allocated and the old cells move over a few per insert
//     (kMovePerInsert, far more than needed to finish before the next growth); until then lookups search both tables.
// Nothing is ever erased (KeyTreeModel marks deleted keys instead), which keeps the old table's probe chains intact
// while it drains: an id still there is found there, an id already moved is found in the new table first.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

namespace cachelens::ui {

class IdIndex
{
public:
    static constexpr std::uint32_t kNone = 0xffffffffu;
    static constexpr std::size_t kMinSlots = 1024;
    static constexpr std::size_t kMovePerInsert = 16;

    IdIndex() { reset(); }

    // Empty, with room for `ids` ids before the table grows.
    void reset(std::size_t ids = 0)
    {
        m_old = {};
        m_moved = 0;
        m_count = 0;
        m_cur = Table(slotsFor(ids));
    }

    // Room for `ids` ids in total: an empty index allocates at once; a filled one grows on later inserts as usual.
    void reserve(std::size_t ids)
    {
        if (m_count == 0 && slotsFor(ids) > m_cur.size)
            m_cur = Table(slotsFor(ids));
    }

    std::size_t size() const { return m_count; }
    std::size_t bytes() const { return (m_cur.size + m_old.size) * sizeof(std::uint32_t); }
    bool isGrowing() const { return m_old.size != 0; }

    // The id equal to what `hash` was computed from (eq(id) says), or kNone.
    template <class Eq>
    std::uint32_t find(std::size_t hash, Eq eq) const
    {
        const std::uint32_t id = m_cur.find(hash, eq);
        return id != kNone || m_old.size == 0 ? id : m_old.find(hash, eq);
    }

    // Adds an id that is not in the index yet; hashOf(id) gives the hash of any stored id (to move old cells).
    template <class HashOf>
    void insert(std::uint32_t id, std::size_t hash, HashOf hashOf)
    {
        if (m_old.size != 0)
            moveSome(hashOf);
        if ((m_count + 1) * 2 > m_cur.size) {
            if (m_old.size != 0)
                moveAll(hashOf);   // only when an insert burst outruns kMovePerInsert, which the sizes rule out
            m_old = std::move(m_cur);
            m_moved = 0;
            m_cur = Table(m_old.size * 2);
        }
        m_cur.put(id, hash);
        ++m_count;
    }

private:
    struct Free {
        void operator()(std::uint32_t* p) const { std::free(p); }
    };
    struct Table {
        std::unique_ptr<std::uint32_t[], Free> cells;
        std::size_t size = 0;   // a power of two, or 0
        Table() = default;
        explicit Table(std::size_t n) : cells(static_cast<std::uint32_t*>(std::calloc(n, sizeof(std::uint32_t)))), size(n)
        {
            if (!cells)
                throw std::bad_alloc();
        }
        template <class Eq>
        std::uint32_t find(std::size_t hash, Eq eq) const
        {
            const std::size_t mask = size - 1;
            for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
                const std::uint32_t s = cells[i];
                if (s == 0)
                    return kNone;
                if (eq(s - 1))
                    return s - 1;
            }
        }
        void put(std::uint32_t id, std::size_t hash)
        {
            const std::size_t mask = size - 1;
            std::size_t i = hash & mask;
            while (cells[i] != 0)
                i = (i + 1) & mask;
            cells[i] = id + 1;
        }
    };

    static std::size_t slotsFor(std::size_t ids)
    {
        std::size_t n = kMinSlots;
        while (n < ids * 2)
            n *= 2;
        return n;
    }

    template <class HashOf>
    void moveSome(HashOf& hashOf)
    {
        const std::size_t end = m_moved + kMovePerInsert < m_old.size ? m_moved + kMovePerInsert : m_old.size;
        for (; m_moved < end; ++m_moved)
            if (const std::uint32_t s = m_old.cells[m_moved])
                m_cur.put(s - 1, hashOf(s - 1));
        if (m_moved == m_old.size)
            m_old = {};
    }

    template <class HashOf>
    void moveAll(HashOf& hashOf)
    {
        while (m_old.size != 0)
            moveSome(hashOf);
    }

    Table m_cur;
    Table m_old;              // draining into m_cur; cells [0, m_moved) are already there
    std::size_t m_moved = 0;
    std::size_t m_count = 0;
};

} // namespace cachelens::ui
