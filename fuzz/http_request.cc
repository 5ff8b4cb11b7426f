// Fuzz target: HTTP request handling up to the router. The input is the bytes a client sends on
// one connection; net::parse_request() reads requests from them with the listener's own rules
// (src/net/request_parse.h, also used by the connection loop), and each request then goes
// through what RestHandler does before a route runs: the target split into path and query, the
// Router match, the token, session and client-ip lookups and the JSON body parse. The router
// holds the contract's REST paths (API.md) as patterns; the route handlers themselves are not
// linked (they pull in every layer, too slow to build with ASan in CI).
// Invariants: a parsed request, written back out by Beast, parses to the same method, target,
// version, fields and body; HEAD matches what GET matches; a match yields one parameter per
// `:name` of its pattern.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <boost/beast/core/ostream.hpp>

#include "api/http_util.h"
#include "api/router.h"
#include "fuzz_util.h"
#include "net/request_parse.h"

using namespace parley;
namespace http = net::http;

namespace {

struct Route {
  http::verb method;
  std::string_view pattern;
};
// API.md's REST routes (src/api/*_routes.cc registers the same patterns).
constexpr Route kRoutes[] = {
    {http::verb::get, "/api/health"},
    {http::verb::get, "/health"},
    {http::verb::get, "/api"},
    {http::verb::get, "/api/auth"},
    {http::verb::post, "/api/auth/register"},
    {http::verb::post, "/api/auth/login"},
    {http::verb::post, "/api/auth/logout"},
    {http::verb::post, "/api/auth/verify-token"},
    {http::verb::post, "/api/auth/refresh-token"},
    {http::verb::post, "/api/files/upload"},
    {http::verb::get, "/api/files/download/:filename"},
    {http::verb::get, "/api/files/view/:filename"},
    {http::verb::delete_, "/api/files/:id"},
    {http::verb::post, "/api/users/profile-image"},
    {http::verb::get, "/api/uploads/profiles/:name"},
    {http::verb::get, "/api/message/rooms/:roomId/messages"},
    {http::verb::get, "/api/rooms/health"},
    {http::verb::get, "/api/rooms"},
    {http::verb::post, "/api/rooms"},
    {http::verb::get, "/api/rooms/:roomId"},
    {http::verb::post, "/api/rooms/:roomId/join"},
    {http::verb::get, "/api/users/profile"},
    {http::verb::put, "/api/users/profile"},
    {http::verb::delete_, "/api/users/account"},
};

struct Table {
  api::Router router;
  std::vector<const api::RouteFn*> fns;  // fns[i]: the handler slot of kRoutes[i]
};

std::size_t params_of(std::string_view pattern) {
  std::size_t n = 0;
  for (std::size_t i = 0; i + 1 < pattern.size(); ++i)
    n += pattern[i] == '/' && pattern[i + 1] == ':';
  return n;
}

const Table& table() {
  static const Table* t = [] {
    auto* out = new Table();
    for (const auto& r : kRoutes)
      out->router.add(
          r.method, r.pattern, api::Access::pub,
          [](api::Ctx&) -> boost::asio::awaitable<api::Response> { co_return api::Response{}; });
    for (const auto& r : kRoutes) {
      std::string concrete;  // the pattern with "x" for each parameter
      for (std::size_t i = 0; i < r.pattern.size(); ++i) {
        if (r.pattern[i] == ':') {
          concrete += 'x';
          while (i + 1 < r.pattern.size() && r.pattern[i + 1] != '/')
            ++i;
        } else {
          concrete += r.pattern[i];
        }
      }
      auto m = out->router.match(r.method, concrete);
      FUZZ_CHECK(m.has_value());
      out->fns.push_back(m->fn);
    }
    return out;
  }();
  return *t;
}

net::HttpLimits limits() {
  net::HttpLimits l;
  l.max_header_bytes = 2048;
  l.max_body_bytes = 4096;
  return l;
}

std::string serialize(const net::Request& req) {
  std::ostringstream os;
  os << req;
  return os.str();
}

void check_same(const net::Request& a, const net::Request& b) {
  FUZZ_CHECK(a.method() == b.method());
  FUZZ_CHECK(a.method_string() == b.method_string());
  FUZZ_CHECK(a.target() == b.target());
  FUZZ_CHECK(a.version() == b.version());
  FUZZ_CHECK(a.body() == b.body());
  auto ia = a.begin();
  auto ib = b.begin();
  for (; ia != a.end() && ib != b.end(); ++ia, ++ib) {
    FUZZ_CHECK(ia->name_string() == ib->name_string());
    FUZZ_CHECK(ia->value() == ib->value());
  }
  FUZZ_CHECK(ia == a.end() && ib == b.end());
}

void route(net::Request& req) {
  const api::Target target = api::parse_target(req.target());
  FUZZ_CHECK(target.path.find('?') == std::string::npos);
  const Table& t = table();
  const auto match = t.router.match(req.method(), target.path);
  if (match) {
    FUZZ_CHECK(match->fn != nullptr);
    std::size_t i = 0;
    while (i < t.fns.size() && t.fns[i] != match->fn)
      ++i;
    FUZZ_CHECK(i < t.fns.size());
    FUZZ_CHECK(match->params.size() == params_of(kRoutes[i].pattern));
  }
  if (req.method() == http::verb::head) {
    const auto get = t.router.match(http::verb::get, target.path);
    FUZZ_CHECK(match.has_value() == get.has_value());
    if (match) FUZZ_CHECK(match->fn == get->fn && match->params == get->params);
  }
  (void)api::token_from(req, target);
  (void)api::session_id_from(req, target);
  net::ConnInfo info;
  info.peer_ip = "127.0.0.1";
  FUZZ_CHECK(!api::client_ip(req, info).empty() || !req["x-forwarded-for"].empty() ||
             !req["x-real-ip"].empty());
  (void)api::parse_json_body(req);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = fuzz::as_view(data, size);
  const auto body_limit = [](const net::RequestHeader& h) -> uint64_t {
    // As RestHandler: upload routes take larger bodies.
    return h.method() == http::verb::post && h.target().starts_with("/api/files/upload") ? 8192 : 0;
  };
  for (int n = 0; n < 4 && !in.empty(); ++n) {  // pipelined requests, one after the other
    net::ParsedRequest parsed = net::parse_request(in, limits(), body_limit);
    if (parsed.verdict != net::ReadVerdict::ok) {
      FUZZ_CHECK(!parsed.request);
      break;
    }
    FUZZ_CHECK(parsed.request && parsed.consumed > 0 && parsed.consumed <= in.size());
    net::Request& req = *parsed.request;
    if (!req.chunked() && req.method() != http::verb::unknown) {
      const std::string again = serialize(req);
      net::ParsedRequest reparsed = net::parse_request(again, limits(), body_limit);
      if (reparsed.verdict == net::ReadVerdict::ok) {
        check_same(req, *reparsed.request);
        FUZZ_CHECK(reparsed.consumed == again.size());
      } else {
        // Only a head that grew past the limit when rewritten may fail.
        FUZZ_CHECK(reparsed.verdict == net::ReadVerdict::header_large);
      }
    }
    route(req);
    in.remove_prefix(parsed.consumed);
  }
  return 0;
}
