// The Store contract: every behaviour a caller of store::Store relies on, run against each
// implementation (SQLite in a fresh temporary directory; Redis Cluster on a real 3+3 cluster
// started for this test binary, flushed before each test). Implementation internals (SQLite's
// group commit and schema, Redis keys and TTLs) are tested in their own files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "store/sqlite/sqlite_store.h"
#include "store_records.h"
#include "store_test_util.h"
#ifdef PARLEY_STORE_REDIS
#include "redis_cluster_process.h"
#include "store/redis/redis_store.h"
#endif

namespace parley::store {
namespace {

using sqlite::test_util::rethrow_if;
using sqlite::test_util::run;
using sqlite::test_util::TempDir;
using sqlite::test_util::test_loop;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

// ---- backends

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Store& store() = 0;
  // close() and open again on the same data (a server restart).
  virtual void reopen() = 0;
};

class SqliteBackend final : public Backend {
 public:
  SqliteBackend() { open(); }
  ~SqliteBackend() override {
    if (store_) store_->close();
  }
  Store& store() override { return *store_; }
  void reopen() override {
    store_->close();
    store_.reset();
    open();
  }

 private:
  void open() {
    sqlite::SqliteStore::Options o;
    o.path = dir_.file("parley.sqlite3");
    auto r = sqlite::SqliteStore::open(o);
    if (!r) throw std::runtime_error(r.error().detail);
    store_ = std::move(r.value());
  }
  TempDir dir_;
  std::unique_ptr<sqlite::SqliteStore> store_;
};

#ifdef PARLEY_STORE_REDIS
// One cluster for the whole binary: started on first use, stopped at exit (by PID, via the
// script) by the environment below.
test_util::RedisClusterProcess& shared_cluster() {
  static test_util::RedisClusterProcess cluster{std::string(PARLEY_SOURCE_DIR) +
                                                "/scripts/redis-cluster"};
  return cluster;
}

redis::RedisStore::Options redis_options() {
  redis::RedisStore::Options o;
  auto seeds = parley::redis::parse_endpoints(shared_cluster().nodes());
  if (!seeds) throw std::runtime_error(seeds.error().detail);
  o.cluster.seeds = std::move(seeds.value());
  o.cluster.wait_replicas = 1;
  o.cluster.wait_timeout = std::chrono::milliseconds(1000);
  o.cluster.command_timeout = std::chrono::milliseconds(5000);
  return o;
}

class RedisBackend final : public Backend {
 public:
  RedisBackend() {
    open();
    auto flushed = run(store_->cluster().on_all_masters({"FLUSHALL"}));
    if (!flushed) throw std::runtime_error("FLUSHALL: " + flushed.error().detail);
  }
  ~RedisBackend() override {
    if (store_) store_->close();
  }
  Store& store() override { return *store_; }
  void reopen() override {
    store_->close();
    store_.reset();
    open();
  }

 private:
  void open() {
    auto r = redis::RedisStore::open(redis_options());
    if (!r) throw std::runtime_error(r.error().detail);
    store_ = std::move(r.value());
  }
  std::unique_ptr<redis::RedisStore> store_;
};
#endif

struct BackendFactory {
  std::string name;
  std::function<std::unique_ptr<Backend>()> make;
};

// ---- records

using test_records::make_id;
using test_records::make_message;
using test_records::make_room;
using test_records::make_user;

class StoreContract : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    try {
      backend_ = GetParam().make();
    } catch (const std::exception& e) {
      FAIL() << GetParam().name << " backend did not start: " << e.what();
    }
  }
  Store& s() { return backend_->store(); }

  void add_user(int n) {
    auto r = run(s().create_user(make_user(n)));
    ASSERT_TRUE(r.ok()) << r.error().detail;
  }
  void add_room(const chat::Room& room) {
    auto r = run(s().create_room(room));
    ASSERT_TRUE(r.ok()) << r.error().detail;
  }
  chat::Message append(const chat::Message& m) {
    auto r = run(s().append_message(m));
    EXPECT_TRUE(r.ok()) << r.error().detail;
    return r.ok() ? r.value() : chat::Message{};
  }
  std::optional<chat::Message> message(const Id& room, const Id& id) {
    auto r = run(s().get_message(room, id));
    EXPECT_TRUE(r.ok());
    return r.ok() ? r.value() : std::nullopt;
  }
  std::vector<Id> list_ids(RoomQuery q, int64_t* total = nullptr) {
    auto r = run(s().list_rooms(q));
    EXPECT_TRUE(r.ok());
    std::vector<Id> ids;
    if (!r.ok()) return ids;
    for (const auto& room : r->rooms)
      ids.push_back(room.id);
    if (total) *total = r->total;
    return ids;
  }

  std::unique_ptr<Backend> backend_;
};

// ---- lifecycle

TEST_P(StoreContract, Ping) {
  auto r = run(s().ping());
  ASSERT_TRUE(r.ok()) << r.error().detail;
  EXPECT_GE(r.value(), 0);
}

TEST_P(StoreContract, DataSurvivesReopen) {
  add_user(1);
  add_room(make_room(1, "Persistent", 500, {make_id('a', 1)}));
  chat::Message m = make_message(1, make_id('b', 1), 2000);
  m.mentions = {"wayneAI", "user \"quoted\""};
  m.metadata_json = R"({"query":"x"})";
  m = append(m);
  ASSERT_TRUE(run(s().mark_read(m.room_id, {m.id}, make_id('a', 2), 2500)).ok());
  ASSERT_TRUE(run(s().update_reaction(m.room_id, m.id, "👍", make_id('a', 2), true)).ok());
  ASSERT_TRUE(run(s().replace_session({make_id('a', 1), "s1", 10, 20, "ua", "ip"})).ok());

  backend_->reopen();

  auto user = run(s().find_user_by_email("user1@example.com"));
  ASSERT_TRUE(user.ok() && user.value());
  EXPECT_EQ(user.value()->name, "User 1");
  EXPECT_EQ(user.value()->created_at, 1001);
  auto room = run(s().get_room(make_id('b', 1)));
  ASSERT_TRUE(room.ok() && room.value());
  EXPECT_EQ(room.value()->name, "Persistent");
  auto g = message(m.room_id, m.id);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->content, "message 1");
  EXPECT_EQ(g->timestamp, 2000);
  EXPECT_EQ(g->metadata_json, R"({"query":"x"})");
  EXPECT_THAT(g->mentions, ElementsAre("wayneAI", "user \"quoted\""));
  ASSERT_EQ(g->readers.size(), 1u);
  EXPECT_EQ(g->readers[0].user_id, make_id('a', 2));
  EXPECT_EQ(g->readers[0].read_at, 2500);
  EXPECT_THAT(g->reactions.at("👍"), ElementsAre(make_id('a', 2)));
  auto session = run(s().get_session(make_id('a', 1)));
  ASSERT_TRUE(session.ok() && session.value());
  EXPECT_EQ(session.value()->session_id, "s1");
  // Timestamps keep increasing after a restart.
  EXPECT_EQ(append(make_message(2, make_id('b', 1), 1000)).timestamp, 2001);
}

