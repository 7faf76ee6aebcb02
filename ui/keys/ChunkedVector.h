#pragma once
// ChunkedVector: an append-only sequence in fixed blocks of 2^kShift elements. Growing never moves what is stored
// (a std::vector of half a million namespaces would copy 28 MB at its next doubling, in one event-loop turn), and
// references stay valid across push_back. KeyTreeModel keeps its namespace nodes in one, since how many namespaces a
// keyspace has is not known before the scan ends.
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace cachelens::ui {

template <class T, unsigned kShift = 12>
class ChunkedVector
{
public:
    static constexpr std::size_t kBlock = std::size_t(1) << kShift;

    T& operator[](std::size_t i) { return m_blocks[i >> kShift][i & (kBlock - 1)]; }
    const T& operator[](std::size_t i) const { return m_blocks[i >> kShift][i & (kBlock - 1)]; }
    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    std::size_t capacityBytes() const
    {
        return m_blocks.size() * kBlock * sizeof(T) + m_blocks.capacity() * sizeof(std::unique_ptr<T[]>);
    }

    template <class... Args>
    T& emplace_back(Args&&... args)
    {
        if ((m_size >> kShift) == m_blocks.size())
            m_blocks.push_back(std::make_unique_for_overwrite<T[]>(kBlock));
        T& slot = (*this)[m_size++];
        slot = T(std::forward<Args>(args)...);
        return slot;
    }
    void push_back(const T& value) { emplace_back(value); }

    void clear()
    {
        m_blocks.clear();
        m_size = 0;
    }

private:
    std::vector<std::unique_ptr<T[]>> m_blocks;
    std::size_t m_size = 0;
};

} // namespace cachelens::ui
