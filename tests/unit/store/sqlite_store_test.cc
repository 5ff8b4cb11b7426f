// SqliteStore against a real database file in a fresh temporary directory per test: every
// Store operation's documented semantics, persistence across close/reopen, and concurrent
// writers going through the group commit.
#include "store/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "store_test_util.h"

namespace parley::store::sqlite {
namespace {

using test_util::run;
using test_util::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// 24-hex ids like the caller's ObjectIds: prefix + counter, zero padded.
Id make_id(char kind, int n) {
  std::string digits = std::to_string(n);
  return std::string(1, kind) + std::string(23 - digits.size(), '0') + digits;
}

chat::User make_user(int n) {
  chat::User u;
  u.id = make_id('a', n);
  u.name = "User " + std::to_string(n);
  u.email = "user" + std::to_string(n) + "@example.com";
  u.password_hash = "$argon2id$hash" + std::to_string(n);
  u.created_at = 1000 + n;
  return u;
}

chat::Room make_room(int n, std::string name, Millis created_at, std::vector<Id> participants) {
  chat::Room r;
  r.id = make_id('b', n);
  r.name = std::move(name);
  r.creator_id = participants.empty() ? make_id('a', 0) : participants.front();
  r.created_at = created_at;
  r.participant_ids = std::move(participants);
  return r;
}

chat::Message make_message(int n, const Id& room, Millis ts) {
  chat::Message m;
  m.id = make_id('c', n);
  m.room_id = room;
  m.content = "message " + std::to_string(n);
  m.sender_id = make_id('a', 1);
  m.timestamp = ts;
  return m;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { open(); }
  void TearDown() override {
    if (store_) store_->close();
  }

  SqliteStore::Options options() const {
    SqliteStore::Options o;
    o.path = dir_.file("db/parley.sqlite3");  // "db/" does not exist yet: open() creates it
    return o;
  }
  void open() {
    auto r = SqliteStore::open(options());
    ASSERT_TRUE(r.ok()) << r.error().detail;
    store_ = std::move(r.value());
  }
  void reopen() {
    store_->close();
    store_.reset();
    open();
  }

  // Reads one integer straight from the file, bypassing the store (and its caches).
  int64_t raw_int(const char* sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(options().path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
              SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
  }

  void add_user(int n) { ASSERT_TRUE(run(store_->create_user(make_user(n))).ok()); }
  void add_room(const chat::Room& r) { ASSERT_TRUE(run(store_->create_room(r)).ok()); }
  chat::Message append(const chat::Message& m) {
    auto r = run(store_->append_message(m));
    EXPECT_TRUE(r.ok()) << r.error().detail;
    return r.ok() ? r.value() : chat::Message{};
  }
  std::vector<Id> list_ids(RoomQuery q, int64_t* total = nullptr) {
    auto r = run(store_->list_rooms(q));
    EXPECT_TRUE(r.ok());
    std::vector<Id> ids;
    if (!r.ok()) return ids;
    for (const auto& room : r->rooms)
      ids.push_back(room.id);
    if (total) *total = r->total;
    return ids;
  }

  TempDir dir_;
  // For tests that drive their own loop; declared before the store so it outlives its threads.
  asio::io_context io_;
  std::unique_ptr<SqliteStore> store_;
};

// ---- schema and lifecycle

TEST_F(SqliteStoreTest, FreshDatabaseIsMigratedAndReopenDoesNotMigrateAgain) {
  EXPECT_EQ(store_->migrations_applied(), 1);
  EXPECT_EQ(store_->schema_version(), 1);
  EXPECT_TRUE(std::filesystem::exists(options().path));
  add_user(1);
  reopen();
  EXPECT_EQ(store_->migrations_applied(), 0);
  EXPECT_EQ(store_->schema_version(), 1);
  EXPECT_EQ(raw_int("PRAGMA user_version"), 1);
  EXPECT_TRUE(run(store_->get_user(make_id('a', 1))).value().has_value());
}

TEST_F(SqliteStoreTest, UsesWalMode) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(options().path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
  sqlite3_finalize(st);
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, DataSurvivesCloseAndReopen) {
  add_user(1);
  add_room(make_room(1, "Persistent", 500, {make_id('a', 1)}));
  chat::Message m = make_message(1, make_id('b', 1), 2000);
  m.mentions = {"wayneAI", "user \"quoted\""};
  m.metadata_json = R"({"query":"x"})";
  m = append(m);
  ASSERT_TRUE(run(store_->mark_read(m.room_id, {m.id}, make_id('a', 2), 2500)).ok());
  ASSERT_TRUE(run(store_->update_reaction(m.room_id, m.id, "👍", make_id('a', 2), true)).ok());

  reopen();

  auto user = run(store_->find_user_by_email("user1@example.com"));
  ASSERT_TRUE(user.ok() && user.value());
  EXPECT_EQ((*user.value()).name, "User 1");
  EXPECT_EQ((*user.value()).created_at, 1001);
  auto room = run(store_->get_room(make_id('b', 1)));
  ASSERT_TRUE(room.ok() && room.value());
  EXPECT_EQ(room.value()->name, "Persistent");
  auto got = run(store_->get_message(m.room_id, m.id));
  ASSERT_TRUE(got.ok() && got.value());
  const chat::Message& g = *got.value();
  EXPECT_EQ(g.content, "message 1");
  EXPECT_EQ(g.timestamp, 2000);
  EXPECT_EQ(g.metadata_json, R"({"query":"x"})");
  EXPECT_THAT(g.mentions, ElementsAre("wayneAI", "user \"quoted\""));
  ASSERT_EQ(g.readers.size(), 1u);
  EXPECT_EQ(g.readers[0].user_id, make_id('a', 2));
  EXPECT_EQ(g.readers[0].read_at, 2500);
  EXPECT_THAT(g.reactions.at("👍"), ElementsAre(make_id('a', 2)));

  // Timestamps keep increasing after a restart (the cache is rebuilt from the database).
  EXPECT_EQ(append(make_message(2, make_id('b', 1), 1000)).timestamp, 2001);
}

TEST_F(SqliteStoreTest, CloseIsIdempotentAndLaterOperationsFail) {
  store_->close();
  store_->close();
  auto w = run(store_->create_user(make_user(1)));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind, Error::Kind::unavailable);
  auto r = run(store_->get_user(make_id('a', 1)));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::unavailable);
  EXPECT_FALSE(run(store_->touch_session(make_id('a', 1), "s", 1)).ok());
  // The WAL was checkpointed into the main file.
  EXPECT_FALSE(std::filesystem::exists(options().path + "-wal") &&
               std::filesystem::file_size(options().path + "-wal") > 0);
}

TEST_F(SqliteStoreTest, Ping) {
  auto r = run(store_->ping());
  ASSERT_TRUE(r.ok());
  EXPECT_GE(r.value(), 0);
}

// ---- users

TEST_F(SqliteStoreTest, CreateAndFindUsers) {
  add_user(1);
  add_user(2);
  auto by_email = run(store_->find_user_by_email("user2@example.com"));
  ASSERT_TRUE(by_email.ok());
  ASSERT_TRUE(by_email.value().has_value());
  EXPECT_EQ(by_email.value()->id, make_id('a', 2));
  EXPECT_EQ(by_email.value()->password_hash, "$argon2id$hash2");
  EXPECT_FALSE(run(store_->find_user_by_email("nobody@example.com")).value().has_value());

  auto by_id = run(store_->get_user(make_id('a', 1)));
  ASSERT_TRUE(by_id.ok() && by_id.value());
  EXPECT_EQ(by_id.value()->email, "user1@example.com");
  EXPECT_FALSE(run(store_->get_user(make_id('a', 9))).value().has_value());

  auto many = run(store_->get_users({make_id('a', 2), make_id('a', 9), make_id('a', 1)}));
  ASSERT_TRUE(many.ok());
  ASSERT_EQ(many->size(), 2u);
  EXPECT_EQ((*many)[0].id, make_id('a', 2));
  EXPECT_EQ((*many)[1].id, make_id('a', 1));
}

TEST_F(SqliteStoreTest, DuplicateEmailOrIdIsConflict) {
  add_user(1);
  chat::User same_email = make_user(2);
  same_email.email = "user1@example.com";
  auto r = run(store_->create_user(same_email));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::conflict);

