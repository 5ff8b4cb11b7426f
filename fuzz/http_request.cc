// Fuzz target: HTTP request handling up to the router. The input is the bytes a client sends on
// one connection; net::parse_request() reads requests from them with the listener's own rules
// (src/net/request_parse.h, also used by the connection loop), and each request then goes
// through what RestHandler does before a route runs: the target split into path and query, the
// route table match (the real tables), the streamed-upload and file-path checks, the token,
// session and client-ip lookups and the JSON body parse. Invariants: a parsed request, written
// back out by Beast, parses to the same method, target, version, fields and body; HEAD matches
// what GET matches; matched parameters are one per `:name` in the route.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include <boost/beast/core/ostream.hpp>

#include "api/http_util.h"
#include "api/router.h"
#include "fuzz_util.h"
#include "net/request_parse.h"

using namespace parley;
namespace http = net::http;

namespace {

const api::Router& routes() {
  static const api::Router* router = [] {
    auto* r = new api::Router();
    api::add_misc_routes(*r);
    api::add_auth_routes(*r);
    api::add_user_routes(*r);
    api::add_room_routes(*r);
    api::add_file_routes(*r);
    return r;
  }();
  return *router;
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
  const auto match = routes().match(req.method(), target.path);
  if (match) FUZZ_CHECK(match->fn != nullptr);
  if (req.method() == http::verb::head) {
    const auto get = routes().match(http::verb::get, target.path);
    FUZZ_CHECK(match.has_value() == get.has_value());
    if (match) FUZZ_CHECK(match->fn == get->fn && match->params == get->params);
  }
  (void)api::streams_body(req.method(), target.path);
  if (!match) (void)api::file_path_rejection(req, target);
  (void)api::token_from(req, target);
  (void)api::session_id_from(req, target);
  net::ConnInfo info{"127.0.0.1", 5001};
  FUZZ_CHECK(!api::client_ip(req, info).empty() || !req[http::field::x_forwarded_for].empty() ||
             !req["x-real-ip"].empty());
  (void)api::parse_json_body(req);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = fuzz::as_view(data, size);
  const auto body_limit = [](const net::RequestHeader& h) -> uint64_t {
    // As RestHandler: upload routes take larger bodies.
    const std::string_view t = h.target();
    return api::streams_body(h.method(), t.substr(0, t.find('?'))) ? 8192 : 0;
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
