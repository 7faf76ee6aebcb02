#include "connectors/provider/TagKeys.h"

#include "connectors/redis/ClusterSlots.h"

#include <QByteArray>

#include <array>
#include <vector>

namespace cachelens::provider {

int keySlot(std::string_view key)
{
    return redis::keySlot(QByteArray::fromRawData(key.data(), qsizetype(key.size())));
}

const std::string& slotHashTag(int slot)
{
    static const std::vector<std::string> table = [] {
        std::vector<std::string> t(redis::kClusterSlots);
        std::size_t filled = 0;
        static const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        for (unsigned long n = 0; filled < t.size(); ++n) {
            std::string s;
            unsigned long v = n;
            do {
                s.insert(s.begin(), digits[v % 36]);
                v /= 36;
            } while (v);
            const int sl = redis::crc16(s.data(), qsizetype(s.size())) & (redis::kClusterSlots - 1);
            if (t[std::size_t(sl)].empty()) {
                t[std::size_t(sl)] = std::move(s);
                ++filled;
            }
        }
        return t;
    }();
    return table.at(std::size_t(slot));
}

std::string tagSetPrefix(std::string_view prefix)
{
    std::string k(prefix);
    k.append(kTagInfix);
    return k;
}

std::string tagSetKey(std::string_view prefix, std::string_view tag)
{
    return tagSetPrefix(prefix).append(tag);
}

std::string clusterTagSetPrefix(std::string_view prefix, int slot)
{
    std::string k(prefix);
    k.append(kTagInfix).append("{").append(slotHashTag(slot)).append("}");
    return k;
}

std::string clusterTagSetKey(std::string_view prefix, std::string_view tag, int slot)
{
    return clusterTagSetPrefix(prefix, slot).append(tag);
}

std::string tagSlotsKey(std::string_view prefix, std::string_view tag)
{
    std::string k(prefix);
    k.append(kTagSlotsInfix).append(tag);
    return k;
}

std::optional<std::string> tagOfSetKey(std::string_view prefix, std::string_view key, bool cluster, int* slot)
{
    if (slot) *slot = -1;
    if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
    key.remove_prefix(prefix.size());
    if (key.substr(0, kTagInfix.size()) != kTagInfix) return std::nullopt;
    key.remove_prefix(kTagInfix.size());
    if (!cluster) return std::string(key);
    if (!key.empty() && key.front() == '{') {
        const auto close = key.find('}');
        if (close != std::string_view::npos && close > 1) {
            const std::string h(key.substr(1, close - 1));
            const int s = redis::crc16(h.data(), qsizetype(h.size())) & (redis::kClusterSlots - 1);
            if (slotHashTag(s) == h) {
                if (slot) *slot = s;
                return std::string(key.substr(close + 1));
            }
        }
    }
    return std::nullopt;
}

} // namespace cachelens::provider
