// Connection and Statement: the thin RAII layer over the SQLite C API (see connection.h).
#include "store/sqlite/connection.h"

namespace parley::store::sqlite {

namespace {

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view context) {
  int code = db ? sqlite3_extended_errcode(db) : rc;
  std::string what(context);
  what += ": ";
  what += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  throw SqliteError(code, what);
}

}  // namespace

Error to_error(const SqliteError& e) {
  switch (e.code()) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Error::conflict(e.what());
    default:
      break;
  }
  switch (e.code() & 0xff) {
    case SQLITE_CONSTRAINT:
      return Error::invalid(e.what());
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return Error::unavailable(e.what());
    default:
      return Error::internal(e.what());
  }
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  // PERSISTENT: these live for the connection's lifetime, so SQLite may allocate them outside
  // its lookaside memory.
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, std::string("prepare ") + std::string(sql));
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::bind(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
}

void Statement::bind(int index, std::string_view value) {
  // TRANSIENT: SQLite copies the text, so a binding never outlives the caller's string.
  int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
}

void Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, sqlite3_sql(stmt_));
}

int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::text(int column) const {
  const unsigned char* p = sqlite3_column_text(stmt_, column);
  if (!p) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::unique_ptr<Connection> Connection::open(const std::string& path, bool read_only,
                                             int busy_timeout_ms) {
  sqlite3* db = nullptr;
  // NOMUTEX: each connection is confined to one thread, so SQLite's per-connection mutex is
  // pure overhead.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string what = "open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    throw SqliteError(rc, what);
  }
  std::unique_ptr<Connection> c(new Connection(db));
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, busy_timeout_ms);
  // Readers are opened read-write but query-only: a true SQLITE_OPEN_READONLY connection
  // cannot recover a WAL index left behind by a crash, query_only has no such limit.
  if (read_only) c->exec("PRAGMA query_only=ON");
  return c;
}

Connection::~Connection() {
  cache_.clear();  // statements must be finalized before the connection closes
  sqlite3_close(db_);
}

void Connection::exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string what = std::string("exec: ") + (message ? message : sqlite3_errstr(rc));
    sqlite3_free(message);
    throw SqliteError(sqlite3_extended_errcode(db_), what);
  }
}

Statement& Connection::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(std::string(sql), std::make_unique<Statement>(db_, sql)).first;
  }
  // A statement can run once at a time; nesting the same SQL is a bug in the caller.
  if (it->second->leased) throw SqliteError(SQLITE_MISUSE, "statement reused while active");
  return *it->second;
}

}  // namespace parley::store::sqlite
