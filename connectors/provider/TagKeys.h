#pragma once
// The names of the redis provider's own keys (README, "Using the engine over Redis" → "Key convention"). Code that
// lists, previews or invalidates the provider's tags from outside (the Invalidate panel, cachelensctl) calls these
// instead of spelling the names itself.
//
// Standalone and sentinel servers:
//   <prefix>tag:<name>          a set of the full keys carrying tag <name>
// Redis Cluster: a tag's set is split by slot, so a value and all of its tag bookkeeping live in one slot and one Lua
// script can change both atomically (a script may only touch keys of one slot):
//   <prefix>tag:{<h>}<name>     the members of tag <name> whose keys are in slot s, where <h> = slotHashTag(s)
//   <prefix>tagslots:<name>     a set of the slots (decimal) that have had members of <name>: written before the
//                               member, so it is a superset; it never shrinks except by clear() (≤ 16,384 entries)
// Both layouts: <prefix>lock:<key> is a distributed single-flight lock. A key prefix that carries its own hash tag
// ("{app}:") puts everything in that one slot, which is fine; a prefix with an unmatched '{' is refused for tags on
// a cluster (the set would land in another slot than its members).
#include <optional>
#include <string>
#include <string_view>

namespace cachelens::provider {

inline constexpr std::string_view kTagInfix = "tag:";
inline constexpr std::string_view kTagSlotsInfix = "tagslots:";
inline constexpr std::string_view kLockInfix = "lock:";
inline constexpr std::string_view kDefaultBusChannel = "cachelens:invalidate";

// Redis Cluster slot of a full key (CRC16 of the key or its hash tag; connectors/redis/ClusterSlots).
int keySlot(std::string_view key);
// The shortest base-36 string ("0"…"z", "10", …) whose own slot is `slot` (0 ≤ slot < 16384): a hash tag that pins
// a key to that slot. Deterministic, so every process and tool agrees.
const std::string& slotHashTag(int slot);

std::string tagSetPrefix(std::string_view prefix);                                        // "<prefix>tag:"
std::string tagSetKey(std::string_view prefix, std::string_view tag);                    // standalone
std::string clusterTagSetPrefix(std::string_view prefix, int slot);                       // "<prefix>tag:{<h>}"
std::string clusterTagSetKey(std::string_view prefix, std::string_view tag, int slot);    // … + name
std::string tagSlotsKey(std::string_view prefix, std::string_view tag);                   // cluster index

// The tag named by a tag-set key of the given layout, or nullopt when `key` is not one; `slot` gets the slot of a
// cluster set (-1 for the standalone layout).
std::optional<std::string> tagOfSetKey(std::string_view prefix, std::string_view key, bool cluster,
                                       int* slot = nullptr);

} // namespace cachelens::provider
