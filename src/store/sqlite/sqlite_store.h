// SqliteStore: the embedded Store, one SQLite file in WAL mode.
//
// Threads: one writer thread owns the only write connection and commits queued writes in
// groups (writer.h); a small pool of reader threads, each with its own connection, serves
// reads (reader_pool.h). Coroutines never touch SQLite: every operation is a job on one of
// those threads and resumes on the caller's executor once done (job.h). A write is reported
// done only after the COMMIT that contains it returned.
//
// The operations are split by subject: sqlite_store.cc (open/close, users, sessions),
// sqlite_store_rooms.cc, sqlite_store_messages.cc (messages and files).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <unordered_map>

#include "store/sqlite/reader_pool.h"
#include "store/sqlite/session_activity.h"
#include "store/sqlite/writer.h"
#include "store/store.h"

namespace parley::store::sqlite {

class SqliteStore final : public Store {
 public:
  struct Options {
    std::string path;          // database file; its directory is created if missing
    int read_connections = 2;  // reader threads, one connection each (at least 1)
    // true: synchronous=FULL, every group commit is fsynced, so an acknowledged write survives
    // kill -9 and power loss. false: synchronous=NORMAL, still safe against kill -9 (the WAL is
    // in the OS cache) but the last commits can be lost on power loss or an OS crash.
    bool synchronous_full = true;
    int busy_timeout_ms = 5000;
    // touch_session persists activity at most this often per user (see session_activity.h).
    Millis touch_persist_interval_ms = 60'000;
  };

  // Opens (creating and migrating if needed) the database and starts the threads.
  static Result<std::unique_ptr<SqliteStore>> open(const Options& options);
  ~SqliteStore() override;  // close() if not done yet

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
  // Writes pending session activity, drains the writer, stops the readers, checkpoints the WAL
  // into the main file and closes the connections. Later calls do nothing; operations after
  // it fail with Error::unavailable.
  void close() override;

  // ---- introspection (metrics, tests)
  int migrations_applied() const { return migrations_applied_; }  // by this open()
  int schema_version() const { return schema_version_; }
  WriterStats writer_stats() const { return writer_->stats(); }
  size_t read_queue_depth() const { return readers_->queue_depth(); }

 private:
  SqliteStore(const Options& options, std::unique_ptr<Connection> writer,
              std::vector<std::unique_ptr<Connection>> readers, int migrations_applied,
              int schema_version);

  template <class Fn>
  auto write(Fn fn) {
    return submit(*writer_, std::move(fn));
  }
  template <class Fn>
  auto read(Fn fn) {
    return submit(*readers_, std::move(fn));
  }

  // Timestamp the next message of the room gets: max(requested, last + 1). Writer thread only.
  Millis next_timestamp(Connection& db, const Id& room_id, Millis requested);

  Options options_;
  int migrations_applied_;
  int schema_version_;
  SessionActivity activity_;
  // room id -> timestamp of its newest message, filled from the database on first use.
  // Touched only on the writer thread (jobs and the abort hook run there).
  std::unordered_map<Id, Millis> last_timestamp_;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<ReaderPool> readers_;
  std::atomic<bool> closed_{false};
};

}  // namespace parley::store::sqlite
