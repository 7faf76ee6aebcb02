#pragma once
// Redis Cluster key slots: CRC16 (XMODEM) of the key, or of its hash tag — the part between the first '{' and the
// next '}' when that part is not empty — modulo 16384 (cluster spec, all versions).
#include <QByteArray>

namespace cachelens::redis {

constexpr int kClusterSlots = 16384;

quint16 crc16(const char* data, qsizetype size);
int keySlot(const QByteArray& key);

// The key argument of a command for routing, or an empty optional for keyless commands (PING, INFO, SCAN, …).
// Covers the commands CacheLens sends: the key is the first argument, except for the few listed in the .cpp.
bool commandKey(const QList<QByteArray>& args, QByteArray* key);

} // namespace cachelens::redis
