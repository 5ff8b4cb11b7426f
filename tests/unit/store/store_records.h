// Records for the store tests (the contract suite and the SQLite store's own tests): 24-hex ids
// like the callers' ObjectIds, and users, rooms and messages numbered by n.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "chat/model.h"

namespace parley::store::test_records {

using chat::Id;
using chat::Millis;

// Prefix + counter, zero padded.
inline Id make_id(char kind, int n) {
  std::string digits = std::to_string(n);
  return std::string(1, kind) + std::string(23 - digits.size(), '0') + digits;
}

inline chat::User make_user(int n) {
  chat::User u;
  u.id = make_id('a', n);
  u.name = "User " + std::to_string(n);
  u.email = "user" + std::to_string(n) + "@example.com";
  u.password_hash = "$argon2id$hash" + std::to_string(n);
  u.created_at = 1000 + n;
  return u;
}

inline chat::Room make_room(int n, std::string name, Millis created_at,
                            std::vector<Id> participants) {
  chat::Room r;
  r.id = make_id('b', n);
  r.name = std::move(name);
  r.creator_id = participants.empty() ? make_id('a', 0) : participants.front();
  r.created_at = created_at;
  r.participant_ids = std::move(participants);
  return r;
}

inline chat::Message make_message(int n, const Id& room, Millis ts) {
  chat::Message m;
  m.id = make_id('c', n);
  m.room_id = room;
  m.content = "message " + std::to_string(n);
  m.sender_id = make_id('a', 1);
  m.timestamp = ts;
  return m;
}

}  // namespace parley::store::test_records
