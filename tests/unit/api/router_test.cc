// Router matching (literal segments, parameters, HEAD falling back to GET) and the request
// helpers: target parsing, the three token sources, session id and client address.
#include "api/router.h"

#include <gtest/gtest.h>

namespace parley::api {
namespace {

asio::awaitable<Response> noop(Ctx&) {
  co_return Response{};
}

TEST(Router, MatchesLiteralsBeforeParametersInOrderAdded) {
  Router r;
  r.add(http::verb::get, "/api/rooms/health", Access::pub, noop);
  r.add(http::verb::get, "/api/rooms/:roomId", Access::authed, noop);
  auto health = r.match(http::verb::get, "/api/rooms/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->access, Access::pub);
  EXPECT_TRUE(health->params.empty());
  auto room = r.match(http::verb::get, "/api/rooms/abc%20def");
  ASSERT_TRUE(room);
  EXPECT_EQ(room->access, Access::authed);
  EXPECT_EQ(room->params, std::vector<std::string>{"abc def"});
  EXPECT_FALSE(r.match(http::verb::post, "/api/rooms/x"));
  EXPECT_FALSE(r.match(http::verb::get, "/api/rooms/x/y"));
  EXPECT_TRUE(r.match(http::verb::head, "/api/rooms/x"));  // HEAD uses the GET route
}

TEST(HttpUtil, ParsesTargetAndQuery) {
  auto t = parse_target("/api/rooms?page=2&search=a%20b&page=9");
  EXPECT_EQ(t.path, "/api/rooms");
  ASSERT_TRUE(t.param("page"));
  EXPECT_EQ(*t.param("page"), "2");  // first value wins
  EXPECT_EQ(*t.param("search"), "a b");
  EXPECT_EQ(t.param("missing"), nullptr);
}

TEST(HttpUtil, TokenComesFromHeaderThenQueryThenBearer) {
  net::Request req{http::verb::get, "/x", 11};
  auto none = parse_target("/x");
  EXPECT_EQ(token_from(req, none), "");
  req.set(http::field::authorization, "Bearer  bearer-token ");
  EXPECT_EQ(token_from(req, none), "bearer-token");
  auto with_query = parse_target("/x?token=query-token");
  EXPECT_EQ(token_from(req, with_query), "query-token");
  req.set("x-auth-token", "header-token");
  EXPECT_EQ(token_from(req, with_query), "header-token");
  net::Request basic{http::verb::get, "/x", 11};
  basic.set(http::field::authorization, "Basic abc");
  EXPECT_EQ(token_from(basic, none), "");
}

TEST(HttpUtil, ClientIpPrefersForwardedHeaders) {
  net::ConnInfo info{"10.9.8.7", 5001, {}};
  net::Request req{http::verb::get, "/x", 11};
  EXPECT_EQ(client_ip(req, info), "10.9.8.7");
  req.set("X-Real-IP", "192.0.2.5");
  EXPECT_EQ(client_ip(req, info), "192.0.2.5");
  req.set("X-Forwarded-For", " 198.51.100.1 , 192.0.2.9");
  EXPECT_EQ(client_ip(req, info), "198.51.100.1");
}

TEST(HttpUtil, EmptyBodyIsAnEmptyObjectAndGarbageIsRejected) {
  net::Request req{http::verb::post, "/x", 11};
  auto empty = parse_json_body(req);
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->is_object());
  req.body() = "{\"a\":";
  EXPECT_FALSE(parse_json_body(req));
}

}  // namespace
}  // namespace parley::api
