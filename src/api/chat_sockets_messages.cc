// ChatSockets, part 3: chatMessage with its check chain, history paging, read receipts and
// reactions (§3.6), and the hand-off of @mentions to the assistants (§3.7).
#include <spdlog/spdlog.h>
#include <boost/json.hpp>
#include <charconv>
#include <limits>

#include "api/chat_sockets.h"
#include "api/message_loader.h"
#include "api/read_marks.h"
#include "api/room_loader.h"
#include "api/session_auth.h"
#include "chat/ids.h"
#include "chat/mentions.h"
#include "chat/validation.h"
#include "core/clock.h"

namespace parley::api {

namespace {

const json::value* member(const json::value& v, std::string_view key) {
  return v.is_object() ? v.as_object().if_contains(key) : nullptr;
}

std::string string_member(const json::value& v, std::string_view key) {
  auto* p = member(v, key);
  return (p && p->is_string()) ? std::string(p->as_string()) : std::string();
}

// `before` may be a number, a numeric string or an ISO-8601 string (§3.3); 0 when absent.
int64_t parse_before(const json::value* v) {
  if (!v) return 0;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(std::min<uint64_t>(v->as_uint64(), INT64_MAX));
  if (v->is_double()) return static_cast<int64_t>(v->as_double());
  if (!v->is_string()) return 0;
  std::string_view s = v->as_string();
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec == std::errc() && ptr == s.data() + s.size()) return n;
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(std::string(s).c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) >= 6) {
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
  }
  return 0;
}

int parse_limit(const json::value* v, int fallback, int cap) {
  int64_t n = 0;
  if (v && v->is_int64())
    n = v->as_int64();
  else if (v && v->is_uint64())
    n = static_cast<int64_t>(std::min<uint64_t>(v->as_uint64(), 1'000'000));
  else if (v && v->is_double())
    n = static_cast<int64_t>(v->as_double());
  if (n <= 0) return fallback;
  return static_cast<int>(std::min<int64_t>(n, cap));
}

}  // namespace

asio::awaitable<bool> ChatSockets::is_participant(const sio::SocketPtr& socket,
                                                  const chat::Id& room_id) {
  // Fast path: a socket that joined the room keeps the user a participant until it leaves.
  if (socket->in_group(room_id)) co_return true;
  if (!chat::is_object_id(room_id)) co_return false;
  auto room = co_await services_.store.get_room(room_id);
  if (!room || !room.value()) co_return false;
  const auto& ids = room.value()->participant_ids;
  co_return std::find(ids.begin(), ids.end(), state_of(socket)->user.id) != ids.end();
}

