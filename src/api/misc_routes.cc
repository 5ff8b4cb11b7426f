// Health, the API index and the deliberately unimplemented REST history route (§2.5); the load
// balancer probes /health/live (the process answers) and /health/ready (the store answers a ping
// in time, and the server is not shutting down).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <memory>
#include <optional>

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

asio::awaitable<Response> live(Ctx& c) {
  co_return json_response(c.req, http::status::ok, json::object{{"status", "live"}});
}

// The ping runs detached, so a store that never answers costs the probe its timeout, not a hang.
asio::awaitable<Response> ready(Ctx& c) {
  if (c.services.draining && c.services.draining->load(std::memory_order_relaxed)) {
    co_return json_response(c.req, http::status::service_unavailable,
                            json::object{{"status", "draining"}});
  }
  struct Probe {
    explicit Probe(asio::any_io_executor ex) : timer(std::move(ex)) {}
    asio::steady_timer timer;
    std::optional<Result<int64_t>> result;
  };
  auto executor = co_await asio::this_coro::executor;
  auto probe = std::make_shared<Probe>(executor);
  store::Store& store = c.services.store;
  asio::co_spawn(
      executor,
      [probe, &store]() -> asio::awaitable<void> {
        probe->result.emplace(co_await store.ping());
        probe->timer.cancel();
      },
      asio::detached);
  if (!probe->result) {
    probe->timer.expires_after(std::chrono::milliseconds(c.services.ready_timeout_ms));
    boost::system::error_code ec;
    co_await probe->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  if (!probe->result) {
    co_return json_response(c.req, http::status::service_unavailable,
                            json::object{{"status", "store timeout"}});
  }
  if (!*probe->result) {
    co_return json_response(c.req, http::status::service_unavailable,
                            json::object{{"status", "store unavailable"}});
  }
  co_return json_response(
      c.req, http::status::ok,
      json::object{{"status", "ready"}, {"store_ping_us", probe->result->value()}});
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
  r.add(V::get, "/health/live", Access::pub, live);
  r.add(V::get, "/health/ready", Access::pub, ready);
  r.add(V::get, "/api", Access::pub, api_index);
  r.add(V::get, "/api/message/rooms/:roomId/messages", Access::authed, rest_history);
}

}  // namespace parley::api
