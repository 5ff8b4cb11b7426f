// The SQLite store's building blocks on their own: the group-commit Writer (batching, per-job
// savepoints, completion only after COMMIT), schema migrations, and the value helpers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "store/sqlite/connection.h"
#include "store/sqlite/records.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/writer.h"
#include "store_test_util.h"

namespace parley::store::sqlite {
namespace {

using test_util::TempDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A job made of two functions, for driving the Writer directly.
class FnJob : public Job {
 public:
  FnJob(std::function<bool(Connection&)> run, std::function<void(const Error*)> complete)
      : run_(std::move(run)), complete_(std::move(complete)) {}
  bool run(Connection& db) override { return run_(db); }
  void complete(const Error* failure) override { complete_(failure); }

 private:
  std::function<bool(Connection&)> run_;
  std::function<void(const Error*)> complete_;
};

std::unique_ptr<Connection> open_db(const std::string& path) {
  auto db = Connection::open(path, false, 5000);
  db->exec("PRAGMA journal_mode = WAL");
  return db;
}

int64_t count_rows(const std::string& path, const char* sql) {
  auto db = Connection::open(path, true, 5000);
  return db->scalar(sql, -1);
}

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.file("writer.sqlite3");
    auto db = open_db(path_);
    db->exec("CREATE TABLE t (v INTEGER PRIMARY KEY)");
    writer_ = std::make_unique<Writer>(std::move(db), [this] { ++aborts_; });
  }

  // Inserts `v`; returns false (a failed job) when `fail` is set, after having inserted.
  std::unique_ptr<Job> insert(int v, bool fail, std::promise<std::string>* outcome) {
    return std::make_unique<FnJob>(
        [v, fail](Connection& db) {
          try {
            db.run("INSERT INTO t (v) VALUES (?1)", v);
          } catch (const SqliteError&) {
            return false;
          }
          return !fail;
        },
        [outcome](const Error* failure) {
          outcome->set_value(failure ? "failed: " + failure->detail : "ok");
        });
  }

  TempDir dir_;
  std::string path_;
  int aborts_ = 0;
  std::unique_ptr<Writer> writer_;
};

TEST_F(WriterTest, QueuedJobsShareOneTransactionAndAFailingJobRollsBackAlone) {
  // Hold the writer inside a first job so the next four queue up behind it.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::promise<std::string> first;
  writer_->submit(std::make_unique<FnJob>(
      [&](Connection& db) {
        started.set_value();
        released.wait();
        db.run("INSERT INTO t (v) VALUES (1)");
        return true;
      },
      [&](const Error* f) { first.set_value(f ? "failed" : "ok"); }));
  started.get_future().wait();

  std::promise<std::string> a, b, c, d;
  writer_->submit(insert(10, false, &a));
  writer_->submit(insert(20, true, &b));   // inserts, then reports failure: undone
  writer_->submit(insert(10, false, &c));  // duplicate key: fails inside
  writer_->submit(insert(30, false, &d));
  release.set_value();

  EXPECT_EQ(first.get_future().get(), "ok");
  // A failed job still completes without a batch failure: its own result carries the error.
  EXPECT_EQ(a.get_future().get(), "ok");
  EXPECT_EQ(b.get_future().get(), "ok");
  EXPECT_EQ(c.get_future().get(), "ok");
  EXPECT_EQ(d.get_future().get(), "ok");
  writer_->stop();

  EXPECT_EQ(count_rows(path_, "SELECT count(*) FROM t"), 3);  // 1, 10, 30
  EXPECT_EQ(count_rows(path_, "SELECT count(*) FROM t WHERE v = 20"), 0);
  WriterStats s = writer_->stats();
  EXPECT_EQ(s.jobs, 5u);
  EXPECT_EQ(s.batches, 2u);
  EXPECT_EQ(s.largest_batch, 4u);
  EXPECT_EQ(aborts_, 0);
}

