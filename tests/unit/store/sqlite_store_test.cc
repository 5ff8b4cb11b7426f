// SqliteStore's own behaviour against a real database file in a fresh temporary directory per
// test: schema and WAL, what reaches the file (coalesced session activity, reader rows, the
// checkpoint at close), persistence across close/reopen, and concurrent writers going through
// the group commit. What every Store must do is in store_contract_test.cc.
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

#include "store_records.h"
#include "store_test_util.h"

namespace parley::store::sqlite {
namespace {

using test_util::run;
using test_util::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

using test_records::make_id;
using test_records::make_message;
using test_records::make_room;
using test_records::make_user;

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

// The readers table gets one row per (message, reader), whatever the path that adds it; the
// behaviour callers see is in store_contract_test.cc.
TEST_F(SqliteStoreTest, ReaderRowsAreWrittenOncePerMessageAndReader) {
  Id r = make_id('b', 1), reader = make_id('a', 7), other = make_id('a', 8);
  for (int i = 1; i <= 5; ++i)
    append(make_message(i, r, i));
  ASSERT_TRUE(run(store_->fetch_messages(r, 100, 10, "", 0)).ok());
  EXPECT_EQ(raw_int("SELECT count(*) FROM readers"), 0);
  ASSERT_TRUE(run(store_->mark_read(r, {make_id('c', 5), make_id('c', 99)}, reader, 50)).ok());
  ASSERT_TRUE(run(store_->mark_read(r, {make_id('c', 5)}, other, 55)).ok());
  ASSERT_TRUE(run(store_->mark_read(r, {make_id('c', 5)}, other, 56)).ok());
  EXPECT_EQ(raw_int("SELECT count(*) FROM readers"), 2);
  ASSERT_TRUE(run(store_->fetch_messages(r, 100, 3, reader, 99)).ok());
  ASSERT_TRUE(run(store_->fetch_messages(r, 100, 3, reader, 200)).ok());
  EXPECT_EQ(raw_int("SELECT count(*) FROM readers"), 4);  // 3, 4 added; 5 already had it
}

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
