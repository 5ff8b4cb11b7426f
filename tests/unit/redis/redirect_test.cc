// Tests for redis/redirect: MOVED / ASK / TRYAGAIN / CLUSTERDOWN recognised, anything else not.
#include "redis/redirect.h"

#include <gtest/gtest.h>

namespace parley::redis {
namespace {

TEST(RedisRedirect, Moved) {
  auto r = parse_redirect("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, Redirect::Kind::moved);
  EXPECT_EQ(r->slot, 3999);
  EXPECT_EQ(r->target.host, "127.0.0.1");
  EXPECT_EQ(r->target.port, 6381);
}

TEST(RedisRedirect, AskAndEmptyHost) {
  auto r = parse_redirect("ASK 16383 :7002");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, Redirect::Kind::ask);
  EXPECT_EQ(r->slot, 16383);
  EXPECT_EQ(r->target.host, "");  // "the node you asked"
  EXPECT_EQ(r->target.port, 7002);
  auto v6 = parse_redirect("MOVED 1 [::1]:7003");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->target.host, "::1");
}

TEST(RedisRedirect, TransientErrors) {
  EXPECT_EQ(parse_redirect("TRYAGAIN Multiple keys request during rehashing of slot")->kind,
            Redirect::Kind::tryagain);
  EXPECT_EQ(parse_redirect("CLUSTERDOWN The cluster is down")->kind, Redirect::Kind::clusterdown);
  EXPECT_EQ(parse_redirect("CLUSTERDOWN")->kind, Redirect::Kind::clusterdown);
}

TEST(RedisRedirect, NotRedirects) {
  EXPECT_FALSE(parse_redirect("ERR unknown command"));
  EXPECT_FALSE(parse_redirect("MOVEDX 1 a:1"));
  EXPECT_FALSE(parse_redirect("MOVED 16384 127.0.0.1:1"));  // slot out of range
  EXPECT_FALSE(parse_redirect("MOVED -1 127.0.0.1:1"));
  EXPECT_FALSE(parse_redirect("MOVED 12 127.0.0.1"));  // no port
  EXPECT_FALSE(parse_redirect("MOVED 12 127.0.0.1:99999"));
  EXPECT_FALSE(parse_redirect("MOVED"));
  EXPECT_FALSE(parse_redirect("ASK x 127.0.0.1:1"));
  EXPECT_FALSE(parse_redirect(""));
  Reply ok;
  ok.type = Reply::Type::status;
  ok.str = "MOVED 1 127.0.0.1:1";  // a status, not an error
  EXPECT_FALSE(parse_redirect(ok));
}

}  // namespace
}  // namespace parley::redis