TEST_P(StoreContract, OperationsAfterCloseAreUnavailable) {
  s().close();
  s().close();
  auto w = run(s().create_user(make_user(1)));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind, Error::Kind::unavailable);
  auto r = run(s().get_user(make_id('a', 1)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::unavailable);
  EXPECT_FALSE(run(s().touch_session(make_id('a', 1), "s", 1)).ok());
}

// ---- users

TEST_P(StoreContract, CreateAndFindUsers) {
  add_user(1);
  add_user(2);
  auto by_email = run(s().find_user_by_email("user2@example.com"));
  ASSERT_TRUE(by_email.ok());
  ASSERT_TRUE(by_email.value().has_value());
  EXPECT_EQ(by_email.value()->id, make_id('a', 2));
  EXPECT_EQ(by_email.value()->password_hash, "$argon2id$hash2");
  EXPECT_EQ(by_email.value()->name, "User 2");
  EXPECT_EQ(by_email.value()->created_at, 1002);
  EXPECT_FALSE(run(s().find_user_by_email("nobody@example.com")).value().has_value());

  auto by_id = run(s().get_user(make_id('a', 1)));
  ASSERT_TRUE(by_id.ok() && by_id.value());
  EXPECT_EQ(by_id.value()->email, "user1@example.com");
  EXPECT_FALSE(run(s().get_user(make_id('a', 9))).value().has_value());

  auto many = run(s().get_users({make_id('a', 2), make_id('a', 9), make_id('a', 1)}));
  ASSERT_TRUE(many.ok());
  ASSERT_EQ(many->size(), 2u);
  EXPECT_EQ((*many)[0].id, make_id('a', 2));
  EXPECT_EQ((*many)[1].id, make_id('a', 1));
  EXPECT_THAT(run(s().get_users({})).value(), IsEmpty());
}

TEST_P(StoreContract, DuplicateEmailOrIdIsConflictAndLeavesNothing) {
  add_user(1);
  chat::User same_email = make_user(2);
  same_email.email = "user1@example.com";
  auto r = run(s().create_user(same_email));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::conflict);
  EXPECT_FALSE(run(s().get_user(make_id('a', 2))).value().has_value());

  chat::User same_id = make_user(1);
  same_id.email = "other@example.com";
  r = run(s().create_user(same_id));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::conflict);

  // The failed writes left nothing behind: the other email is free, the first user unchanged.
  EXPECT_FALSE(run(s().find_user_by_email("other@example.com")).value().has_value());
  EXPECT_EQ(run(s().get_user(make_id('a', 1))).value()->email, "user1@example.com");
  chat::User takes_other = make_user(3);
  takes_other.email = "other@example.com";
  ASSERT_TRUE(run(s().create_user(takes_other)).ok());
}

TEST_P(StoreContract, ConcurrentRegistrationsOfOneEmailHaveExactlyOneWinner) {
  constexpr int kRacers = 16;
  int wins = 0, conflicts = 0, other = 0;
  for (int i = 0; i < kRacers; ++i) {
    asio::co_spawn(
        test_loop(),
        [&, i]() -> asio::awaitable<void> {
          chat::User u = make_user(100 + i);
          u.email = "race@example.com";
          auto r = co_await s().create_user(u);
          if (r.ok()) {
            ++wins;
          } else if (r.error().kind == Error::Kind::conflict) {
            ++conflicts;
          } else {
            ++other;
          }
        },
        rethrow_if);
  }
  test_loop().restart();
  test_loop().run();
  EXPECT_EQ(wins, 1);
  EXPECT_EQ(conflicts, kRacers - 1);
  EXPECT_EQ(other, 0);
  auto winner = run(s().find_user_by_email("race@example.com"));
  ASSERT_TRUE(winner.ok() && winner.value());
  // No orphan records: only the winner exists.
  int present = 0;
  for (int i = 0; i < kRacers; ++i) {
    auto u = run(s().get_user(make_id('a', 100 + i)));
    ASSERT_TRUE(u.ok());
    if (u.value()) {
      ++present;
      EXPECT_EQ(u.value()->id, winner.value()->id);
    }
  }
  EXPECT_EQ(present, 1);
}

TEST_P(StoreContract, UpdateUserFields) {
  add_user(1);
  Id id = make_id('a', 1);
  ASSERT_TRUE(run(s().update_user_name(id, "  New Name ")).ok());
  ASSERT_TRUE(run(s().update_user_password(id, "newhash")).ok());
  ASSERT_TRUE(run(s().update_user_profile_image(id, "/api/uploads/profiles/x.png")).ok());
  auto u = run(s().get_user(id));
  ASSERT_TRUE(u.ok() && u.value());
  EXPECT_EQ(u.value()->name, "  New Name ");
  EXPECT_EQ(u.value()->password_hash, "newhash");
  EXPECT_EQ(u.value()->profile_image, "/api/uploads/profiles/x.png");
  EXPECT_EQ(run(s().find_user_by_email("user1@example.com")).value()->name, "  New Name ");

  for (auto missing : {run(s().update_user_name(make_id('a', 9), "x")),
                       run(s().update_user_password(make_id('a', 9), "x")),
                       run(s().update_user_profile_image(make_id('a', 9), "x"))}) {
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().kind, Error::Kind::not_found);
  }
  EXPECT_FALSE(run(s().get_user(make_id('a', 9))).value().has_value());
}

