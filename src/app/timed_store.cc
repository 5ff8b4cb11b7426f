// See timed_store.h.
#include "app/timed_store.h"

#include <boost/asio/this_coro.hpp>

namespace parley::app {

using store::MessagePage;
using store::ParticipantChange;
using store::RoomPage;
using store::RoomQuery;

const char* TimedStore::name(Op op) {
  static constexpr const char* kNames[kOps] = {"create_user",
                                               "find_user_by_email",
                                               "get_user",
                                               "get_users",
                                               "update_user_name",
                                               "update_user_password",
                                               "update_user_profile_image",
                                               "delete_user",
                                               "replace_session",
                                               "get_session",
                                               "touch_session",
                                               "delete_session",
                                               "create_room",
                                               "get_room",
                                               "list_rooms",
                                               "add_participant",
                                               "remove_participant",
                                               "count_messages_since",
                                               "newest_room_created_at",
                                               "append_message",
                                               "find_message_room",
                                               "get_message",
                                               "fetch_messages",
                                               "mark_read",
                                               "update_reaction",
                                               "create_file",
                                               "get_file",
                                               "get_file_by_filename",
                                               "delete_file",
                                               "rooms_referencing_file",
                                               "ping"};
  return kNames[static_cast<size_t>(op)];
}

TimedStore::TimedStore(store::Store& inner, const metrics::LoopSet& loops)
    : inner_(inner), loops_(loops), per_loop_(loops.size()) {
  for (size_t l = 0; l < per_loop_.size(); ++l)
    for (size_t i = 0; i < kOps; ++i)
      per_loop_[l].emplace_back(metrics::latency_bounds());
}

TimedStore::Timing::~Timing() {
  if (loop_ >= s_.per_loop_.size()) return;  // not awaited on an event loop
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start_;
  s_.per_loop_[loop_][static_cast<size_t>(op_)].observe(took.count());
}

void TimedStore::collect(metrics::Exposition& out) const {
  out.family("parley_store_op_duration_seconds", "histogram",
             "Store operations as the event loop awaited them (queueing included), by kind.");
  for (size_t i = 0; i < kOps; ++i) {
    metrics::Snapshot s;
    per_loop_.each([&](const std::deque<metrics::Histogram>& h) { h[i].add_to(s); });
    if (s.count() == 0) continue;
    out.histogram("parley_store_op_duration_seconds", s, {{"op", name(static_cast<Op>(i))}});
  }
}

asio::awaitable<Result<void>> TimedStore::create_user(chat::User user) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::create_user, ex);
  co_return co_await inner_.create_user(std::move(user));
}

asio::awaitable<Result<std::optional<chat::User>>> TimedStore::find_user_by_email(
    std::string email_lower) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::find_user_by_email, ex);
  co_return co_await inner_.find_user_by_email(std::move(email_lower));
}

asio::awaitable<Result<std::optional<chat::User>>> TimedStore::get_user(Id id) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::get_user, ex);
  co_return co_await inner_.get_user(std::move(id));
}

asio::awaitable<Result<std::vector<chat::User>>> TimedStore::get_users(std::vector<Id> ids) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::get_users, ex);
  co_return co_await inner_.get_users(std::move(ids));
}

asio::awaitable<Result<void>> TimedStore::update_user_name(Id id, std::string name) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::update_user_name, ex);
  co_return co_await inner_.update_user_name(std::move(id), std::move(name));
}

asio::awaitable<Result<void>> TimedStore::update_user_password(Id id, std::string hash) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::update_user_password, ex);
  co_return co_await inner_.update_user_password(std::move(id), std::move(hash));
}

asio::awaitable<Result<void>> TimedStore::update_user_profile_image(Id id, std::string image) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::update_user_profile_image, ex);
  co_return co_await inner_.update_user_profile_image(std::move(id), std::move(image));
}

asio::awaitable<Result<void>> TimedStore::delete_user(Id id) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::delete_user, ex);
  co_return co_await inner_.delete_user(std::move(id));
}

asio::awaitable<Result<void>> TimedStore::replace_session(chat::Session session) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::replace_session, ex);
  co_return co_await inner_.replace_session(std::move(session));
}

asio::awaitable<Result<std::optional<chat::Session>>> TimedStore::get_session(Id user_id) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::get_session, ex);
  co_return co_await inner_.get_session(std::move(user_id));
}

asio::awaitable<Result<void>> TimedStore::touch_session(Id user_id, std::string session_id,
                                                        Millis now) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::touch_session, ex);
  co_return co_await inner_.touch_session(std::move(user_id), std::move(session_id), now);
}

