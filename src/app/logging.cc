// See logging.h. The JSON formatter runs on the logging thread (spdlog's default loggers are
// synchronous), so the thread name and the log context it reads are the caller's.
#include "app/logging.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/json_string.h"
#include "core/log_context.h"
#include "core/thread_name.h"

namespace parley::app {

namespace {

// 2026-12-04T19:40:01.123Z
void append_timestamp(std::string& out, std::chrono::system_clock::time_point t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];  // room for any int, so the compiler can see nothing is cut
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  out += buf;
}

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string line;
    line.reserve(128 + msg.payload.size());
    line += "{\"ts\":\"";
    append_timestamp(line, msg.time);
    line += "\",\"level\":";
    const auto level = spdlog::level::to_string_view(msg.level);
    append_json_string(line, std::string_view(level.data(), level.size()));
    line += ",\"thread\":";
    append_json_string(line, thread_name());
    line += ",\"msg\":";
    append_json_string(line, std::string_view(msg.payload.data(), msg.payload.size()));
    const LogContext& context = current_log_context();
    if (!context.request_id.empty()) {
      line += ",\"request_id\":";
      append_json_string(line, context.request_id);
    }
    if (!context.socket_id.empty()) {
      line += ",\"socket_id\":";
      append_json_string(line, context.socket_id);
    }
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

// Access lines go through their own spdlog logger (its sink has the lock; flushed per line so a
// tail -f or a test sees each request at once).
class SpdlogAccessLog final : public net::AccessLog {
 public:
  SpdlogAccessLog(std::shared_ptr<spdlog::logger> logger, bool json)
      : logger_(std::move(logger)), json_(json) {}

  void record(const net::AccessEntry& e) override {
    std::string line;
    line.reserve(160 + e.path.size());
    char num[64];
    if (json_) {
      line += "{\"ts\":\"";
      append_timestamp(line, std::chrono::system_clock::now());
      line += "\",\"type\":\"access\",\"method\":";
      append_json_string(line, e.method);
      line += ",\"path\":";
      append_json_string(line, e.path);
      std::snprintf(num, sizeof num, ",\"status\":%u,\"bytes\":%llu,\"duration_ms\":%.3f", e.status,
                    static_cast<unsigned long long>(e.bytes), e.duration_ms);
      line += num;
      line += ",\"client_ip\":";
      append_json_string(line, e.client_ip);
      line += ",\"request_id\":";
      append_json_string(line, e.request_id);
      line += "}";
    } else {
      // ip "METHOD path" status bytes duration_ms request_id
      line.append(e.client_ip);
      line += " \"";
      line.append(e.method);
      line += ' ';
      line.append(e.path);
      std::snprintf(num, sizeof num, "\" %u %llu %.3fms ", e.status,
                    static_cast<unsigned long long>(e.bytes), e.duration_ms);
      line += num;
      line.append(e.request_id);
    }
    logger_->info("{}", line);
  }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  bool json_;
};

}  // namespace

Result<std::unique_ptr<net::AccessLog>> configure_logging(const LogOptions& options) {
  const auto level = spdlog::level::from_str(options.level);
  spdlog::set_level(level);
  if (options.format == "json") {
    spdlog::set_formatter(std::make_unique<JsonFormatter>());
  } else if (options.format != "text") {
    return Error::invalid("log format must be text or json, not '" + options.format + "'");
  }
  if (options.access_log.empty()) return std::unique_ptr<net::AccessLog>();

  spdlog::sink_ptr sink;
  try {
    if (options.access_log == "-") {
      sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.access_log);
    }
  } catch (const spdlog::spdlog_ex& e) {
    return Error::unavailable("access log " + options.access_log + ": " + e.what());
  }
  auto logger = std::make_shared<spdlog::logger>("access", std::move(sink));
  logger->set_pattern("%v");
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return std::unique_ptr<net::AccessLog>(
      std::make_unique<SpdlogAccessLog>(std::move(logger), options.format == "json"));
}

}  // namespace parley::app