TEST_P(StoreContract, DeleteUserRemovesSessionAndMembershipButKeepsMessages) {
  add_user(1);
  add_user(2);
  Id u1 = make_id('a', 1), u2 = make_id('a', 2);
  ASSERT_TRUE(run(s().replace_session({u1, "s1", 1, 1, "ua", "ip"})).ok());
  add_room(make_room(1, "Room", 1, {u2, u1}));
  add_room(make_room(2, "Joined later", 2, {u2}));
  ASSERT_TRUE(run(s().add_participant(make_id('b', 2), u1)).ok());
  chat::Message m = make_message(1, make_id('b', 1), 10);
  m.sender_id = u1;
  append(m);

  ASSERT_TRUE(run(s().delete_user(u1)).ok());
  EXPECT_FALSE(run(s().get_user(u1)).value().has_value());
  EXPECT_FALSE(run(s().find_user_by_email("user1@example.com")).value().has_value());
  EXPECT_FALSE(run(s().get_session(u1)).value().has_value());
  EXPECT_THAT(run(s().get_room(make_id('b', 1))).value()->participant_ids, ElementsAre(u2));
  EXPECT_THAT(run(s().get_room(make_id('b', 2))).value()->participant_ids, ElementsAre(u2));
  auto kept = message(m.room_id, m.id);
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->sender_id, u1);
  // The email is free again; deleting an unknown user is fine.
  add_user(1);
  EXPECT_TRUE(run(s().delete_user(make_id('a', 9))).ok());
  EXPECT_TRUE(run(s().get_user(u2)).value().has_value());
}

// ---- sessions

TEST_P(StoreContract, ReplaceAndGetSession) {
  Id u = make_id('a', 1);
  EXPECT_FALSE(run(s().get_session(u)).value().has_value());
  ASSERT_TRUE(run(s().replace_session({u, "s1", 100, 100, "agent1", "1.1.1.1"})).ok());
  ASSERT_TRUE(run(s().replace_session({u, "s2", 200, 250, "agent2", "2.2.2.2"})).ok());
  auto got = run(s().get_session(u));
  ASSERT_TRUE(got.ok() && got.value());
  EXPECT_EQ(got.value()->user_id, u);
  EXPECT_EQ(got.value()->session_id, "s2");
  EXPECT_EQ(got.value()->created_at, 200);
  EXPECT_EQ(got.value()->last_activity, 250);
  EXPECT_EQ(got.value()->user_agent, "agent2");
  EXPECT_EQ(got.value()->ip_address, "2.2.2.2");
  // The replaced session is gone: deleting it does nothing.
  EXPECT_FALSE(run(s().delete_session(u, "s1")).value());
  EXPECT_FALSE(run(s().get_session(make_id('a', 2))).value().has_value());
}

