#pragma once
// SlicedSort: a stable bottom-up merge sort that runs in steps of bounded time, so that a million rows can be sorted
// on the GUI thread between events (KeyTreeModel sorts big namespaces this way: the event loop never waits for one
// std::sort of a flat keyspace). First runs of kRun elements are sorted whole (each takes well under a millisecond),
// then runs are merged pairwise into a second buffer, pass after pass; a merge can stop after any element and resume.
// step() does work until its deadline (checked every kCheckEvery elements) and says whether the sort is done.
// Stable: equal elements keep their order, as std::stable_sort.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <utility>
#include <vector>

namespace cachelens::ui {

template <class T, class Less>
class SlicedSort
{
public:
    static constexpr std::size_t kRun = 2048;
    static constexpr std::size_t kCheckEvery = 1024;

    SlicedSort(std::vector<T> items, Less less) : m_a(std::move(items)), m_less(std::move(less)) {}

    bool done() const { return m_done; }
    std::size_t size() const { return m_a.size(); }

    // Works until `deadline`; true once sorted (then take() the result).
    bool step(std::chrono::steady_clock::time_point deadline)
    {
        std::size_t sinceCheck = 0;
        const auto timeUp = [&] {
            if (++sinceCheck < kCheckEvery)
                return false;
            sinceCheck = 0;
            return std::chrono::steady_clock::now() >= deadline;
        };
        const std::size_t n = m_a.size();
        while (!m_done) {
            if (m_width == 0) {   // phase 1: sort runs in place
                if (m_pos >= n) {
                    m_width = kRun;
                    m_pos = 0;
                    m_b.resize(n);
                    continue;
                }
                const std::size_t end = std::min(n, m_pos + kRun);
                std::stable_sort(m_a.begin() + std::ptrdiff_t(m_pos), m_a.begin() + std::ptrdiff_t(end), m_less);
                m_pos = end;
                if (std::chrono::steady_clock::now() >= deadline)
                    return false;
                continue;
            }
            if (m_width >= n) {   // one run left: sorted
                m_b.clear();
                m_b.shrink_to_fit();
                m_done = true;
                break;
            }
            // phase 2: merge [m_pos, mid) and [mid, end) of m_a into m_b, resumable at (m_i, m_j, m_k)
            if (!m_merging) {
                if (m_pos >= n) {   // pass finished
                    std::swap(m_a, m_b);
                    m_width *= 2;
                    m_pos = 0;
                    continue;
                }
                m_mid = std::min(n, m_pos + m_width);
                m_end = std::min(n, m_pos + 2 * m_width);
                m_i = m_pos;
                m_j = m_mid;
                m_k = m_pos;
                m_merging = true;
            }
            while (m_i < m_mid && m_j < m_end) {
                if (m_less(m_a[m_j], m_a[m_i]))
                    m_b[m_k++] = std::move(m_a[m_j++]);
                else
                    m_b[m_k++] = std::move(m_a[m_i++]);
                if (timeUp())
                    return false;
            }
            while (m_i < m_mid)
                m_b[m_k++] = std::move(m_a[m_i++]);
            while (m_j < m_end)
                m_b[m_k++] = std::move(m_a[m_j++]);
            m_merging = false;
            m_pos = m_end;
            if (timeUp())
                return false;
        }
        return true;
    }

    std::vector<T> take() { return std::move(m_a); }

private:
    std::vector<T> m_a, m_b;
    Less m_less;
    std::size_t m_width = 0;   // 0: sorting runs; else the width of the sorted runs being merged
    std::size_t m_pos = 0;
    bool m_merging = false;
    std::size_t m_mid = 0, m_end = 0, m_i = 0, m_j = 0, m_k = 0;
    bool m_done = false;
};

} // namespace cachelens::ui
