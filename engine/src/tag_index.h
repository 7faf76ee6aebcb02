#pragma once
// Which entries of one shard carry which tag, in both directions, so that invalidateTag costs time proportional
// to the keys it removes and removing an entry (overwrite, delete, expiry, eviction) drops its tag records at once.
// Guarded by the shard mutex.
#include <cstddef>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <cachelens/entry.h>

namespace cachelens::engine {

class TagIndex {
public:
    void add(const Entry* e, std::span<const std::string> tags);
    void remove(const Entry* e);
    // `to` takes over `from`'s tags (a timed copy swapped in for `from`).
    void moveRecords(const Entry* from, Entry* to);
    // The entries carrying `tag`; the tag's records for them are dropped.
    std::vector<Entry*> take(const std::string& tag);
    std::size_t tagCount() const noexcept { return byTag_.size(); }
    std::size_t taggedEntries() const noexcept { return ofEntry_.size(); }
    // Calls f(const std::string& tag, std::size_t entries) for every tag (entries may include expired ones not yet
    // swept).
    template <class F>
    void forEachTag(F&& f) const
    {
        for (const auto& [tag, entries] : byTag_) f(tag, entries.size());
    }
    // Calls f(const Entry*) for every entry carrying `tag`.
    template <class F>
    void forEachEntry(const std::string& tag, F&& f) const
    {
        const auto it = byTag_.find(tag);
        if (it == byTag_.end()) return;
        for (const Entry* e : it->second) f(e);
    }
    void clear() noexcept
    {
        byTag_.clear();
        ofEntry_.clear();
    }

private:
    std::unordered_map<std::string, std::unordered_set<Entry*>> byTag_;
    std::unordered_map<const Entry*, std::vector<std::string>> ofEntry_;
};

} // namespace cachelens::engine
