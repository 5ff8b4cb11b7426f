// Health, the API index and the deliberately unimplemented REST history route (§2.5).
#include <boost/json.hpp>

#include "api/router.h"
#include "core/clock.h"

namespace parley::api {

namespace {

// The contract's shape ({status, timestamp, env}); a node of a cluster adds "node" and
// "cluster": {"connected"}, and answers 503 with status "unavailable" when it cannot reach it.
asio::awaitable<Response> health(Ctx& c) {
  json::object body{{"status", "ok"}, {"timestamp", iso8601(now_ms())}, {"env", nullptr}};
  auto status = http::status::ok;
  const NodeHealth& node = c.services.node;
  if (!node.node_id.empty()) body["node"] = node.node_id;
  if (node.cluster_reachable) {
    const bool up = co_await node.cluster_reachable();
    body["cluster"] = json::object{{"connected", up}};
    if (!up) {
      body["status"] = "unavailable";
      status = http::status::service_unavailable;
    }
  }
  co_return json_response(c.req, status, std::move(body));
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
