// ChatSockets, part 1: CONNECT authentication (§3.2), duplicate login (§3.5), the per-socket event
// queue, disconnect, and the room notifications. Rooms and messages are in the sibling files
// chat_sockets_rooms.cc and chat_sockets_messages.cc; session ends and connection limits in
// chat_sockets_sessions.cc.
#include "api/chat_sockets.h"

#include "core/log_context.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include "api/session_auth.h"
#include "core/clock.h"

namespace parley::api {

namespace {

std::string string_member(const json::value& v, std::string_view key) {
  if (!v.is_object()) return {};
  auto* p = v.as_object().if_contains(key);
  return (p && p->is_string()) ? std::string(p->as_string()) : std::string();
}

}  // namespace

ChatSockets::ChatSockets(Services& services, bus::Bus& bus, Presence& presence,
                         const chat::BannedWords* banned, Limiter& chat_limiter, AiRelay& ai,
                         ChatLimits limits)
    : services_(services),
      bus_(bus),
      banned_(banned),
      chat_limiter_(chat_limiter),
      ai_(ai),
      limits_(limits),
      presence_(presence),
      logins_(bus, limits.duplicate_login_grace_ms) {
  logins_.on_session_ended(
      [this](const chat::Id& user_id, const std::string& reason, const std::string& message) {
        for (auto& s : sockets_of(user_id))
          end_socket(s, reason, message, 0, limits_.session_end_close_ms);
      });
}

void ChatSockets::listen(sio::Groups& groups, asio::any_io_executor loop) {
  logins_.listen(groups, std::move(loop));
}

asio::awaitable<sio::ConnectResult> ChatSockets::on_connect(sio::SocketPtr socket,
                                                            std::string_view nsp,
                                                            const json::value& auth) {
  if (nsp != "/") co_return sio::ConnectResult::reject("Invalid namespace");
  const std::string token = string_member(auth, "token");
  const std::string session_id = string_member(auth, "sessionId");
  if (token.empty() || session_id.empty()) {
    co_return sio::ConnectResult::reject("Authentication error");
  }
  auto claims = services_.jwt.verify(token, now_ms() / 1000);
  if (!claims || claims->user_id.empty()) co_return sio::ConnectResult::reject("Invalid token");

  std::string valid_session = session_id;
  auto check = co_await check_session(services_, claims->user_id, session_id, /*touch=*/true);
  if (check != SessionCheck::ok && !claims->session_id.empty() &&
      claims->session_id != session_id) {
    // The web client keeps its old sessionId after a token refresh (§2.1); the token's own
    // session claim is then the live one.
    check = co_await check_session(services_, claims->user_id, claims->session_id, true);
    valid_session = claims->session_id;
  }
  if (check != SessionCheck::ok) co_return sio::ConnectResult::reject("Invalid session");
  auto user = co_await services_.store.get_user(claims->user_id);
  if (!user || !user.value()) co_return sio::ConnectResult::reject("User not found");

  if (auto refused = admit(socket, user.value()->id))
    co_return sio::ConnectResult::reject(*refused);

  auto state = std::make_shared<State>();
  state->user = std::move(*user.value());
  state->session_id = valid_session;
  socket->user_data = state;
  socket->join("user:" + state->user.id);
  socket->join("room-list");

  // Every other socket of this user, on any node, hears of the new login (§3.5).
  auto session = co_await services_.store.get_session(state->user.id);
  chat::Session info;
  if (session && session.value()) info = *session.value();
  logins_.user_connected(socket, state->user.id,
                         json::object{{"type", "new_login_attempt"},
                                      {"deviceInfo", info.user_agent},
                                      {"ipAddress", info.ip_address},
                                      {"timestamp", now_ms()}});
  co_return sio::ConnectResult::accept();
}

void ChatSockets::on_connected(sio::SocketPtr) {}

void ChatSockets::on_event(sio::SocketPtr socket, std::string_view event, json::array args,
                           std::optional<uint64_t> ack_id) {
  State* state = state_of(socket);
  if (!state || state->gone) return;
  state->queue.push_back(PendingEvent{std::string(event), std::move(args), ack_id});
  if (state->busy) return;
  state->busy = true;
  auto run = drain(socket);
  asio::co_spawn(socket->executor(), std::move(run), asio::detached);
}

asio::awaitable<void> ChatSockets::drain(sio::SocketPtr socket) {
  State* state = state_of(socket);
  while (!state->queue.empty()) {
    PendingEvent ev = std::move(state->queue.front());
    state->queue.pop_front();
    try {
      // Marks waiting behind this one merge into one write and one broadcast (read_marks.h).
      if (ev.name == "markMessagesAsRead" && co_await mark_read_run(socket, ev)) continue;
      co_await dispatch(socket, ev);
    } catch (const std::exception& e) {
      LogScope log_scope{{{}, socket->id()}};
      spdlog::error("socket {}: event {} failed: {}", socket->id(), ev.name, e.what());
    }
  }
  state->busy = false;
  if (state->gone) co_await disconnect_cleanup(socket);
}

asio::awaitable<void> ChatSockets::dispatch(sio::SocketPtr socket, PendingEvent& ev) {
  const json::value arg = ev.args.empty() ? json::value(nullptr) : ev.args[0];
  if (ev.name == "chatMessage") {
    co_await chat_message(socket, arg);
  } else if (ev.name == "markMessagesAsRead") {
    co_await mark_read(socket, arg);
  } else if (ev.name == "joinRoom") {
    std::string room_id =
        arg.is_string() ? std::string(arg.as_string()) : string_member(arg, "roomId");
    co_await join_room(socket, std::move(room_id));
  } else if (ev.name == "leaveRoom") {
    std::string room_id =
        arg.is_string() ? std::string(arg.as_string()) : string_member(arg, "roomId");
    co_await leave_room(socket, std::move(room_id), false);
  } else if (ev.name == "fetchPreviousMessages") {
    co_await fetch_previous(socket, arg);
  } else if (ev.name == "messageReaction") {
    co_await reaction(socket, arg);
  }
  // joinRoomList and ping are no-ops (every socket is in room-list); any event may want an ack.
  if (ev.ack_id) socket->ack(*ev.ack_id, json::array{});
}

void ChatSockets::on_disconnect(sio::SocketPtr socket, std::string_view reason) {
  State* state = state_of(socket);
  if (!state || state->gone) return;
  {
    LogScope log_scope{{{}, socket->id()}};
    spdlog::debug("socket {} (user {}) disconnected: {}", socket->id(), state->user.id, reason);
  }
  state->gone = true;
  forget(socket.get(), state->user.id);
  state->queue.clear();
  logins_.user_disconnected(socket.get(), state->user.id);
  if (state->busy) return;  // drain() runs the cleanup when the current event finishes
  state->busy = true;
  auto run = disconnect_cleanup(socket);
  asio::co_spawn(socket->executor(), std::move(run), asio::detached);
}

asio::awaitable<void> ChatSockets::disconnect_cleanup(sio::SocketPtr socket) {
  State* state = state_of(socket);
  std::vector<std::string> rooms = state->rooms;
  for (auto& room : rooms) {
    try {
      co_await leave_room(socket, room, true);
    } catch (const std::exception& e) {
      LogScope log_scope{{{}, socket->id()}};
      spdlog::error("socket {}: leaving {} on disconnect failed: {}", socket->id(), room, e.what());
    }
  }
}

void ChatSockets::publish(const std::string& group, std::string_view event,
                          const json::value& arg) {
  if (services_.metrics && services_.metrics->events_out)
    services_.metrics->events_out->add_here(event);
  bus_.publish(group, sio::make_event_frame(event, arg));
}

void ChatSockets::emit_error(const sio::SocketPtr& socket, std::string_view code,
                             std::string_view message) {
  json::object err{{"message", message}};
  if (!code.empty()) err["code"] = code;
  socket->emit("error", err);
}

void ChatSockets::room_created(const json::object& room) {
  publish("room-list", "roomCreated", room);
}

void ChatSockets::room_updated(const chat::Id& room_id, const json::object& room) {
  publish(room_id, "roomUpdated", room);
}

}  // namespace parley::api
