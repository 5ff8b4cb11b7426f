// ChatSockets, part 2: joinRoom and leaveRoom (§3.6), with presence counted per (user, room)
// over all of the user's sockets: the room is entered when the first socket joins and left when
// the last one leaves (§3.5), which keeps a page reload from dropping the user from the room.
#include <spdlog/spdlog.h>
#include <boost/json.hpp>
#include <limits>

#include "api/chat_sockets.h"
#include "api/message_loader.h"
#include "api/room_loader.h"
#include "chat/ids.h"
#include "core/clock.h"

namespace parley::api {

namespace {

constexpr int64_t kNewest = std::numeric_limits<int64_t>::max();

chat::Message system_message(const chat::Id& room_id, std::string content) {
  chat::Message m;
  m.id = chat::new_object_id();
  m.room_id = room_id;
  m.content = std::move(content);
  m.type = chat::MessageType::system;
  m.timestamp = now_ms();
  return m;
}

}  // namespace

asio::awaitable<void> ChatSockets::broadcast_participants(const chat::Id& room_id,
                                                          bool skip_if_empty) {
  auto room = co_await services_.store.get_room(room_id);
  if (!room || !room.value()) co_return;
  if (skip_if_empty && room.value()->participant_ids.empty()) co_return;
  auto users = co_await load_users(services_, room.value()->participant_ids);
  if (!users) co_return;
  json::array list;
  for (const auto& id : room.value()->participant_ids) {
    if (auto it = users->find(id); it != users->end()) list.push_back(user_summary(it->second));
  }
  publish(room_id, "participantsUpdate", list);
}

asio::awaitable<void> ChatSockets::join_room(sio::SocketPtr socket, std::string room_id) {
  State* state = state_of(socket);
  auto fail = [&](const std::string& message) {
    socket->emit("joinRoomError", json::object{{"message", message}});
  };
  if (!chat::is_object_id(room_id)) {
    fail("채팅방을 찾을 수 없습니다.");
    co_return;
  }
  if (socket->in_group(room_id)) {  // this socket already joined
    socket->emit("joinRoomSuccess", json::object{{"roomId", room_id}});
    co_return;
  }
  auto room = co_await services_.store.get_room(room_id);
  if (!room) {
    fail("채팅방 입장에 실패했습니다.");
    co_return;
  }
  if (!room.value()) {
    fail("채팅방을 찾을 수 없습니다.");
    co_return;
  }
  // A password room is entered through the REST join, which checks the password (§2.3): the
  // socket only admits users who are participants already.
  if (room.value()->has_password()) {
    const auto& ids = room.value()->participant_ids;
    if (std::find(ids.begin(), ids.end(), state->user.id) == ids.end()) {
      fail("비밀번호가 일치하지 않습니다.");
      co_return;
    }
  }
  if (state->rooms.size() >= limits_.max_rooms_per_socket) {
    fail("참여할 수 있는 채팅방 수(" + std::to_string(limits_.max_rooms_per_socket) +
         "개)를 초과했습니다.");
    co_return;
  }
  auto entered = co_await presence_.enter(state->user.id, room_id);
  if (!entered) {
    spdlog::warn("presence: {}", entered.error().detail);
    fail("채팅방 입장에 실패했습니다.");
    co_return;
  }
  const bool first_socket = entered.value();
  socket->join(room_id);
  state->rooms.push_back(room_id);
  if (!first_socket) {  // present through another socket of the same user
    socket->emit("joinRoomSuccess", json::object{{"roomId", room_id}});
    co_return;
  }
  auto added = co_await services_.store.add_participant(room_id, state->user.id);
  if (!added) {
    fail("채팅방 입장에 실패했습니다.");
    co_return;
  }
  auto stored = co_await services_.store.append_message(
      system_message(room_id, state->user.name + "님이 입장하였습니다."));
  if (!stored) {
    fail("채팅방 입장에 실패했습니다.");
    co_return;
  }
  auto page = co_await services_.store.fetch_messages(room_id, kNewest, limits_.history_default,
                                                      state->user.id, now_ms());
  if (!page) {
    fail("채팅방 입장에 실패했습니다.");
    co_return;
  }
  auto messages = co_await load_message_views(services_, page->messages);
  auto users = co_await load_users(services_, added->room.participant_ids);
  if (!messages || !users) {
    fail("채팅방 입장에 실패했습니다.");
    co_return;
  }
  json::array participants;
  for (const auto& id : added->room.participant_ids) {
    if (auto it = users->find(id); it != users->end())
      participants.push_back(user_summary(it->second));
  }
  socket->emit("joinRoomSuccess", json::object{{"roomId", room_id},
                                               {"participants", participants},
                                               {"messages", std::move(messages.value())},
                                               {"hasMore", page->has_more},
                                               {"activeStreams", json::array{}}});
  publish(room_id, "message", message_view(stored.value(), {}, nullptr));
  publish(room_id, "participantsUpdate", participants);
}

asio::awaitable<void> ChatSockets::leave_room(sio::SocketPtr socket, std::string room_id,
                                              bool disconnecting) {
  State* state = state_of(socket);
  auto pos = std::find(state->rooms.begin(), state->rooms.end(), room_id);
  if (pos == state->rooms.end()) co_return;  // not joined here: nothing to leave
  state->rooms.erase(pos);
  socket->leave(room_id);
  auto left = co_await presence_.leave(state->user.id, room_id);
  if (!left) {
    spdlog::warn("presence: {}", left.error().detail);
    if (!disconnecting) emit_error(socket, "", "채팅방 퇴장 중 오류가 발생했습니다.");
    co_return;
  }
  if (!left.value()) co_return;
  auto removed = co_await services_.store.remove_participant(room_id, state->user.id);
  if (!removed) {
    if (!disconnecting) emit_error(socket, "", "채팅방 퇴장 중 오류가 발생했습니다.");
    co_return;
  }
  auto stored = co_await services_.store.append_message(
      system_message(room_id, state->user.name + "님이 퇴장하였습니다."));
  if (stored) publish(room_id, "message", message_view(stored.value(), {}, nullptr));
  co_await broadcast_participants(room_id, /*skip_if_empty=*/true);
  publish(
      room_id, "userLeft",
      json::object{
          {"userId", state->user.id}, {"userName", state->user.name}, {"name", state->user.name}});
}

}  // namespace parley::api
