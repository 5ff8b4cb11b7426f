// Tests for redis::Cluster against a real 3 masters + 3 replicas cluster started by
// scripts/redis-cluster on free ports (one cluster for the suite; RedisCluster* names so that
// `ctest -R RedisCluster` selects them).
#include "redis/cluster.h"

#include <gtest/gtest.h>

#include <boost/asio/this_coro.hpp>
#include <thread>

#include "redis/slot.h"
#include "test_cluster.h"

namespace parley::redis {
namespace {

using namespace std::chrono_literals;
using test::run;

class RedisClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new test::TestCluster();
    if (!cluster_->up()) {
      setup_error_ = cluster_->error();
      return;
    }
    auto c = Cluster::start(cluster_->options());
    if (!c) {
      setup_error_ = c.error().detail;
      return;
    }
    client_ = std::move(c.value()).release();
  }
  static void TearDownTestSuite() {
    delete client_;
    client_ = nullptr;
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(client_) << "cluster: " << setup_error_; }

  static Reply ok(Result<Reply> r) {
    EXPECT_TRUE(r) << r.error().detail;
    return r ? std::move(r.value()) : Reply{};
  }

  static inline test::TestCluster* cluster_ = nullptr;
  static inline Cluster* client_ = nullptr;
  static inline std::string setup_error_;
};

TEST_F(RedisClusterTest, SetGetAcrossSlots) {
  constexpr int kKeys = 300;
  std::set<int> slots;
  for (int i = 0; i < kKeys; ++i) {
    const std::string key = "sg:" + std::to_string(i);
    slots.insert(key_slot(key));
    auto r = ok(run(client_->command(key, {"SET", key, "v" + std::to_string(i)})));
    ASSERT_EQ(r.type, Reply::Type::status);
    ASSERT_EQ(r.str, "OK");
  }
  for (int i = 0; i < kKeys; ++i) {
    const std::string key = "sg:" + std::to_string(i);
    auto r = ok(run(client_->command(key, {"GET", key})));
    ASSERT_EQ(r.str, "v" + std::to_string(i)) << key;
  }
  // The keys really are spread over every master.
  auto sizes = run(client_->on_all_masters({"DBSIZE"}));
  ASSERT_TRUE(sizes) << sizes.error().detail;
  ASSERT_EQ(sizes->size(), 3u);
  int64_t total = 0;
  for (const auto& s : *sizes) {
    EXPECT_GT(s.integer, 0);
    total += s.integer;
  }
  EXPECT_GE(total, kKeys);
  EXPECT_GT(slots.size(), 200u);
  auto missing = ok(run(client_->command("sg:none", {"GET", "sg:none"})));
  EXPECT_TRUE(missing.is_nil());
  auto wrong = ok(run(client_->command("sg:1", {"HGET", "sg:1", "f"})));
  EXPECT_TRUE(wrong.is_error());  // a Redis error is a reply, not an Error
  EXPECT_EQ(wrong.str.rfind("WRONGTYPE", 0), 0u) << wrong.str;
}

TEST_F(RedisClusterTest, PipelineKeepsOrder) {
  std::vector<Command> cmds;
  cmds.push_back({"DEL", "{pl}:n"});
  for (int i = 0; i < 200; ++i)
    cmds.push_back({"INCR", "{pl}:n"});
  cmds.push_back({"GET", "{pl}:n"});
  const auto before = client_->stats();
  auto r = run(client_->pipeline("{pl}", cmds));
  ASSERT_TRUE(r) << r.error().detail;
  ASSERT_EQ(r->size(), cmds.size());
  for (int i = 0; i < 200; ++i)
    ASSERT_EQ((*r)[static_cast<size_t>(i) + 1].integer, i + 1);
  EXPECT_EQ(r->back().str, "200");
  const auto after = client_->stats();
  EXPECT_EQ(after.commands - before.commands, cmds.size());
  EXPECT_EQ(after.round_trips - before.round_trips, 1u);  // one write, one answer
}

// A coroutine function, not a capturing lambda: a lambda's captures die with the lambda object,
// before the coroutine that uses them has finished.
asio::awaitable<void> incr_one(Cluster* c, std::string key, std::thread::id caller, int* done,
                               bool* wrong_thread) {
  Command cmd{"INCR", key};  // a braced list inside co_await trips GCC 12
  auto r = co_await c->command(key, std::move(cmd));
  if (std::this_thread::get_id() != caller) *wrong_thread = true;
  if (r && r->is_integer()) ++*done;
}

