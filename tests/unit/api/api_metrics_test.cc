// HttpStats (REST requests by route pattern and status, with latency histograms) and the
// router's route patterns it is keyed by.
#include "api/api_metrics.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "api/rest_handler.h"
#include "api/router.h"

namespace parley::api {
namespace {

using namespace std::chrono_literals;

TEST(RouterPatterns, MatchIndexNamesThePattern) {
  Router r;
  RouteFn none = [](Ctx&) -> asio::awaitable<Response> { co_return Response{}; };
  r.add(http::verb::get, "/api/rooms", Access::pub, none);
  r.add(http::verb::get, "/api/rooms/:roomId", Access::pub, none);
  auto m = r.match(http::verb::get, "/api/rooms/abc");
  ASSERT_TRUE(m);
  EXPECT_EQ(r.patterns().at(m->index), "/api/rooms/:roomId");
  EXPECT_EQ(r.patterns().at(r.match(http::verb::head, "/api/rooms")->index), "/api/rooms");
}

TEST(RouterPatterns, RestHandlerListsItsRoutes) {
  auto p = RestHandler::route_patterns();
  EXPECT_NE(std::find(p.begin(), p.end(), "/api/auth/login"), p.end());
  EXPECT_NE(std::find(p.begin(), p.end(), "/api/rooms/:roomId"), p.end());
}

TEST(HttpStats, CountsByPatternAndStatusAcrossLoops) {
  boost::asio::io_context a, b, elsewhere;
  metrics::LoopSet loops{{&a, &b}};
  HttpStats s{loops, {"/api/rooms", "/api/rooms/:roomId", "/api/rooms"}};
  s.record(a.get_executor(), 0, 200, 2ms);
  s.record(b.get_executor(), 2, 200, 3ms);  // the same pattern on another method: one series
  s.record(b.get_executor(), 1, 404, 1ms);
  s.record(a.get_executor(), 1, 418, 1ms);  // not in the list: "other"
  s.record(a.get_executor(), s.unmatched_row(), 404, 1ms);
  s.record(elsewhere.get_executor(), 0, 200, 1ms);  // not an event loop: not counted
  metrics::Exposition e;
  s.collect(e);
  const std::string& t = e.text();
  EXPECT_NE(t.find("parley_http_requests_total{route=\"/api/rooms\",status=\"200\"} 2\n"),
            std::string::npos)
      << t;
  EXPECT_NE(t.find("parley_http_requests_total{route=\"/api/rooms/:roomId\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("parley_http_requests_total{route=\"/api/rooms/:roomId\",status=\"other\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("parley_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n"),
            std::string::npos);
  EXPECT_NE(t.find("parley_http_request_duration_seconds_count{route=\"/api/rooms\"} 2\n"),
            std::string::npos);
  EXPECT_NE(
      t.find("parley_http_request_duration_seconds_bucket{route=\"/api/rooms\",le=\"0.0025\"} 1\n"),
      std::string::npos);
  EXPECT_EQ(t.find("preflight"), std::string::npos);  // no requests: no series
}

}  // namespace
}  // namespace parley::api
