// See read_marks.h.
#include "api/read_marks.h"

#include "chat/ids.h"

namespace parley::api {

namespace json = boost::json;

namespace {

const json::array* ids_of(const json::value& payload) {
  if (!payload.is_object()) return nullptr;
  const json::value* v = payload.as_object().if_contains("messageIds");
  if (!v || !v->is_array() || v->as_array().empty()) return nullptr;
  return &v->as_array();
}

}  // namespace

std::optional<std::string> ReadMarks::mergeable_room(const json::value& payload) {
  const json::array* ids = ids_of(payload);
  if (!ids) return std::nullopt;
  const json::value* room = payload.as_object().if_contains("roomId");
  if (!room || !room->is_string() || room->as_string().empty()) return std::nullopt;
  for (const auto& v : *ids) {
    if (v.is_string() && chat::is_object_id(v.as_string())) return std::string(room->as_string());
  }
  return std::nullopt;
}

bool ReadMarks::add(const json::value& payload, std::optional<uint64_t> ack_id) {
  auto room = mergeable_room(payload);
  if (!room || *room != room_id_) return false;
  for (const auto& v : *ids_of(payload)) {
    if (!v.is_string()) {
      wire_.push_back(v);
      continue;
    }
    std::string s(v.as_string());
    if (chat::is_object_id(s) && seen_ids_.insert(s).second) ids_.push_back(s);
    if (seen_wire_.insert(s).second) wire_.push_back(v);
  }
  if (ack_id) acks_.push_back(*ack_id);
  ++events_;
  return true;
}

}  // namespace parley::api
