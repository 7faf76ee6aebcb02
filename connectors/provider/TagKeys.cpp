#include "TagKeys.h"

#include <array>
#include <cstdint>
#include <vector>

namespace cachelens::provider {

namespace {

constexpr int kClusterSlots = 16384;

// CRC16/XMODEM, as the cluster specification defines key slots (connectors/redis/ClusterSlots computes the same for
// the GUI's client; tst_provider_core holds the two together).
constexpr std::array<std::uint16_t, 256> makeTable()
{
    std::array<std::uint16_t, 256> table{};
    for (unsigned i = 0; i < 256; ++i) {
        auto crc = static_cast<std::uint16_t>(i << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021) : static_cast<std::uint16_t>(crc << 1);
        table[i] = crc;
    }
    return table;
}
constexpr std::array<std::uint16_t, 256> kCrcTable = makeTable();

int slotOf(std::string_view bytes)
{
    std::uint16_t crc = 0;
    for (char c : bytes)
        crc = static_cast<std::uint16_t>((crc << 8) ^ kCrcTable[((crc >> 8) ^ static_cast<unsigned char>(c)) & 0xFF]);
    return crc & (kClusterSlots - 1);
}

} // namespace

int keySlot(std::string_view key)
{
    const std::size_t open = key.find('{');
    if (open != std::string_view::npos) {
        const std::size_t close = key.find('}', open + 1);
        if (close != std::string_view::npos && close > open + 1) return slotOf(key.substr(open + 1, close - open - 1));
    }
    return slotOf(key);
}

const std::string& slotHashTag(int slot)
{
    static const std::vector<std::string> table = [] {
        std::vector<std::string> t(kClusterSlots);
        std::size_t filled = 0;
        static const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
        for (unsigned long n = 0; filled < t.size(); ++n) {
            std::string s;
            unsigned long v = n;
            do {
                s.insert(s.begin(), digits[v % 36]);
                v /= 36;
            } while (v);
            const int sl = slotOf(s);
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
            const int s = slotOf(h);
            if (slotHashTag(s) == h) {
                if (slot) *slot = s;
                return std::string(key.substr(close + 1));
            }
        }
    }
    return std::nullopt;
}

} // namespace cachelens::provider
