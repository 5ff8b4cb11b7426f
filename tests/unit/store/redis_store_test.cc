// RedisStore's own behaviour on a real Redis Cluster (what store_contract_test.cc cannot see):
// one room's keys share one slot, sessions expire by TTL, registration leaves no claim with a
// TTL behind and clears stale claims; and failures (RedisFailover, each on a cluster of its
// own): kill -9 of a master while messages are appended loses none of the acknowledged ones,
// the whole cluster going away is Error::unavailable and the store recovers by itself, and a
// slot migration during writes loses nothing. Built only into parley-store-redis-tests.
#ifdef PARLEY_STORE_REDIS

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
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
  // Two replicas per master: after the promotion the new master still has a replica, so writes
  // that WAIT for one succeed again (with one replica they would get 503 until the node is back).
  test_util::RedisClusterProcess cluster{script_path(), 2};
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

  // The failed master's slots answer again (bounded wait: the promotion may still be settling).
  bool answered = false;
  for (int i = 0; i < 60 && !answered; ++i) {
    answered = run(store.get_room(rooms[0])).ok();
    if (!answered) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_TRUE(answered) << "the failed master's slots never answered again";
  // Every acknowledged message is there, with the timestamp it was acknowledged with.
  size_t missing = 0;
  for (const auto* list : {&acked_before_kill, &acked_after_kill}) {
    for (const chat::Message& m : *list) {
      auto got = run(store.get_message(m.room_id, m.id));
      if (!got.ok() || !got.value() || got.value()->timestamp != m.timestamp) {
        ++missing;
        std::printf("missing %s in %s (ts %lld): %s\n", m.id.c_str(), m.room_id.c_str(),
                    static_cast<long long>(m.timestamp),
                    !got.ok()     ? got.error().detail.c_str()
                    : got.value() ? "other timestamp"
                                  : "absent");
      }
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

TEST(RedisFailover, WholeClusterDownIsUnavailableAndTheStoreRecoversByItself) {
  test_util::RedisClusterProcess cluster{script_path()};
  auto opts = options_for(cluster.nodes());
  opts.cluster.command_timeout = std::chrono::milliseconds(1000);
  opts.cluster.connect_timeout = std::chrono::milliseconds(300);
  auto opened = RedisStore::open(opts);
  ASSERT_TRUE(opened.ok()) << opened.error().detail;
  RedisStore& store = *opened.value();
  chat::User u{"a00000000000000000000001", "A", "a@example.com", "h", "", 1};
  ASSERT_TRUE(run(store.create_user(u)).ok());

  test_util::run_command(cluster.script() + " down --dir " + cluster.dir().string());
  auto started = std::chrono::steady_clock::now();
  auto read = run(store.get_user(u.id));
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().kind, Error::Kind::unavailable);
  auto write = run(store.append_message(message(1, "b00000000000000000000001", 5)));
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.error().kind, Error::Kind::unavailable);
  // Bounded by the command timeout, not hanging.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));

  // The same nodes come back from their files; the store finds them without being reopened.
  test_util::run_command(cluster.script() + " up --base-port " +
                         std::to_string(cluster.base_port()) + " --dir " + cluster.dir().string());
  cluster.wait_for_replicas();
  std::optional<chat::User> back;
  for (int i = 0; i < 60 && !back; ++i) {
    auto r = run(store.get_user(u.id));
    if (r.ok()) back = r.value();
    if (!back) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ASSERT_TRUE(back.has_value()) << "the store did not recover after the cluster came back";
  EXPECT_EQ(back->email, "a@example.com");
  auto appended = run(store.append_message(message(2, "b00000000000000000000001", 5)));
  EXPECT_TRUE(appended.ok()) << appended.error().detail;
  store.close();
}

// The slot of a room moves to another master (redis-cli --cluster reshard) while messages are
// appended to it: the client follows ASK/MOVED (and TRYAGAIN while the room's keys are split
// between the nodes), and every acknowledged message is there, in strictly increasing order.
TEST(RedisFailover, SlotMigrationDuringWritesLosesNothing) {
  test_util::RedisClusterProcess cluster{script_path()};
  auto opts = options_for(cluster.nodes());
  auto opened = RedisStore::open(opts);
  ASSERT_TRUE(opened.ok()) << opened.error().detail;
  RedisStore& store = *opened.value();

  // A room in the first 40 slots: redis-cli reshard moves a master's lowest slots first.
  chat::Id room;
  for (int n = 0; n < 20000 && room.empty(); ++n) {
    chat::Id id = "b" + std::string(23 - std::to_string(n).size(), '0') + std::to_string(n);
    std::string key = store.keys().room(id);
    auto slot = run(store.cluster().command(key, {"CLUSTER", "KEYSLOT", key}));
    ASSERT_TRUE(slot.ok());
    if (slot->integer < 40) room = id;
  }
  ASSERT_FALSE(room.empty());
  const int source_port = master_port_for(store, store.keys().room(room));
  ASSERT_GT(source_port, 0);
  auto myid = [](int port) {
    std::string id = test_util::run_command("redis-cli -h 127.0.0.1 -p " + std::to_string(port) +
                                            " cluster myid");
    return id.substr(0, id.find_first_of("\r\n"));
  };
  int target_port = 0;
  for (int p = cluster.base_port(); p < cluster.base_port() + 6 && !target_port; ++p) {
    if (p == source_port) continue;
    std::string role =
        test_util::run_command("redis-cli -h 127.0.0.1 -p " + std::to_string(p) + " role");
    if (role.rfind("master", 0) == 0) target_port = p;
  }
  ASSERT_GT(target_port, 0);
  const std::string reshard =
      "redis-cli --cluster reshard 127.0.0.1:" + std::to_string(source_port) + " --cluster-from " +
      myid(source_port) + " --cluster-to " + myid(target_port) +
      " --cluster-slots 40 --cluster-yes";

  std::atomic<bool> moved{false};
  std::string reshard_error;
  std::thread mover([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    try {
      test_util::run_command(reshard);
    } catch (const std::exception& e) {
      reshard_error = e.what();
    }
    moved = true;
  });

  using Clock = std::chrono::steady_clock;
  const auto stop_at = Clock::now() + std::chrono::seconds(30);
  std::vector<chat::Message> acked;
  int failed = 0, n = 0;
  std::optional<Clock::time_point> moved_at;
  auto load = [&]() -> asio::awaitable<void> {
    while (Clock::now() < stop_at) {
      if (moved && !moved_at) moved_at = Clock::now();
      if (moved_at && Clock::now() - *moved_at > std::chrono::milliseconds(500)) break;
      auto r = co_await store.append_message(message(++n, room, 1000));
      if (r.ok()) {
        acked.push_back(r.value());
      } else {
        ++failed;
      }
    }
  };
  for (int w = 0; w < 4; ++w)
    asio::co_spawn(test_loop(), load(), rethrow_if);
  test_loop().restart();
  test_loop().run();
  mover.join();
  ASSERT_TRUE(reshard_error.empty()) << reshard_error;

  EXPECT_EQ(master_port_for(store, store.keys().room(room)), target_port);
  auto stats = store.cluster().stats();
  std::printf("migration: %zu acked, %d failed, %llu MOVED, %llu ASK, %llu retries\n", acked.size(),
              failed, static_cast<unsigned long long>(stats.moved),
              static_cast<unsigned long long>(stats.ask),
              static_cast<unsigned long long>(stats.retries));
  EXPECT_GT(stats.moved + stats.ask, 0u) << "the writes never met the migration";
  EXPECT_GT(acked.size(), 20u);
  size_t missing = 0;
  for (const chat::Message& m : acked) {
    auto got = run(store.get_message(m.room_id, m.id));
    if (!got.ok() || !got.value() || got.value()->timestamp != m.timestamp) ++missing;
  }
  EXPECT_EQ(missing, 0u);
  auto page = run(store.fetch_messages(room, INT64_MAX, 100'000, "", 0));
  ASSERT_TRUE(page.ok()) << page.error().detail;
  EXPECT_GE(page->messages.size(), acked.size());
  for (size_t i = 1; i < page->messages.size(); ++i)
    ASSERT_LT(page->messages[i - 1].timestamp, page->messages[i].timestamp);
  store.close();
}

}  // namespace
}  // namespace parley::store::redis

#endif  // PARLEY_STORE_REDIS