TEST_P(StoreContract, TouchSessionRaisesActivityOfTheCurrentSessionOnly) {
  Id u = make_id('a', 1);
  ASSERT_TRUE(run(s().replace_session({u, "s1", 1000, 1000, "", ""})).ok());
  // get_session sees the freshest activity even when the write is coalesced.
  ASSERT_TRUE(run(s().touch_session(u, "s1", 30'000)).ok());
  EXPECT_EQ(run(s().get_session(u)).value()->last_activity, 30'000);
  ASSERT_TRUE(run(s().touch_session(u, "s1", 90'000)).ok());
  EXPECT_EQ(run(s().get_session(u)).value()->last_activity, 90'000);
  // Going backwards never lowers it.
  ASSERT_TRUE(run(s().touch_session(u, "s1", 50'000)).ok());
  EXPECT_EQ(run(s().get_session(u)).value()->last_activity, 90'000);
  // Another session id does not touch the current session.
  ASSERT_TRUE(run(s().touch_session(u, "stale", 900'000)).ok());
  EXPECT_EQ(run(s().get_session(u)).value()->last_activity, 90'000);
  EXPECT_EQ(run(s().get_session(u)).value()->session_id, "s1");
  // Touching a user without a session creates none.
  ASSERT_TRUE(run(s().touch_session(make_id('a', 2), "x", 5)).ok());
  EXPECT_FALSE(run(s().get_session(make_id('a', 2))).value().has_value());
  // A clean restart keeps activity that was coalesced.
  ASSERT_TRUE(run(s().touch_session(u, "s1", 95'000)).ok());
  backend_->reopen();
  EXPECT_EQ(run(s().get_session(u)).value()->last_activity, 95'000);
}

TEST_P(StoreContract, DeleteSessionOnlyIfItMatches) {
  Id u = make_id('a', 1);
  ASSERT_TRUE(run(s().replace_session({u, "current", 1, 1, "", ""})).ok());
  auto wrong = run(s().delete_session(u, "old"));
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(wrong.value());
  EXPECT_TRUE(run(s().get_session(u)).value().has_value());

  auto right = run(s().delete_session(u, "current"));
  ASSERT_TRUE(right.ok());
  EXPECT_TRUE(right.value());
  EXPECT_FALSE(run(s().get_session(u)).value().has_value());
  EXPECT_FALSE(run(s().delete_session(u, "current")).value());
}

// ---- rooms

TEST_P(StoreContract, CreateAndGetRoom) {
  Id a = make_id('a', 1), b = make_id('a', 2);
  chat::Room r = make_room(1, "General", 1234, {a, b, a});
  r.password_hash = "$argon2id$room";
  add_room(r);
  auto got = run(s().get_room(r.id));
  ASSERT_TRUE(got.ok() && got.value());
  EXPECT_EQ(got.value()->id, r.id);
  EXPECT_EQ(got.value()->name, "General");
  EXPECT_EQ(got.value()->creator_id, a);
  EXPECT_EQ(got.value()->created_at, 1234);
  EXPECT_TRUE(got.value()->has_password());
  EXPECT_EQ(got.value()->password_hash, "$argon2id$room");
  EXPECT_THAT(got.value()->participant_ids, ElementsAre(a, b));
  EXPECT_FALSE(run(s().get_room(make_id('b', 9))).value().has_value());

  auto dup = run(s().create_room(r));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().kind, Error::Kind::conflict);
  int64_t total = 0;
  RoomQuery q;
  EXPECT_THAT(list_ids(q, &total), ElementsAre(r.id));
  EXPECT_EQ(total, 1);
}

TEST_P(StoreContract, NewestRoomCreatedAt) {
  EXPECT_FALSE(run(s().newest_room_created_at()).value().has_value());
  add_room(make_room(1, "one", 300, {}));
  add_room(make_room(2, "two", 1'730'000'000'700, {}));
  add_room(make_room(3, "three", 500, {}));
  EXPECT_EQ(run(s().newest_room_created_at()).value(), std::optional<Millis>(1'730'000'000'700));
}

TEST_P(StoreContract, ParticipantsAreIdempotentAndKeepJoinOrder) {
  Id a = make_id('a', 1), b = make_id('a', 2), c = make_id('a', 3);
  Id r = make_id('b', 1);
  add_room(make_room(1, "Room", 1, {a}));

  auto added = run(s().add_participant(r, b));
  ASSERT_TRUE(added.ok());
  EXPECT_TRUE(added->changed);
  EXPECT_EQ(added->room.id, r);
  EXPECT_EQ(added->room.name, "Room");
  EXPECT_THAT(added->room.participant_ids, ElementsAre(a, b));

  auto again = run(s().add_participant(r, b));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
  EXPECT_THAT(again->room.participant_ids, ElementsAre(a, b));

  ASSERT_TRUE(run(s().add_participant(r, c)).ok());
  auto removed = run(s().remove_participant(r, a));
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed->changed);
  EXPECT_THAT(removed->room.participant_ids, ElementsAre(b, c));

  auto removed_again = run(s().remove_participant(r, a));
  ASSERT_TRUE(removed_again.ok());
  EXPECT_FALSE(removed_again->changed);
  EXPECT_THAT(removed_again->room.participant_ids, ElementsAre(b, c));

  // Rejoining puts the user at the end.
  EXPECT_THAT(run(s().add_participant(r, a))->room.participant_ids, ElementsAre(b, c, a));
  EXPECT_THAT(run(s().get_room(r)).value()->participant_ids, ElementsAre(b, c, a));

  auto unknown = run(s().add_participant(make_id('b', 9), a));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, Error::Kind::not_found);
  unknown = run(s().remove_participant(make_id('b', 9), a));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, Error::Kind::not_found);
  EXPECT_FALSE(run(s().get_room(make_id('b', 9))).value().has_value());
}

TEST_P(StoreContract, ConcurrentJoinsCountEveryone) {
  Id r = make_id('b', 1);
  add_room(make_room(1, "busy", 1, {}));
  add_room(make_room(2, "quiet", 2, {make_id('a', 900)}));
  constexpr int kJoiners = 20;
  int failures = 0;
  for (int i = 0; i < kJoiners; ++i) {
    asio::co_spawn(
        test_loop(),
        [&, i]() -> asio::awaitable<void> {
          auto j = co_await s().add_participant(r, make_id('a', i));
          if (!j.ok() || !j->changed) ++failures;
        },
        rethrow_if);
  }
  test_loop().restart();
  test_loop().run();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(run(s().get_room(r)).value()->participant_ids.size(), static_cast<size_t>(kJoiners));
  // The count the list sorts by followed every join.
  RoomQuery q;
  q.sort = RoomSortField::participants_count;
  EXPECT_THAT(list_ids(q), ElementsAre(r, make_id('b', 2)));
  q.descending = false;
  EXPECT_THAT(list_ids(q), ElementsAre(make_id('b', 2), r));
}

class ListRooms : public StoreContract {
 protected:
  void SetUp() override {
    StoreContract::SetUp();
    if (HasFatalFailure()) return;
    // id      name     created  participants
    // b..1    "beta"     300      3
    // b..2    "Alpha"    100      1
    // b..3    "gamma"    200      2
    // b..4    "delta"    200      2   (ties with b..3 on created_at and count)
    add_room(make_room(1, "beta", 300, {make_id('a', 1), make_id('a', 2), make_id('a', 3)}));
    add_room(make_room(2, "Alpha", 100, {make_id('a', 1)}));
    add_room(make_room(3, "gamma", 200, {make_id('a', 1), make_id('a', 2)}));
    add_room(make_room(4, "delta", 200, {make_id('a', 1)}));
    // b..4 reaches two participants through a join, so the stored count is exercised.
    ASSERT_TRUE(run(s().add_participant(make_id('b', 4), make_id('a', 5))).ok());
  }
  Id room(int n) { return make_id('b', n); }
  RoomQuery query(RoomSortField f, bool desc) {
    RoomQuery q;
    q.sort = f;
    q.descending = desc;
    q.page_size = 50;
    return q;
  }
};

TEST_P(ListRooms, SortsByEveryFieldInBothOrdersWithIdTieBreak) {
  EXPECT_THAT(list_ids(query(RoomSortField::created_at, true)),
              ElementsAre(room(1), room(4), room(3), room(2)));
  EXPECT_THAT(list_ids(query(RoomSortField::created_at, false)),
              ElementsAre(room(2), room(3), room(4), room(1)));
  // Binary order: upper case sorts before lower case.
  EXPECT_THAT(list_ids(query(RoomSortField::name, false)),
              ElementsAre(room(2), room(1), room(4), room(3)));
  EXPECT_THAT(list_ids(query(RoomSortField::name, true)),
              ElementsAre(room(3), room(4), room(1), room(2)));
  EXPECT_THAT(list_ids(query(RoomSortField::participants_count, true)),
              ElementsAre(room(1), room(4), room(3), room(2)));
  EXPECT_THAT(list_ids(query(RoomSortField::participants_count, false)),
              ElementsAre(room(2), room(3), room(4), room(1)));
}

TEST_P(ListRooms, NamesThatArePrefixesOfEachOtherSortByName) {
  add_room(make_room(5, "beta2", 50, {}));
  add_room(make_room(6, "bet", 60, {}));
  EXPECT_THAT(list_ids(query(RoomSortField::name, false)),
              ElementsAre(room(2), room(6), room(1), room(5), room(4), room(3)));
}

TEST_P(ListRooms, ParticipantCountFollowsJoinsAndLeaves) {
  ASSERT_TRUE(run(s().remove_participant(room(1), make_id('a', 1))).ok());
  ASSERT_TRUE(run(s().remove_participant(room(1), make_id('a', 2))).ok());
  ASSERT_TRUE(run(s().delete_user(make_id('a', 3))).ok());  // leaves b..1 empty
  EXPECT_THAT(list_ids(query(RoomSortField::participants_count, false)),
              ElementsAre(room(1), room(2), room(3), room(4)));
}

TEST_P(ListRooms, PagesAndTotal) {
  RoomQuery q = query(RoomSortField::created_at, false);
  q.page_size = 3;
  int64_t total = 0;
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(2), room(3), room(4)));
  EXPECT_EQ(total, 4);
  q.page = 1;
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(1)));
  EXPECT_EQ(total, 4);
  q.page = 2;
  EXPECT_THAT(list_ids(q, &total), IsEmpty());
  EXPECT_EQ(total, 4);
  // Pages by name, descending, and an exact fit.
  q = query(RoomSortField::name, true);
  q.page_size = 2;
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(3), room(4)));
  q.page = 1;
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(1), room(2)));
  q.page = 2;
  EXPECT_THAT(list_ids(q, &total), IsEmpty());
  EXPECT_EQ(total, 4);

  auto full = run(s().list_rooms(query(RoomSortField::created_at, true)));
  ASSERT_TRUE(full.ok());
  ASSERT_EQ(full->rooms.size(), 4u);
  EXPECT_EQ(full->rooms[0].name, "beta");
  EXPECT_EQ(full->rooms[0].created_at, 300);
  EXPECT_THAT(full->rooms[0].participant_ids,
              ElementsAre(make_id('a', 1), make_id('a', 2), make_id('a', 3)));
}

TEST_P(ListRooms, SearchIsCaseInsensitiveLiteralSubstring) {
  RoomQuery q = query(RoomSortField::name, false);
  int64_t total = 0;
  q.search = "ALP";
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(2)));
  EXPECT_EQ(total, 1);
  q.search = "ta";  // beta, delta
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(1), room(4)));
  EXPECT_EQ(total, 2);
  q.search = "zzz";
  EXPECT_THAT(list_ids(q, &total), IsEmpty());
  EXPECT_EQ(total, 0);

  // Wildcards of any pattern language match only themselves.
  add_room(make_room(5, "100% fun", 400, {}));
  add_room(make_room(6, "snake_case", 400, {}));
  add_room(make_room(7, "back\\slash", 400, {}));
  add_room(make_room(8, "dot.star*", 400, {}));
  q.search = "%";
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(5)));
  EXPECT_EQ(total, 1);
  q.search = "_";
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(6)));
  q.search = "E_C";
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(6)));
  q.search = "\\";
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(7)));
  q.search = "0% F";
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(5)));
  q.search = ".";
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(8)));
  q.search = "t.s";
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(8)));
}

