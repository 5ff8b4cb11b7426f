// ChatSockets: the chat's real-time side (§3). Authenticates Socket.IO CONNECTs, keeps presence
// and duplicate-login state, runs each socket's events in order, and fans results out through the
// bus (bus/bus.h). It is also the api::Events sink the REST routes notify.
#pragma once

#include <boost/asio/awaitable.hpp>
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

struct ChatLimits {
  int history_default = 30;
  int history_max = 100;
  int64_t duplicate_login_grace_ms = 10'000;  // duplicate_login now, session_ended this much later
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
  asio::awaitable<void> reaction(sio::SocketPtr socket, const json::value& payload);
  asio::awaitable<void> disconnect_cleanup(sio::SocketPtr socket);

  // Helpers
  void publish(const std::string& group, std::string_view event, const json::value& arg);
  static void emit_error(const sio::SocketPtr& socket, std::string_view code,
                         std::string_view message);
  asio::awaitable<bool> is_participant(const sio::SocketPtr& socket, const chat::Id& room_id);
  asio::awaitable<void> broadcast_participants(const chat::Id& room_id, bool skip_if_empty);

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
};

}  // namespace parley::api
