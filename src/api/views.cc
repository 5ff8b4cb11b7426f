// See views.h. Field order follows the contract's examples, which makes captures easy to compare.
#include "api/views.h"

#include <boost/json/parse.hpp>

#include "core/clock.h"

namespace parley::api {

json::object user_summary(const chat::User& u) {
  return json::object{{"_id", u.id},
                      {"id", u.id},
                      {"name", u.name},
                      {"email", u.email},
                      {"profileImage", u.profile_image}};
}

json::object auth_user(const chat::User& u) {
  return user_summary(u);
}

json::object room_view(const chat::Room& room, const UserIndex& users, int64_t recent_messages) {
  json::object out;
  out["_id"] = room.id;
  out["name"] = room.name;
  out["hasPassword"] = room.has_password();
  if (auto it = users.find(room.creator_id); it != users.end()) {
    out["creator"] = user_summary(it->second);
  } else {
    out["creator"] = nullptr;
  }
  json::array participants;
  participants.reserve(room.participant_ids.size());
  for (const auto& id : room.participant_ids) {
    if (auto it = users.find(id); it != users.end())
      participants.push_back(user_summary(it->second));
  }
  out["participantsCount"] = static_cast<int64_t>(participants.size());
  out["participants"] = std::move(participants);
  out["recentMessageCount"] = recent_messages;
  out["createdAt"] = iso8601(room.created_at);
  return out;
}

json::object file_view(const chat::FileRecord& f) {
  return json::object{{"_id", f.id},
                      {"filename", f.filename},
                      {"originalname", f.originalname},
                      {"mimetype", f.mimetype},
                      {"size", f.size},
                      {"user", f.user_id},
                      {"uploadDate", iso8601(f.upload_date)}};
}

json::object message_view(const chat::Message& m, const UserIndex& users,
                          const chat::FileRecord* file) {
  json::object out;
  out["_id"] = m.id;
  out["room"] = m.room_id;
  out["content"] = m.content;
  if (!m.sender_id.empty() && m.type != chat::MessageType::system &&
      m.type != chat::MessageType::ai) {
    if (auto it = users.find(m.sender_id); it != users.end()) {
      out["sender"] = user_summary(it->second);
    } else {
      // A deleted account: keep the message readable with a placeholder sender.
      out["sender"] = json::object{{"_id", m.sender_id},
                                   {"id", m.sender_id},
                                   {"name", "알 수 없음"},
                                   {"email", ""},
                                   {"profileImage", ""}};
    }
  }
  out["type"] = chat::to_string(m.type);
  if (m.type == chat::MessageType::file && file) out["file"] = file_view(*file);
  if (m.type == chat::MessageType::ai) out["aiType"] = m.ai_type;
  out["timestamp"] = m.timestamp;
  json::object reactions;
  for (const auto& [emoji, ids] : m.reactions) {
    json::array arr;
    for (const auto& id : ids)
      arr.push_back(json::string(id));
    reactions[emoji] = std::move(arr);
  }
  out["reactions"] = std::move(reactions);
  json::array readers;
  readers.reserve(m.readers.size());
  for (const auto& r : m.readers) {
    readers.push_back(json::object{{"userId", r.user_id}, {"readAt", r.read_at}});
  }
  out["readers"] = std::move(readers);
  boost::system::error_code ec;
  auto meta = json::parse(m.metadata_json, ec);
  out["metadata"] = (!ec && meta.is_object()) ? std::move(meta) : json::value(json::object{});
  return out;
}

}  // namespace parley::api