TEST_F(WriterTest, CompletesOnlyAfterCommit) {
  std::promise<int64_t> seen;
  writer_->submit(std::make_unique<FnJob>(
      [](Connection& db) {
        db.run("INSERT INTO t (v) VALUES (7)");
        return true;
      },
      // Another connection sees the row when the job hears it is done: it is committed.
      [&](const Error*) { seen.set_value(count_rows(path_, "SELECT count(*) FROM t")); }));
  EXPECT_EQ(seen.get_future().get(), 1);
}

TEST_F(WriterTest, ABatchAbortedBySqliteFailsEveryJobAndCallsTheHook) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> started;
  std::promise<std::string> hold;
  writer_->submit(std::make_unique<FnJob>(
      [&](Connection&) {
        started.set_value();
        released.wait();
        return true;
      },
      [&](const Error* f) { hold.set_value(f ? "failed" : "ok"); }));
  started.get_future().wait();

  std::promise<std::string> a, b;
  writer_->submit(insert(1, false, &a));
  // Ending the transaction behind the writer's back stands in for SQLite aborting it.
  writer_->submit(std::make_unique<FnJob>(
      [](Connection& db) {
        db.exec("ROLLBACK");
        return true;
      },
      [&](const Error* f) { b.set_value(f ? "failed" : "ok"); }));
  release.set_value();

  EXPECT_EQ(hold.get_future().get(), "ok");  // it was alone in the batch before
  EXPECT_THAT(a.get_future().get(), ::testing::StartsWith("failed"));
  EXPECT_EQ(b.get_future().get(), "failed");
  EXPECT_EQ(aborts_, 1);

  // The writer carries on with the next batch.
  std::promise<std::string> after;
  writer_->submit(insert(2, false, &after));
  EXPECT_EQ(after.get_future().get(), "ok");
  writer_->stop();
  EXPECT_EQ(count_rows(path_, "SELECT group_concat(v) FROM t"), 2);
}

TEST_F(WriterTest, StopDrainsTheQueueThenRefusesWork) {
  std::vector<std::promise<std::string>> outcomes(50);
  for (int i = 0; i < 50; ++i)
    writer_->submit(insert(i, false, &outcomes[i]));
  writer_->stop();
  for (auto& o : outcomes)
    EXPECT_EQ(o.get_future().get(), "ok");
  EXPECT_EQ(count_rows(path_, "SELECT count(*) FROM t"), 50);

  std::promise<std::string> late;
  writer_->submit(insert(99, false, &late));
  EXPECT_THAT(late.get_future().get(), ::testing::StartsWith("failed"));
  writer_->stop();  // idempotent
}

// ---- migrations

TEST(Migrations, AppliesPendingStepsOnceInOrder) {
  TempDir dir;
  auto db = open_db(dir.file("m.sqlite3"));
  const Migration two[] = {
      {1, "CREATE TABLE a (x INTEGER)"},
      {2, "INSERT INTO a VALUES (1); CREATE TABLE b (y INTEGER)"},
  };
  EXPECT_EQ(schema_version(*db), 0);
  EXPECT_EQ(migrate(*db, two), 2);
  EXPECT_EQ(schema_version(*db), 2);
  EXPECT_EQ(migrate(*db, two), 0);  // a re-run would fail: table a exists
  EXPECT_EQ(db->scalar("SELECT count(*) FROM a", -1), 1);

  const Migration three[] = {two[0], two[1], {3, "INSERT INTO b VALUES (3)"}};
  EXPECT_EQ(migrate(*db, three), 1);
  EXPECT_EQ(schema_version(*db), 3);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM a", -1), 1);

  // A database from a newer build is refused, and nothing changes.
  EXPECT_THROW(migrate(*db, two), SqliteError);
  EXPECT_EQ(schema_version(*db), 3);
}

