// api::store_error: the one place where a failed store call becomes an HTTP answer. An
// unreachable store (Error::unavailable, e.g. the Redis Cluster is down) is 503 in the
// contract's envelope; anything else is 500 with the route's own message.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "api/http_util.h"

namespace parley::api {
namespace {

namespace http = net::http;

TEST(StoreError, UnavailableIs503InTheContractsEnvelope) {
  net::Request req{http::verb::get, "/api/rooms", 11};
  Response res =
      store_error(req, Error::unavailable("redis: no answer within 2000 ms"), "목록 실패");
  Response* s = &res;
  EXPECT_EQ(s->result(), http::status::service_unavailable);
  auto body = boost::json::parse(s->body()).as_object();
  EXPECT_EQ(body.at("success").as_bool(), false);
  EXPECT_EQ(body.at("message").as_string(), "일시적으로 서비스를 사용할 수 없습니다.");
  EXPECT_EQ(body.find("detail"), body.end());  // the internal detail does not leak
}

TEST(StoreError, OtherFailuresAre500WithTheRoutesMessage) {
  net::Request req{http::verb::post, "/api/rooms", 11};
  for (const Error& e : {Error::internal("redis: WRONGTYPE"), Error::conflict("x"),
                         Error::invalid("y"), Error::not_found("z")}) {
    Response res = store_error(req, e, "채팅방 생성에 실패했습니다.");
    Response* s = &res;
    EXPECT_EQ(s->result(), http::status::internal_server_error);
    auto body = boost::json::parse(s->body()).as_object();
    EXPECT_EQ(body.at("message").as_string(), "채팅방 생성에 실패했습니다.");
  }
}

}  // namespace
}  // namespace parley::api
