// The smallest HTTP/1.1 client that can scrape a /metrics page: one blocking GET per call on a
// fresh connection (Connection: close), bounded by a deadline, answering the body of a 200
// (Content-Length, chunked, or read to the close). It runs on the scraper's own thread, never on
// a traffic loop, and only ever connects to a target that passed the loopback guard.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "load/guard.h"

namespace parley::load {

struct MetricsUrl {
  std::string text;  // as given
  Target target;
  std::string path = "/metrics";
};

// "http://127.0.0.1:9100[/path]" (the path defaults to /metrics), loopback only.
Result<MetricsUrl> parse_metrics_url(std::string_view url);

// GET path; the body of a 200, else an error saying what went wrong ("HTTP 404", "connect:
// Connection refused", "timeout").
Result<std::string> http_get(const Target& target, std::string_view path, int timeout_ms);

}  // namespace parley::load