asio::awaitable<Result<bool>> TimedStore::delete_session(Id user_id, std::string session_id) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::delete_session, ex);
  co_return co_await inner_.delete_session(std::move(user_id), std::move(session_id));
}

asio::awaitable<Result<void>> TimedStore::create_room(chat::Room room) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::create_room, ex);
  co_return co_await inner_.create_room(std::move(room));
}

asio::awaitable<Result<std::optional<chat::Room>>> TimedStore::get_room(Id id) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::get_room, ex);
  co_return co_await inner_.get_room(std::move(id));
}

asio::awaitable<Result<RoomPage>> TimedStore::list_rooms(RoomQuery query) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::list_rooms, ex);
  co_return co_await inner_.list_rooms(std::move(query));
}

asio::awaitable<Result<ParticipantChange>> TimedStore::add_participant(Id room_id, Id user_id) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::add_participant, ex);
  co_return co_await inner_.add_participant(std::move(room_id), std::move(user_id));
}

asio::awaitable<Result<ParticipantChange>> TimedStore::remove_participant(Id room_id, Id user_id) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::remove_participant, ex);
  co_return co_await inner_.remove_participant(std::move(room_id), std::move(user_id));
}

asio::awaitable<Result<std::vector<int64_t>>> TimedStore::count_messages_since(
    std::vector<Id> room_ids, Millis since) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::count_messages_since, ex);
  co_return co_await inner_.count_messages_since(std::move(room_ids), since);
}

asio::awaitable<Result<std::optional<Millis>>> TimedStore::newest_room_created_at() {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::newest_room_created_at, ex);
  co_return co_await inner_.newest_room_created_at();
}

asio::awaitable<Result<chat::Message>> TimedStore::append_message(chat::Message message) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::append_message, ex);
  co_return co_await inner_.append_message(std::move(message));
}

asio::awaitable<Result<std::optional<Id>>> TimedStore::find_message_room(Id message_id) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::find_message_room, ex);
  co_return co_await inner_.find_message_room(std::move(message_id));
}

asio::awaitable<Result<std::optional<chat::Message>>> TimedStore::get_message(Id room_id, Id id) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::get_message, ex);
  co_return co_await inner_.get_message(std::move(room_id), std::move(id));
}

asio::awaitable<Result<MessagePage>> TimedStore::fetch_messages(Id room_id, Millis before,
                                                                int limit, Id reader, Millis now) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::fetch_messages, ex);
  co_return co_await inner_.fetch_messages(std::move(room_id), before, limit, std::move(reader),
                                           now);
}

asio::awaitable<Result<void>> TimedStore::mark_read(Id room_id, std::vector<Id> message_ids,
                                                    Id user_id, Millis now) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::mark_read, ex);
  co_return co_await inner_.mark_read(std::move(room_id), std::move(message_ids),
                                      std::move(user_id), now);
}

asio::awaitable<Result<std::map<std::string, std::vector<Id>>>> TimedStore::update_reaction(
    Id room_id, Id message_id, std::string emoji, Id user_id, bool add) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::update_reaction, ex);
  co_return co_await inner_.update_reaction(std::move(room_id), std::move(message_id),
                                            std::move(emoji), std::move(user_id), add);
}

asio::awaitable<Result<void>> TimedStore::create_file(chat::FileRecord file) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::create_file, ex);
  co_return co_await inner_.create_file(std::move(file));
}

asio::awaitable<Result<std::optional<chat::FileRecord>>> TimedStore::get_file(Id id) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::get_file, ex);
  co_return co_await inner_.get_file(std::move(id));
}

asio::awaitable<Result<std::optional<chat::FileRecord>>> TimedStore::get_file_by_filename(
    std::string filename) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::get_file_by_filename, ex);
  co_return co_await inner_.get_file_by_filename(std::move(filename));
}

asio::awaitable<Result<void>> TimedStore::delete_file(Id id) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::delete_file, ex);
  co_return co_await inner_.delete_file(std::move(id));
}

asio::awaitable<Result<std::vector<Id>>> TimedStore::rooms_referencing_file(Id file_id) {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::rooms_referencing_file, ex);
  co_return co_await inner_.rooms_referencing_file(std::move(file_id));
}

asio::awaitable<Result<int64_t>> TimedStore::ping() {
  const auto ex = co_await asio::this_coro::executor;
  Timing t(*this, Op::ping, ex);
  co_return co_await inner_.ping();
}

}  // namespace parley::app
