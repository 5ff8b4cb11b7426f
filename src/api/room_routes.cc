// /api/rooms (§2.3): list with paging, sorting, search and a per-IP rate limit; create; get;
// join (with the room password); and the storage health probe.
#include <boost/json.hpp>

#include "api/room_loader.h"
#include "api/router.h"
#include "chat/ids.h"
#include "chat/room_query.h"
#include "chat/validation.h"
#include "core/clock.h"

namespace parley::api {

namespace {

constexpr std::string_view kRoomNotFound = "채팅방을 찾을 수 없습니다.";

std::optional<std::string> query_value(const Target& t, std::string_view key) {
  if (auto v = t.param(key)) return *v;
  return std::nullopt;
}

store::RoomQuery to_store_query(const chat::RoomQuery& q) {
  store::RoomQuery out;
  out.page = static_cast<int>(q.page);
  out.page_size = static_cast<int>(q.page_size);
  switch (q.sort_field) {
    case chat::RoomSortField::created_at:
      out.sort = store::RoomSortField::created_at;
      break;
    case chat::RoomSortField::name:
      out.sort = store::RoomSortField::name;
      break;
    case chat::RoomSortField::participants_count:
      out.sort = store::RoomSortField::participants_count;
      break;
  }
  out.descending = q.sort_order == chat::SortOrder::desc;
  out.search = q.search.value_or("");
  return out;
}

asio::awaitable<Response> list_rooms(Ctx& c) {
  const auto& lim = c.services.limits;
  const int64_t now = now_ms();
  auto decision = c.services.rooms_limiter.check(client_ip(c.req, c.info), now);
  auto add_rate_headers = [&](Response& res) {
    res.set("X-RateLimit-Limit", std::to_string(lim.rooms_rate_limit));
    res.set("X-RateLimit-Remaining", std::to_string(decision.remaining));
    res.set("X-RateLimit-Reset", std::to_string(decision.reset_at_ms / 1000));
    res.set("X-RateLimit-Window", std::to_string(lim.rooms_rate_window_ms));
  };
  if (!decision.allowed) {
    auto res = json_response(
        c.req, http::status::too_many_requests,
        json::object{{"success", false},
                     {"message", "너무 많은 요청이 발생했습니다. 잠시 후 다시 시도해주세요."},
                     {"meta", json::object{{"code", "TOO_MANY_REQUESTS"},
                                           {"maxRequests", lim.rooms_rate_limit},
                                           {"windowMs", lim.rooms_rate_window_ms},
                                           {"retryAfter", decision.retry_after_s}}}});
    res.set(http::field::retry_after, std::to_string(decision.retry_after_s));
    add_rate_headers(res);
    co_return res;
  }
  constexpr std::string_view kListFailed = "채팅방 목록을 불러오는데 실패했습니다.";
  chat::RoomQueryParams params{query_value(c.target, "page"), query_value(c.target, "pageSize"),
                               query_value(c.target, "sortField"),
                               query_value(c.target, "sortOrder"), query_value(c.target, "search")};
  const chat::RoomQuery q = chat::parse_room_query(params);
  auto page = co_await c.services.store.list_rooms(to_store_query(q));
  if (!page) co_return store_error(c.req, page.error(), kListFailed);
  auto views = co_await load_room_views(c.services, page->rooms);
  if (!views) co_return store_error(c.req, views.error(), kListFailed);
  const auto meta = chat::page_meta(page->total, q, static_cast<int64_t>(views->size()));
  auto res = json_response(
      c.req, http::status::ok,
      json::object{
          {"success", true},
          {"data", std::move(views.value())},
          {"metadata",
           json::object{{"total", meta.total},
                        {"page", meta.page},
                        {"pageSize", meta.page_size},
                        {"totalPages", meta.total_pages},
                        {"hasMore", meta.has_more},
                        {"currentCount", meta.current_count},
                        {"sort", json::object{{"field", chat::to_string(q.sort_field)},
                                              {"order", chat::to_string(q.sort_order)}}}}}});
  res.set(http::field::cache_control, "no-cache");
  add_rate_headers(res);
  co_return res;
}

asio::awaitable<Response> create_room(Ctx& c) {
  constexpr std::string_view kCreateFailed = "채팅방 생성에 실패했습니다.";
  auto body = parse_json_body(c.req);
  if (!body) co_return malformed_json(c.req);
  auto input = chat::room_create_input_from_json(*body);
  if (auto errors = chat::validate_room_create(input); !errors.empty()) {
    co_return validation_error(c.req, errors, "/api/rooms");
  }
  chat::Room room;
  room.id = chat::new_object_id();
  room.name = chat::trim(*input.name);
  room.creator_id = c.auth->user.id;
  room.created_at = now_ms();
  room.participant_ids = {c.auth->user.id};
  if (input.password && !input.password->empty()) {
    auto hash = co_await c.services.hasher.hash_async(*input.password);
    if (!hash) co_return store_error(c.req, hash.error(), kCreateFailed);
    room.password_hash = std::move(hash.value());
  }
  auto created = co_await c.services.store.create_room(room);
  if (!created) co_return store_error(c.req, created.error(), kCreateFailed);
  auto view = co_await load_room_view(c.services, room);
  if (!view) co_return store_error(c.req, view.error(), kCreateFailed);
  c.services.events.room_created(view.value());
  co_return json_response(c.req, http::status::created,
                          json::object{{"success", true}, {"data", std::move(view.value())}});
}

asio::awaitable<Response> get_room(Ctx& c) {
  constexpr std::string_view kGetFailed = "채팅방 정보를 불러오는데 실패했습니다.";
  const auto& id = c.params[0];
  if (!chat::is_object_id(id))
    co_return error_response(c.req, http::status::not_found, kRoomNotFound);
  auto room = co_await c.services.store.get_room(id);
  if (!room) co_return store_error(c.req, room.error(), kGetFailed);
  if (!room.value()) co_return error_response(c.req, http::status::not_found, kRoomNotFound);
  auto view = co_await load_room_view(c.services, *room.value());
  if (!view) co_return store_error(c.req, view.error(), kGetFailed);
  co_return json_response(c.req, http::status::ok,
                          json::object{{"success", true}, {"data", std::move(view.value())}});
}

asio::awaitable<Response> join_room(Ctx& c) {
  constexpr std::string_view kJoinFailed = "채팅방 입장에 실패했습니다.";
  const auto& id = c.params[0];
  if (!chat::is_object_id(id))
    co_return error_response(c.req, http::status::not_found, kRoomNotFound);
  auto body = parse_json_body(c.req);
  std::optional<std::string> password;
  if (body && body->is_object()) password = chat::string_field(body->as_object(), "password");
  auto room = co_await c.services.store.get_room(id);
  if (!room) co_return store_error(c.req, room.error(), kJoinFailed);
  if (!room.value()) co_return error_response(c.req, http::status::not_found, kRoomNotFound);
  if (room.value()->has_password()) {
    bool ok = password && !password->empty() &&
              co_await c.services.hasher.verify_async(*password, room.value()->password_hash);
    if (!ok)
      co_return error_response(c.req, http::status::unauthorized, "비밀번호가 일치하지 않습니다.");
  }
  auto changed = co_await c.services.store.add_participant(id, c.auth->user.id);
  if (!changed) {
    if (changed.error().kind == Error::Kind::not_found) {
      co_return error_response(c.req, http::status::not_found, kRoomNotFound);
    }
    co_return store_error(c.req, changed.error(), kJoinFailed);
  }
  auto view = co_await load_room_view(c.services, changed->room);
  if (!view) co_return store_error(c.req, view.error(), kJoinFailed);
  c.services.events.room_updated(id, view.value());
  co_return json_response(c.req, http::status::ok,
                          json::object{{"success", true}, {"data", std::move(view.value())}});
}

asio::awaitable<Response> rooms_health(Ctx& c) {
  auto latency_us = co_await c.services.store.ping();
  auto newest = latency_us ? co_await c.services.store.newest_room_created_at()
                           : Result<std::optional<int64_t>>(latency_us.error());
  Response res = [&] {
    if (!latency_us || !newest) {
      return json_response(
          c.req, http::status::service_unavailable,
          json::object{
              {"success", false},
              {"timestamp", iso8601(now_ms())},
              {"services", json::object{{"database", json::object{{"connected", false}}}}}});
    }
    json::object body{
        {"success", true},
        {"timestamp", iso8601(now_ms())},
        {"services",
         json::object{{"database", json::object{{"connected", true},
                                                {"latency", latency_us.value() / 1000.0}}}}}};
    body["lastActivity"] =
        newest.value() ? json::value(iso8601(*newest.value())) : json::value(nullptr);
    return json_response(c.req, http::status::ok, body);
  }();
  res.set(http::field::cache_control, "no-cache, no-store, must-revalidate");
  res.set(http::field::pragma, "no-cache");
  res.set(http::field::expires, "0");
  co_return res;
}

}  // namespace

void add_room_routes(Router& r) {
  using V = http::verb;
  r.add(V::get, "/api/rooms/health", Access::pub, rooms_health);
  r.add(V::get, "/api/rooms", Access::authed, list_rooms);
  r.add(V::post, "/api/rooms", Access::authed, create_room);
  r.add(V::get, "/api/rooms/:roomId", Access::authed, get_room);
  r.add(V::post, "/api/rooms/:roomId/join", Access::authed, join_room);
}

}  // namespace parley::api
