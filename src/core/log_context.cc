// See log_context.h.
#include "core/log_context.h"

namespace parley {

namespace {
thread_local LogContext t_context;
}

const LogContext& current_log_context() {
  return t_context;
}

LogScope::LogScope(LogContext context) : previous_(t_context) {
  t_context = context;
}

LogScope::~LogScope() {
  t_context = previous_;
}

}  // namespace parley
