// RedisStore's own behaviour on a real Redis Cluster (what store_contract_test.cc cannot see):
// one room's keys share one slot, sessions expire by TTL, registration leaves no claim with a
// TTL behind and clears stale claims, and the failover test: kill -9 of a master while messages
// are appended loses none of the acknowledged ones. Built only into parley-store-redis-tests.
#ifdef PARLEY_STORE_REDIS

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "redis_cluster_process.h"
#include "store/redis/redis_store.h"
#include "store_test_util.h"

namespace parley::store::redis {
namespace {

using parley::redis::Reply;
using sqlite::test_util::rethrow_if;
using sqlite::test_util::run;
using sqlite::test_util::test_loop;

std::string script_path() {
  return std::string(PARLEY_SOURCE_DIR) + "/scripts/redis-cluster";
}

RedisStore::Options options_for(const std::string& nodes) {
  RedisStore::Options o;
  auto seeds = parley::redis::parse_endpoints(nodes);
  if (!seeds) throw std::runtime_error(seeds.error().detail);
  o.cluster.seeds = std::move(seeds.value());
  o.cluster.wait_replicas = 1;
  o.cluster.wait_timeout = std::chrono::milliseconds(1000);
  o.cluster.command_timeout = std::chrono::milliseconds(5000);
  o.session_ttl_ms = 120'000;
  o.touch_write_interval_ms = 60'000;
  return o;
}

class RedisStoreTest : public ::testing::Test {
 protected:
  static test_util::RedisClusterProcess& cluster() {
    static test_util::RedisClusterProcess c{script_path()};
    return c;
  }
  void SetUp() override {
    auto r = RedisStore::open(options_for(cluster().nodes()));
    ASSERT_TRUE(r.ok()) << r.error().detail;
    store_ = std::move(r.value());
    auto flushed = run(store_->cluster().on_all_masters({"FLUSHALL"}));
    ASSERT_TRUE(flushed.ok()) << flushed.error().detail;
  }
  void TearDown() override {
    if (store_) store_->close();
  }
  Reply raw(std::string key, parley::redis::Command cmd) {
    auto r = run(store_->cluster().command(key, std::move(cmd)));
    EXPECT_TRUE(r.ok()) << r.error().detail;
    return r.ok() ? r.value() : Reply{};
  }
  int64_t slot_of(const std::string& key) { return raw(key, {"CLUSTER", "KEYSLOT", key}).integer; }
  std::unique_ptr<RedisStore> store_;
};

chat::Message message(int n, const chat::Id& room, Millis ts) {
  chat::Message m;
  m.id = "c" + std::string(23 - std::to_string(n).size(), '0') + std::to_string(n);
  m.room_id = room;
  m.content = "m" + std::to_string(n);
  m.sender_id = std::string(24, 'a');
  m.timestamp = ts;
  return m;
}

TEST_F(RedisStoreTest, OneRoomsKeysShareOneSlot) {
  const Keys& k = store_->keys();
  const std::string room = "65f000000000000000000001";
  const std::string msg = "65f0000000000000000000aa";
  int64_t slot = slot_of(k.room(room));
  for (const std::string& key :
       {k.participants(room), k.timeline(room), k.last_ts(room), k.message(room, msg),
        k.readers(room, msg), k.reactions(room, msg)}) {
    EXPECT_EQ(slot_of(key), slot) << key;
  }
  // ... and the room list indexes share theirs, the user's keys theirs.
  EXPECT_EQ(slot_of(k.rooms_by_name()), slot_of(k.rooms_by_created()));
  EXPECT_EQ(slot_of(k.rooms_by_count()), slot_of(k.rooms_search_names()));
  EXPECT_EQ(slot_of(k.session("u1")), slot_of(k.user("u1")));
  EXPECT_EQ(slot_of(k.user_rooms("u1")), slot_of(k.user("u1")));
}

TEST_F(RedisStoreTest, SessionsExpireByTtlAndTouchesRenewIt) {
  const std::string user = std::string(24, 'a');
  ASSERT_TRUE(run(store_->replace_session({user, "s1", 1000, 1000, "", ""})).ok());
  const std::string key = store_->keys().session(user);
  int64_t ttl = raw(key, {"PTTL", key}).integer;
  EXPECT_GT(ttl, 100'000);
  EXPECT_LE(ttl, 120'000);
  // Let the TTL run down a little, then a touch older than the interval renews it.
  ASSERT_TRUE(raw(key, {"PEXPIRE", key, "5000"}).integer == 1);
  ASSERT_TRUE(run(store_->touch_session(user, "s1", 100'000)).ok());
  EXPECT_GT(raw(key, {"PTTL", key}).integer, 100'000);
  EXPECT_EQ(raw(key, {"HGET", key, "last"}).str, "100000");
  // A coalesced touch (inside the interval) writes nothing.
  ASSERT_TRUE(run(store_->touch_session(user, "s1", 130'000)).ok());
  EXPECT_EQ(raw(key, {"HGET", key, "last"}).str, "100000");
  EXPECT_EQ(run(store_->get_session(user)).value()->last_activity, 130'000);
  // Once the key expires the session is gone.
  ASSERT_TRUE(raw(key, {"PEXPIRE", key, "1"}).integer == 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(run(store_->get_session(user)).value().has_value());
}

TEST_F(RedisStoreTest, RegistrationLeavesAPermanentClaimAndClearsStaleOnes) {
  chat::User u{"a00000000000000000000001", "A", "a@example.com", "h", "", 1};
  ASSERT_TRUE(run(store_->create_user(u)).ok());
  const std::string email = store_->keys().email("a@example.com");
  EXPECT_EQ(raw(email, {"PTTL", email}).integer, -1);
  EXPECT_EQ(raw(email, {"GET", email}).str, u.id);

  // A stale claim: permanent, but its user is gone (a delete interrupted before the email).
  const std::string stale = store_->keys().email("b@example.com");
  ASSERT_EQ(raw(stale, {"SET", stale, "a00000000000000000000099"}).str, "OK");
  EXPECT_FALSE(run(store_->find_user_by_email("b@example.com")).value().has_value());
  chat::User b{"a00000000000000000000002", "B", "b@example.com", "h", "", 2};
  ASSERT_TRUE(run(store_->create_user(b)).ok());
  EXPECT_EQ(run(store_->find_user_by_email("b@example.com")).value()->id, b.id);

  // A claim in progress (with its TTL: a registration between its steps) is respected.
  const std::string pending = store_->keys().email("c@example.com");
  ASSERT_EQ(raw(pending, {"SET", pending, "a00000000000000000000098", "PX", "30000"}).str, "OK");
  chat::User c{"a00000000000000000000003", "C", "c@example.com", "h", "", 3};
  auto r = run(store_->create_user(c));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::conflict);
  EXPECT_FALSE(run(store_->get_user(c.id)).value().has_value());
}

TEST_F(RedisStoreTest, KeyPrefixesSeparateDeployments) {
  auto o = options_for(cluster().nodes());
  o.key_prefix = "other:";
  auto other = RedisStore::open(o);
  ASSERT_TRUE(other.ok());
  chat::User u{"a00000000000000000000001", "A", "a@example.com", "h", "", 1};
  ASSERT_TRUE(run(store_->create_user(u)).ok());
  EXPECT_FALSE(run(other.value()->find_user_by_email("a@example.com")).value().has_value());
  ASSERT_TRUE(run(other.value()->create_user(u)).ok());
  other.value()->close();
  o.key_prefix = "bad{prefix}";
  EXPECT_FALSE(RedisStore::open(o).ok());
}

TEST_F(RedisStoreTest, UnreachableClusterIsUnavailableNotACrash) {
  // A seed list with nothing listening: start-up fails with unavailable.
  auto o = options_for("127.0.0.1:1");
  o.cluster.connect_timeout = std::chrono::milliseconds(300);
  auto r = RedisStore::open(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::unavailable);
}

// ---- failover

// The master serving `key`'s slot: its port (from CLUSTER NODES' "myself" line, asked of the
// node the client routes the key to).
int master_port_for(RedisStore& store, const std::string& key) {
  auto r = run(store.cluster().command(key, {"CLUSTER", "NODES"}));
  if (!r || !r->is_string()) return 0;
  std::istringstream lines(r->str);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find("myself") == std::string::npos) continue;
    std::istringstream f(line);
    std::string id, addr;
    f >> id >> addr;  // addr: 127.0.0.1:port@bus
    return std::stoi(addr.substr(addr.find(':') + 1, addr.find('@') - addr.find(':') - 1));
  }
  return 0;
}

TEST(RedisFailover, KillingAMasterLosesNoAcknowledgedMessage) {
  test_util::RedisClusterProcess cluster{script_path()};
  auto opts = options_for(cluster.nodes());
  opts.cluster.command_timeout = std::chrono::milliseconds(3000);
  auto opened = RedisStore::open(opts);
  ASSERT_TRUE(opened.ok()) << opened.error().detail;
  RedisStore& store = *opened.value();

  // Rooms spread over the slots; the victim is the master of the first room.
  std::vector<chat::Id> rooms;
  for (int i = 0; i < 6; ++i)
    rooms.push_back("b" + std::string(22, '0') + std::to_string(i));
  const int victim_port = master_port_for(store, store.keys().room(rooms[0]));
  ASSERT_GT(victim_port, 0);
  std::ifstream pidfile(cluster.dir() / std::to_string(victim_port) / "redis.pid");
  pid_t victim = 0;
  pidfile >> victim;
  ASSERT_GT(victim, 0);

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const auto kill_at = start + std::chrono::milliseconds(1500);
  const auto stop_at = start + std::chrono::seconds(20);
  std::vector<chat::Message> acked_before_kill, acked_after_kill;
  int failed = 0, n = 0;
  bool killed = false;
  auto load = [&](int writer) -> asio::awaitable<void> {
    asio::steady_timer pause(co_await asio::this_coro::executor);
    while (Clock::now() < stop_at) {
      if (!killed && Clock::now() >= kill_at) {
        ::kill(victim, SIGKILL);  // the process we started, by PID
        killed = true;
      }
      chat::Message m = message(++n, rooms[static_cast<size_t>(writer) % rooms.size()], 1000);
      auto r = co_await store.append_message(m);
      if (r.ok()) {
        (killed ? acked_after_kill : acked_before_kill).push_back(r.value());
      } else {
        ++failed;
        pause.expires_after(std::chrono::milliseconds(50));
        co_await pause.async_wait(asio::use_awaitable);
      }
      // Enough acknowledged writes after the promotion: stop early.
      if (acked_after_kill.size() >= 200) break;
    }
  };
  for (int w = 0; w < 6; ++w)
    asio::co_spawn(test_loop(), load(w), rethrow_if);
  test_loop().restart();
  test_loop().run();

  ASSERT_TRUE(killed);
  EXPECT_GT(acked_before_kill.size(), 50u);
  // The cluster came back (a replica was promoted) and writes to the victim's slots went on.
  size_t victim_room_after = 0;
  for (const auto& m : acked_after_kill)
    victim_room_after += m.room_id == rooms[0];
  EXPECT_GT(victim_room_after, 0u) << "no write to the failed master's slot succeeded";
  std::printf("failover: %zu acked before kill -9, %zu after, %d failed in between\n",
              acked_before_kill.size(), acked_after_kill.size(), failed);

  // Every acknowledged message is there, with the timestamp it was acknowledged with.
  size_t missing = 0;
  for (const auto* list : {&acked_before_kill, &acked_after_kill}) {
    for (const chat::Message& m : *list) {
      auto got = run(store.get_message(m.room_id, m.id));
      if (!got.ok() || !got.value() || got.value()->timestamp != m.timestamp) ++missing;
    }
  }
  EXPECT_EQ(missing, 0u);
  // Timestamps still strictly increase per room across the failover.
  for (const auto& room : rooms) {
    auto page = run(store.fetch_messages(room, INT64_MAX, 100'000, "", 0));
    ASSERT_TRUE(page.ok()) << page.error().detail;
    for (size_t i = 1; i < page->messages.size(); ++i)
      ASSERT_LT(page->messages[i - 1].timestamp, page->messages[i].timestamp);
  }
  store.close();
}

}  // namespace
}  // namespace parley::store::redis

#endif  // PARLEY_STORE_REDIS