asio::awaitable<void> ChatSockets::chat_message(sio::SocketPtr socket, const json::value& payload) {
  State* state = state_of(socket);
  constexpr std::string_view kMessageError = "MESSAGE_ERROR";
  if (!payload.is_object()) {
    emit_error(socket, kMessageError, "메시지 데이터가 없습니다.");
    co_return;
  }
  if (co_await check_session(services_, state->user.id, state->session_id, /*touch=*/true) !=
      SessionCheck::ok) {
    emit_error(socket, "SESSION_EXPIRED", "세션이 만료되었습니다. 다시 로그인해주세요.");
    co_return;
  }
  const int64_t now = now_ms();
  if (auto d = co_await chat_limiter_.check(state->user.id, now); !d.allowed) {
    socket->emit("error",
                 json::object{{"code", "RATE_LIMIT_EXCEEDED"},
                              {"message",
                               "메시지 전송 횟수 제한을 초과했습니다. 잠시 후 다시 시도해주세요."},
                              {"retryAfter", d.retry_after_s}});
    co_return;
  }
  const std::string room_id = string_member(payload, "room");
  if (chat::is_blank(room_id)) {
    emit_error(socket, kMessageError, "채팅방 정보가 없습니다.");
    co_return;
  }
  if (!co_await is_participant(socket, room_id)) {
    emit_error(socket, kMessageError, "채팅방 접근 권한이 없습니다.");
    co_return;
  }
  std::string content = string_member(payload, "content");
  if (chat::is_blank(content)) content = string_member(payload, "msg");
  content = chat::trim(content);
  if (chat::code_point_count(content) > limits_.max_message_chars) {
    // MESSAGE_REJECTED: the web client shows it as a toast and keeps the room open (§3.4).
    emit_error(socket, "MESSAGE_REJECTED",
               "메시지가 너무 깁니다. (최대 " + std::to_string(limits_.max_message_chars) + "자)");
    co_return;
  }
  if (banned_ && banned_->contains_banned(content)) {
    emit_error(socket, "MESSAGE_REJECTED", "금칙어가 포함된 메시지는 전송할 수 없습니다.");
    co_return;
  }
  std::string type = string_member(payload, "type");
  if (type.empty()) type = "text";

  chat::Message message;
  message.id = chat::new_object_id();
  message.room_id = room_id;
  message.content = content;
  message.sender_id = state->user.id;
  message.timestamp = now;
  std::optional<chat::FileRecord> file;
  if (type == "text") {
    if (content.empty()) co_return;  // silently ignored (§3.6)
    message.type = chat::MessageType::text;
  } else if (type == "file") {
    const json::value* file_data = member(payload, "fileData");
    const std::string file_id = file_data ? string_member(*file_data, "_id") : std::string();
    if (file_id.empty()) {
      emit_error(socket, kMessageError, "파일 데이터가 올바르지 않습니다.");
      co_return;
    }
    auto found = co_await services_.store.get_file(file_id);
    if (!found || !found.value() || found.value()->user_id != state->user.id) {
      emit_error(socket, kMessageError, "파일을 찾을 수 없거나 접근 권한이 없습니다.");
      co_return;
    }
    file = std::move(*found.value());
    message.type = chat::MessageType::file;
    message.file_id = file->id;
    message.metadata_json = json::serialize(json::object{{"fileType", file->mimetype},
                                                         {"fileSize", file->size},
                                                         {"originalName", file->originalname}});
  } else {
    emit_error(socket, kMessageError, "Unsupported message type: " + type);
    co_return;
  }
  message.mentions = chat::find_mentions(content, ai_.names());

  auto stored = co_await services_.store.append_message(std::move(message));
  if (!stored) {
    emit_error(socket, kMessageError, "메시지 전송 중 오류가 발생했습니다.");
    co_return;
  }
  UserIndex sender;
  sender.emplace(state->user.id, state->user);
  publish(room_id, "message", message_view(stored.value(), sender, file ? &*file : nullptr));
  if (!stored->mentions.empty())
    ai_.start(socket->executor(), stored.value(), content, state->user.name);
}

asio::awaitable<void> ChatSockets::fetch_previous(sio::SocketPtr socket,
                                                  const json::value& payload) {
  State* state = state_of(socket);
  constexpr std::string_view kLoadError = "LOAD_ERROR";
  const std::string room_id = string_member(payload, "roomId");
  if (!co_await is_participant(socket, room_id)) {
    emit_error(socket, kLoadError, "채팅방 접근 권한이 없습니다.");
    co_return;
  }
  socket->emit("messageLoadStart", json::value(nullptr));
  int64_t before = parse_before(member(payload, "before"));
  if (before <= 0) before = std::numeric_limits<int64_t>::max();
  const int limit =
      parse_limit(member(payload, "limit"), limits_.history_default, limits_.history_max);
  auto page =
      co_await services_.store.fetch_messages(room_id, before, limit, state->user.id, now_ms());
  if (!page) {
    emit_error(socket, kLoadError, "이전 메시지를 불러오는 중 오류가 발생했습니다.");
    co_return;
  }
  auto views = co_await load_message_views(services_, page->messages);
  if (!views) {
    emit_error(socket, kLoadError, "이전 메시지를 불러오는 중 오류가 발생했습니다.");
    co_return;
  }
  json::object out{{"messages", std::move(views.value())}, {"hasMore", page->has_more}};
  if (!page->messages.empty()) out["oldestTimestamp"] = page->messages.front().timestamp;
  socket->emit("previousMessagesLoaded", out);
}

asio::awaitable<void> ChatSockets::mark_read(sio::SocketPtr socket, const json::value& payload) {
  State* state = state_of(socket);
  const json::value* ids_value = member(payload, "messageIds");
  if (!ids_value || !ids_value->is_array() || ids_value->as_array().empty()) co_return;
  std::vector<chat::Id> ids;
  for (const auto& v : ids_value->as_array()) {
    if (v.is_string() && chat::is_object_id(v.as_string())) ids.emplace_back(v.as_string());
  }
  if (ids.empty()) {
    emit_error(socket, "", "Invalid room");
    co_return;
  }
  // The room is the first message's room (§3.6). A roomId the client names must be that room:
  // the ids are checked against it, whatever rooms this socket joined.
  auto first = co_await services_.store.find_message_room(ids.front());
  if (!first || !first.value()) {
    emit_error(socket, "", "Invalid room");
    co_return;
  }
  const std::string named = string_member(payload, "roomId");
  if (!named.empty() && named != *first.value()) {
    emit_error(socket, "", "Invalid room");
    co_return;
  }
  const std::string room_id = *first.value();
  if (!co_await is_participant(socket, room_id)) {
    emit_error(socket, "", "Room access denied");
    co_return;
  }
  // The store skips the other ids that are not of this room.
  auto marked = co_await services_.store.mark_read(room_id, ids, state->user.id, now_ms());
  if (!marked) {
    spdlog::warn("mark_read failed for user {}: {}", state->user.id, marked.error().detail);
    co_return;
  }
  publish(room_id, "messagesRead",
          json::object{{"userId", state->user.id}, {"messageIds", *ids_value}});
}

