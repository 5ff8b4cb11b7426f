// The RedisStore's Lua scripts (see scripts.h). Redis 7 replicates a script's effects, not the
// script, so replicas and the AOF see plain writes. Numbers that leave a script as strings are
// formatted with %.0f: Lua 5.1 numbers are doubles, exact for epoch milliseconds.
#include "store/redis/scripts.h"

namespace parley::store::redis::scripts {

// KEYS[1] string key; ARGV[1] expected value. Deletes the key only if it still holds ARGV[1].
// Reply: 1 deleted, 0 not.
const Script& del_if_equal() {
  static const Script s{R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
)lua"};
  return s;
}

// KEYS[1] reservation key; ARGV[1] our value. Makes the reservation permanent if it is still
// ours. Reply: 1 done, 0 gone or someone else's.
const Script& persist_if_equal() {
  static const Script s{R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PERSIST', KEYS[1])
  return 1
end
return 0
)lua"};
  return s;
}

// KEYS[1] user hash; ARGV id, name, email, password hash, profile image, created_at.
// Reply: 1 created, 0 the id exists.
const Script& create_user() {
  static const Script s{R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'name', ARGV[2], 'email', ARGV[3], 'pw', ARGV[4],
           'img', ARGV[5], 'created', ARGV[6])
return 1
)lua"};
  return s;
}

// KEYS[1] hash; ARGV field, value. Sets the field only on an existing hash.
// Reply: 1 set, 0 no such hash.
const Script& hset_if_exists() {
  static const Script s{R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
)lua"};
  return s;
}

// KEYS[1] session hash; ARGV session id, created_at, last_activity, user agent, ip, ttl ms.
const Script& replace_session() {
  static const Script s{R"lua(
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'sid', ARGV[1], 'created', ARGV[2], 'last', ARGV[3], 'ua', ARGV[4],
           'ip', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
)lua"};
  return s;
}

// KEYS[1] session hash; ARGV session id, now, ttl ms. Raises last_activity (never lowers it)
// and renews the TTL, only if the session is still ARGV[1]. Reply: 1 touched, 0 not.
const Script& touch_session() {
  static const Script s{R"lua(
if redis.call('HGET', KEYS[1], 'sid') ~= ARGV[1] then return 0 end
local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
if tonumber(ARGV[2]) > last then redis.call('HSET', KEYS[1], 'last', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
)lua"};
  return s;
}

// KEYS[1] session hash; ARGV session id. Reply: 1 deleted, 0 another (or no) session.
const Script& delete_session_if() {
  static const Script s{R"lua(
if redis.call('HGET', KEYS[1], 'sid') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
)lua"};
  return s;
}

// KEYS[1] room hash, KEYS[2] participants zset (score = join sequence);
// ARGV id, name, creator, password hash, created_at, participant ids... (duplicates once).
// Reply: the participant count, or -1 when the room id exists.
const Script& create_room() {
  static const Script s{R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local seq = 0
for i = 6, #ARGV do
  if redis.call('ZADD', KEYS[2], 'NX', seq + 1, ARGV[i]) == 1 then seq = seq + 1 end
end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'name', ARGV[2], 'creator', ARGV[3], 'pw', ARGV[4],
           'created', ARGV[5], 'pseq', seq, 'pcount', seq, 'ver', 1)
return seq
)lua"};
  return s;
}

// KEYS[1] room hash, KEYS[2] participants zset; ARGV user id.
// Reply: nil when the room is unknown, else {changed 0/1, HGETALL room, participants in order}.
// 'ver' counts membership changes so the count index can drop updates that arrive late.
const Script& join_room() {
  static const Script s{R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local changed = 0
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  local seq = redis.call('HINCRBY', KEYS[1], 'pseq', 1)
  redis.call('ZADD', KEYS[2], seq, ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'pcount', 1)
  redis.call('HINCRBY', KEYS[1], 'ver', 1)
  changed = 1
end
return {changed, redis.call('HGETALL', KEYS[1]), redis.call('ZRANGE', KEYS[2], 0, -1)}
)lua"};
  return s;
}

