// Log setup for parley-server: the level, the line format (text: spdlog's default; json: one
// object a line with ts, level, thread, msg and the request / socket id of core/log_context.h),
// and the optional access log (one line per answered request, to a file or stdout).
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "net/access_log.h"

namespace parley::app {

struct LogOptions {
  std::string level = "info";
  std::string format = "text";  // text | json
  std::string access_log;       // "": none; "-": stdout; else a file (appended to)
};

// Configures the default logger. Returns the access log sink (null when none is wanted), which
// the listeners report to; it must outlive them.
Result<std::unique_ptr<net::AccessLog>> configure_logging(const LogOptions& options);

}  // namespace parley::app
