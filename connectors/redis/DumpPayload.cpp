#include "connectors/redis/DumpPayload.h"

#include <array>

namespace cachelens::redis {
namespace {

// The Jones polynomial 0xad93d23594c935a9, bit-reversed for the reflected (least significant bit first) form.
constexpr std::uint64_t kReflectedPolynomial = 0x95ac9329ac4bc9b5ull;

constexpr std::array<std::uint64_t, 256> makeTable()
{
    std::array<std::uint64_t, 256> table{};
    for (std::uint64_t i = 0; i < 256; ++i) {
        std::uint64_t crc = i;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 1) ? (crc >> 1) ^ kReflectedPolynomial : crc >> 1;
        table[i] = crc;
    }
    return table;
}

constexpr std::array<std::uint64_t, 256> kTable = makeTable();

} // namespace

std::uint64_t redisCrc64(const char* data, qsizetype size) noexcept
{
    std::uint64_t crc = 0;
    for (qsizetype i = 0; i < size; ++i)
        crc = kTable[(crc ^ static_cast<unsigned char>(data[i])) & 0xff] ^ (crc >> 8);
    return crc;
}

bool hasValidDumpChecksum(const QByteArray& payload) noexcept
{
    constexpr qsizetype kFooter = 2 + 8;   // RDB version, CRC-64
    if (payload.size() < 1 + kFooter)
        return false;
    const qsizetype covered = payload.size() - 8;
    const std::uint64_t crc = redisCrc64(payload.constData(), covered);
    std::uint64_t stored = 0;
    for (int b = 0; b < 8; ++b)
        stored |= std::uint64_t(static_cast<unsigned char>(payload[covered + b])) << (8 * b);
    return crc == stored;
}

} // namespace cachelens::redis
