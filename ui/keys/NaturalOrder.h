#pragma once
// Natural order for key names: runs of ASCII digits compare by their numeric value, so "user:2" sorts before
// "user:10" and "shard9" before "shard10". Everything else compares byte by byte (unsigned, so binary and UTF-8
// keys keep a fixed order). A number sorts where a digit would ('/' < number < ':'). Names equal in that order
// ("a01" and "a1") are told apart by their bytes, so the order is total and a sort is deterministic.
//
// Works on raw bytes: no decoding, no allocation. The common prefix of the two names is skipped in one pass;
// only the part from the digit run (if any) holding the first difference is compared token by token. Plain C++:
// any contiguous bytes with data() and size() (std::string_view, QByteArray) compare the same way.
#include <cstddef>
#include <cstring>
#include <string_view>

namespace cachelens::ui {

inline int naturalCompare(std::string_view a, std::string_view b)
{
    const auto* pa = reinterpret_cast<const unsigned char*>(a.data());
    const auto* pb = reinterpret_cast<const unsigned char*>(b.data());
    const std::ptrdiff_t na = std::ptrdiff_t(a.size()), nb = std::ptrdiff_t(b.size());
    const auto isDigit = [](unsigned char c) { return c >= '0' && c <= '9'; };

    std::ptrdiff_t s = 0;
    const std::ptrdiff_t common = na < nb ? na : nb;
    while (s < common && pa[s] == pb[s])
        ++s;
    if (s == na && s == nb)
        return 0;
    while (s > 0 && isDigit(pa[s - 1]))   // back to the start of the digit run holding the difference
        --s;

    std::ptrdiff_t i = s, j = s;
    while (i < na && j < nb) {
        const bool da = isDigit(pa[i]), db = isDigit(pb[j]);
        if (da && db) {
            std::ptrdiff_t za = i, zb = j;
            while (za < na && pa[za] == '0')
                ++za;
            while (zb < nb && pb[zb] == '0')
                ++zb;
            std::ptrdiff_t ea = za, eb = zb;
            while (ea < na && isDigit(pa[ea]))
                ++ea;
            while (eb < nb && isDigit(pb[eb]))
                ++eb;
            if (ea - za != eb - zb)
                return ea - za < eb - zb ? -1 : 1;   // more significant digits: the bigger number
            if (const int c = std::memcmp(pa + za, pb + zb, std::size_t(ea - za)); c != 0)
                return c < 0 ? -1 : 1;
            i = ea;
            j = eb;
            continue;
        }
        const unsigned char ca = da ? '0' : pa[i], cb = db ? '0' : pb[j];
        if (ca != cb)
            return ca < cb ? -1 : 1;
        ++i;
        ++j;
    }
    if (i < na || j < nb)
        return i < na ? 1 : -1;   // the one with tokens left is the longer, and sorts after
    // Equal as numbers ("a01", "a1"): the bytes decide.
    const int c = a.compare(b);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

template <class Bytes>
    requires requires(const Bytes& b) { b.data(); b.size(); }
int naturalCompare(const Bytes& a, const Bytes& b)
{
    return naturalCompare(std::string_view(a.data(), std::size_t(a.size())), std::string_view(b.data(), std::size_t(b.size())));
}

} // namespace cachelens::ui
