#include "ui/keys/KeyStore.h"

#include <algorithm>
#include <functional>
#include <limits>

namespace cachelens::ui {

std::size_t KeyStore::hashOf(std::string_view key) const
{
    return std::hash<std::string_view>{}(key);
}

void KeyStore::clear()
{
    // A new scan reserves for its own estimate: what the last one held is given back.
    std::vector<char>().swap(m_arena);
    std::vector<std::uint64_t>{0}.swap(m_offsets);
    std::vector<std::int64_t>().swap(m_deadline);
    std::vector<std::int32_t>().swap(m_memory);
    std::vector<std::uint8_t>().swap(m_type);
    m_index.reset();
    m_live = 0;
}

void KeyStore::reserve(std::size_t keys, std::size_t keyBytes)
{
    keys = std::min(keys, kMaxKeys);
    if (keys <= m_type.size())
        return;
    m_arena.reserve(keyBytes);
    m_offsets.reserve(keys + 1);
    m_deadline.reserve(keys);
    m_memory.reserve(keys);
    m_type.reserve(keys);
    m_index.reserve(keys);
}

std::size_t KeyStore::bytesUsed() const
{
    return m_arena.capacity() + m_offsets.capacity() * sizeof(std::uint64_t)
        + m_deadline.capacity() * sizeof(std::int64_t) + m_memory.capacity() * sizeof(std::int32_t)
        + m_type.capacity() * sizeof(std::uint8_t) + m_index.bytes();
}

KeyStore::Id KeyStore::find(std::string_view key) const
{
    return m_index.find(hashOf(key), [&](Id id) { return bytes(id) == key; });
}

KeyStore::Added KeyStore::add(std::string_view key)
{
    const std::size_t hash = hashOf(key);
    const Id found = m_index.find(hash, [&](Id id) { return bytes(id) == key; });
    if (found != kNone) {
        if (m_type[found] != kTypeDeleted)
            return {found, false, false};
        m_type[found] = kTypeUnknown;   // deleted, then created again
        ++m_live;
        return {found, false, true};
    }
    if (m_type.size() >= kMaxKeys)
        return {};   // 2^31 keys: beyond what a desktop tree can show
    const Id id = Id(m_type.size());
    m_arena.insert(m_arena.end(), key.begin(), key.end());
    m_offsets.push_back(m_arena.size());
    m_deadline.push_back(kTtlUnknown);
    m_memory.push_back(-1);
    m_type.push_back(kTypeUnknown);
    m_index.insert(id, hash, [this](Id other) { return hashOf(bytes(other)); });
    ++m_live;
    return {id, true, false};
}

void KeyStore::setType(Id id, std::uint8_t type)
{
    if (type == kTypeDeleted) {
        remove(id);
        return;
    }
    if (m_type[id] == kTypeDeleted)
        ++m_live;
    m_type[id] = type;
}

bool KeyStore::remove(Id id)
{
    if (m_type[id] == kTypeDeleted)
        return false;
    m_type[id] = kTypeDeleted;
    --m_live;
    return true;
}

std::int64_t KeyStore::remainingMs(Id id, std::int64_t nowMs) const
{
    const std::int64_t d = m_deadline[id];
    return d < 0 ? d : std::max<std::int64_t>(0, d - nowMs);
}

void KeyStore::setMemory(Id id, std::int64_t bytes)
{
    m_memory[id] = std::int32_t(std::clamp<std::int64_t>(bytes, -1, std::numeric_limits<std::int32_t>::max()));
}

bool KeyStore::matches(Id id, Which which) const
{
    switch (which) {
    case Which::Live: return m_type[id] != kTypeDeleted;
    case Which::UnknownType: return m_type[id] == kTypeUnknown;
    case Which::UnknownMemory: return m_type[id] != kTypeDeleted && m_memory[id] < 0;
    }
    return false;
}

std::vector<KeyStore::Id> KeyStore::next(Id& cursor, std::size_t max, Which which) const
{
    std::vector<Id> out;
    for (; cursor < m_type.size() && out.size() < max; ++cursor)
        if (matches(cursor, which))
            out.push_back(cursor);
    return out;
}

std::size_t KeyStore::count(Which which) const
{
    std::size_t n = 0;
    for (Id id = 0; id < m_type.size(); ++id)
        n += matches(id, which) ? 1 : 0;
    return n;
}

std::vector<KeyStore::Id> KeyStore::biggest(std::size_t n) const
{
    std::vector<Id> ids;
    for (Id id = 0; id < m_type.size(); ++id)
        if (m_type[id] != kTypeDeleted && m_memory[id] >= 0)
            ids.push_back(id);
    const std::size_t take = std::min(ids.size(), n);
    std::partial_sort(ids.begin(), ids.begin() + std::ptrdiff_t(take), ids.end(),
                      [this](Id a, Id b) { return m_memory[a] > m_memory[b]; });
    ids.resize(take);
    return ids;
}

} // namespace cachelens::ui
