// The domain's records: what a user, session, room, message and file are. Plain data, no I/O;
// the store persists them and api/ turns them into the contract's JSON (api/views.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace parley::chat {

using Id = std::string;  // 24 lowercase hex (Mongo ObjectId form)
using Millis = int64_t;  // epoch milliseconds

struct User {
  Id id;
  std::string name;           // stored untrimmed
  std::string email;          // stored lowercased
  std::string password_hash;  // argon2id, libsodium string format
  std::string profile_image;  // "" when unset, else "/api/uploads/profiles/<stored>"
  Millis created_at = 0;
};

struct Session {
  Id user_id;
  std::string session_id;  // 32 lowercase hex
  Millis created_at = 0;
  Millis last_activity = 0;
  std::string user_agent;
  std::string ip_address;
};

struct Room {
  Id id;
  std::string name;  // stored trimmed
  Id creator_id;
  std::string password_hash;  // "" when the room has no password
  Millis created_at = 0;
  std::vector<Id> participant_ids;  // in join order; the creator first
  bool has_password() const { return !password_hash.empty(); }
};

struct FileRecord {
  Id id;
  std::string filename;      // stored name: <epochMs>_<16 hex>.<ext>
  std::string originalname;  // sanitised client name (NFC, no slashes)
  std::string mimetype;
  int64_t size = 0;
  std::string path;  // where the blob store keeps it
  Id user_id;        // uploader
  Millis upload_date = 0;
};

struct Reader {
  Id user_id;
  Millis read_at = 0;
};

enum class MessageType { text, file, system, ai };

struct Message {
  Id id;
  Id room_id;
  std::string content;
  Id sender_id;  // empty for system and ai messages
  MessageType type = MessageType::text;
  Id file_id;            // type == file
  std::string ai_type;   // type == ai: "wayneAI" | "consultingAI"
  Millis timestamp = 0;  // strictly increasing per room (assigned by the store)
  std::map<std::string, std::vector<Id>> reactions;  // emoji -> user ids, in order added
  std::vector<Reader> readers;
  std::string metadata_json = "{}";  // the contract's metadata object, as JSON text
  std::vector<std::string> mentions;
  bool is_deleted = false;
};

const char* to_string(MessageType t);
bool parse_message_type(const std::string& s, MessageType& out);

}  // namespace parley::chat
