// RedisStore: rooms, their participants and the room list (see redis_store.h).
//
// A room is a hash and a participants zset (score = join sequence) under {room:<id>}. The list
// indexes live in the {rooms} slot: created_at and participant count zsets (ties broken by id,
// as sorted sets order equal scores by member), a name zset of "<name>\0<id>" members at score
// 0 (binary order, like the SQLite store), and id -> lowercased name for search. A room is
// written before its index entries, so an index entry always has its room (a reader skips one
// that does not); a failed index write leaves a room reachable by id but missing from the list
// until its next membership change rewrites the entries (index_room is idempotent).
#include <algorithm>

#include "store/redis/gather.h"
#include "store/redis/records.h"
#include "store/redis/redis_store.h"
#include "store/redis/scripts.h"

namespace parley::store::redis {

namespace {

std::string num(int64_t v) {
  return std::to_string(v);
}

// The participants of a join/leave script reply: {changed, HGETALL room, ZRANGE participants}.
struct ChangeReply {
  bool changed = false;
  Fields room;
  std::vector<std::string> participants;
};

std::optional<ChangeReply> change_reply(const Reply& r) {
  if (!r.is_array() || r.elements.size() != 3) return std::nullopt;
  return ChangeReply{r.elements[0].integer == 1, fields_of(r.elements[1]),
                     strings_of(r.elements[2])};
}

}  // namespace

asio::awaitable<Result<void>> RedisStore::create_room(chat::Room room) {
  std::vector<std::string> keys{keys_.room(room.id), keys_.participants(room.id)};
  std::vector<std::string> args{room.id, room.name, room.creator_id, room.password_hash,
                                num(room.created_at)};
  for (const Id& p : room.participant_ids)
    args.push_back(p);
  auto created =
      co_await run_script(scripts::create_room(), std::move(keys), std::move(args), write_ack_);
  if (!created) co_return created.error();
  if (created->integer < 0) co_return Error::conflict("room " + room.id + " exists");
  const int64_t count = created->integer;
  // Each participant's room set, then the list indexes (the room is now stored: see above).
  std::vector<asio::awaitable<Result<Reply>>> memberships;
  std::vector<std::string> seen;
  for (const Id& p : room.participant_ids) {
    if (std::find(seen.begin(), seen.end(), p) != seen.end()) continue;
    seen.push_back(p);
    std::string key = keys_.user_rooms(p);
    Command add{"SADD", key, room.id};
    memberships.push_back(exec(std::move(key), std::move(add), write_ack_));
  }
  auto added = co_await gather(std::move(memberships));
  for (auto& a : added) {
    if (!a) co_return a.error();
  }
  co_return co_await index_room(room, count, 1);
}

asio::awaitable<Result<void>> RedisStore::index_room(const chat::Room& room, int64_t count,
                                                     int64_t version) {
  std::vector<std::string> keys{keys_.rooms_by_created(), keys_.rooms_by_name(),
                                keys_.rooms_by_count(), keys_.rooms_count_version(),
                                keys_.rooms_search_names()};
  std::vector<std::string> args{room.id, num(room.created_at), room.name, num(count), num(version)};
  auto r = co_await run_script(scripts::index_room(), std::move(keys), std::move(args), write_ack_);
  if (!r) co_return r.error();
  co_return Result<void>{};
}

asio::awaitable<Result<std::optional<chat::Room>>> RedisStore::load_room(Id id) {
  std::string key = keys_.room(id);
  std::vector<Command> cmds{{"HGETALL", key}, {"ZRANGE", keys_.participants(id), "0", "-1"}};
  auto r = co_await exec_pipeline(std::move(key), std::move(cmds), Ack::master);
  if (!r) co_return r.error();
  co_return room_from(fields_of((*r)[0]), strings_of((*r)[1]));
}

asio::awaitable<Result<std::optional<chat::Room>>> RedisStore::get_room(Id id) {
  return load_room(std::move(id));
}

asio::awaitable<Result<RoomPage>> RedisStore::list_rooms(RoomQuery query) {
  std::string index;
  switch (query.sort) {
    case RoomSortField::name:
      index = keys_.rooms_by_name();
      break;
    case RoomSortField::participants_count:
      index = keys_.rooms_by_count();
      break;
    case RoomSortField::created_at:
      index = keys_.rooms_by_created();
      break;
  }
  const bool by_name = query.sort == RoomSortField::name;
  const int64_t size = std::max(query.page_size, 1);
  const int64_t offset = static_cast<int64_t>(std::max(query.page, 0)) * size;
  RoomPage page;
  std::vector<std::string> ids;
  if (query.search.empty()) {
    // O(log R + page): ZCARD and one rank range.
    std::vector<Command> cmds{
        {"ZCARD", index},
        {query.descending ? "ZREVRANGE" : "ZRANGE", index, num(offset), num(offset + size - 1)}};
    auto r = co_await exec_pipeline(index, std::move(cmds), Ack::master);
    if (!r) co_return r.error();
    page.total = (*r)[0].integer;
    ids = strings_of((*r)[1]);
    if (by_name) {
      for (std::string& m : ids)
        m = m.substr(m.rfind('\0') + 1);
    }
  } else {
    std::string needle = query.search;
    std::transform(needle.begin(), needle.end(), needle.begin(), [](unsigned char c) {
      return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    });
    std::vector<std::string> keys{index, keys_.rooms_search_names()};
    std::vector<std::string> args{needle, query.descending ? "1" : "0", num(offset), num(size),
                                  by_name ? "1" : "0"};
    auto r =
        co_await run_script(scripts::search_rooms(), std::move(keys), std::move(args), Ack::master);
    if (!r) co_return r.error();
    if (!r->is_array() || r->elements.empty())
      co_return Error::internal("redis store: bad search reply");
    page.total = r->elements[0].integer;
    for (size_t i = 1; i < r->elements.size(); ++i)
      ids.push_back(r->elements[i].str);
  }
  std::vector<asio::awaitable<Result<std::optional<chat::Room>>>> loads;
  loads.reserve(ids.size());
  for (std::string& id : ids)
    loads.push_back(load_room(std::move(id)));
  auto rooms = co_await gather(std::move(loads));
  for (auto& room : rooms) {
    if (!room) co_return room.error();
    // An index entry without its room (see the top of this file): skipped.
    if (room.value()) page.rooms.push_back(std::move(*room.value()));
  }
  co_return page;
}

asio::awaitable<Result<ParticipantChange>> RedisStore::change_participant(Id room_id, Id user_id,
                                                                          bool join) {
  std::vector<std::string> keys{keys_.room(room_id), keys_.participants(room_id)};
  std::vector<std::string> args{user_id};
  auto r = co_await run_script(join ? scripts::join_room() : scripts::leave_room(), std::move(keys),
                               std::move(args), write_ack_);
  if (!r) co_return r.error();
  if (r->is_nil()) co_return Error::not_found("room " + room_id);
  auto reply = change_reply(r.value());
  if (!reply) co_return Error::internal("redis store: bad participant reply");
  auto room = room_from(reply->room, std::move(reply->participants));
  if (!room) co_return Error::not_found("room " + room_id);
  if (reply->changed) {
    // The user's room set (for delete_user) and the count index, both after the room itself.
    std::string set_key = keys_.user_rooms(user_id);
    Command member{join ? "SADD" : "SREM", set_key, room_id};
    auto m = co_await exec(std::move(set_key), std::move(member), write_ack_);
    if (!m) co_return m.error();
    auto indexed =
        co_await index_room(*room, int_field(reply->room, "pcount"), int_field(reply->room, "ver"));
    if (!indexed) co_return indexed.error();
  }
  co_return ParticipantChange{reply->changed, std::move(*room)};
}

asio::awaitable<Result<ParticipantChange>> RedisStore::add_participant(Id room_id, Id user_id) {
  return change_participant(std::move(room_id), std::move(user_id), true);
}

asio::awaitable<Result<ParticipantChange>> RedisStore::remove_participant(Id room_id, Id user_id) {
  return change_participant(std::move(room_id), std::move(user_id), false);
}

asio::awaitable<Result<void>> RedisStore::leave_all_rooms(Id user_id) {
  std::string key = keys_.user_rooms(user_id);
  Command members{"SMEMBERS", key};
  auto rooms = co_await exec(std::move(key), std::move(members), Ack::master);
  if (!rooms) co_return rooms.error();
  for (std::string& room_id : strings_of(rooms.value())) {
    auto left = co_await change_participant(room_id, user_id, false);
    if (!left && left.error().kind != Error::Kind::not_found) co_return left.error();
  }
  co_return Result<void>{};
}

asio::awaitable<Result<std::vector<int64_t>>> RedisStore::count_messages_since(
    std::vector<Id> room_ids, Millis since) {
  // One ZCOUNT per room, all in flight at once (each room is its own slot).
  std::vector<asio::awaitable<Result<Reply>>> ops;
  ops.reserve(room_ids.size());
  for (const Id& id : room_ids) {
    std::string key = keys_.timeline(id);
    Command count{"ZCOUNT", key, num(since), "+inf"};
    ops.push_back(exec(std::move(key), std::move(count), Ack::master));
  }
  auto replies = co_await gather(std::move(ops));
  std::vector<int64_t> counts;
  counts.reserve(replies.size());
  for (auto& r : replies) {
    if (!r) co_return r.error();
    counts.push_back(r->integer);
  }
  co_return counts;
}

asio::awaitable<Result<std::optional<Millis>>> RedisStore::newest_room_created_at() {
  std::string key = keys_.rooms_by_created();
  Command newest{"ZREVRANGE", key, "0", "0", "WITHSCORES"};
  auto r = co_await exec(std::move(key), std::move(newest), Ack::master);
  if (!r) co_return r.error();
  if (!r->is_array() || r->elements.size() < 2) co_return std::optional<Millis>{};
  co_return std::optional<Millis>{static_cast<Millis>(std::stod(r->elements[1].str))};
}

}  // namespace parley::store::redis
