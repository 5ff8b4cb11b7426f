// Store: everything Parley persists, behind one asynchronous interface. Callers are coroutines on
// an event loop; every operation completes back on the caller's executor and never blocks it.
// Implementation today: store/sqlite (embedded, the only one). The interface is shaped for a
// sharded one as well (redis/cluster.h is the interface of a Redis Cluster client; there is no
// Redis store yet): every operation on one room's data names the room, so it can live in one
// shard.
// No SQL or Redis detail leaks out: inputs and outputs are chat/ records and plain values.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chat/model.h"
#include "core/result.h"

namespace parley::store {

namespace asio = boost::asio;
using chat::Id;
using chat::Millis;

enum class RoomSortField { created_at, name, participants_count };

struct RoomQuery {
  int page = 0;        // already clamped by the caller (>= 0)
  int page_size = 10;  // already clamped by the caller (1..50)
  RoomSortField sort = RoomSortField::created_at;
  bool descending = true;
  std::string search;  // case-insensitive literal substring of the name; "" = all
};

struct RoomPage {
  std::vector<chat::Room> rooms;
  int64_t total = 0;
};

struct MessagePage {
  std::vector<chat::Message> messages;  // ascending by timestamp
  bool has_more = false;
};

struct ParticipantChange {
  bool changed = false;  // false when the user already was (or was not) a participant
  chat::Room room;       // the room after the change
};

class Store {
 public:
  virtual ~Store() = default;

  // ---- users
  // Fails with Error::conflict when the (lowercased) email is taken.
  virtual asio::awaitable<Result<void>> create_user(chat::User user) = 0;
  virtual asio::awaitable<Result<std::optional<chat::User>>> find_user_by_email(
      std::string email_lower) = 0;
  virtual asio::awaitable<Result<std::optional<chat::User>>> get_user(Id id) = 0;
  // Users in the order of `ids`; unknown ids are skipped.
  virtual asio::awaitable<Result<std::vector<chat::User>>> get_users(std::vector<Id> ids) = 0;
  virtual asio::awaitable<Result<void>> update_user_name(Id id, std::string name) = 0;
  virtual asio::awaitable<Result<void>> update_user_password(Id id, std::string hash) = 0;
  virtual asio::awaitable<Result<void>> update_user_profile_image(Id id, std::string image) = 0;
  // Deletes the user and their session; their messages stay (shown without a sender).
  virtual asio::awaitable<Result<void>> delete_user(Id id) = 0;

  // ---- sessions: one per user
  // Replaces every session of session.user_id with this one.
  virtual asio::awaitable<Result<void>> replace_session(chat::Session session) = 0;
  virtual asio::awaitable<Result<std::optional<chat::Session>>> get_session(Id user_id) = 0;
  // Records activity. Implementations may coalesce these writes (activity is compared against a
  // 30-minute idle limit, so persisting it to the second is not needed).
  virtual asio::awaitable<Result<void>> touch_session(Id user_id, std::string session_id,
                                                      Millis now) = 0;
  // Deletes the user's session only if it is `session_id`; true when one was deleted.
  virtual asio::awaitable<Result<bool>> delete_session(Id user_id, std::string session_id) = 0;

  // ---- rooms
  virtual asio::awaitable<Result<void>> create_room(chat::Room room) = 0;
  virtual asio::awaitable<Result<std::optional<chat::Room>>> get_room(Id id) = 0;
  virtual asio::awaitable<Result<RoomPage>> list_rooms(RoomQuery query) = 0;
  virtual asio::awaitable<Result<ParticipantChange>> add_participant(Id room_id, Id user_id) = 0;
  virtual asio::awaitable<Result<ParticipantChange>> remove_participant(Id room_id, Id user_id) = 0;
  // For each room, the non-deleted messages with timestamp >= since (in the order of room_ids).
  // One call for a whole page of rooms: the room list needs this for every room it shows.
  virtual asio::awaitable<Result<std::vector<int64_t>>> count_messages_since(
      std::vector<Id> room_ids, Millis since) = 0;
  // created_at of the newest room, if any (for /api/rooms/health).
  virtual asio::awaitable<Result<std::optional<Millis>>> newest_room_created_at() = 0;

  // ---- messages
  // Stores the message. The store assigns the timestamp: max(requested, last in room + 1), so
  // timestamps strictly increase per room; the stored message is returned.
  virtual asio::awaitable<Result<chat::Message>> append_message(chat::Message message) = 0;
  // The room a message belongs to, if the message exists. Callers that only have a message id
  // (the frontend's markMessagesAsRead and messageReaction) look the room up first: every other
  // message operation names its room, so a sharded store keeps one room's data in one shard.
  virtual asio::awaitable<Result<std::optional<Id>>> find_message_room(Id message_id) = 0;
  // The message `id` of room `room_id`; nullopt when unknown or of another room.
  virtual asio::awaitable<Result<std::optional<chat::Message>>> get_message(Id room_id, Id id) = 0;
  // Newest `limit` non-deleted messages with timestamp < before, returned ascending; when
  // reader is non-empty, adds {reader, now} to each returned message's readers (if absent),
  // and the returned messages include that reader.
  virtual asio::awaitable<Result<MessagePage>> fetch_messages(Id room_id, Millis before, int limit,
                                                              Id reader, Millis now) = 0;
  // Adds {user_id, now} to the readers of each listed message of room_id (if absent). Ids that
  // are unknown or belong to another room are skipped. Implementations batch these: they are
  // the heaviest write under load.
  virtual asio::awaitable<Result<void>> mark_read(Id room_id, std::vector<Id> message_ids,
                                                  Id user_id, Millis now) = 0;
  // add=true: set-add user to reactions[emoji]; add=false: remove it and drop an empty key.
  // Returns the message's reactions after the change; not_found if the message is unknown or
  // not in room_id.
  virtual asio::awaitable<Result<std::map<std::string, std::vector<Id>>>> update_reaction(
      Id room_id, Id message_id, std::string emoji, Id user_id, bool add) = 0;

  // ---- files
  virtual asio::awaitable<Result<void>> create_file(chat::FileRecord file) = 0;
  virtual asio::awaitable<Result<std::optional<chat::FileRecord>>> get_file(Id id) = 0;
  virtual asio::awaitable<Result<std::optional<chat::FileRecord>>> get_file_by_filename(
      std::string filename) = 0;
  virtual asio::awaitable<Result<void>> delete_file(Id id) = 0;
  // Room ids of the non-deleted messages that reference the file.
  virtual asio::awaitable<Result<std::vector<Id>>> rooms_referencing_file(Id file_id) = 0;

  // ---- lifecycle
  // Round trip to the backing store; returns the latency in microseconds.
  virtual asio::awaitable<Result<int64_t>> ping() = 0;
  // Blocks until every acknowledged write is durable, then stops accepting work. Called once,
  // off the event loops, at shutdown.
  virtual void close() = 0;
};

}  // namespace parley::store
