// RedisStore: the Store on Redis Cluster (--storage redis), for several parley-server processes
// sharing one state. Key schema, round trips, complexity and what durability is promised:
// docs/STORAGE-REDIS.md. In short: one room's data shares the hash tag {room:<id>} so every
// room operation is one command or one Lua script on one master; values that must be unique
// (email, message id, filename) are claimed with SET NX before the record is written; the room
// list is served from sorted-set indexes in the {rooms} slot, written after the room (readers
// skip index entries whose room is missing). Writes wait for replicas (Ack::replicated: WAIT
// after the write) unless wait_replicas is 0.
//
// The operations are split by subject: redis_store.cc (open/close, users, sessions, ping),
// redis_store_rooms.cc, redis_store_messages.cc (messages and files).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "redis/cluster.h"
#include "store/redis/keys.h"
#include "store/redis/touch_coalescer.h"
#include "store/store.h"

namespace parley::store::redis {

using parley::redis::Ack;
using parley::redis::Cluster;
using parley::redis::ClusterOptions;
using parley::redis::Command;
using parley::redis::Reply;
using parley::redis::Script;

class RedisStore final : public Store {
 public:
  struct Options {
    ClusterOptions cluster;  // seeds, password, timeouts, wait_replicas / wait_timeout
    // Prepended to every key (no braces): several deployments, or test servers, on one cluster.
    std::string key_prefix;
    // Sessions expire in Redis this long after their last written activity. Set it to the idle
    // limit plus touch_write_interval_ms: activity is written at most that often.
    Millis session_ttl_ms = 30 * 60 * 1000 + 60'000;
    Millis touch_write_interval_ms = 60'000;
    // How long a registration's email claim lives before the user record exists (a crashed
    // registration frees the email by itself after this).
    Millis email_claim_ttl_ms = 30'000;
  };

  // Connects (Cluster::start) and loads the scripts lazily (EVALSHA, EVAL on NOSCRIPT).
  static Result<std::unique_ptr<RedisStore>> open(Options options);
  ~RedisStore() override;

  // ---- users
  asio::awaitable<Result<void>> create_user(chat::User user) override;
  asio::awaitable<Result<std::optional<chat::User>>> find_user_by_email(
      std::string email_lower) override;
  asio::awaitable<Result<std::optional<chat::User>>> get_user(Id id) override;
  asio::awaitable<Result<std::vector<chat::User>>> get_users(std::vector<Id> ids) override;
  asio::awaitable<Result<void>> update_user_name(Id id, std::string name) override;
  asio::awaitable<Result<void>> update_user_password(Id id, std::string hash) override;
  asio::awaitable<Result<void>> update_user_profile_image(Id id, std::string image) override;
  asio::awaitable<Result<void>> delete_user(Id id) override;

  // ---- sessions
  asio::awaitable<Result<void>> replace_session(chat::Session session) override;
  asio::awaitable<Result<std::optional<chat::Session>>> get_session(Id user_id) override;
  asio::awaitable<Result<void>> touch_session(Id user_id, std::string session_id,
                                              Millis now) override;
  asio::awaitable<Result<bool>> delete_session(Id user_id, std::string session_id) override;

  // ---- rooms
  asio::awaitable<Result<void>> create_room(chat::Room room) override;
  asio::awaitable<Result<std::optional<chat::Room>>> get_room(Id id) override;
  asio::awaitable<Result<RoomPage>> list_rooms(RoomQuery query) override;
  asio::awaitable<Result<ParticipantChange>> add_participant(Id room_id, Id user_id) override;
  asio::awaitable<Result<ParticipantChange>> remove_participant(Id room_id, Id user_id) override;
  asio::awaitable<Result<std::vector<int64_t>>> count_messages_since(std::vector<Id> room_ids,
                                                                     Millis since) override;
  asio::awaitable<Result<std::optional<Millis>>> newest_room_created_at() override;

  // ---- messages
  asio::awaitable<Result<chat::Message>> append_message(chat::Message message) override;
  asio::awaitable<Result<std::optional<Id>>> find_message_room(Id message_id) override;
  asio::awaitable<Result<std::optional<chat::Message>>> get_message(Id room_id, Id id) override;
  asio::awaitable<Result<MessagePage>> fetch_messages(Id room_id, Millis before, int limit,
                                                      Id reader, Millis now) override;
  asio::awaitable<Result<void>> mark_read(Id room_id, std::vector<Id> message_ids, Id user_id,
                                          Millis now) override;
  asio::awaitable<Result<std::map<std::string, std::vector<Id>>>> update_reaction(
      Id room_id, Id message_id, std::string emoji, Id user_id, bool add) override;

  // ---- files
  asio::awaitable<Result<void>> create_file(chat::FileRecord file) override;
  asio::awaitable<Result<std::optional<chat::FileRecord>>> get_file(Id id) override;
  asio::awaitable<Result<std::optional<chat::FileRecord>>> get_file_by_filename(
      std::string filename) override;
  asio::awaitable<Result<void>> delete_file(Id id) override;
  asio::awaitable<Result<std::vector<Id>>> rooms_referencing_file(Id file_id) override;

  // ---- lifecycle
  asio::awaitable<Result<int64_t>> ping() override;
  // Writes activity that coalescing held back, then refuses further work (Error::unavailable).
  // Acknowledged writes are already on the master (and on a replica with Ack::replicated).
  void close() override;

  Cluster& cluster() { return *cluster_; }  // tests, metrics
  const Keys& keys() const { return keys_; }

 private:
  RedisStore(Options options, std::unique_ptr<Cluster> cluster);

  // Every command goes through these: they refuse work after close(), and turn error replies
  // into Errors (busy/loading/down replies -> unavailable, anything else -> internal).
  asio::awaitable<Result<Reply>> exec(std::string key, Command cmd, Ack ack);
  asio::awaitable<Result<std::vector<Reply>>> exec_pipeline(std::string key,
                                                            std::vector<Command> cmds, Ack ack);
  asio::awaitable<Result<Reply>> run_script(const Script& script, std::vector<std::string> keys,
                                            std::vector<std::string> args, Ack ack);
  // A script with one key and one argument (the compare-and-set helpers).
  asio::awaitable<Result<Reply>> script1(const Script& script, std::string key, std::string arg,
                                         Ack ack);

  asio::awaitable<Result<std::optional<chat::Room>>> load_room(Id id);
  // Index entries of a room after a change (created_at, name, participant count + version).
  asio::awaitable<Result<void>> index_room(const chat::Room& room, int64_t count, int64_t version);
  // The room-side half of a join or leave; `room_hash` is the script's HGETALL.
  asio::awaitable<Result<ParticipantChange>> change_participant(Id room_id, Id user_id, bool join);
  asio::awaitable<Result<void>> leave_all_rooms(Id user_id);
  asio::awaitable<Result<void>> update_user_field(Id id, const char* field, std::string value);
  // true when the session was still `session_id` (and is now touched).
  asio::awaitable<Result<bool>> write_touch(Id user_id, std::string session_id, Millis now);

  Options options_;
  Keys keys_;
  Ack write_ack_;
  TouchCoalescer touches_;
  std::unique_ptr<Cluster> cluster_;
  std::atomic<bool> closed_{false};
};

}  // namespace parley::store::redis