TEST_F(RedisClusterTest, ManyCommandsInFlightResumeOnTheCallersLoop) {
  asio::io_context ctx;
  const auto caller = std::this_thread::get_id();
  int done = 0;
  bool wrong_thread = false;
  constexpr int kN = 500;
  for (int i = 0; i < kN; ++i)
    asio::co_spawn(ctx,
                   incr_one(client_, "fl:" + std::to_string(i % 50), caller, &done, &wrong_thread),
                   asio::detached);
  ctx.run();
  EXPECT_EQ(done, kN);
  EXPECT_FALSE(wrong_thread);
  int64_t sum = 0;
  for (int k = 0; k < 50; ++k) {
    const std::string key = "fl:" + std::to_string(k);
    auto r = ok(run(client_->command(key, {"GET", key})));
    sum += std::stoll(r.str);
  }
  EXPECT_EQ(sum, kN);
}

TEST_F(RedisClusterTest, EvalLoadsTheScriptOnNoscript) {
  // A source no node has seen (the nonce), so the first EVALSHA must hit NOSCRIPT.
  const Script script("-- nonce " + std::to_string(std::random_device{}()) +
                      "\nredis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])");
  EXPECT_EQ(script.sha1().size(), 40u);
  const std::string key = "{ev}:k";
  const int port = cluster_->master_port_for_slot(key_slot(key));
  ASSERT_NE(port, 0);
  EXPECT_EQ(cluster_->cli(port, "script exists " + script.sha1()), "0");
  auto r = ok(run(client_->eval(script, {key}, {"hello"})));
  EXPECT_EQ(r.str, "hello");
  EXPECT_EQ(cluster_->cli(port, "script exists " + script.sha1()), "1");  // loaded by EVAL
  r = ok(run(client_->eval(script, {key}, {"again"})));                   // EVALSHA hits
  EXPECT_EQ(r.str, "again");
  // A script's error is an error reply.
  const Script bad("return redis.call('NOPE')");
  auto e = ok(run(client_->eval(bad, {key}, {})));
  EXPECT_TRUE(e.is_error());
  // The sha1 is the one Redis computes.
  const Script known("return 1");
  EXPECT_EQ(known.sha1(), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

TEST_F(RedisClusterTest, ReplicatedAckWaitsForAReplica) {
  auto r = run(client_->command("{rep}:a", {"SET", "{rep}:a", "1"}, Ack::replicated));
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->str, "OK");
  auto p = run(
      client_->pipeline("{rep}", {{"SET", "{rep}:b", "2"}, {"GET", "{rep}:b"}}, Ack::replicated));
  ASSERT_TRUE(p) << p.error().detail;
  ASSERT_EQ(p->size(), 2u);  // WAIT's own reply is not handed back
  EXPECT_EQ((*p)[1].str, "2");

  // Asking for more replicas than exist: the write is applied but not acknowledged as durable.
  auto opts = cluster_->options();
  opts.wait_replicas = 2;
  opts.wait_timeout = 100ms;
  auto strict = Cluster::start(opts);
  ASSERT_TRUE(strict) << strict.error().detail;
  auto n = run((*strict)->command("{rep}:c", {"SET", "{rep}:c", "3"}, Ack::replicated));
  ASSERT_FALSE(n);
  EXPECT_EQ(n.error().kind, Error::Kind::unavailable);
  EXPECT_NE(n.error().detail.find("not replicated"), std::string::npos) << n.error().detail;
}

TEST_F(RedisClusterTest, CommandTimeoutIsHonoured) {
  auto opts = cluster_->options();
  opts.command_timeout = 300ms;
  auto c = Cluster::start(opts);
  ASSERT_TRUE(c) << c.error().detail;
  const std::string key = "{to}:k";
  const int port = cluster_->master_port_for_slot(key_slot(key));
  // The master holds every client's writes for 1.5 s.
  ASSERT_EQ(cluster_->cli(port, "client pause 1500 write"), "OK");
  const auto t0 = std::chrono::steady_clock::now();
  auto r = run((*c)->command(key, {"SET", key, "x"}));
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::unavailable);
  EXPECT_GE(took, 290ms);
  EXPECT_LT(took, 1200ms);
  EXPECT_EQ((*c)->stats().timeouts, 1u);
  std::this_thread::sleep_for(1300ms);
  auto later = run((*c)->command(key, {"GET", key}));
  ASSERT_TRUE(later) << later.error().detail;
}

TEST_F(RedisClusterTest, StartFailsWithoutANode) {
  ClusterOptions o;
  o.seeds = {Endpoint{"127.0.0.1", 1}};
  o.connect_timeout = 200ms;
  auto c = Cluster::start(o);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, Error::Kind::unavailable);
  o.seeds.clear();
  EXPECT_EQ(Cluster::start(o).error().kind, Error::Kind::invalid);
}

}  // namespace
}  // namespace parley::redis
