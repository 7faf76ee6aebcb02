#include "connectors/redis/ClusterSlots.h"

#include <QList>

#include <array>

namespace cachelens::redis {
namespace {

constexpr std::array<quint16, 256> makeTable()
{
    std::array<quint16, 256> table{};
    for (int i = 0; i < 256; ++i) {
        quint16 crc = quint16(i << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) ? quint16((crc << 1) ^ 0x1021) : quint16(crc << 1);
        table[size_t(i)] = crc;
    }
    return table;
}
constexpr std::array<quint16, 256> kTable = makeTable();

} // namespace

quint16 crc16(const char* data, qsizetype size)
{
    quint16 crc = 0;
    for (qsizetype i = 0; i < size; ++i)
        crc = quint16((crc << 8) ^ kTable[((crc >> 8) ^ quint8(data[i])) & 0xff]);
    return crc;
}

int keySlot(const QByteArray& key)
{
    const qsizetype open = key.indexOf('{');
    if (open >= 0) {
        const qsizetype close = key.indexOf('}', open + 1);
        if (close > open + 1)
            return crc16(key.constData() + open + 1, close - open - 1) & (kClusterSlots - 1);
    }
    return crc16(key.constData(), key.size()) & (kClusterSlots - 1);
}

bool commandKey(const QList<QByteArray>& args, QByteArray* key)
{
    if (args.size() < 2)
        return false;
    const QByteArray name = args.first().toUpper();
    static const QList<QByteArray> keyless{"PING", "INFO", "DBSIZE", "SCAN", "CLUSTER", "CLIENT", "CONFIG", "ECHO",
                                           "AUTH", "SELECT", "FLUSHALL", "FLUSHDB", "DEBUG", "COMMAND", "ACL", "KEYS",
                                           "RANDOMKEY", "TIME", "LASTSAVE", "SLOWLOG", "LATENCY", "ASKING", "READONLY"};
    if (keyless.contains(name))
        return false;
    if (name == "MEMORY" || name == "OBJECT") {   // MEMORY USAGE key, OBJECT ENCODING key
        if (args.size() < 3)
            return false;
        *key = args.at(2);
        return true;
    }
    if (name == "XREAD" || name == "EVAL" || name == "EVALSHA")
        return false;   // not routed by first argument; CacheLens does not send them
    *key = args.at(1);
    return true;
}

} // namespace cachelens::redis