TEST_P(ListRooms, SearchPagesInEverySortOrder) {
  RoomQuery q = query(RoomSortField::created_at, true);
  q.search = "A";  // beta, Alpha, gamma, delta: all four
  q.page_size = 3;
  int64_t total = 0;
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(1), room(4), room(3)));
  EXPECT_EQ(total, 4);
  q.page = 1;
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(2)));
  EXPECT_EQ(total, 4);
  q = query(RoomSortField::participants_count, false);
  q.search = "ta";
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(4), room(1)));
  EXPECT_EQ(total, 2);
  q = query(RoomSortField::name, true);
  q.search = "ta";
  q.page_size = 1;
  q.page = 1;
  EXPECT_THAT(list_ids(q, &total), ElementsAre(room(1)));
  EXPECT_EQ(total, 2);
}

// ---- messages

TEST_P(StoreContract, AppendMessageTimestampsStrictlyIncreasePerRoom) {
  Id r1 = make_id('b', 1), r2 = make_id('b', 2);
  EXPECT_EQ(append(make_message(1, r1, 1000)).timestamp, 1000);
  EXPECT_EQ(append(make_message(2, r1, 1000)).timestamp, 1001);  // equal
  EXPECT_EQ(append(make_message(3, r1, 1000)).timestamp, 1002);
  EXPECT_EQ(append(make_message(4, r1, 500)).timestamp, 1003);   // backwards
  EXPECT_EQ(append(make_message(5, r1, 5000)).timestamp, 5000);  // forwards: as requested
  EXPECT_EQ(append(make_message(6, r2, 10)).timestamp, 10);      // other rooms: independent
  EXPECT_EQ(append(make_message(7, r2, 10)).timestamp, 11);
  // Real epoch milliseconds survive the round trip exactly.
  EXPECT_EQ(append(make_message(9, r2, 1'733'300'000'123)).timestamp, 1'733'300'000'123);
  EXPECT_EQ(append(make_message(10, r2, 1'733'300'000'123)).timestamp, 1'733'300'000'124);

  auto stored = message(r1, make_id('c', 4));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->timestamp, 1003);

  // A failed append (duplicate id, in this room or another) does not consume a timestamp.
  auto dup = run(s().append_message(make_message(5, r1, 9000)));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().kind, Error::Kind::conflict);
  dup = run(s().append_message(make_message(5, r2, 9000)));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().kind, Error::Kind::conflict);
  EXPECT_EQ(message(r1, make_id('c', 5))->content, "message 5");
  EXPECT_EQ(append(make_message(8, r1, 0)).timestamp, 5001);
}

TEST_P(StoreContract, ConcurrentAppendsAtOneTimestampAreStrictlyOrdered) {
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 25;
  Id room = make_id('b', 1);
  add_room(make_room(1, "busy", 1, {}));
  int failures = 0;
  std::set<Millis> returned;
  for (int w = 0; w < kWriters; ++w) {
    asio::co_spawn(
        test_loop(),
        [&, w]() -> asio::awaitable<void> {
          for (int i = 0; i < kPerWriter; ++i) {
            // Every coroutine asks for the same timestamp: the store must still order them.
            auto m = co_await s().append_message(make_message(w * kPerWriter + i, room, 777));
            if (!m.ok()) {
              ++failures;
              continue;
            }
            returned.insert(m->timestamp);
          }
        },
        rethrow_if);
  }
  test_loop().restart();
  test_loop().run();
  constexpr int kMessages = kWriters * kPerWriter;
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(returned.size(), static_cast<size_t>(kMessages));  // no timestamp handed out twice
  auto page = run(s().fetch_messages(room, 1'000'000, 1000, "", 0));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->messages.size(), static_cast<size_t>(kMessages));
  EXPECT_FALSE(page->has_more);
  std::set<Id> ids;
  for (size_t i = 0; i < page->messages.size(); ++i) {
    ids.insert(page->messages[i].id);
    EXPECT_EQ(page->messages[i].timestamp, 777 + static_cast<Millis>(i));
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kMessages));
}