// As join_room, removing the user.
const Script& leave_room() {
  static const Script s{R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local changed = 0
if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'pcount', -1)
  redis.call('HINCRBY', KEYS[1], 'ver', 1)
  changed = 1
end
return {changed, redis.call('HGETALL', KEYS[1]), redis.call('ZRANGE', KEYS[2], 0, -1)}
)lua"};
  return s;
}

// KEYS {rooms}: created, name, count, count versions, search names;
// ARGV id, created_at, name, participant count, version.
// Idempotent (re-running it repairs an index entry a failed write left out); the count is only
// taken when its version is newer than the one indexed, so concurrent joins cannot leave an older
// count behind.
const Script& index_room() {
  static const Script s{R"lua(
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], 0, ARGV[3] .. '\0' .. ARGV[1])
redis.call('HSET', KEYS[5], ARGV[1], string.lower(ARGV[3]))
local v = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0')
if tonumber(ARGV[5]) > v then
  redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
  redis.call('HSET', KEYS[4], ARGV[1], ARGV[5])
end
return 1
)lua"};
  return s;
}

// KEYS[1] the sort index (a {rooms} zset), KEYS[2] search names (id -> lowercased name);
// ARGV needle (lowercased), descending 0/1, offset, count, name index 0/1 (members are
// "<name>\0<id>"). Walks the index in order, in chunks of 512, and keeps the ids whose name
// contains the needle as a literal (plain find). Reply: {total matches, ids of the page...}.
// Cost: O(R) for R rooms (every name is looked at once); see docs/STORAGE-REDIS.md.
const Script& search_rooms() {
  static const Script s{R"lua(
local needle = ARGV[1]
local desc = ARGV[2] == '1'
local offset = tonumber(ARGV[3])
local count = tonumber(ARGV[4])
local by_name = ARGV[5] == '1'
local total = 0
local page = {}
local start = 0
while true do
  local chunk
  if desc then
    chunk = redis.call('ZREVRANGE', KEYS[1], start, start + 511)
  else
    chunk = redis.call('ZRANGE', KEYS[1], start, start + 511)
  end
  if #chunk == 0 then break end
  for _, member in ipairs(chunk) do
    local id = member
    if by_name then id = string.match(member, '%z([^%z]*)$') or member end
    local name = redis.call('HGET', KEYS[2], id)
    if name and string.find(name, needle, 1, true) then
      if total >= offset and #page < count then page[#page + 1] = id end
      total = total + 1
    end
  end
  start = start + 512
end
local reply = {total}
for i = 1, #page do reply[i + 1] = page[i] end
return reply
)lua"};
  return s;
}

// KEYS[1] last timestamp, KEYS[2] timeline zset, KEYS[3] message hash;
// ARGV requested ts, id, room, content, sender, type, file id, ai type, metadata json,
// mentions json, deleted 0/1, n readers, (reader, read_at) * n, then (user, emoji) pairs of the
// initial reactions in order. Assigns ts = max(requested, last + 1) and stores the message; a
// deleted message is stored but not put on the timeline. Reply: the timestamp, or -1 when the
// message hash exists.
const Script& append_message() {
  static const Script s{R"lua(
if redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local ts = tonumber(ARGV[1])
local last = redis.call('GET', KEYS[1])
if last and ts <= tonumber(last) then ts = tonumber(last) + 1 end
local tss = string.format('%.0f', ts)
redis.call('SET', KEYS[1], tss)
redis.call('HSET', KEYS[3], 'id', ARGV[2], 'room', ARGV[3], 'content', ARGV[4], 'sender', ARGV[5],
           'type', ARGV[6], 'file', ARGV[7], 'ai', ARGV[8], 'ts', tss, 'meta', ARGV[9],
           'mentions', ARGV[10], 'deleted', ARGV[11], 'rxseq', 0)
if ARGV[11] == '0' then redis.call('ZADD', KEYS[2], tss, ARGV[2]) end
local n = tonumber(ARGV[12])
local i = 13
local rd = KEYS[3] .. ':rd'
for _ = 1, n do
  if redis.call('HEXISTS', rd, ARGV[i]) == 0 then
    redis.call('HSET', rd, ARGV[i], redis.call('HLEN', rd) .. ',' .. ARGV[i + 1])
  end
  i = i + 2
end
local rx = KEYS[3] .. ':rx'
while i < #ARGV do
  local member = ARGV[i] .. '\0' .. ARGV[i + 1]
  if not redis.call('ZSCORE', rx, member) then
    redis.call('ZADD', rx, redis.call('HINCRBY', KEYS[3], 'rxseq', 1), member)
  end
  i = i + 2
end
return ts
)lua"};
  return s;
}

