// Records: replies to chat/ records (see records.h).
#include "store/redis/records.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

namespace parley::store::redis {

namespace {

int64_t to_int(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

const std::string& get(const Fields& f, const std::string& name) {
  static const std::string empty;
  auto it = f.find(name);
  return it == f.end() ? empty : it->second;
}

}  // namespace

Fields fields_of(const Reply& r) {
  Fields f;
  if (!r.is_array()) return f;
  for (size_t i = 0; i + 1 < r.elements.size(); i += 2)
    f.emplace(r.elements[i].str, r.elements[i + 1].str);
  return f;
}

std::vector<std::string> strings_of(const Reply& r) {
  std::vector<std::string> out;
  if (!r.is_array()) return out;
  out.reserve(r.elements.size());
  for (const Reply& e : r.elements)
    out.push_back(e.str);
  return out;
}

int64_t int_field(const Fields& f, const std::string& name) {
  return to_int(get(f, name));
}

std::optional<int64_t> integer_of(const Reply& r) {
  if (r.is_integer()) return r.integer;
  if (r.is_string() && !r.str.empty()) return to_int(r.str);
  return std::nullopt;
}

std::optional<chat::User> user_from(const Fields& f) {
  if (f.find("id") == f.end()) return std::nullopt;
  chat::User u;
  u.id = get(f, "id");
  u.name = get(f, "name");
  u.email = get(f, "email");
  u.password_hash = get(f, "pw");
  u.profile_image = get(f, "img");
  u.created_at = int_field(f, "created");
  return u;
}

std::optional<chat::Session> session_from(const chat::Id& user_id, const Fields& f) {
  if (f.find("sid") == f.end()) return std::nullopt;
  chat::Session s;
  s.user_id = user_id;
  s.session_id = get(f, "sid");
  s.created_at = int_field(f, "created");
  s.last_activity = int_field(f, "last");
  s.user_agent = get(f, "ua");
  s.ip_address = get(f, "ip");
  return s;
}

std::optional<chat::Room> room_from(const Fields& f, std::vector<std::string> participants) {
  // A hash without its creation fields is not a room (e.g. nothing but leftovers).
  if (f.find("created") == f.end()) return std::nullopt;
  chat::Room r;
  r.id = get(f, "id");
  r.name = get(f, "name");
  r.creator_id = get(f, "creator");
  r.password_hash = get(f, "pw");
  r.created_at = int_field(f, "created");
  r.participant_ids = std::move(participants);
  return r;
}

std::vector<chat::Reader> readers_from(const Reply& hash) {
  struct Entry {
    int64_t seq;
    chat::Reader reader;
  };
  std::vector<Entry> entries;
  if (hash.is_array()) {
    for (size_t i = 0; i + 1 < hash.elements.size(); i += 2) {
      std::string_view v = hash.elements[i + 1].str;
      size_t comma = v.find(',');
      if (comma == std::string_view::npos) continue;
      entries.push_back(
          {to_int(v.substr(0, comma)), {hash.elements[i].str, to_int(v.substr(comma + 1))}});
    }
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.seq < b.seq; });
  std::vector<chat::Reader> out;
  out.reserve(entries.size());
  for (Entry& e : entries)
    out.push_back(std::move(e.reader));
  return out;
}

std::map<std::string, std::vector<chat::Id>> reactions_from(const Reply& zrange) {
  std::map<std::string, std::vector<chat::Id>> out;
  if (!zrange.is_array()) return out;
  for (const Reply& e : zrange.elements) {
    size_t sep = e.str.find('\0');
    if (sep == std::string::npos) continue;
    out[e.str.substr(sep + 1)].push_back(e.str.substr(0, sep));
  }
  return out;
}

std::optional<chat::Message> message_from(const Reply& hash, const Reply& readers,
                                          const Reply& reactions) {
  Fields f = fields_of(hash);
  if (f.find("id") == f.end()) return std::nullopt;
  chat::Message m;
  m.id = get(f, "id");
  m.room_id = get(f, "room");
  m.content = get(f, "content");
  m.sender_id = get(f, "sender");
  if (!chat::parse_message_type(get(f, "type"), m.type)) m.type = chat::MessageType::text;
  m.file_id = get(f, "file");
  m.ai_type = get(f, "ai");
  m.timestamp = int_field(f, "ts");
  m.metadata_json = get(f, "meta");
  m.mentions = mentions_from_json(get(f, "mentions"));
  m.is_deleted = get(f, "deleted") == "1";
  m.readers = readers_from(readers);
  m.reactions = reactions_from(reactions);
  return m;
}

std::optional<chat::FileRecord> file_from(const Fields& f) {
  if (f.find("id") == f.end()) return std::nullopt;
  chat::FileRecord r;
  r.id = get(f, "id");
  r.filename = get(f, "filename");
  r.originalname = get(f, "original");
  r.mimetype = get(f, "mime");
  r.size = int_field(f, "size");
  r.path = get(f, "path");
  r.user_id = get(f, "user");
  r.upload_date = int_field(f, "date");
  return r;
}

}  // namespace parley::store::redis
