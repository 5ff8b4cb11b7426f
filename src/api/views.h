// The contract's JSON shapes (§1): how users, rooms, messages and files look on the wire. Both the
// REST routes and the Socket.IO events build their payloads here, so the two never disagree.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <unordered_map>
#include <vector>

#include "chat/model.h"

namespace parley::api {

namespace json = boost::json;

using UserIndex = std::unordered_map<chat::Id, chat::User>;

// {"_id","id","name","email","profileImage"}
json::object user_summary(const chat::User& u);
// {"_id","id","name","email","profileImage"} (AuthUser: the same fields)
json::object auth_user(const chat::User& u);

// Room: users are looked up in `users` (creator and participants); unknown ids are skipped.
json::object room_view(const chat::Room& room, const UserIndex& users, int64_t recent_messages);

// File inside a message.
json::object file_view(const chat::FileRecord& f);

// Message: the sender is looked up in `users` (absent for system/ai), the file in `file`.
json::object message_view(const chat::Message& m, const UserIndex& users,
                          const chat::FileRecord* file);

}  // namespace parley::api
