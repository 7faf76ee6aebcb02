#include "Scripts.h"

#include <openssl/evp.h>

#include <array>

namespace cachelens::provider::scripts {
namespace {

const char* const kPrelude = R"lua(
local function cl_ours(v) return v and #v >= 16 and string.byte(v, 1) == 1 end
local function cl_tags(v)
  local out = {}
  if not cl_ours(v) then return out end
  local tl = struct.unpack('>I2', v, 15)
  local pos, stop = 17, 17 + tl
  while pos + 1 < stop do
    local n = struct.unpack('>I2', v, pos)
    out[#out + 1] = string.sub(v, pos + 2, pos + 1 + n)
    pos = pos + 2 + n
  end
  return out
end
local function cl_carries(v, tag)
  for _, t in ipairs(cl_tags(v)) do if t == tag then return true end end
  return false
end
local function cl_grace(v)
  if not cl_ours(v) then return 0 end
  return (struct.unpack('>I4', v, 11))
end
local function cl_get(k)
  local ok, v = pcall(redis.call, 'GET', k)
  if ok and v then return v end
  return nil
end
local function cl_live(k, v)
  local p = redis.call('PTTL', k)
  return p == -1 or p > cl_grace(v)
end
local function cl_untag(k, v, prefix)
  for _, t in ipairs(cl_tags(v)) do redis.call('SREM', prefix .. t, k) end
end
)lua";

const char* const kBodies[Count_] = {
    // Get: KEYS[1] → {value, pttl} or nil
    R"lua(
local v = cl_get(KEYS[1])
if not cl_ours(v) then return false end
return {v, redis.call('PTTL', KEYS[1])}
)lua",
    // Meta: KEYS[1] → {pttl, grace}; pttl -2 when absent or not ours
    R"lua(
local p = redis.call('PTTL', KEYS[1])
if p == -2 then return {-2, 0} end
local ok, h = pcall(redis.call, 'GETRANGE', KEYS[1], 0, 15)
if not ok or not cl_ours(h) then return {-2, 0} end
return {p, (struct.unpack('>I4', h, 11))}
)lua",
    // Set: KEYS[1], ARGV = value, px ('0' = none), tag prefix, tags…
    R"lua(
local old = cl_get(KEYS[1])
if old then cl_untag(KEYS[1], old, ARGV[3]) end
if ARGV[2] ~= '0' then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) else redis.call('SET', KEYS[1], ARGV[1]) end
for i = 4, #ARGV do redis.call('SADD', ARGV[3] .. ARGV[i], KEYS[1]) end
return 1
)lua",
    // Del: KEYS[1], ARGV = tag prefix → 1 when a live key was removed, 0 when it was absent, 2 when stale
    R"lua(
local v = cl_get(KEYS[1])
if not cl_ours(v) then return 0 end
local live = cl_live(KEYS[1], v)
cl_untag(KEYS[1], v, ARGV[1])
redis.call('UNLINK', KEYS[1])
if live then return 1 end
return 2
)lua",
    // Expire: KEYS[1], ARGV = ms (> 0)
    R"lua(
local v = cl_get(KEYS[1])
if not cl_ours(v) or not cl_live(KEYS[1], v) then return 0 end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) + cl_grace(v))
return 1
)lua",
    // Persist: KEYS[1]
    R"lua(
local v = cl_get(KEYS[1])
if not cl_ours(v) or not cl_live(KEYS[1], v) then return 0 end
return redis.call('PERSIST', KEYS[1])
)lua",
    // Incr: KEYS[1], ARGV = n, px if new ('0' = none), header for a new value, tag prefix → the new value (string)
    R"lua(
local v = cl_get(KEYS[1])
local cur, hdr, live = 0, ARGV[3], false
if v then
  if not cl_ours(v) then return redis.error_reply('value is not an integer or out of range') end
  live = cl_live(KEYS[1], v)
  if live then
    local tl = struct.unpack('>I2', v, 15)
    hdr = string.sub(v, 1, 16 + tl)
    local body = string.sub(v, 17 + tl)
    if string.byte(v, 2) ~= 0 or #body > 16 or not string.match(body, '^%-?%d+$') then
      return redis.error_reply('value is not an integer or out of range')
    end
    cur = tonumber(body)
  else
    cl_untag(KEYS[1], v, ARGV[4])
  end
end
local nv = cur + tonumber(ARGV[1])
if nv > 9007199254740991 or nv < -9007199254740991 then
  return redis.error_reply('increment or decrement would overflow')
