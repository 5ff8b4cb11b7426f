// Connection: one SQLite connection plus its cache of prepared statements, and Statement, the
// RAII owner of one prepared statement. Everything the store sends to SQLite goes through
// Connection::query() / Connection::run() with bound parameters, so user data never becomes SQL
// text. A connection is used by exactly one thread at a time (the writer, or one reader).
//
// Errors inside this layer are thrown as SqliteError; the job boundary (job.h) turns them into
// parley::Error values, so nothing thrown here escapes the Store interface.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include "core/result.h"

namespace parley::store::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  int code() const { return code_; }  // extended result code (SQLITE_CONSTRAINT_UNIQUE, ...)

 private:
  int code_;
};

// Maps an SQLite failure onto the interface's error kinds: uniqueness violations are conflicts,
// I/O and locking trouble is "unavailable", anything else is internal.
Error to_error(const SqliteError& e);

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(int index, int64_t value);
  void bind(int index, std::string_view value);
  void bind_null(int index);

  // Advances one row: true when a row is available, false when the statement is done.
  bool step();
  int64_t int64(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;
  // Back to the start with no bindings, ready for the next use.
  void reset();

  bool leased = false;  // a Query currently owns it (see Connection::query)

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// A lease on a cached statement for one execution. Resets the statement when it goes away, so
// no statement stays mid-iteration (holding a read snapshot) after its caller is done.
class Query {
 public:
  explicit Query(Statement& s) : s_(&s) { s_->leased = true; }
  ~Query() {
    s_->reset();
    s_->leased = false;
  }
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;

  bool step() { return s_->step(); }
  int64_t int64(int column) const { return s_->int64(column); }
  std::string text(int column) const { return s_->text(column); }
  bool is_null(int column) const { return s_->is_null(column); }

 private:
  Statement* s_;
};

class Connection {
 public:
  // Opens (creating if needed) the database file. Readers are opened query-only.
  static std::unique_ptr<Connection> open(const std::string& path, bool read_only,
                                          int busy_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL without parameters (schema scripts, pragmas); may hold several statements.
  void exec(const char* sql);

  // Prepares (once per connection) and binds `args` to ?1..?N. Step the returned Query for rows.
  template <class... Args>
  Query query(std::string_view sql, const Args&... args) {
    Statement& s = prepare(sql);
    int index = 0;
    (bind_one(s, ++index, args), ...);
    return Query(s);
  }

  // Runs a statement to completion; returns the number of rows it changed.
  template <class... Args>
  int64_t run(std::string_view sql, const Args&... args) {
    Query q = query(sql, args...);
    while (q.step()) {
    }
    return sqlite3_changes(db_);
  }

  // Like run(), with `list` bound after `args` (?N+1, ?N+2, ...): for statements whose text was
  // built for that many list parameters (e.g. `IN (?4, ?5, ...)`), one cached per length.
  template <class... Args>
  int64_t run_with_list(std::string_view sql, std::span<const std::string> list,
                        const Args&... args) {
    Statement& s = prepare(sql);
    int index = 0;
    (bind_one(s, ++index, args), ...);
    for (const std::string& v : list)
      s.bind(++index, std::string_view(v));
    Query q(s);
    while (q.step()) {
    }
    return sqlite3_changes(db_);
  }

  // Single value of the first column of the first row; `fallback` when no row or NULL.
  template <class... Args>
  int64_t scalar(std::string_view sql, int64_t fallback, const Args&... args) {
    Query q = query(sql, args...);
    if (!q.step() || q.is_null(0)) return fallback;
    return q.int64(0);
  }

  sqlite3* handle() { return db_; }
  bool in_transaction() { return sqlite3_get_autocommit(db_) == 0; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  Statement& prepare(std::string_view sql);

  template <class T>
  static void bind_one(Statement& s, int index, const T& v) {
    if constexpr (std::is_same_v<T, std::nullptr_t>) {
      s.bind_null(index);
    } else if constexpr (std::is_integral_v<T>) {
      s.bind(index, static_cast<int64_t>(v));
    } else {
      s.bind(index, std::string_view(v));
    }
  }

  // Heterogeneous lookup, so finding a cached statement does not copy the SQL text.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>, Hash, std::equal_to<>> cache_;
};

}  // namespace parley::store::sqlite
