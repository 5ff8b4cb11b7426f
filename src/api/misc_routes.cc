// Health, the API index and the deliberately unimplemented REST history route (§2.5).
#include <boost/json.hpp>

#include "api/router.h"
#include "core/clock.h"

namespace parley::api {

namespace {

asio::awaitable<Response> health(Ctx& c) {
  co_return json_response(
      c.req, http::status::ok,
      json::object{{"status", "ok"}, {"timestamp", iso8601(now_ms())}, {"env", nullptr}});
}

asio::awaitable<Response> plain_ok(Ctx& c) {
  Response res{http::status::ok, c.req.version()};
  res.keep_alive(c.req.keep_alive());
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.body() = "OK";
  res.prepare_payload();
  apply_cors(c.req, res);
  co_return res;
}

asio::awaitable<Response> api_index(Ctx& c) {
  co_return json_response(c.req, http::status::ok,
                          json::object{{"name", "Chat App API"},
                                       {"version", "1.0.0"},
                                       {"timestamp", iso8601(now_ms())},
                                       {"endpoints", json::object{{"auth", "/api/auth"},
                                                                  {"users", "/api/users"},
                                                                  {"rooms", "/api/rooms"},
                                                                  {"files", "/api/files"},
                                                                  {"health", "/api/health"}}}});
}

// History is served over Socket.IO only; the reference answers this route with 500 by design.
asio::awaitable<Response> rest_history(Ctx& c) {
  co_return error_response(c.req, http::status::internal_server_error, "미구현.");
}

}  // namespace

void add_misc_routes(Router& r) {
  using V = http::verb;
  r.add(V::get, "/api/health", Access::pub, health);
  r.add(V::get, "/health", Access::pub, plain_ok);
  r.add(V::get, "/api/v1/health", Access::pub, plain_ok);
  r.add(V::get, "/api", Access::pub, api_index);
  r.add(V::get, "/api/message/rooms/:roomId/messages", Access::authed, rest_history);
}

}  // namespace parley::api
