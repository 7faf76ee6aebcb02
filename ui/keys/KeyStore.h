#pragma once
// KeyStore: every key a scan delivered, once, for the Keys panel. Plain C++ (no Qt), so that it is tested alone
// (tests/ui/tst_keystore.cpp) and the Qt model (KeyTreeModel) only adapts it.
//
// Layout (all ids 32-bit; bytesUsed() counts every byte held):
//   - the key bytes live back to back in one arena, a key's bytes being arena[offsets[id], offsets[id + 1]);
//   - its type, TTL deadline and memory live in parallel vectors indexed by the same id;
//   - an open-addressing index (IdIndex) finds a key's id from its bytes, so a key SCAN returns twice is stored once.
// Ids are dense and never reused: a key deleted on the server keeps its id and bytes (type kDeleted) and is live
// again when a later scan finds it, so that everything holding an id (the namespace tree) stays valid.
// Growth is amortised (IdIndex moves a few slots per insert) and reserve() takes a scan's estimate, so no single
// batch pays for a rehash or a reallocation of everything stored before it.
//
// Not thread-safe: the GUI thread owns it (KeysPanel) and changes it only through the model that adapts it.
#include "ui/keys/IdIndex.h"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace cachelens::ui {

class KeyStore
{
public:
    using Id = std::uint32_t;
    static constexpr Id kNone = 0xffffffffu;
    static constexpr std::size_t kMaxKeys = 0x7fffffffu;   // the tree keeps an id's top bit to tell keys apart
    // A key's type is a KeyType (connectors/SourceTypes.h) kept as its byte; the store itself reads only these two.
    static constexpr std::uint8_t kTypeUnknown = 0;
    static constexpr std::uint8_t kTypeDeleted = 7;
    // A deadline is ms since the epoch, or one of these.
    static constexpr std::int64_t kNoExpiry = -1;
    static constexpr std::int64_t kTtlUnknown = -2;

    KeyStore() = default;
    KeyStore(const KeyStore&) = delete;
    KeyStore& operator=(const KeyStore&) = delete;

    void clear();                                          // forgets every key and gives the memory back
    void reserve(std::size_t keys, std::size_t keyBytes);  // room for a scan's estimate: no regrowth within it

    struct Added {
        Id id = kNone;                                     // kNone: the store is full (kMaxKeys)
        bool created = false;                              // a key not seen before
        bool revived = false;                              // a deleted key found again
    };
    // The key's id; a new key (or a deleted one found again) is live with its type unknown.
    Added add(std::string_view key);
    Id find(std::string_view key) const;                   // kNone: never stored

    std::size_t size() const { return m_type.size(); }     // ids handed out, live or deleted
    std::size_t liveCount() const { return m_live; }
    std::string_view bytes(Id id) const
    {
        return {m_arena.data() + m_offsets[id], std::size_t(m_offsets[id + 1] - m_offsets[id])};
    }
    std::size_t keyBytes() const { return m_arena.size(); }
    std::size_t bytesUsed() const;                         // heap held, key bytes included

    bool isLive(Id id) const { return m_type[id] != kTypeDeleted; }
    std::uint8_t type(Id id) const { return m_type[id]; }
    void setType(Id id, std::uint8_t type);                // of a live key; kTypeDeleted deletes it
    bool remove(Id id);                                    // deleted on the server; false if it already was

    std::int64_t deadline(Id id) const { return m_deadline[id]; }
    void setDeadline(Id id, std::int64_t deadline) { m_deadline[id] = deadline; }
    std::int64_t remainingMs(Id id, std::int64_t nowMs) const;   // deadline − now (≥ 0), or kNoExpiry / kTtlUnknown

    std::int32_t memory(Id id) const { return m_memory[id]; }   // bytes (saturated at 2 GiB − 1), −1 unknown
    void setMemory(Id id, std::int64_t bytes);

    // Live keys from id `cursor` on that have what `which` asks for, up to `max`; advances `cursor` past them.
    enum class Which { Live, UnknownType, UnknownMemory };
    std::vector<Id> next(Id& cursor, std::size_t max, Which which) const;
    std::size_t count(Which which) const;
    std::vector<Id> biggest(std::size_t n) const;          // live keys of known memory, largest first

private:
    bool matches(Id id, Which which) const;
    std::size_t hashOf(std::string_view key) const;

    std::vector<char> m_arena;
    std::vector<std::uint64_t> m_offsets{0};
    std::vector<std::int64_t> m_deadline;
    std::vector<std::int32_t> m_memory;
    std::vector<std::uint8_t> m_type;
    IdIndex m_index;                                       // key bytes → id
    std::size_t m_live = 0;
};

} // namespace cachelens::ui
