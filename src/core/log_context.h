// The request or socket a log line is about. A caller that logs about one opens a LogScope
// around the log call (never across a co_await: other coroutines run on the same thread in
// between); the JSON log formatter (app/logging.cc) adds the ids to the line. Thread-local, so
// loops never share it.
#pragma once

#include <string_view>

namespace parley {

struct LogContext {
  std::string_view request_id;
  std::string_view socket_id;
};

// The innermost open scope's context on this thread (empty ids when none is open).
const LogContext& current_log_context();

class LogScope {
 public:
  explicit LogScope(LogContext context);
  ~LogScope();
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;

 private:
  LogContext previous_;
};

}  // namespace parley
