// Keys: the RedisStore's key schema in one place (docs/STORAGE-REDIS.md explains it). Every key
// starts with the deployment's prefix (no braces in it, so the hash tag that follows decides the
// slot). One room's data shares the tag {room:<id>}, one user's the tag {user:<id>}; the room
// list indexes share {rooms}; lookups by a secondary value (email, message id, filename) are
// single keys in slots of their own.
#pragma once

#include <string>
#include <string_view>

namespace parley::store::redis {

class Keys {
 public:
  explicit Keys(std::string prefix) : p_(std::move(prefix)) {}
  const std::string& prefix() const { return p_; }

  // ---- users (slot of {user:<id>})
  std::string user(std::string_view id) const { return p_ + "{user:" + std::string(id) + "}"; }
  std::string session(std::string_view id) const { return user(id) + ":session"; }
  std::string user_rooms(std::string_view id) const { return user(id) + ":rooms"; }
  // email -> user id (its own slot; SET NX makes the email unique)
  std::string email(std::string_view lower) const { return p_ + "email:" + std::string(lower); }

  // ---- one room (slot of {room:<id>})
  std::string room(std::string_view id) const { return p_ + "{room:" + std::string(id) + "}"; }
  std::string participants(std::string_view id) const { return room(id) + ":p"; }
  std::string timeline(std::string_view id) const { return room(id) + ":m"; }  // zset ts -> msg id
  std::string last_ts(std::string_view id) const { return room(id) + ":last"; }
  // Message keys of a room: <message_base(room)><msg id>, plus ":rd" (readers), ":rx" (reactions).
  std::string message_base(std::string_view room_id) const { return room(room_id) + ":msg:"; }
  std::string message(std::string_view room_id, std::string_view id) const {
    return message_base(room_id) + std::string(id);
  }
  std::string readers(std::string_view room_id, std::string_view id) const {
    return message(room_id, id) + ":rd";
  }
  std::string reactions(std::string_view room_id, std::string_view id) const {
    return message(room_id, id) + ":rx";
  }
  // message id -> room id (its own slot; SET NX makes message ids unique)
  std::string message_room(std::string_view id) const { return p_ + "msg:" + std::string(id); }

  // ---- room list indexes (slot of {rooms})
  std::string rooms_by_created() const { return p_ + "{rooms}:created"; }  // score created_at
  std::string rooms_by_name() const { return p_ + "{rooms}:name"; }        // "<name>\0<id>", 0
  std::string rooms_by_count() const { return p_ + "{rooms}:count"; }      // score participants
  std::string rooms_count_version() const { return p_ + "{rooms}:cver"; }  // id -> version
  std::string rooms_search_names() const { return p_ + "{rooms}:lname"; }  // id -> lower name

  // ---- files (slot of {file:<id>})
  std::string file(std::string_view id) const { return p_ + "{file:" + std::string(id) + "}"; }
  std::string file_rooms(std::string_view id) const { return file(id) + ":rooms"; }
  std::string filename(std::string_view name) const { return p_ + "filename:" + std::string(name); }

  std::string ping() const { return p_ + "ping"; }

 private:
  std::string p_;
};

}  // namespace parley::store::redis
