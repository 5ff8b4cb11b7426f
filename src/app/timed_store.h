// TimedStore: a Store that forwards every operation to another Store and records how long it
// took, as the event loop that awaited it saw it (queueing on the store's threads included), in
// a latency histogram per operation kind: parley_store_op_duration_seconds{op}. One histogram
// per loop per operation, written only by that loop (metrics/cell.h), summed at scrape time.
// Wraps any backend (SQLite now, Redis later) without touching it.
#pragma once

#include <chrono>
#include <deque>
#include <memory>

#include "metrics/exposition.h"
#include "metrics/histogram.h"
#include "metrics/per_loop.h"
#include "store/store.h"

namespace parley::app {

using store::Id;
using store::Millis;
namespace asio = boost::asio;
namespace chat = parley::chat;

class TimedStore final : public store::Store {
 public:
  using MessagePage = store::MessagePage;
  using ParticipantChange = store::ParticipantChange;
  using RoomPage = store::RoomPage;
  using RoomQuery = store::RoomQuery;

  enum class Op {
    create_user,
    find_user_by_email,
    get_user,
    get_users,
    update_user_name,
    update_user_password,
    update_user_profile_image,
    delete_user,
    replace_session,
    get_session,
    touch_session,
    delete_session,
    create_room,
    get_room,
    list_rooms,
    add_participant,
    remove_participant,
    count_messages_since,
    newest_room_created_at,
    append_message,
    find_message_room,
    get_message,
    fetch_messages,
    mark_read,
    update_reaction,
    create_file,
    get_file,
    get_file_by_filename,
    delete_file,
    rooms_referencing_file,
    ping,
    count_
  };
  static constexpr size_t kOps = static_cast<size_t>(Op::count_);
  static const char* name(Op op);

  TimedStore(store::Store& inner, const metrics::LoopSet& loops);

  void collect(metrics::Exposition& out) const;

  asio::awaitable<Result<void>> create_user(chat::User user) override;
  asio::awaitable<Result<std::optional<chat::User>>> find_user_by_email(
      std::string email_lower) override;
  asio::awaitable<Result<std::optional<chat::User>>> get_user(Id id) override;
  asio::awaitable<Result<std::vector<chat::User>>> get_users(std::vector<Id> ids) override;
  asio::awaitable<Result<void>> update_user_name(Id id, std::string name) override;
  asio::awaitable<Result<void>> update_user_password(Id id, std::string hash) override;
  asio::awaitable<Result<void>> update_user_profile_image(Id id, std::string image) override;
  asio::awaitable<Result<void>> delete_user(Id id) override;
  asio::awaitable<Result<void>> replace_session(chat::Session session) override;
  asio::awaitable<Result<std::optional<chat::Session>>> get_session(Id user_id) override;
  asio::awaitable<Result<void>> touch_session(Id user_id, std::string session_id,
                                              Millis now) override;
  asio::awaitable<Result<bool>> delete_session(Id user_id, std::string session_id) override;
  asio::awaitable<Result<void>> create_room(chat::Room room) override;
  asio::awaitable<Result<std::optional<chat::Room>>> get_room(Id id) override;
  asio::awaitable<Result<RoomPage>> list_rooms(RoomQuery query) override;
  asio::awaitable<Result<ParticipantChange>> add_participant(Id room_id, Id user_id) override;
  asio::awaitable<Result<ParticipantChange>> remove_participant(Id room_id, Id user_id) override;
  asio::awaitable<Result<std::vector<int64_t>>> count_messages_since(std::vector<Id> room_ids,
                                                                     Millis since) override;
  asio::awaitable<Result<std::optional<Millis>>> newest_room_created_at() override;
  asio::awaitable<Result<chat::Message>> append_message(chat::Message message) override;
  asio::awaitable<Result<std::optional<Id>>> find_message_room(Id message_id) override;
  asio::awaitable<Result<std::optional<chat::Message>>> get_message(Id room_id, Id id) override;
  asio::awaitable<Result<MessagePage>> fetch_messages(Id room_id, Millis before, int limit,
                                                      Id reader, Millis now) override;
  asio::awaitable<Result<void>> mark_read(Id room_id, std::vector<Id> message_ids, Id user_id,
                                          Millis now) override;
  asio::awaitable<Result<std::map<std::string, std::vector<Id>>>> update_reaction(
      Id room_id, Id message_id, std::string emoji, Id user_id, bool add) override;
  asio::awaitable<Result<void>> create_file(chat::FileRecord file) override;
  asio::awaitable<Result<std::optional<chat::FileRecord>>> get_file(Id id) override;
  asio::awaitable<Result<std::optional<chat::FileRecord>>> get_file_by_filename(
      std::string filename) override;
  asio::awaitable<Result<void>> delete_file(Id id) override;
  asio::awaitable<Result<std::vector<Id>>> rooms_referencing_file(Id file_id) override;
  asio::awaitable<Result<int64_t>> ping() override;
  void close() override { inner_.close(); }

 private:
  // Records the time since its construction into the histogram of `op` on the loop `ex`.
  class Timing {
   public:
    Timing(TimedStore& s, Op op, const asio::any_io_executor& ex)
        : s_(s), op_(op), loop_(s.loops_.index_of(ex)), start_(std::chrono::steady_clock::now()) {}
    ~Timing();
    Timing(const Timing&) = delete;
    Timing& operator=(const Timing&) = delete;

   private:
    TimedStore& s_;
    Op op_;
    size_t loop_;
    std::chrono::steady_clock::time_point start_;
  };

  store::Store& inner_;
  const metrics::LoopSet& loops_;
  metrics::PerLoop<std::deque<metrics::Histogram>> per_loop_;
};

}  // namespace parley::app
