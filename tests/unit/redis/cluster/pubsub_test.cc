// Tests for redis::PubSub (sharded pub/sub) against a real 3+3 cluster: subscribe, receive,
// unsubscribe, and the liveness probe noticing a node that stops answering.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "redis/cluster.h"
#include "redis/slot.h"
#include "test_cluster.h"

namespace parley::redis {
namespace {

using namespace std::chrono_literals;
using test::run;

// What the handlers saw (they run on the redis-io thread).
struct Inbox {
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> messages;
  std::vector<std::string> gaps;

  PubSub::Handlers handlers() {
    return {[this](std::string_view ch, std::string_view payload) {
              std::lock_guard lock(mu);
              messages.emplace_back(ch, payload);
            },
            [this](std::string_view ch) {
              std::lock_guard lock(mu);
              gaps.emplace_back(ch);
            }};
  }
  size_t count(const std::string& payload) {
    std::lock_guard lock(mu);
    size_t n = 0;
    for (const auto& m : messages)
      n += m.second == payload;
    return n;
  }
  size_t gap_count(const std::string& ch) {
    std::lock_guard lock(mu);
    size_t n = 0;
    for (const auto& g : gaps)
      n += g == ch;
    return n;
  }
};

// Publishes `payload` until it arrives (a subscription is confirmed asynchronously); false
// after `limit`.
bool publish_until_received(PubSub& ps, Inbox& inbox, const std::string& ch,
                            const std::string& payload, std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    auto r = run(ps.publish(ch, payload));
    if (inbox.count(payload) > 0) return true;
    std::this_thread::sleep_for(20ms);
    if (inbox.count(payload) > 0) return true;
    (void)r;
  }
  return false;
}

class RedisClusterPubSub : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new test::TestCluster();
    if (!cluster_->up()) setup_error_ = cluster_->error();
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(setup_error_.empty()) << "cluster: " << setup_error_; }

  static inline test::TestCluster* cluster_ = nullptr;
  static inline std::string setup_error_;
};

TEST_F(RedisClusterPubSub, SubscribeReceiveUnsubscribe) {
  auto c = Cluster::start(cluster_->options());
  ASSERT_TRUE(c) << c.error().detail;
  Inbox inbox;
  PubSub ps(**c, inbox.handlers());
  // Channels on different masters.
  const std::vector<std::string> channels = {"room:1", "room:2", "room:3", "room:4", "room:5"};
  for (const auto& ch : channels)
    ps.subscribe(ch);
  ps.subscribe("room:1");  // idempotent
  for (const auto& ch : channels)
    ASSERT_TRUE(publish_until_received(ps, inbox, ch, "hello " + ch, 5s)) << ch;

  // Exactly one subscriber per channel, and every message arrives once, in order.
  for (int i = 0; i < 50; ++i) {
    auto n = run(ps.publish("room:1", "m" + std::to_string(i)));
    ASSERT_TRUE(n) << n.error().detail;
    EXPECT_EQ(*n, 1);
  }
  const auto end = std::chrono::steady_clock::now() + 3s;
  while (inbox.count("m49") == 0 && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(10ms);
  {
    std::lock_guard lock(inbox.mu);
    std::vector<std::string> got;
    for (const auto& [ch, p] : inbox.messages)
      if (ch == "room:1" && p[0] == 'm') got.push_back(p);
    ASSERT_EQ(got.size(), 50u);
    for (int i = 0; i < 50; ++i)
      EXPECT_EQ(got[static_cast<size_t>(i)], "m" + std::to_string(i));
  }

  ps.unsubscribe("room:2");
  int64_t subscribers = -1;
  for (int i = 0; i < 100 && subscribers != 0; ++i) {
    auto n = run(ps.publish("room:2", "after"));
    ASSERT_TRUE(n);
    subscribers = *n;
    if (subscribers) std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(subscribers, 0);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(inbox.count("after"), 0u);
  EXPECT_EQ(inbox.gap_count("room:1"), 0u);  // nothing was lost
}

TEST_F(RedisClusterPubSub, ProbeNoticesANodeThatStopsAnswering) {
  auto opts = cluster_->options();
  opts.pubsub_ping_interval = 150ms;
  opts.pubsub_ping_timeout = 300ms;
  auto c = Cluster::start(opts);
  ASSERT_TRUE(c) << c.error().detail;
  Inbox inbox;
  PubSub ps(**c, inbox.handlers());
  const std::string ch = "probe:1";
  ps.subscribe(ch);
  ASSERT_TRUE(publish_until_received(ps, inbox, ch, "before", 5s));
  // Idle longer than the ping interval: pings are answered, nothing is lost.
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(inbox.gap_count(ch), 0u);
  // The master stops answering every client for 1.5 s: the pong is late -> gap, resubscribe.
  const int port = cluster_->master_port_for_slot(key_slot(ch));
  ASSERT_EQ(cluster_->cli(port, "client pause 1500 all"), "OK");
  const auto end = std::chrono::steady_clock::now() + 3s;
  while (inbox.gap_count(ch) == 0 && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(20ms);
  EXPECT_EQ(inbox.gap_count(ch), 1u);
  EXPECT_TRUE(publish_until_received(ps, inbox, ch, "after", 8s));
}

TEST_F(RedisClusterPubSub, PublishWithoutSubscribers) {
  auto c = Cluster::start(cluster_->options());
  ASSERT_TRUE(c) << c.error().detail;
  Inbox inbox;
  PubSub ps(**c, inbox.handlers());
  auto n = run(ps.publish("nobody:here", "x"));
  ASSERT_TRUE(n) << n.error().detail;
  EXPECT_EQ(*n, 0);
}

}  // namespace
}  // namespace parley::redis
