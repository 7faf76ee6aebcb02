#pragma once
// The Lua scripts of the redis cache provider (one round trip, atomic). Cluster-safe: every key a script touches is
// in the slot of its KEYS[1] (a value and its tag sets share a slot, TagKeys.h; the rate limiter's window keys share
// the subject's hash tag). Every script gets the same prelude that reads the value header (see README, "Using the
// engine over Redis"):
//   byte 1 format (1) · byte 2 flags (1 not-found, 2 compressed) · bytes 3–10 created-at (Unix ms, big-endian) ·
//   bytes 11–14 grace ms · bytes 15–16 tag block length T · T bytes of tags (u16 length + bytes each) · the value
#include <string>
#include <string_view>

namespace cachelens::provider::scripts {

enum Id { Get, Meta, Set, Del, Expire, Persist, Incr, TagBatch, TagSweep, Unlock, RateLimit, TagCount, Count_ };

struct Script {
    std::string text; // prelude + body
    std::string sha;  // SHA-1 of text, for EVALSHA
};

const Script& get(Id id);
// The script whose SHA-1 is `sha`, or nullptr (for sending an EVALSHA again as EVAL after NOSCRIPT).
const Script* bySha(std::string_view sha);

} // namespace cachelens::provider::scripts
