// Records: reading chat/ records out of the database and the few value conversions the tables
// need (mentions as JSON text, LIKE escaping). Shared by the read jobs and by write jobs that
// return the record after changing it. All functions throw SqliteError (see connection.h).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/model.h"
#include "store/mentions_json.h"
#include "store/sqlite/connection.h"

namespace parley::store::sqlite {

std::optional<chat::User> load_user(Connection& db, const chat::Id& id);
std::optional<chat::User> load_user_by_email(Connection& db, const std::string& email);

std::optional<chat::Session> load_session(Connection& db, const chat::Id& user_id);

std::optional<chat::Room> load_room(Connection& db, const chat::Id& id);
std::vector<chat::Id> load_participants(Connection& db, const chat::Id& room_id);

// The message with its reactions and readers.
std::optional<chat::Message> load_message(Connection& db, const chat::Id& id);
// The column list every message SELECT uses, as a macro so it joins the rest of the SQL
// literal at compile time; message_from_row() reads a row in this order.
#define PARLEY_SQLITE_MESSAGE_COLUMNS                                                   \
  "id, room_id, content, sender_id, type, file_id, ai_type, timestamp, metadata_json, " \
  "mentions_json, is_deleted"
chat::Message message_from_row(const Query& row);
void load_reactions(Connection& db, chat::Message& m);
void load_readers(Connection& db, chat::Message& m);
std::map<std::string, std::vector<chat::Id>> reactions_of(Connection& db, const chat::Id& id);

std::optional<chat::FileRecord> load_file(Connection& db, const chat::Id& id);
std::optional<chat::FileRecord> load_file_by_filename(Connection& db, const std::string& name);

// `text` with LIKE's wildcards (% and _) and the escape character (\) escaped, for use with
// ESCAPE '\', so user input matches literally.
std::string escape_like(std::string_view text);

}  // namespace parley::store::sqlite
