#pragma once
// SortQueue: built namespaces too big to sort in one event-loop turn (a flat keyspace of a million top-level keys, a
// namespace of a million leaves), sorted one at a time by SlicedSort in time-boxed steps, on a copy of their rows.
// Rows appended meanwhile (a scan still delivering) are merged in at the end (merged()); a removal makes the copy
// stale (the caller's rows version moved on) and that node's sort starts over. Plain C++: the Qt model drives it
// from a timer and puts the result in place with one layout change.
#include "ui/keys/NamespaceTree.h"
#include "ui/keys/RowOrder.h"
#include "ui/keys/SlicedSort.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace cachelens::ui {

class SortQueue
{
public:
    struct Job {
        NamespaceTree::Id node = 0;
        std::size_t snapshotSize = 0;             // rows when the copy was taken
        std::uint64_t rowsVersion = 0;            // the caller's rows version then
        SlicedSort<NamespaceTree::Ref, RowOrder> sorter;
        Job(NamespaceTree::Id n, std::vector<NamespaceTree::Ref> rows, std::uint64_t version, const RowOrder& order)
            : node(n), snapshotSize(rows.size()), rowsVersion(version), sorter(std::move(rows), order)
        {
        }
    };

    bool isBusy() const { return m_job != nullptr || !m_queue.empty(); }
    void push(NamespaceTree::Id n);               // queued; a sort of n under way starts over (its copy is stale)
    void clear();

    enum class Outcome { TimeUp, Finished, Idle };
    // Sorts until `deadline`. Finished: a job is done (takeFinished()); Idle: nothing is left to sort.
    Outcome step(std::chrono::steady_clock::time_point deadline, const NamespaceTree& tree, const RowOrder& order,
                 std::uint64_t rowsVersion);
    std::unique_ptr<Job> takeFinished() { return std::move(m_finished); }

    // A finished job's rows with the rows appended since its copy (`current` beyond snapshotSize) sorted and merged
    // in; nullopt when more than `maxTail` were appended (sort the node again instead).
    static std::optional<std::vector<NamespaceTree::Ref>> merged(Job& job, const std::vector<NamespaceTree::Ref>& current,
                                                                 const RowOrder& order, std::size_t maxTail);

private:
    std::unique_ptr<Job> m_job;                   // the node being sorted
    std::unique_ptr<Job> m_finished;
    std::vector<NamespaceTree::Id> m_queue;       // nodes waiting for it
};

} // namespace cachelens::ui
