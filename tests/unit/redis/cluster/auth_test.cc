// Tests for AUTH on every connection: a real 3+3 cluster started with --password
// (requirepass + masterauth on every node).
#include <gtest/gtest.h>

#include "redis/cluster.h"
#include "test_cluster.h"

namespace parley::redis {
namespace {

using namespace std::chrono_literals;
using test::run;

TEST(RedisClusterAuth, PasswordIsSentFirstAndChecked) {
  test::TestCluster cluster(3, 1, "s3cret-pw");
  ASSERT_TRUE(cluster.up()) << cluster.error();

  auto good = Cluster::start(cluster.options());
  ASSERT_TRUE(good) << good.error().detail;
  for (int i = 0; i < 20; ++i) {  // keys on every master: every connection authenticated
    const std::string key = "auth:" + std::to_string(i);
    auto r = run((*good)->command(key, {"SET", key, "1"}, Ack::replicated));
    ASSERT_TRUE(r) << r.error().detail;
    ASSERT_EQ(r->str, "OK");
  }
  auto all = run((*good)->on_all_masters({"PING"}));
  ASSERT_TRUE(all) << all.error().detail;
  EXPECT_EQ(all->size(), 3u);

  auto opts = cluster.options();
  opts.password = "wrong";
  opts.connect_timeout = 500ms;
  auto wrong = Cluster::start(opts);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind, Error::Kind::unavailable);

  opts.password.clear();  // NOAUTH answers CLUSTER SHARDS: no slot map
  auto none = Cluster::start(opts);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, Error::Kind::unavailable);
}

}  // namespace
}  // namespace parley::redis
