// ChatSockets: the chat's real-time side (§3). Authenticates Socket.IO CONNECTs, keeps presence
// and duplicate-login state (across nodes, api/login_notices.h), enforces the connection limits
// (sockets per user and per address), runs each socket's events in order, fans results out
// through the bus (bus/bus.h), and ends the sockets of sessions that ended (session_ended, then
// the close). It is also the api::Events sink the REST routes notify.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/ai_relay.h"
#include "api/events.h"
#include "api/limits.h"
#include "api/login_notices.h"
#include "api/presence.h"
#include "api/services.h"
#include "bus/bus.h"
#include "chat/banned_words.h"
#include "chat/presence.h"
#include "chat/rate_limit.h"
#include "sio/socket.h"

namespace parley::api {

namespace json = boost::json;

inline constexpr std::string_view kDuplicateLoginText =
    "다른 기기에서 로그인하여 현재 세션이 종료되었습니다.";

struct ChatLimits {
  int history_default = 30;
  int history_max = 100;
  int64_t duplicate_login_grace_ms = 10'000;  // duplicate_login now, session_ended this much later
  // Explicit limits (issue 15); defaults stay clear of the contract (frames of 1 MB are
  // accepted, §3.1), the web client (a few tabs per user) and parley-load (one socket and room
  // per user, up to ~4,000 users from one address or 19,000 from 19).
  size_t max_message_chars = 1'000'000;  // chatMessage content, in code points
  size_t max_rooms_per_socket = 100;
  size_t max_sockets_per_user = 50;
  size_t max_sockets_per_ip = 10'000;
  // A socket whose session ended is told session_ended and closed this much later.
  int64_t session_end_close_ms = 1'000;
  // Every this often the sessions behind connected sockets are checked: idle-expired, replaced
  // or deleted ones end their sockets even when no REST call said so. 0: never.
  int64_t session_check_ms = 60'000;
};

class ChatSockets final : public sio::SocketHandler, public Events {
 public:
  ChatSockets(Services& services, bus::Bus& bus, Presence& presence,
              const chat::BannedWords* banned, Limiter& chat_limiter, AiRelay& ai,
              ChatLimits limits = {});

  // Starts the node-wide listeners (duplicate login) on `loop`; once, before clients connect.
  void listen(sio::Groups& groups, asio::any_io_executor loop);

  // sio::SocketHandler
  asio::awaitable<sio::ConnectResult> on_connect(sio::SocketPtr socket, std::string_view nsp,
                                                 const json::value& auth) override;
  void on_connected(sio::SocketPtr socket) override;
  void on_event(sio::SocketPtr socket, std::string_view event, json::array args,
                std::optional<uint64_t> ack_id) override;
  void on_disconnect(sio::SocketPtr socket, std::string_view reason) override;

  // Events (REST side effects)
  void room_created(const json::object& room) override;
  void room_updated(const chat::Id& room_id, const json::object& room) override;
  void session_ended(const chat::Id& user_id, std::string_view reason,
                     std::string_view message) override;
  void session_replaced(const chat::Id& user_id, const std::string& old_session_id,
                        const std::string& new_session_id, bool same_client) override;

  // Starts the periodic session check on `ex` (until stop()); app/ calls it once.
  void start(asio::any_io_executor ex);
  void stop();

 private:
  struct PendingEvent {
    std::string name;
    json::array args;
    std::optional<uint64_t> ack_id;
  };
  // Per-socket state, kept in Socket::user_data; touched only on the socket's loop.
  struct State {
    chat::User user;
    std::string session_id;
    std::vector<std::string> rooms;  // rooms this socket has joined
    // Events run one at a time, in arrival order. A list, not a deque: an empty std::deque
    // allocates ~600 bytes up front, and most sockets are idle.
    std::list<PendingEvent> queue;
    bool busy = false;
    bool gone = false;
    bool ending = false;  // session_ended sent; closing soon
  };
  static State* state_of(const sio::SocketPtr& s) {
    return static_cast<State*>(s->user_data.get());
  }

  asio::awaitable<void> drain(sio::SocketPtr socket);
  asio::awaitable<void> dispatch(sio::SocketPtr socket, PendingEvent& ev);

  asio::awaitable<void> join_room(sio::SocketPtr socket, std::string room_id);
  asio::awaitable<void> leave_room(sio::SocketPtr socket, std::string room_id, bool disconnecting);
  asio::awaitable<void> chat_message(sio::SocketPtr socket, const json::value& payload);
  asio::awaitable<void> fetch_previous(sio::SocketPtr socket, const json::value& payload);
  asio::awaitable<void> mark_read(sio::SocketPtr socket, const json::value& payload);
  // `first` and the marks queued right behind it for the same joined room, as one write and one
  // messagesRead; false (nothing done) when `first` cannot be merged, so mark_read() handles it.
  asio::awaitable<bool> mark_read_run(sio::SocketPtr socket, PendingEvent& first);
  // Whether the first well-formed id of a mark's messageIds is a message of `room_id`.
  asio::awaitable<bool> first_id_in_room(const json::value& payload, const std::string& room_id);
  asio::awaitable<void> reaction(sio::SocketPtr socket, const json::value& payload);
  asio::awaitable<void> disconnect_cleanup(sio::SocketPtr socket);

  // Helpers
  void publish(const std::string& group, std::string_view event, const json::value& arg);
  static void emit_error(const sio::SocketPtr& socket, std::string_view code,
                         std::string_view message);
  asio::awaitable<bool> is_participant(const sio::SocketPtr& socket, const chat::Id& room_id);
  asio::awaitable<void> broadcast_participants(const chat::Id& room_id, bool skip_if_empty);
  // Connection limits: registers the socket under its user and address, or says why not.
  std::optional<std::string> admit(const sio::SocketPtr& socket, const chat::Id& user_id);
  void forget(const sio::Socket* socket, const chat::Id& user_id);
  // The user's registered sockets (live ones).
  std::vector<sio::SocketPtr> sockets_of(const chat::Id& user_id);
  // On the socket's loop after `delay_ms`: session_ended {reason, message}, then the close
  // `close_ms` later. `spare_session`: skip the socket if it runs on that (live) session.
  static void end_socket(sio::SocketPtr socket, std::string reason, std::string message,
                         int64_t delay_ms, int64_t close_ms, std::string spare_session = {});
  asio::awaitable<void> check_sessions();

  Services& services_;
  bus::Bus& bus_;
  const chat::BannedWords* banned_;
  Limiter& chat_limiter_;
  AiRelay& ai_;
  ChatLimits limits_;

  // Shared by all loops; touched on connect/join/leave/disconnect, never per message.
  std::mutex mutex_;
  Presence& presence_;
  LoginNotices logins_;
  // Every connected socket by user and by peer address (the connection limits; session ends).
  std::unordered_map<chat::Id, std::vector<std::weak_ptr<sio::Socket>>> user_sockets_;
  std::unordered_map<std::string, std::vector<std::weak_ptr<sio::Socket>>> ip_sockets_;
  std::shared_ptr<asio::steady_timer> check_timer_;
};

}  // namespace parley::api