// KEYS[1] timeline zset; ARGV before (exclusive), limit + 1, reader ("" = none), now, message
// key base ("<prefix>{room:<id>}:msg:"), limit. The newest messages older than `before`, newest
// first; the first `limit` get the reader added (keeping an earlier read).
// Reply: per message {HGETALL message, HGETALL readers, ZRANGE reactions}.
const Script& fetch_messages() {
  static const Script s{R"lua(
local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], '(' .. ARGV[1], '-inf', 'LIMIT', 0, ARGV[2])
local limit = tonumber(ARGV[6])
local out = {}
for i, id in ipairs(ids) do
  local base = ARGV[5] .. id
  local rd = base .. ':rd'
  if ARGV[3] ~= '' and i <= limit and redis.call('HEXISTS', rd, ARGV[3]) == 0 then
    redis.call('HSET', rd, ARGV[3], redis.call('HLEN', rd) .. ',' .. ARGV[4])
  end
  out[i] = {redis.call('HGETALL', base), redis.call('HGETALL', rd),
            redis.call('ZRANGE', base .. ':rx', 0, -1)}
end
return out
)lua"};
  return s;
}

// KEYS[1] any key of the room's slot (the timeline); ARGV message key base, user, now, ids...
// Adds the reader to each existing message of the room that does not have it yet.
// Reply: how many were added.
const Script& mark_read() {
  static const Script s{R"lua(
local added = 0
for i = 4, #ARGV do
  local base = ARGV[1] .. ARGV[i]
  if redis.call('EXISTS', base) == 1 then
    local rd = base .. ':rd'
    if redis.call('HEXISTS', rd, ARGV[2]) == 0 then
      redis.call('HSET', rd, ARGV[2], redis.call('HLEN', rd) .. ',' .. ARGV[3])
      added = added + 1
    end
  end
end
return added
)lua"};
  return s;
}

// KEYS[1] message hash, KEYS[2] reactions zset (member "<user>\0<emoji>", score = sequence);
// ARGV user, emoji, add 1/0. Reply: nil when the message is unknown, else the reactions in order.
const Script& update_reaction() {
  static const Script s{R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local member = ARGV[1] .. '\0' .. ARGV[2]
if ARGV[3] == '1' then
  if not redis.call('ZSCORE', KEYS[2], member) then
    redis.call('ZADD', KEYS[2], redis.call('HINCRBY', KEYS[1], 'rxseq', 1), member)
  end
else
  redis.call('ZREM', KEYS[2], member)
end
return redis.call('ZRANGE', KEYS[2], 0, -1)
)lua"};
  return s;
}

// KEYS[1] file hash; ARGV id, filename, originalname, mimetype, size, path, user, upload date.
// Reply: 1 created, 0 the id exists.
const Script& create_file() {
  static const Script s{R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'filename', ARGV[2], 'original', ARGV[3],
           'mime', ARGV[4], 'size', ARGV[5], 'path', ARGV[6], 'user', ARGV[7], 'date', ARGV[8])
return 1
)lua"};
  return s;
}

}  // namespace parley::store::redis::scripts
