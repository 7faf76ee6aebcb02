#include "tag_index.h"

namespace cachelens::engine {

void TagIndex::add(const Entry* e, std::span<const std::string> tags)
{
    auto& mine = ofEntry_[e];
    for (const auto& t : tags) {
        if (byTag_[t].insert(const_cast<Entry*>(e)).second) mine.push_back(t);
    }
}

void TagIndex::remove(const Entry* e)
{
    auto it = ofEntry_.find(e);
    if (it == ofEntry_.end()) return;
    for (const auto& t : it->second) {
        auto bt = byTag_.find(t);
        if (bt == byTag_.end()) continue; // already taken by invalidateTag
        bt->second.erase(const_cast<Entry*>(e));
        if (bt->second.empty()) byTag_.erase(bt);
    }
    ofEntry_.erase(it);
}

void TagIndex::moveRecords(const Entry* from, Entry* to)
{
    auto node = ofEntry_.extract(from);
    if (node.empty()) return;
    for (const auto& t : node.mapped()) {
        auto bt = byTag_.find(t);
        if (bt == byTag_.end()) continue;
        bt->second.erase(const_cast<Entry*>(from));
        bt->second.insert(to);
    }
    node.key() = to;
    ofEntry_.insert(std::move(node));
}

std::vector<Entry*> TagIndex::take(const std::string& tag)
{
    auto bt = byTag_.find(tag);
    if (bt == byTag_.end()) return {};
    std::vector<Entry*> out(bt->second.begin(), bt->second.end());
    byTag_.erase(bt);
    return out;
}

} // namespace cachelens::engine