asio::awaitable<bool> ChatSockets::first_id_in_room(const json::value& payload,
                                                    const std::string& room_id) {
  const json::value* ids_value = member(payload, "messageIds");
  if (!ids_value || !ids_value->is_array()) co_return false;
  for (const auto& v : ids_value->as_array()) {
    if (!v.is_string() || !chat::is_object_id(v.as_string())) continue;
    auto room = co_await services_.store.find_message_room(chat::Id(v.as_string()));
    co_return room&& room.value() && *room.value() == room_id;
  }
  co_return false;
}

asio::awaitable<bool> ChatSockets::mark_read_run(sio::SocketPtr socket, PendingEvent& first) {
  State* state = state_of(socket);
  const json::value arg = first.args.empty() ? json::value(nullptr) : first.args[0];
  auto room_id = ReadMarks::mergeable_room(arg);
  if (!room_id || !socket->in_group(*room_id)) co_return false;
  // Each merged mark keeps mark_read()'s rule: its first id must be of the room it names (else
  // it is left to mark_read(), which answers "Invalid room").
  if (!co_await first_id_in_room(arg, *room_id)) co_return false;
  ReadMarks run(*room_id);
  run.add(arg, first.ack_id);
  while (!state->queue.empty() && state->queue.front().name == "markMessagesAsRead") {
    const json::value next =
        state->queue.front().args.empty() ? json::value(nullptr) : state->queue.front().args[0];
    const std::optional<uint64_t> next_ack = state->queue.front().ack_id;
    if (ReadMarks::mergeable_room(next) != run.room_id()) break;
    if (!co_await first_id_in_room(next, run.room_id())) break;
    if (state->queue.empty() || !run.add(next, next_ack)) break;
    state->queue.pop_front();
  }
  // Published only after the store acknowledged: a client that sees messagesRead finds the
  // readers in history. The store skips ids of other rooms, as in mark_read().
  auto marked =
      co_await services_.store.mark_read(run.room_id(), run.ids(), state->user.id, now_ms());
  if (!marked) {
    spdlog::warn("mark_read failed for user {}: {}", state->user.id, marked.error().detail);
  } else {
    publish(run.room_id(), "messagesRead",
            json::object{{"userId", state->user.id}, {"messageIds", run.wire_ids()}});
  }
  for (uint64_t ack : run.acks())
    socket->ack(ack, json::array{});
  co_return true;
}

asio::awaitable<void> ChatSockets::reaction(sio::SocketPtr socket, const json::value& payload) {
  State* state = state_of(socket);
  const std::string message_id = string_member(payload, "messageId");
  std::string emoji = string_member(payload, "reaction");
  if (emoji.empty()) emoji = string_member(payload, "emoji");
  const std::string type = string_member(payload, "type");
  if (type != "add" && type != "remove") {
    emit_error(socket, "", "지원하지 않는 리액션 타입입니다.");
    co_return;
  }
  if (!chat::is_object_id(message_id) || emoji.empty()) {
    emit_error(socket, "", "메시지를 찾을 수 없습니다.");
    co_return;
  }
  auto room = co_await services_.store.find_message_room(message_id);
  if (!room || !room.value()) {
    emit_error(socket, "", "메시지를 찾을 수 없습니다.");
    co_return;
  }
  const chat::Id room_id = *room.value();
  auto reactions = co_await services_.store.update_reaction(room_id, message_id, emoji,
                                                            state->user.id, type == "add");
  if (!reactions) {
    emit_error(socket, "",
               reactions.error().kind == Error::Kind::not_found
                   ? "메시지를 찾을 수 없습니다."
                   : "리액션 처리 중 오류가 발생했습니다.");
    co_return;
  }
  json::object map;
  for (const auto& [key, users] : reactions.value()) {
    json::array arr;
    for (const auto& u : users)
      arr.push_back(json::string(u));
    map[key] = std::move(arr);
  }
  publish(room_id, "messageReactionUpdate",
          json::object{{"messageId", message_id}, {"reactions", std::move(map)}});
}

}  // namespace parley::api
