#pragma once
// The footer of a DUMP payload, checked the way RESTORE checks it (Redis's verifyDumpPayload, cluster.c): the
// serialized value, then the RDB version (2 bytes, little-endian), then the CRC-64 (Jones polynomial, reflected, as
// Redis's crc64.c) of everything before the checksum (8 bytes, little-endian). A snapshot's rows are checked with it
// before anything is restored, so a damaged payload is refused here rather than by the server halfway through.
#include <QByteArray>

#include <cstdint>

namespace cachelens::redis {

// Redis's crc64(0, data, size).
std::uint64_t redisCrc64(const char* data, qsizetype size) noexcept;

// True when `payload` is long enough to be a DUMP (a type byte, the version and the checksum) and its checksum
// matches. The RDB version is not judged: the server that restores it does.
bool hasValidDumpChecksum(const QByteArray& payload) noexcept;

} // namespace cachelens::redis