TEST_P(StoreContract, MessageFieldsRoundTrip) {
  chat::Message m = make_message(1, make_id('b', 1), 42);
  m.type = chat::MessageType::ai;
  m.sender_id = "";
  m.ai_type = "wayneAI";
  m.content = "multi\nline \"quoted\" 한국어 \x01";
  m.metadata_json = R"({"query":"hi","generationTime":12})";
  m.reactions["🎉"] = {make_id('a', 2), make_id('a', 1), make_id('a', 2)};
  m.readers = {{make_id('a', 3), 40}, {make_id('a', 3), 41}};
  chat::Message stored = append(m);
  ASSERT_EQ(stored.readers.size(), 1u);  // what is stored: one read per reader
  EXPECT_THAT(stored.reactions.at("🎉"), ElementsAre(make_id('a', 2), make_id('a', 1)));

  auto g = message(m.room_id, m.id);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->id, m.id);
  EXPECT_EQ(g->room_id, m.room_id);
  EXPECT_EQ(g->content, m.content);
  EXPECT_EQ(g->type, chat::MessageType::ai);
  EXPECT_EQ(g->ai_type, "wayneAI");
  EXPECT_EQ(g->sender_id, "");
  EXPECT_EQ(g->metadata_json, m.metadata_json);
  EXPECT_THAT(g->mentions, IsEmpty());
  EXPECT_THAT(g->reactions.at("🎉"), ElementsAre(make_id('a', 2), make_id('a', 1)));
  ASSERT_EQ(g->readers.size(), 1u);
  EXPECT_EQ(g->readers[0].read_at, 40);
  EXPECT_FALSE(g->is_deleted);
  EXPECT_FALSE(message(m.room_id, make_id('c', 99)).has_value());

  chat::Message f = make_message(2, make_id('b', 1), 50);
  f.type = chat::MessageType::file;
  f.file_id = make_id('f', 1);
  f.mentions = {"someone"};
  append(f);
  auto gf = message(f.room_id, f.id);
  ASSERT_TRUE(gf);
  EXPECT_EQ(gf->type, chat::MessageType::file);
  EXPECT_EQ(gf->file_id, make_id('f', 1));
  EXPECT_THAT(gf->mentions, ElementsAre("someone"));
  EXPECT_EQ(gf->metadata_json, "{}");
}

TEST_P(StoreContract, FetchMessagesPagesBackwardsAndReturnsAscending) {
  Id r = make_id('b', 1);
  for (int i = 1; i <= 25; ++i)
    append(make_message(i, r, 1000 + i * 10));
  chat::Message deleted = make_message(26, r, 1255);
  deleted.is_deleted = true;
  append(deleted);
  append(make_message(27, make_id('b', 2), 1100));  // another room

  auto p1 = run(s().fetch_messages(r, 1'000'000, 10, "", 0));
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->messages.size(), 10u);
  EXPECT_TRUE(p1->has_more);
  EXPECT_EQ(p1->messages.front().id, make_id('c', 16));
  EXPECT_EQ(p1->messages.back().id, make_id('c', 25));
  for (size_t i = 1; i < p1->messages.size(); ++i)
    EXPECT_LT(p1->messages[i - 1].timestamp, p1->messages[i].timestamp);

  // `before` is exclusive.
  auto p2 = run(s().fetch_messages(r, p1->messages.front().timestamp, 10, "", 0));
  ASSERT_TRUE(p2.ok());
  ASSERT_EQ(p2->messages.size(), 10u);
  EXPECT_TRUE(p2->has_more);
  EXPECT_EQ(p2->messages.front().id, make_id('c', 6));
  EXPECT_EQ(p2->messages.back().id, make_id('c', 15));

  auto p3 = run(s().fetch_messages(r, p2->messages.front().timestamp, 10, "", 0));
  ASSERT_TRUE(p3.ok());
  ASSERT_EQ(p3->messages.size(), 5u);
  EXPECT_FALSE(p3->has_more);
  EXPECT_EQ(p3->messages.front().id, make_id('c', 1));

  // Exactly `limit` left: no more.
  auto exact = run(s().fetch_messages(r, p2->messages.front().timestamp, 5, "", 0));
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->messages.size(), 5u);
  EXPECT_FALSE(exact->has_more);
  // One fewer than left: more.
  auto fewer = run(s().fetch_messages(r, p2->messages.front().timestamp, 4, "", 0));
  EXPECT_EQ(fewer->messages.size(), 4u);
  EXPECT_TRUE(fewer->has_more);
  EXPECT_EQ(fewer->messages.front().id, make_id('c', 2));
  // Nothing before the first message; unknown rooms are empty.
  auto none = run(s().fetch_messages(r, 1010, 10, "", 0));
  ASSERT_TRUE(none.ok());
  EXPECT_THAT(none->messages, IsEmpty());
  EXPECT_FALSE(none->has_more);
  auto unknown = run(s().fetch_messages(make_id('b', 9), 1'000'000, 10, "", 0));
  ASSERT_TRUE(unknown.ok());
  EXPECT_THAT(unknown->messages, IsEmpty());
  // The deleted message is stored (get_message finds it) but never listed.
  auto gone = message(r, make_id('c', 26));
  ASSERT_TRUE(gone);
  EXPECT_TRUE(gone->is_deleted);
  auto around = run(s().fetch_messages(r, 1260, 2, "", 0));
  EXPECT_EQ(around->messages.back().id, make_id('c', 25));
  // Fetches without a reader record nobody.
  for (int i = 1; i <= 25; ++i)
    EXPECT_THAT(message(r, make_id('c', i))->readers, IsEmpty());
}