TEST(Migrations, AFailingStepLeavesTheDatabaseUntouched) {
  TempDir dir;
  auto db = open_db(dir.file("m.sqlite3"));
  const Migration steps[] = {
      {1, "CREATE TABLE a (x INTEGER)"},
      {2, "THIS IS NOT SQL"},
  };
  EXPECT_THROW(migrate(*db, steps), SqliteError);
  EXPECT_EQ(schema_version(*db), 0);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM sqlite_master WHERE name = 'a'", -1), 0);
  EXPECT_FALSE(db->in_transaction());
}

TEST(Migrations, ParleySchemaAppliesToAFreshDatabase) {
  TempDir dir;
  auto db = open_db(dir.file("m.sqlite3"));
  EXPECT_EQ(migrate(*db, migrations()), static_cast<int>(migrations().size()));
  EXPECT_EQ(schema_version(*db), migrations().back().version);
  for (const char* table : {"users", "sessions", "rooms", "room_participants", "messages",
                            "reactions", "readers", "files"}) {
    EXPECT_EQ(db->scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                         -1, table),
              1)
        << table;
  }
}

// ---- connection and helpers

TEST(Connection, ErrorsMapToErrorKinds) {
  TempDir dir;
  auto db = open_db(dir.file("c.sqlite3"));
  db->exec("CREATE TABLE u (id TEXT PRIMARY KEY, email TEXT UNIQUE, n INTEGER NOT NULL)");
  db->run("INSERT INTO u VALUES (?1, ?2, ?3)", "1", "a@x", 1);
  try {
    db->run("INSERT INTO u VALUES (?1, ?2, ?3)", "2", "a@x", 1);
    FAIL() << "expected a constraint error";
  } catch (const SqliteError& e) {
    EXPECT_EQ(to_error(e).kind, Error::Kind::conflict);
  }
  try {
    db->run("INSERT INTO u VALUES (?1, ?2, ?3)", "3", "b@x", nullptr);
    FAIL() << "expected a NOT NULL error";
  } catch (const SqliteError& e) {
    EXPECT_EQ(to_error(e).kind, Error::Kind::invalid);
  }
  // Parameters are data, never SQL.
  db->run("INSERT INTO u VALUES (?1, ?2, ?3)", "4", "x'); DROP TABLE u; --", 4);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM u", -1), 2);
}

TEST(Connection, StatementsAreCachedAndReusable) {
  TempDir dir;
  auto db = open_db(dir.file("c.sqlite3"));
  db->exec("CREATE TABLE t (v INTEGER)");
  for (int i = 0; i < 100; ++i)
    db->run("INSERT INTO t (v) VALUES (?1)", i);
  EXPECT_EQ(db->scalar("SELECT sum(v) FROM t", -1), 4950);
  EXPECT_EQ(db->scalar("SELECT max(v) FROM t WHERE v < ?1", -1, 10), 9);
  EXPECT_EQ(db->scalar("SELECT max(v) FROM t WHERE v < ?1", -1, 0), -1);  // NULL: fallback
}

TEST(Records, EscapeLike) {
  EXPECT_EQ(escape_like("plain"), "plain");
  EXPECT_EQ(escape_like("100%"), "100\\%");
  EXPECT_EQ(escape_like("a_b"), "a\\_b");
  EXPECT_EQ(escape_like("back\\slash"), "back\\\\slash");
  EXPECT_EQ(escape_like(""), "");
}

TEST(Records, MentionsJsonRoundTrip) {
  std::vector<std::string> m = {"wayneAI", "quote\"d", "한글", ""};
  EXPECT_EQ(mentions_from_json(mentions_to_json(m)), m);
  EXPECT_EQ(mentions_to_json({}), "[]");
  EXPECT_THAT(mentions_from_json("not json"), IsEmpty());
  EXPECT_THAT(mentions_from_json(R"(["a", 1, "b"])"), ElementsAre("a", "b"));
}

}  // namespace
}  // namespace parley::store::sqlite
