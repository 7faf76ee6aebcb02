#include "ui/keys/SortQueue.h"

#include <algorithm>
#include <iterator>

namespace cachelens::ui {

void SortQueue::push(NamespaceTree::Id n)
{
    if (m_job && m_job->node == n)
        m_job.reset();   // its snapshot is out of date: start over
    if (std::find(m_queue.begin(), m_queue.end(), n) == m_queue.end())
        m_queue.push_back(n);
}

void SortQueue::clear()
{
    m_job.reset();
    m_finished.reset();
    m_queue.clear();
}

SortQueue::Outcome SortQueue::step(std::chrono::steady_clock::time_point deadline, const NamespaceTree& tree,
                                   const RowOrder& order, std::uint64_t rowsVersion)
{
    while (true) {
        if (!m_job) {
            if (m_queue.empty())
                return Outcome::Idle;
            const NamespaceTree::Id n = m_queue.front();
            m_queue.erase(m_queue.begin());
            const NamespaceTree::Children* rows = n < tree.size() ? tree.findChildren(n) : nullptr;
            if (!rows)
                continue;   // collapsed by a reset meanwhile
            m_job = std::make_unique<Job>(n, rows->refs, rowsVersion, order);
        }
        if (!m_job->sorter.step(deadline))
            return Outcome::TimeUp;   // the rest on the next turn of the event loop
        m_finished = std::move(m_job);
        return Outcome::Finished;
    }
}

std::optional<std::vector<NamespaceTree::Ref>> SortQueue::merged(Job& job, const std::vector<NamespaceTree::Ref>& current,
                                                                 const RowOrder& order, std::size_t maxTail)
{
    std::vector<NamespaceTree::Ref> sorted = job.sorter.take();
    if (current.size() <= job.snapshotSize)
        return sorted;
    std::vector<NamespaceTree::Ref> tail(current.begin() + std::ptrdiff_t(job.snapshotSize), current.end());
    if (tail.size() > maxTail)
        return std::nullopt;
    std::stable_sort(tail.begin(), tail.end(), order);
    std::vector<NamespaceTree::Ref> out;
    out.reserve(sorted.size() + tail.size());
    std::merge(sorted.begin(), sorted.end(), tail.begin(), tail.end(), std::back_inserter(out), order);
    return out;
}

} // namespace cachelens::ui
