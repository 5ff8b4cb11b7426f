// Records: Redis replies (HGETALL arrays, zset members) to chat/ records and back. The field
// names are the key schema's (docs/STORAGE-REDIS.md); nothing here talks to Redis.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "chat/model.h"
#include "redis/reply.h"
#include "store/mentions_json.h"

namespace parley::store::redis {

using parley::redis::Reply;
using Fields = std::unordered_map<std::string, std::string>;

// An HGETALL reply as a map (empty when the hash does not exist).
Fields fields_of(const Reply& r);
// The string elements of an array reply (ZRANGE, SMEMBERS).
std::vector<std::string> strings_of(const Reply& r);
int64_t int_field(const Fields& f, const std::string& name);
// A reply's integer (integer replies, and numeric strings as scripts may return them).
std::optional<int64_t> integer_of(const Reply& r);

std::optional<chat::User> user_from(const Fields& f);
std::optional<chat::Session> session_from(const chat::Id& user_id, const Fields& f);
// A room needs its hash and its participants (ZRANGE of the participants zset, in join order).
std::optional<chat::Room> room_from(const Fields& f, std::vector<std::string> participants);
// A message from {HGETALL message, HGETALL readers, ZRANGE reactions}.
std::optional<chat::Message> message_from(const Reply& hash, const Reply& readers,
                                          const Reply& reactions);
std::optional<chat::FileRecord> file_from(const Fields& f);

// Readers are a hash user -> "<sequence>,<read_at>": sorted back into the order they were added.
std::vector<chat::Reader> readers_from(const Reply& hash);
// Reactions are zset members "<user>\0<emoji>" in the order they were added.
std::map<std::string, std::vector<chat::Id>> reactions_from(const Reply& zrange);

}  // namespace parley::store::redis