  chat::User same_id = make_user(1);
  same_id.email = "other@example.com";
  r = run(store_->create_user(same_id));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::conflict);

  // The failed writes left nothing behind and did not disturb later ones.
  EXPECT_FALSE(run(store_->find_user_by_email("other@example.com")).value().has_value());
  add_user(3);
}

TEST_F(SqliteStoreTest, UpdateUserFields) {
  add_user(1);
  Id id = make_id('a', 1);
  ASSERT_TRUE(run(store_->update_user_name(id, "  New Name ")).ok());
  ASSERT_TRUE(run(store_->update_user_password(id, "newhash")).ok());
  ASSERT_TRUE(run(store_->update_user_profile_image(id, "/api/uploads/profiles/x.png")).ok());
  auto u = run(store_->get_user(id));
  ASSERT_TRUE(u.ok() && u.value());
  EXPECT_EQ(u.value()->name, "  New Name ");
  EXPECT_EQ(u.value()->password_hash, "newhash");
  EXPECT_EQ(u.value()->profile_image, "/api/uploads/profiles/x.png");

  auto missing = run(store_->update_user_name(make_id('a', 9), "x"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, Error::Kind::not_found);
}

TEST_F(SqliteStoreTest, DeleteUserRemovesSessionAndMembershipButKeepsMessages) {
  add_user(1);
  add_user(2);
  Id u1 = make_id('a', 1), u2 = make_id('a', 2);
  ASSERT_TRUE(run(store_->replace_session({u1, "s1", 1, 1, "ua", "ip"})).ok());
  add_room(make_room(1, "Room", 1, {u2, u1}));
  chat::Message m = make_message(1, make_id('b', 1), 10);
  m.sender_id = u1;
  append(m);

  ASSERT_TRUE(run(store_->delete_user(u1)).ok());
  EXPECT_FALSE(run(store_->get_user(u1)).value().has_value());
  EXPECT_FALSE(run(store_->find_user_by_email("user1@example.com")).value().has_value());
  EXPECT_FALSE(run(store_->get_session(u1)).value().has_value());
  EXPECT_THAT(run(store_->get_room(make_id('b', 1))).value()->participant_ids, ElementsAre(u2));
  auto kept = run(store_->get_message(m.room_id, m.id));
  ASSERT_TRUE(kept.ok() && kept.value());
  EXPECT_EQ(kept.value()->sender_id, u1);
  // The email is free again.
  add_user(1);
}

// ---- sessions

TEST_F(SqliteStoreTest, ReplaceAndGetSession) {
  Id u = make_id('a', 1);
  EXPECT_FALSE(run(store_->get_session(u)).value().has_value());
  ASSERT_TRUE(run(store_->replace_session({u, "s1", 100, 100, "agent1", "1.1.1.1"})).ok());
  ASSERT_TRUE(run(store_->replace_session({u, "s2", 200, 250, "agent2", "2.2.2.2"})).ok());
  auto s = run(store_->get_session(u));
  ASSERT_TRUE(s.ok() && s.value());
  EXPECT_EQ(s.value()->session_id, "s2");
  EXPECT_EQ(s.value()->created_at, 200);
  EXPECT_EQ(s.value()->last_activity, 250);
  EXPECT_EQ(s.value()->user_agent, "agent2");
  EXPECT_EQ(s.value()->ip_address, "2.2.2.2");
  EXPECT_EQ(raw_int("SELECT count(*) FROM sessions"), 1);
}

TEST_F(SqliteStoreTest, TouchSessionIsCoalescedButGetSessionSeesTheFreshestActivity) {
  Id u = make_id('a', 1);
  ASSERT_TRUE(run(store_->replace_session({u, "s1", 1000, 1000, "", ""})).ok());

  // Within 60 s of the persisted value: remembered, not written.
  ASSERT_TRUE(run(store_->touch_session(u, "s1", 30'000)).ok());
  EXPECT_EQ(run(store_->get_session(u)).value()->last_activity, 30'000);
  add_user(1);  // any awaited write: the writer is FIFO, so earlier writes are committed
  EXPECT_EQ(raw_int("SELECT last_activity FROM sessions"), 1000);

  // Older than 60 s: written.
  ASSERT_TRUE(run(store_->touch_session(u, "s1", 61'000)).ok());
  add_user(2);
  EXPECT_EQ(raw_int("SELECT last_activity FROM sessions"), 61'000);

  // Going backwards never lowers the activity.
  ASSERT_TRUE(run(store_->touch_session(u, "s1", 50'000)).ok());
  EXPECT_EQ(run(store_->get_session(u)).value()->last_activity, 61'000);

  // A touch with another session id does not touch the current session.
  ASSERT_TRUE(run(store_->touch_session(u, "stale", 900'000)).ok());
  add_user(3);
  EXPECT_EQ(run(store_->get_session(u)).value()->last_activity, 61'000);
  EXPECT_EQ(raw_int("SELECT last_activity FROM sessions"), 61'000);

  // Unwritten activity is flushed by close().
  ASSERT_TRUE(run(store_->touch_session(u, "s1", 62'000)).ok());
  ASSERT_TRUE(run(store_->touch_session(u, "s1", 70'000)).ok());
  reopen();
  EXPECT_EQ(raw_int("SELECT last_activity FROM sessions"), 70'000);
  EXPECT_EQ(run(store_->get_session(u)).value()->last_activity, 70'000);
}

TEST_F(SqliteStoreTest, DeleteSessionOnlyIfItMatches) {
  Id u = make_id('a', 1);
  ASSERT_TRUE(run(store_->replace_session({u, "current", 1, 1, "", ""})).ok());
  auto wrong = run(store_->delete_session(u, "old"));
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(wrong.value());
  EXPECT_TRUE(run(store_->get_session(u)).value().has_value());

  auto right = run(store_->delete_session(u, "current"));
  ASSERT_TRUE(right.ok());
  EXPECT_TRUE(right.value());
  EXPECT_FALSE(run(store_->get_session(u)).value().has_value());
  EXPECT_FALSE(run(store_->delete_session(u, "current")).value());
}

// ---- rooms

TEST_F(SqliteStoreTest, CreateAndGetRoom) {
  Id a = make_id('a', 1), b = make_id('a', 2);
  chat::Room r = make_room(1, "General", 1234, {a, b, a});
  r.password_hash = "$argon2id$room";
  add_room(r);
  auto got = run(store_->get_room(r.id));
  ASSERT_TRUE(got.ok() && got.value());
  EXPECT_EQ(got.value()->name, "General");
  EXPECT_EQ(got.value()->creator_id, a);
  EXPECT_EQ(got.value()->created_at, 1234);
  EXPECT_TRUE(got.value()->has_password());
  EXPECT_THAT(got.value()->participant_ids, ElementsAre(a, b));
  EXPECT_FALSE(run(store_->get_room(make_id('b', 9))).value().has_value());

  auto dup = run(store_->create_room(r));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().kind, Error::Kind::conflict);
}

TEST_F(SqliteStoreTest, NewestRoomCreatedAt) {
  EXPECT_FALSE(run(store_->newest_room_created_at()).value().has_value());
  add_room(make_room(1, "one", 300, {}));
  add_room(make_room(2, "two", 700, {}));
  add_room(make_room(3, "three", 500, {}));
  EXPECT_EQ(run(store_->newest_room_created_at()).value(), std::optional<Millis>(700));
}

class ListRoomsTest : public SqliteStoreTest {
 protected:
  void SetUp() override {
    SqliteStoreTest::SetUp();
    // id      name     created  participants
    // b..1    "beta"     300      3
    // b..2    "Alpha"    100      1
    // b..3    "gamma"    200      2
    // b..4    "delta"    200      2   (ties with b..3 on created_at and count)
    add_room(make_room(1, "beta", 300, {make_id('a', 1), make_id('a', 2), make_id('a', 3)}));
    add_room(make_room(2, "Alpha", 100, {make_id('a', 1)}));
    add_room(make_room(3, "gamma", 200, {make_id('a', 1), make_id('a', 2)}));
    add_room(make_room(4, "delta", 200, {make_id('a', 1)}));
    // b..4 reaches two participants through a join, so the denormalised count is exercised.
    ASSERT_TRUE(run(store_->add_participant(make_id('b', 4), make_id('a', 5))).ok());
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

TEST_F(ListRoomsTest, SortsByEveryFieldInBothOrdersWithIdTieBreak) {
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

TEST_F(ListRoomsTest, ParticipantCountFollowsJoinsAndLeaves) {
  ASSERT_TRUE(run(store_->remove_participant(room(1), make_id('a', 1))).ok());
  ASSERT_TRUE(run(store_->remove_participant(room(1), make_id('a', 2))).ok());
  ASSERT_TRUE(run(store_->delete_user(make_id('a', 3))).ok());  // leaves b..1 empty
  EXPECT_THAT(list_ids(query(RoomSortField::participants_count, false)),
              ElementsAre(room(1), room(2), room(3), room(4)));
}

TEST_F(ListRoomsTest, PagesAndTotal) {
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

  auto full = run(store_->list_rooms(query(RoomSortField::created_at, true)));
  ASSERT_TRUE(full.ok());
  ASSERT_EQ(full->rooms.size(), 4u);
  EXPECT_EQ(full->rooms[0].name, "beta");
  EXPECT_EQ(full->rooms[0].participant_ids.size(), 3u);
}

TEST_F(ListRoomsTest, SearchIsCaseInsensitiveLiteralSubstring) {
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

  // LIKE's wildcards and the escape character match only themselves.
  add_room(make_room(5, "100% fun", 400, {}));
  add_room(make_room(6, "snake_case", 400, {}));
  add_room(make_room(7, "back\\slash", 400, {}));
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
}

TEST_F(SqliteStoreTest, ParticipantsAreIdempotentAndKeepJoinOrder) {
  Id a = make_id('a', 1), b = make_id('a', 2), c = make_id('a', 3);
  Id r = make_id('b', 1);
  add_room(make_room(1, "Room", 1, {a}));

  auto added = run(store_->add_participant(r, b));
  ASSERT_TRUE(added.ok());
  EXPECT_TRUE(added->changed);
  EXPECT_THAT(added->room.participant_ids, ElementsAre(a, b));

  auto again = run(store_->add_participant(r, b));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->changed);
  EXPECT_THAT(again->room.participant_ids, ElementsAre(a, b));

  ASSERT_TRUE(run(store_->add_participant(r, c)).ok());
  auto removed = run(store_->remove_participant(r, a));
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed->changed);
  EXPECT_THAT(removed->room.participant_ids, ElementsAre(b, c));

  auto removed_again = run(store_->remove_participant(r, a));
  ASSERT_TRUE(removed_again.ok());
  EXPECT_FALSE(removed_again->changed);

  // Rejoining puts the user at the end.
  EXPECT_THAT(run(store_->add_participant(r, a))->room.participant_ids, ElementsAre(b, c, a));

  auto unknown = run(store_->add_participant(make_id('b', 9), a));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, Error::Kind::not_found);
  unknown = run(store_->remove_participant(make_id('b', 9), a));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, Error::Kind::not_found);
}

// ---- messages

TEST_F(SqliteStoreTest, AppendMessageTimestampsStrictlyIncreasePerRoom) {
  Id r1 = make_id('b', 1), r2 = make_id('b', 2);
  EXPECT_EQ(append(make_message(1, r1, 1000)).timestamp, 1000);
  EXPECT_EQ(append(make_message(2, r1, 1000)).timestamp, 1001);  // equal
  EXPECT_EQ(append(make_message(3, r1, 1000)).timestamp, 1002);
  EXPECT_EQ(append(make_message(4, r1, 500)).timestamp, 1003);   // backwards
  EXPECT_EQ(append(make_message(5, r1, 5000)).timestamp, 5000);  // forwards: as requested
  EXPECT_EQ(append(make_message(6, r2, 10)).timestamp, 10);      // other rooms: independent
  EXPECT_EQ(append(make_message(7, r2, 10)).timestamp, 11);

  auto stored = run(store_->get_message(r1, make_id('c', 4)));
  ASSERT_TRUE(stored.ok() && stored.value());
  EXPECT_EQ(stored.value()->timestamp, 1003);

  // A failed append (duplicate id) does not consume a timestamp.
  auto dup = run(store_->append_message(make_message(5, r1, 9000)));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().kind, Error::Kind::conflict);
  EXPECT_EQ(append(make_message(8, r1, 0)).timestamp, 5001);
}

TEST_F(SqliteStoreTest, MessageFieldsRoundTrip) {
  chat::Message m = make_message(1, make_id('b', 1), 42);
  m.type = chat::MessageType::ai;
  m.sender_id = "";
  m.ai_type = "wayneAI";
  m.metadata_json = R"({"query":"hi","generationTime":12})";
  m.reactions["🎉"] = {make_id('a', 2), make_id('a', 1)};
  m.readers = {{make_id('a', 3), 40}};
  chat::Message stored = append(m);
  EXPECT_EQ(stored.readers.size(), 1u);

  auto got = run(store_->get_message(m.room_id, m.id));
  ASSERT_TRUE(got.ok() && got.value());
  const chat::Message& g = *got.value();
  EXPECT_EQ(g.type, chat::MessageType::ai);
  EXPECT_EQ(g.ai_type, "wayneAI");
  EXPECT_EQ(g.sender_id, "");
  EXPECT_EQ(g.metadata_json, m.metadata_json);
  EXPECT_THAT(g.mentions, IsEmpty());
  EXPECT_THAT(g.reactions.at("🎉"), ElementsAre(make_id('a', 2), make_id('a', 1)));
  ASSERT_EQ(g.readers.size(), 1u);
  EXPECT_EQ(g.readers[0].read_at, 40);
  EXPECT_FALSE(g.is_deleted);
  EXPECT_FALSE(run(store_->get_message(m.room_id, make_id('c', 99))).value().has_value());
}

TEST_F(SqliteStoreTest, FetchMessagesPagesBackwardsAndReturnsAscending) {
  Id r = make_id('b', 1);
  for (int i = 1; i <= 25; ++i)
    append(make_message(i, r, 1000 + i * 10));
  chat::Message deleted = make_message(26, r, 1255);
  deleted.is_deleted = true;
  append(deleted);
  append(make_message(27, make_id('b', 2), 1100));  // another room

  auto p1 = run(store_->fetch_messages(r, 1'000'000, 10, "", 0));
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->messages.size(), 10u);
  EXPECT_TRUE(p1->has_more);
  EXPECT_EQ(p1->messages.front().id, make_id('c', 16));
  EXPECT_EQ(p1->messages.back().id, make_id('c', 25));
  for (size_t i = 1; i < p1->messages.size(); ++i) {
    EXPECT_LT(p1->messages[i - 1].timestamp, p1->messages[i].timestamp);
  }

  auto p2 = run(store_->fetch_messages(r, p1->messages.front().timestamp, 10, "", 0));
  ASSERT_TRUE(p2.ok());
  ASSERT_EQ(p2->messages.size(), 10u);
  EXPECT_TRUE(p2->has_more);
  EXPECT_EQ(p2->messages.front().id, make_id('c', 6));
  EXPECT_EQ(p2->messages.back().id, make_id('c', 15));

  auto p3 = run(store_->fetch_messages(r, p2->messages.front().timestamp, 10, "", 0));
  ASSERT_TRUE(p3.ok());
  ASSERT_EQ(p3->messages.size(), 5u);
  EXPECT_FALSE(p3->has_more);
  EXPECT_EQ(p3->messages.front().id, make_id('c', 1));

  // Exactly `limit` left: no more.
  auto exact = run(store_->fetch_messages(r, p2->messages.front().timestamp, 5, "", 0));
  EXPECT_EQ(exact->messages.size(), 5u);
  EXPECT_FALSE(exact->has_more);

  // Nobody was recorded as a reader by these fetches.
  EXPECT_EQ(raw_int("SELECT count(*) FROM readers"), 0);
}

TEST_F(SqliteStoreTest, FetchMessagesWithReaderAddsTheReader) {
  Id r = make_id('b', 1), reader = make_id('a', 7), other = make_id('a', 8);
  for (int i = 1; i <= 5; ++i)
    append(make_message(i, r, i));
  ASSERT_TRUE(run(store_->mark_read(r, {make_id('c', 5)}, reader, 50)).ok());
  ASSERT_TRUE(run(store_->mark_read(r, {make_id('c', 5)}, other, 55)).ok());

  auto page = run(store_->fetch_messages(r, 100, 3, reader, 99));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->messages.size(), 3u);
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
  auto m3 = run(store_->get_message(r, make_id('c', 3)));
  ASSERT_EQ(m3.value()->readers.size(), 1u);
  EXPECT_EQ(m3.value()->readers[0].read_at, 99);
  EXPECT_THAT(run(store_->get_message(r, make_id('c', 2))).value()->readers, IsEmpty());

  // Fetching again adds nothing.
  ASSERT_TRUE(run(store_->fetch_messages(r, 100, 3, reader, 200)).ok());
  EXPECT_EQ(raw_int("SELECT count(*) FROM readers"), 4);
}

TEST_F(SqliteStoreTest, MarkReadIsIdempotentAndSkipsUnknownIds) {
  Id r = make_id('b', 1), u = make_id('a', 1);
  append(make_message(1, r, 1));
  append(make_message(2, r, 2));
  ASSERT_TRUE(run(store_->mark_read(r, {make_id('c', 1), make_id('c', 2)}, u, 100)).ok());
  ASSERT_TRUE(run(store_->mark_read(r, {make_id('c', 1), make_id('c', 99)}, u, 200)).ok());
  ASSERT_TRUE(run(store_->mark_read(r, {}, u, 300)).ok());

  auto m1 = run(store_->get_message(r, make_id('c', 1)));
  ASSERT_EQ(m1.value()->readers.size(), 1u);
  EXPECT_EQ(m1.value()->readers[0].user_id, u);
  EXPECT_EQ(m1.value()->readers[0].read_at, 100);
  EXPECT_EQ(run(store_->get_message(r, make_id('c', 2))).value()->readers.size(), 1u);
  EXPECT_EQ(raw_int("SELECT count(*) FROM readers"), 2);
}

TEST_F(SqliteStoreTest, MessageOperationsAreScopedToTheirRoom) {
  Id r1 = make_id('b', 1), r2 = make_id('b', 2), u = make_id('a', 1);
  append(make_message(1, r1, 1));
  append(make_message(2, r2, 2));

  EXPECT_EQ(run(store_->find_message_room(make_id('c', 2))).value(), std::optional<Id>(r2));
  EXPECT_FALSE(run(store_->find_message_room(make_id('c', 9))).value().has_value());
  EXPECT_FALSE(run(store_->get_message(r1, make_id('c', 2))).value().has_value());

  // Naming r1 marks only r1's message; r2's is left alone.
  ASSERT_TRUE(run(store_->mark_read(r1, {make_id('c', 1), make_id('c', 2)}, u, 10)).ok());
  EXPECT_EQ(run(store_->get_message(r1, make_id('c', 1))).value()->readers.size(), 1u);
  EXPECT_THAT(run(store_->get_message(r2, make_id('c', 2))).value()->readers, IsEmpty());

  auto foreign = run(store_->update_reaction(r1, make_id('c', 2), "👍", u, true));
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().kind, Error::Kind::not_found);
  EXPECT_THAT(run(store_->get_message(r2, make_id('c', 2))).value()->reactions, IsEmpty());
}

TEST_F(SqliteStoreTest, ReactionsAddRemoveAndDropEmptyKeys) {
  Id room = make_id('b', 1), m = make_id('c', 1), a = make_id('a', 1), b = make_id('a', 2);
  append(make_message(1, room, 1));

  auto r = run(store_->update_reaction(room, m, "👍", a, true));
  ASSERT_TRUE(r.ok());
  EXPECT_THAT(r->at("👍"), ElementsAre(a));
  r = run(store_->update_reaction(room, m, "👍", b, true));
  EXPECT_THAT(r->at("👍"), ElementsAre(a, b));
  r = run(store_->update_reaction(room, m, "👍", a, true));  // set-add: no duplicate
  EXPECT_THAT(r->at("👍"), ElementsAre(a, b));
  r = run(store_->update_reaction(room, m, "❤️", a, true));
  EXPECT_EQ(r->size(), 2u);

  r = run(store_->update_reaction(room, m, "👍", a, false));
  EXPECT_THAT(r->at("👍"), ElementsAre(b));
  r = run(store_->update_reaction(room, m, "👍", b, false));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->count("👍"), 0u);
  EXPECT_EQ(r->size(), 1u);
  r = run(store_->update_reaction(room, m, "👍", b, false));  // removing what is absent is fine
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 1u);

  auto stored = run(store_->get_message(room, m));
  EXPECT_EQ(stored.value()->reactions.size(), 1u);
  EXPECT_THAT(stored.value()->reactions.at("❤️"), ElementsAre(a));

  auto unknown = run(store_->update_reaction(room, make_id('c', 9), "👍", a, true));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, Error::Kind::not_found);
}

TEST_F(SqliteStoreTest, CountMessagesSince) {
  Id r = make_id('b', 1);
  for (int i = 1; i <= 5; ++i)
    append(make_message(i, r, i * 100));
  chat::Message gone = make_message(6, r, 600);
  gone.is_deleted = true;
  append(gone);
  append(make_message(7, make_id('b', 2), 700));
  EXPECT_EQ(run(store_->count_messages_since({r}, 300)).value(), std::vector<int64_t>{3});
  EXPECT_EQ(run(store_->count_messages_since({r}, 0)).value(), std::vector<int64_t>{5});
  EXPECT_EQ(run(store_->count_messages_since({r, std::string(24, 'f')}, 10'000)).value(),
            (std::vector<int64_t>{0, 0}));
}

// ---- files

TEST_F(SqliteStoreTest, FilesCreateGetDelete) {
  chat::FileRecord f;
  f.id = make_id('f', 1);
  f.filename = "1730000000000_0123456789abcdef.png";
  f.originalname = "사진.png";
  f.mimetype = "image/png";
  f.size = 12345;
  f.path = "/data/uploads/1730000000000_0123456789abcdef.png";
  f.user_id = make_id('a', 1);
  f.upload_date = 1730000000000;
  ASSERT_TRUE(run(store_->create_file(f)).ok());

  auto by_id = run(store_->get_file(f.id));
  ASSERT_TRUE(by_id.ok() && by_id.value());
  EXPECT_EQ(by_id.value()->originalname, "사진.png");
  EXPECT_EQ(by_id.value()->size, 12345);
  EXPECT_EQ(by_id.value()->upload_date, 1730000000000);
  auto by_name = run(store_->get_file_by_filename(f.filename));
  ASSERT_TRUE(by_name.ok() && by_name.value());
  EXPECT_EQ(by_name.value()->id, f.id);
  EXPECT_FALSE(run(store_->get_file_by_filename("nope.png")).value().has_value());

  chat::FileRecord same_name = f;
  same_name.id = make_id('f', 2);
  auto dup = run(store_->create_file(same_name));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().kind, Error::Kind::conflict);

  ASSERT_TRUE(run(store_->delete_file(f.id)).ok());
  EXPECT_FALSE(run(store_->get_file(f.id)).value().has_value());
  EXPECT_TRUE(run(store_->delete_file(f.id)).ok());
}

TEST_F(SqliteStoreTest, RoomsReferencingFile) {
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
  auto rooms = run(store_->rooms_referencing_file(file));
  ASSERT_TRUE(rooms.ok());
  EXPECT_THAT(rooms.value(), ElementsAre(make_id('b', 2), make_id('b', 1)));
  EXPECT_THAT(run(store_->rooms_referencing_file(make_id('f', 9))).value(), IsEmpty());
  EXPECT_THAT(run(store_->rooms_referencing_file("")).value(), IsEmpty());
}

// ---- concurrency

TEST_F(SqliteStoreTest, ConcurrentWritesAllCompleteAndAreGroupCommitted) {
  constexpr int kWriters = 8;
  constexpr int kPerWriter = 40;
  Id room = make_id('b', 1);
  add_room(make_room(1, "busy", 1, {}));
  WriterStats before = store_->writer_stats();

  asio::io_context& io = io_;
  std::atomic<int> done = 0, failures = 0;
  for (int w = 0; w < kWriters; ++w) {
    asio::co_spawn(
        io,
        [&, w]() -> asio::awaitable<void> {
          for (int i = 0; i < kPerWriter; ++i) {
            int n = w * kPerWriter + i;
            // Every coroutine asks for the same timestamp: the store must still order them.
            auto m = co_await store_->append_message(make_message(n, room, 777));
            if (!m.ok()) ++failures;
            std::vector<Id> ids{m.ok() ? m->id : Id()};
            auto read = co_await store_->mark_read(room, std::move(ids), make_id('a', w), 1);
            if (!read.ok()) ++failures;
            auto join = co_await store_->add_participant(room, make_id('a', w));
            if (!join.ok()) ++failures;
          }
          ++done;
        },
        test_util::rethrow_if);
  }
  // Two threads on the loop, so completions also race with new submissions.
  std::thread helper([&] { io.run(); });
  io.run();
  helper.join();

  EXPECT_EQ(done, kWriters);
  EXPECT_EQ(failures, 0);
  constexpr int kMessages = kWriters * kPerWriter;
  auto page = run(store_->fetch_messages(room, 1'000'000, 1000, "", 0));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->messages.size(), static_cast<size_t>(kMessages));
  EXPECT_FALSE(page->has_more);
  std::set<Id> ids;
  for (size_t i = 0; i < page->messages.size(); ++i) {
    ids.insert(page->messages[i].id);
    EXPECT_EQ(page->messages[i].timestamp, 777 + static_cast<Millis>(i));
    EXPECT_EQ(page->messages[i].readers.size(), 1u);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kMessages));
  EXPECT_EQ(run(store_->get_room(room)).value()->participant_ids.size(),
            static_cast<size_t>(kWriters));

  WriterStats after = store_->writer_stats();
  EXPECT_EQ(after.jobs - before.jobs, static_cast<uint64_t>(3 * kMessages));
  // Eight writers at once: batches must have held more than one job.
  EXPECT_LT(after.batches - before.batches, after.jobs - before.jobs);
  EXPECT_GT(after.largest_batch, 1u);
}

}  // namespace
}  // namespace parley::store::sqlite
