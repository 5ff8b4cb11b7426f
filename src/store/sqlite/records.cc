// Records: rows to chat/ records (see records.h).
#include "store/sqlite/records.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace parley::store::sqlite {

namespace {

chat::User user_from_row(const Query& q) {
  chat::User u;
  u.id = q.text(0);
  u.name = q.text(1);
  u.email = q.text(2);
  u.password_hash = q.text(3);
  u.profile_image = q.text(4);
  u.created_at = q.int64(5);
  return u;
}

chat::FileRecord file_from_row(const Query& q) {
  chat::FileRecord f;
  f.id = q.text(0);
  f.filename = q.text(1);
  f.originalname = q.text(2);
  f.mimetype = q.text(3);
  f.size = q.int64(4);
  f.path = q.text(5);
  f.user_id = q.text(6);
  f.upload_date = q.int64(7);
  return f;
}

}  // namespace

std::optional<chat::User> load_user(Connection& db, const chat::Id& id) {
  Query q = db.query(
      "SELECT id, name, email, password_hash, profile_image, created_at FROM users WHERE id = ?1",
      id);
  if (!q.step()) return std::nullopt;
  return user_from_row(q);
}

std::optional<chat::User> load_user_by_email(Connection& db, const std::string& email) {
  Query q = db.query(
      "SELECT id, name, email, password_hash, profile_image, created_at FROM users "
      "WHERE email = ?1",
      email);
  if (!q.step()) return std::nullopt;
  return user_from_row(q);
}

std::optional<chat::Session> load_session(Connection& db, const chat::Id& user_id) {
  Query q = db.query(
      "SELECT user_id, session_id, created_at, last_activity, user_agent, ip_address "
      "FROM sessions WHERE user_id = ?1",
      user_id);
  if (!q.step()) return std::nullopt;
  chat::Session s;
  s.user_id = q.text(0);
  s.session_id = q.text(1);
  s.created_at = q.int64(2);
  s.last_activity = q.int64(3);
  s.user_agent = q.text(4);
  s.ip_address = q.text(5);
  return s;
}

std::optional<chat::Room> load_room(Connection& db, const chat::Id& id) {
  chat::Room r;
  {
    Query q = db.query(
        "SELECT id, name, creator_id, password_hash, created_at FROM rooms WHERE id = ?1", id);
    if (!q.step()) return std::nullopt;
    r.id = q.text(0);
    r.name = q.text(1);
    r.creator_id = q.text(2);
    r.password_hash = q.text(3);
    r.created_at = q.int64(4);
  }
  r.participant_ids = load_participants(db, id);
  return r;
}

std::vector<chat::Id> load_participants(Connection& db, const chat::Id& room_id) {
  std::vector<chat::Id> ids;
  Query q =
      db.query("SELECT user_id FROM room_participants WHERE room_id = ?1 ORDER BY seq", room_id);
  while (q.step())
    ids.push_back(q.text(0));
  return ids;
}

chat::Message message_from_row(const Query& q) {
  chat::Message m;
  m.id = q.text(0);
  m.room_id = q.text(1);
  m.content = q.text(2);
  m.sender_id = q.text(3);
  if (!chat::parse_message_type(q.text(4), m.type)) m.type = chat::MessageType::text;
  m.file_id = q.text(5);
  m.ai_type = q.text(6);
  m.timestamp = q.int64(7);
  m.metadata_json = q.text(8);
  m.mentions = mentions_from_json(q.text(9));
  m.is_deleted = q.int64(10) != 0;
  return m;
}

void load_reactions(Connection& db, chat::Message& m) {
  m.reactions = reactions_of(db, m.id);
}

std::map<std::string, std::vector<chat::Id>> reactions_of(Connection& db, const chat::Id& id) {
  std::map<std::string, std::vector<chat::Id>> out;
  Query q = db.query("SELECT emoji, user_id FROM reactions WHERE message_id = ?1 ORDER BY seq", id);
  while (q.step())
    out[q.text(0)].push_back(q.text(1));
  return out;
}

void load_readers(Connection& db, chat::Message& m) {
  m.readers.clear();
  Query q =
      db.query("SELECT user_id, read_at FROM readers WHERE message_id = ?1 ORDER BY seq", m.id);
  while (q.step())
    m.readers.push_back({q.text(0), q.int64(1)});
}

std::optional<chat::Message> load_message(Connection& db, const chat::Id& id) {
  std::optional<chat::Message> m;
  {
    Query q = db.query("SELECT " PARLEY_SQLITE_MESSAGE_COLUMNS " FROM messages WHERE id = ?1", id);
    if (!q.step()) return std::nullopt;
    m = message_from_row(q);
  }
  load_reactions(db, *m);
  load_readers(db, *m);
  return m;
}

std::optional<chat::FileRecord> load_file(Connection& db, const chat::Id& id) {
  Query q = db.query(
      "SELECT id, filename, originalname, mimetype, size, path, user_id, upload_date "
      "FROM files WHERE id = ?1",
      id);
  if (!q.step()) return std::nullopt;
  return file_from_row(q);
}

std::optional<chat::FileRecord> load_file_by_filename(Connection& db, const std::string& name) {
  Query q = db.query(
      "SELECT id, filename, originalname, mimetype, size, path, user_id, upload_date "
      "FROM files WHERE filename = ?1",
      name);
  if (!q.step()) return std::nullopt;
  return file_from_row(q);
}

std::string escape_like(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace parley::store::sqlite
