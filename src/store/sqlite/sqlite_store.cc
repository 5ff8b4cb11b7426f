// SqliteStore: opening and closing the database, users, sessions and ping. Rooms and messages
// live in their own files (see sqlite_store.h).
#include "store/sqlite/sqlite_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <system_error>

#include "store/sqlite/records.h"
#include "store/sqlite/schema.h"

namespace parley::store::sqlite {

namespace {

// Durability: with WAL, synchronous=NORMAL fsyncs only at checkpoints, so a commit survives
// the process being killed (kill -9: the WAL pages are in the OS cache) but not a power cut.
// FULL fsyncs the WAL on every COMMIT. Because the writer commits in groups, that fsync is paid
// once per batch rather than once per write, so FULL is affordable and is the default: a write
// acknowledged to a client survives kill -9 and power loss alike.
void configure_writer(Connection& db, const SqliteStore::Options& options) {
  Query q = db.query("PRAGMA journal_mode = WAL");
  if (!q.step() || q.text(0) != "wal") {
    throw SqliteError(SQLITE_ERROR, "could not switch the database to WAL mode");
  }
  db.exec(options.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec("PRAGMA temp_store = MEMORY");
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const Options& options) {
  if (options.path.empty()) return Error::invalid("sqlite store: empty database path");
  std::filesystem::path parent = std::filesystem::path(options.path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) {
      return Error::unavailable("sqlite store: cannot create " + parent.string() + ": " +
                                ec.message());
    }
  }
  try {
    auto writer = Connection::open(options.path, false, options.busy_timeout_ms);
    configure_writer(*writer, options);
    int applied = migrate(*writer, migrations());
    int version = sqlite::schema_version(*writer);
    std::vector<std::unique_ptr<Connection>> readers;
    for (int i = 0; i < std::max(1, options.read_connections); ++i) {
      readers.push_back(Connection::open(options.path, true, options.busy_timeout_ms));
    }
    spdlog::info("sqlite store: opened {} (schema v{}, {} migration(s) applied, {} readers)",
                 options.path, version, applied, readers.size());
    return std::unique_ptr<SqliteStore>(
        new SqliteStore(options, std::move(writer), std::move(readers), applied, version));
  } catch (const SqliteError& e) {
    return Error::unavailable("sqlite store: open " + options.path + ": " + e.what());
  }
}

SqliteStore::SqliteStore(const Options& options, std::unique_ptr<Connection> writer,
                         std::vector<std::unique_ptr<Connection>> readers, int migrations_applied,
                         int schema_version)
    : options_(options),
      migrations_applied_(migrations_applied),
      schema_version_(schema_version),
      activity_(options.touch_persist_interval_ms) {
  // A failed batch may have advanced the timestamp cache past what the database holds; forget
  // it and reload from the database on next use.
  writer_ = std::make_unique<Writer>(std::move(writer), [this] { last_timestamp_.clear(); });
  readers_ = std::make_unique<ReaderPool>(std::move(readers));
}

SqliteStore::~SqliteStore() {
  close();
}

void SqliteStore::close() {
  if (closed_.exchange(true)) return;
  // A clean shutdown keeps the activity that coalescing had not written yet.
  for (auto& p : activity_.take_unpersisted()) {
    submit_detached(
        *writer_,
        [p](Connection& db) -> Result<void> {
          db.run(
              "UPDATE sessions SET last_activity = max(last_activity, ?3) "
              "WHERE user_id = ?1 AND session_id = ?2",
              p.user_id, p.session_id, p.activity);
          return {};
        },
        "flush session activity");
  }
  writer_->stop();
  readers_->stop();
  try {
    // Fold the WAL back into the main file, so the directory holds one self-contained file.
    writer_->connection().exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const SqliteError& e) {
    spdlog::warn("sqlite store: checkpoint at close failed: {}", e.what());
  }
  WriterStats s = writer_->stats();
  spdlog::info("sqlite store: closed {} ({} writes in {} commits)", options_.path, s.jobs,
               s.batches);
  writer_->close_connection();
}

// ---- users

// Operations that only run one job return its awaitable directly (no coroutine frame of their
// own). Those that do more build the job as a named local before co_await: see submit() in
// job.h for the GCC 12 bug that makes a lambda temporary inside co_await unsafe.

asio::awaitable<Result<void>> SqliteStore::create_user(chat::User user) {
  return write([user = std::move(user)](Connection& db) -> Result<void> {
    db.run(
        "INSERT INTO users (id, name, email, password_hash, profile_image, created_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        user.id, user.name, user.email, user.password_hash, user.profile_image, user.created_at);
    return {};
  });
}

asio::awaitable<Result<std::optional<chat::User>>> SqliteStore::find_user_by_email(
    std::string email_lower) {
  return read(
      [email = std::move(email_lower)](Connection& db) -> Result<std::optional<chat::User>> {
        return load_user_by_email(db, email);
      });
}

asio::awaitable<Result<std::optional<chat::User>>> SqliteStore::get_user(Id id) {
  return read([id = std::move(id)](Connection& db) -> Result<std::optional<chat::User>> {
    return load_user(db, id);
  });
}

asio::awaitable<Result<std::vector<chat::User>>> SqliteStore::get_users(std::vector<Id> ids) {
  return read([ids = std::move(ids)](Connection& db) -> Result<std::vector<chat::User>> {
    std::vector<chat::User> users;
    users.reserve(ids.size());
    for (const Id& id : ids) {
      if (auto u = load_user(db, id)) users.push_back(std::move(*u));
    }
    return users;
  });
}

namespace {

// One column of one user; not_found when there is no such user.
auto update_user_column(const char* sql, Id id, std::string value) {
  return [sql, id = std::move(id), value = std::move(value)](Connection& db) -> Result<void> {
    if (db.run(sql, id, value) == 0) return Error::not_found("user " + id);
    return {};
  };
}

}  // namespace

asio::awaitable<Result<void>> SqliteStore::update_user_name(Id id, std::string name) {
  return write(update_user_column("UPDATE users SET name = ?2 WHERE id = ?1", std::move(id),
                                  std::move(name)));
}

asio::awaitable<Result<void>> SqliteStore::update_user_password(Id id, std::string hash) {
  return write(update_user_column("UPDATE users SET password_hash = ?2 WHERE id = ?1",
                                  std::move(id), std::move(hash)));
}

asio::awaitable<Result<void>> SqliteStore::update_user_profile_image(Id id, std::string image) {
  return write(update_user_column("UPDATE users SET profile_image = ?2 WHERE id = ?1",
                                  std::move(id), std::move(image)));
}

asio::awaitable<Result<void>> SqliteStore::delete_user(Id id) {
  auto job = [id](Connection& db) -> Result<void> {
    // Leave every room first, keeping each room's participant_count in step.
    db.run(
        "UPDATE rooms SET participant_count = participant_count - 1 "
        "WHERE id IN (SELECT room_id FROM room_participants WHERE user_id = ?1)",
        id);
    db.run("DELETE FROM room_participants WHERE user_id = ?1", id);
    db.run("DELETE FROM sessions WHERE user_id = ?1", id);
    db.run("DELETE FROM users WHERE id = ?1", id);
    return {};
  };
  Result<void> r = co_await write(std::move(job));
  if (r.ok()) activity_.forget(id);
  co_return r;
}

// ---- sessions

asio::awaitable<Result<void>> SqliteStore::replace_session(chat::Session session) {
  auto job = [session](Connection& db) -> Result<void> {
    db.run(
        "INSERT INTO sessions (user_id, session_id, created_at, last_activity, user_agent, "
        "ip_address) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (user_id) DO UPDATE SET session_id = excluded.session_id, "
        "created_at = excluded.created_at, last_activity = excluded.last_activity, "
        "user_agent = excluded.user_agent, ip_address = excluded.ip_address",
        session.user_id, session.session_id, session.created_at, session.last_activity,
        session.user_agent, session.ip_address);
    return {};
  };
  Result<void> r = co_await write(std::move(job));
  if (r.ok()) activity_.persisted(session.user_id, session.session_id, session.last_activity);
  co_return r;
}

asio::awaitable<Result<std::optional<chat::Session>>> SqliteStore::get_session(Id user_id) {
  auto job = [user_id](Connection& db) -> Result<std::optional<chat::Session>> {
    return load_session(db, user_id);
  };
  auto r = co_await read(std::move(job));
  if (r.ok() && r.value()) {
    chat::Session& s = *r.value();
    s.last_activity = activity_.freshest(s.user_id, s.session_id, s.last_activity);
  }
  co_return r;
}

asio::awaitable<Result<void>> SqliteStore::touch_session(Id user_id, std::string session_id,
                                                         Millis now) {
  if (closed_.load()) co_return Error::unavailable("store is closed");
  if (activity_.touch(user_id, session_id, now)) {
    // Not awaited: activity is advisory, and the in-memory value already answers get_session.
    auto job = [user_id = std::move(user_id), session_id = std::move(session_id),
                now](Connection& db) -> Result<void> {
      db.run(
          "UPDATE sessions SET last_activity = max(last_activity, ?3) "
          "WHERE user_id = ?1 AND session_id = ?2",
          user_id, session_id, now);
      return {};
    };
    submit_detached(*writer_, std::move(job), "touch_session");
  }
  co_return Result<void>{};
}

asio::awaitable<Result<bool>> SqliteStore::delete_session(Id user_id, std::string session_id) {
  auto job = [user_id, session_id](Connection& db) -> Result<bool> {
    return db.run("DELETE FROM sessions WHERE user_id = ?1 AND session_id = ?2", user_id,
                  session_id) > 0;
  };
  auto r = co_await write(std::move(job));
  if (r.ok() && r.value()) activity_.forget(user_id, session_id);
  co_return r;
}

// ---- lifecycle

asio::awaitable<Result<int64_t>> SqliteStore::ping() {
  auto start = std::chrono::steady_clock::now();
  auto job = [](Connection& db) -> Result<int64_t> { return db.scalar("SELECT 1", 0); };
  auto r = co_await read(std::move(job));
  if (!r.ok()) co_return r.error();
  co_return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  start)
      .count();
}

}  // namespace parley::store::sqlite
