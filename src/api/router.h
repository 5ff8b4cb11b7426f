// Router: maps (method, path) to a route handler. Patterns are literal segments and `:name`
// parameters; routes are tried in the order added, so specific paths go before parameters.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/http_util.h"
#include "api/services.h"
#include "api/session_auth.h"

namespace parley::api {

// What a route handler sees.
struct Ctx {
  net::Request& req;
  const Target& target;
  const net::ConnInfo& info;
  Services& services;
  std::vector<std::string> params;  // `:name` segments, in order, percent-decoded
  std::optional<Authed> auth;       // set for routes that require authentication
  // Streamed requests (streams_body): the body, read by the route itself; null otherwise.
  net::BodyStream* body = nullptr;
  // A route answering with a streamed body sets this; its Response is then only the header
  // (with Content-Length) and the listener writes the body from this source.
  std::unique_ptr<net::BodySource> stream_body;
};

using RouteFn = std::function<asio::awaitable<Response>(Ctx&)>;

enum class Access { pub, authed };

class Router {
 public:
  void add(http::verb method, std::string_view pattern, Access access, RouteFn fn);

  struct Match {
    const RouteFn* fn = nullptr;
    Access access = Access::pub;
    std::vector<std::string> params;
    size_t index = 0;  // of the route, in the order added (see patterns())
  };
  // HEAD falls back to the GET route.
  std::optional<Match> match(http::verb method, std::string_view path) const;
  // Each route's pattern ("/api/rooms/:roomId"), in the order added: Match::index indexes it.
  std::vector<std::string> patterns() const;

 private:
  struct Route {
    http::verb method;
    std::vector<std::string> segments;  // ":x" marks a parameter
    std::string pattern;
    Access access;
    RouteFn fn;
  };
  std::vector<Route> routes_;
};

// Route tables, one per area.
void add_auth_routes(Router& r);
void add_user_routes(Router& r);
void add_room_routes(Router& r);
void add_misc_routes(Router& r);
void add_file_routes(Router& r);

// True for the routes whose request body is streamed to the route (uploads) instead of read
// whole first.
bool streams_body(http::verb method, std::string_view path);
// For a path no route matched: a 400 when it reaches for the file routes with a traversal
// attempt (extra segments, "..", backslashes), so such requests get the contract's answer.
std::optional<Response> file_path_rejection(const net::Request& req, const Target& target);

}  // namespace parley::api