TEST_P(StoreContract, FetchMessagesWithReaderAddsTheReader) {
  Id r = make_id('b', 1), reader = make_id('a', 7), other = make_id('a', 8);
  for (int i = 1; i <= 5; ++i)
    append(make_message(i, r, i));
  ASSERT_TRUE(run(s().mark_read(r, {make_id('c', 5)}, reader, 50)).ok());
  ASSERT_TRUE(run(s().mark_read(r, {make_id('c', 5)}, other, 55)).ok());

  auto page = run(s().fetch_messages(r, 100, 3, reader, 99));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->messages.size(), 3u);
  EXPECT_TRUE(page->has_more);
  for (const auto& m : page->messages) {
    int mine = 0;
    for (const auto& rd : m.readers)
      mine += rd.user_id == reader;
    EXPECT_EQ(mine, 1) << m.id;
  }
  // Message 5 keeps the earlier read time and the order of its readers.
  const auto& last = page->messages.back();
  ASSERT_EQ(last.readers.size(), 2u);
  EXPECT_EQ(last.readers[0].user_id, reader);
  EXPECT_EQ(last.readers[0].read_at, 50);
  EXPECT_EQ(last.readers[1].user_id, other);
  EXPECT_EQ(page->messages.front().readers.back().read_at, 99);

  // Stored, not just returned; messages outside the page untouched.
  auto m3 = message(r, make_id('c', 3));
  ASSERT_EQ(m3->readers.size(), 1u);
  EXPECT_EQ(m3->readers[0].read_at, 99);
  EXPECT_THAT(message(r, make_id('c', 2))->readers, IsEmpty());

  // Fetching again adds nothing.
  ASSERT_TRUE(run(s().fetch_messages(r, 100, 3, reader, 200)).ok());
  EXPECT_EQ(message(r, make_id('c', 3))->readers.size(), 1u);
  EXPECT_EQ(message(r, make_id('c', 3))->readers[0].read_at, 99);
  EXPECT_EQ(message(r, make_id('c', 5))->readers.size(), 2u);
}

TEST_P(StoreContract, MarkReadIsIdempotentAndSkipsUnknownIds) {
  Id r = make_id('b', 1), u = make_id('a', 1), v = make_id('a', 2);
  append(make_message(1, r, 1));
  append(make_message(2, r, 2));
  ASSERT_TRUE(run(s().mark_read(r, {make_id('c', 1), make_id('c', 2)}, u, 100)).ok());
  ASSERT_TRUE(run(s().mark_read(r, {make_id('c', 1), make_id('c', 99)}, u, 200)).ok());
  ASSERT_TRUE(run(s().mark_read(r, {}, u, 300)).ok());
  ASSERT_TRUE(run(s().mark_read(r, {make_id('c', 1)}, v, 400)).ok());

  auto m1 = message(r, make_id('c', 1));
  ASSERT_EQ(m1->readers.size(), 2u);
  EXPECT_EQ(m1->readers[0].user_id, u);
  EXPECT_EQ(m1->readers[0].read_at, 100);
  EXPECT_EQ(m1->readers[1].user_id, v);
  EXPECT_EQ(m1->readers[1].read_at, 400);
  auto m2 = message(r, make_id('c', 2));
  ASSERT_EQ(m2->readers.size(), 1u);
  EXPECT_EQ(m2->readers[0].read_at, 100);
  EXPECT_FALSE(message(r, make_id('c', 99)).has_value());
}

// A merged batch of marks is one call with many ids (more than one statement's worth on SQLite):
// every id of the room is marked once, ids of another room and unknown ids are skipped, and
// repeats within the call keep the first read_at.
TEST_P(StoreContract, MarkReadWithManyIdsMarksExactlyTheRoomsMessages) {
  Id r1 = make_id('b', 1), r2 = make_id('b', 2), u = make_id('a', 1);
  std::vector<Id> ids;
  for (int i = 1; i <= 70; ++i) {
    append(make_message(i, i % 10 == 0 ? r2 : r1, i));
    ids.push_back(make_id('c', i));
  }
  ids.push_back(make_id('c', 500));  // unknown
  ids.push_back(make_id('c', 3));    // repeat
  ASSERT_TRUE(run(s().mark_read(r1, ids, u, 100)).ok());
  for (int i = 1; i <= 70; ++i) {
    if (i % 10 == 0) {
      EXPECT_THAT(message(r2, make_id('c', i))->readers, IsEmpty()) << i;
      continue;
    }
    auto m = message(r1, make_id('c', i));
    ASSERT_EQ(m->readers.size(), 1u) << i;
    EXPECT_EQ(m->readers[0].user_id, u);
    EXPECT_EQ(m->readers[0].read_at, 100);
  }
}

TEST_P(StoreContract, MessageOperationsAreScopedToTheirRoom) {
  Id r1 = make_id('b', 1), r2 = make_id('b', 2), u = make_id('a', 1);
  append(make_message(1, r1, 1));
  append(make_message(2, r2, 2));

  EXPECT_EQ(run(s().find_message_room(make_id('c', 1))).value(), std::optional<Id>(r1));
  EXPECT_EQ(run(s().find_message_room(make_id('c', 2))).value(), std::optional<Id>(r2));
  EXPECT_FALSE(run(s().find_message_room(make_id('c', 9))).value().has_value());
  EXPECT_FALSE(message(r1, make_id('c', 2)).has_value());

  // Naming r1 marks only r1's message; r2's is left alone.
  ASSERT_TRUE(run(s().mark_read(r1, {make_id('c', 1), make_id('c', 2)}, u, 10)).ok());
  EXPECT_EQ(message(r1, make_id('c', 1))->readers.size(), 1u);
  EXPECT_THAT(message(r2, make_id('c', 2))->readers, IsEmpty());

  auto foreign = run(s().update_reaction(r1, make_id('c', 2), "👍", u, true));
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().kind, Error::Kind::not_found);
  EXPECT_THAT(message(r2, make_id('c', 2))->reactions, IsEmpty());
}