end
local s = string.format('%.0f', nv)
if live then redis.call('SET', KEYS[1], hdr .. s, 'KEEPTTL')
elseif ARGV[2] ~= '0' then redis.call('SET', KEYS[1], hdr .. s, 'PX', ARGV[2])
else redis.call('SET', KEYS[1], hdr .. s) end
return s
)lua",
    // TagBatch: KEYS[1] = tag set, ARGV = tag prefix, batch size, tag → {live keys removed, members popped}
    R"lua(
local members = redis.call('SPOP', KEYS[1], tonumber(ARGV[2]))
local n = 0
for _, k in ipairs(members) do
  local v = cl_get(k)
  if cl_carries(v, ARGV[3]) then
    if cl_live(k, v) then n = n + 1 end
    cl_untag(k, v, ARGV[1])
    redis.call('UNLINK', k)
  end
end
return {n, #members}
)lua",
    // TagSweep: KEYS[1] = tag set, ARGV = cursor, count, tag → {next cursor, members removed}
    R"lua(
local r = redis.call('SSCAN', KEYS[1], ARGV[1], 'COUNT', tonumber(ARGV[2]))
local removed = 0
for _, k in ipairs(r[2]) do
  if not cl_carries(cl_get(k), ARGV[3]) then redis.call('SREM', KEYS[1], k); removed = removed + 1 end
end
return {r[1], removed}
)lua",
    // Unlock: KEYS[1] = lock, ARGV = token (compare-and-delete)
    R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua",
    // RateLimit: KEYS[1] = counter base ("<prefix>ratelimit:{subject}"), ARGV = window ms, 'fixed'|'sliding'
    // → {count in the current window, count in the previous window, ms into the current window}
    R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local w = tonumber(ARGV[1])
local idx = math.floor(now / w)
local k = KEYS[1] .. ':' .. string.format('%.0f', idx)
local c = redis.call('INCR', k)
if c == 1 then redis.call('PEXPIRE', k, 2 * w) end
local prev = 0
if ARGV[2] == 'sliding' then
  prev = tonumber(redis.call('GET', KEYS[1] .. ':' .. string.format('%.0f', idx - 1)) or '0') or 0
end
return {c, prev, now - idx * w}
)lua",
    // TagCount: KEYS[1] = tag set, ARGV = cursor, count, sample size, tag prefix, tag, earlier tags… → {next cursor,
    // keys, up to `sample size` of them}: the dry run of TagBatch over several tags, one SSCAN page at a time. It
    // counts the members TagBatch would count (live values carrying the tag) unless an earlier tag of the same run
    // takes them (a member of that tag's set carrying that tag: whichever batch pops such a key first removes it
    // from every set, so it counts once).
    R"lua(
local r = redis.call('SSCAN', KEYS[1], ARGV[1], 'COUNT', tonumber(ARGV[2]))
local n, sample = 0, {}
for _, k in ipairs(r[2]) do
  local v = cl_get(k)
  if cl_carries(v, ARGV[5]) and cl_live(k, v) then
    local first = true
    for i = 6, #ARGV do
      if cl_carries(v, ARGV[i]) and redis.call('SISMEMBER', ARGV[4] .. ARGV[i], k) == 1 then first = false break end
    end
    if first then
      n = n + 1
      if #sample < tonumber(ARGV[3]) then sample[#sample + 1] = k end
    end
  end
end
return {r[1], n, sample}
)lua",
};

// What EVALSHA names a script by: the lower-case hex SHA-1 of its text.
std::string sha1Hex(std::string_view text)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha1(), nullptr) != 1) return {}; // EVALSHA fails, EVAL follows
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < size; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 15];
    }
    return hex;
}

std::array<Script, Count_> build()
{
    std::array<Script, Count_> out;
    for (int i = 0; i < Count_; ++i) {
        out[i].text = std::string(kPrelude) + kBodies[i];
        out[i].sha = sha1Hex(out[i].text);
    }
    return out;
}

const std::array<Script, Count_>& all()
{
    static const std::array<Script, Count_> scripts = build();
    return scripts;
}

} // namespace

const Script& get(Id id) { return all()[id]; }

const Script* bySha(std::string_view sha)
{
    for (const Script& s : all())
        if (s.sha == sha) return &s;
    return nullptr;
}

} // namespace cachelens::provider::scripts