TEST_P(StoreContract, ReactionsAddRemoveAndDropEmptyKeys) {
  Id room = make_id('b', 1), m = make_id('c', 1), a = make_id('a', 1), b = make_id('a', 2);
  append(make_message(1, room, 1));

  auto r = run(s().update_reaction(room, m, "👍", a, true));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->at("👍"), ElementsAre(a));
  r = run(s().update_reaction(room, m, "👍", b, true));
  EXPECT_THAT(r->at("👍"), ElementsAre(a, b));
  r = run(s().update_reaction(room, m, "👍", a, true));  // set-add: no duplicate
  EXPECT_THAT(r->at("👍"), ElementsAre(a, b));
  r = run(s().update_reaction(room, m, "❤️", a, true));
  EXPECT_EQ(r->size(), 2u);

  r = run(s().update_reaction(room, m, "👍", a, false));
  EXPECT_THAT(r->at("👍"), ElementsAre(b));
  r = run(s().update_reaction(room, m, "👍", a, true));  // re-added: goes last
  EXPECT_THAT(r->at("👍"), ElementsAre(b, a));
  r = run(s().update_reaction(room, m, "👍", a, false));
  r = run(s().update_reaction(room, m, "👍", b, false));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->count("👍"), 0u);
  EXPECT_EQ(r->size(), 1u);
  r = run(s().update_reaction(room, m, "👍", b, false));  // removing what is absent is fine
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 1u);

  auto stored = message(room, m);
  EXPECT_EQ(stored->reactions.size(), 1u);
  EXPECT_THAT(stored->reactions.at("❤️"), ElementsAre(a));

  auto unknown = run(s().update_reaction(room, make_id('c', 9), "👍", a, true));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, Error::Kind::not_found);
}

TEST_P(StoreContract, CountMessagesSince) {
  Id r = make_id('b', 1), r2 = make_id('b', 2);
  for (int i = 1; i <= 5; ++i)
    append(make_message(i, r, i * 100));
  chat::Message gone = make_message(6, r, 600);
  gone.is_deleted = true;
  append(gone);
  append(make_message(7, r2, 700));
  EXPECT_EQ(run(s().count_messages_since({r}, 300)).value(), std::vector<int64_t>{3});
  EXPECT_EQ(run(s().count_messages_since({r}, 0)).value(), std::vector<int64_t>{5});
  EXPECT_EQ(run(s().count_messages_since({r, std::string(24, 'f'), r2}, 500)).value(),
            (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(run(s().count_messages_since({r2, r}, 10'000)).value(), (std::vector<int64_t>{0, 0}));
  EXPECT_THAT(run(s().count_messages_since({}, 0)).value(), IsEmpty());
}

// ---- files

TEST_P(StoreContract, FilesCreateGetDelete) {
  chat::FileRecord f;
  f.id = make_id('f', 1);
  f.filename = "1730000000000_0123456789abcdef.png";
  f.originalname = "사진.png";
  f.mimetype = "image/png";
  f.size = 12345;
  f.path = "/data/uploads/1730000000000_0123456789abcdef.png";
  f.user_id = make_id('a', 1);
  f.upload_date = 1730000000000;
  ASSERT_TRUE(run(s().create_file(f)).ok());

  auto by_id = run(s().get_file(f.id));
  ASSERT_TRUE(by_id.ok() && by_id.value());
  EXPECT_EQ(by_id.value()->filename, f.filename);
  EXPECT_EQ(by_id.value()->originalname, "사진.png");
  EXPECT_EQ(by_id.value()->mimetype, "image/png");
  EXPECT_EQ(by_id.value()->size, 12345);
  EXPECT_EQ(by_id.value()->path, f.path);
  EXPECT_EQ(by_id.value()->user_id, f.user_id);
  EXPECT_EQ(by_id.value()->upload_date, 1730000000000);
  auto by_name = run(s().get_file_by_filename(f.filename));
  ASSERT_TRUE(by_name.ok() && by_name.value());
  EXPECT_EQ(by_name.value()->id, f.id);
  EXPECT_FALSE(run(s().get_file_by_filename("nope.png")).value().has_value());

  chat::FileRecord same_name = f;
  same_name.id = make_id('f', 2);
  auto dup = run(s().create_file(same_name));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().kind, Error::Kind::conflict);
  EXPECT_FALSE(run(s().get_file(make_id('f', 2))).value().has_value());

  ASSERT_TRUE(run(s().delete_file(f.id)).ok());
  EXPECT_FALSE(run(s().get_file(f.id)).value().has_value());
  EXPECT_FALSE(run(s().get_file_by_filename(f.filename)).value().has_value());
  EXPECT_TRUE(run(s().delete_file(f.id)).ok());
  // The name is free again.
  ASSERT_TRUE(run(s().create_file(same_name)).ok());
  EXPECT_EQ(run(s().get_file_by_filename(f.filename)).value()->id, make_id('f', 2));
}

TEST_P(StoreContract, RoomsReferencingFile) {
  Id file = make_id('f', 1);
  auto file_message = [&](int n, int room, Millis ts, bool deleted) {
    chat::Message m = make_message(n, make_id('b', room), ts);
    m.type = chat::MessageType::file;
    m.file_id = file;
    m.is_deleted = deleted;
    append(m);
  };
  file_message(1, 2, 10, false);
  file_message(2, 1, 20, false);
  file_message(3, 2, 30, false);
  file_message(4, 3, 40, true);  // deleted: does not count
  append(make_message(5, make_id('b', 4), 50));
  auto rooms = run(s().rooms_referencing_file(file));
  ASSERT_TRUE(rooms.ok());
  EXPECT_THAT(rooms.value(), ElementsAre(make_id('b', 2), make_id('b', 1)));
  EXPECT_THAT(run(s().rooms_referencing_file(make_id('f', 9))).value(), IsEmpty());
  EXPECT_THAT(run(s().rooms_referencing_file("")).value(), IsEmpty());
}

// ---- instantiations

std::string backend_name(const ::testing::TestParamInfo<BackendFactory>& info) {
  return info.param.name;
}

std::vector<BackendFactory> backends() {
  std::vector<BackendFactory> out;
  out.push_back({"Sqlite", [] { return std::unique_ptr<Backend>(new SqliteBackend()); }});
#ifdef PARLEY_STORE_REDIS
  out.push_back({"RedisCluster", [] { return std::unique_ptr<Backend>(new RedisBackend()); }});
#endif
  return out;
}

INSTANTIATE_TEST_SUITE_P(Store, StoreContract, ::testing::ValuesIn(backends()), backend_name);
INSTANTIATE_TEST_SUITE_P(Store, ListRooms, ::testing::ValuesIn(backends()), backend_name);

}  // namespace
}  // namespace parley::store
