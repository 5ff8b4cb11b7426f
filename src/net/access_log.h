// What the listener reports about each request it answered, for an optional access log. The
// listener fills an AccessEntry after writing the response; the sink (app/logging.cc) formats
// and writes it.
#pragma once

#include <cstdint>
#include <string_view>

namespace parley::net {

struct AccessEntry {
  std::string_view method;
  std::string_view path;  // the target without its query (queries may carry tokens)
  unsigned status = 0;
  uint64_t bytes = 0;      // bytes written for the response, head included
  double duration_ms = 0;  // from the end of the request head to the end of the response
  std::string_view client_ip;
  std::string_view request_id;
};

class AccessLog {
 public:
  virtual ~AccessLog() = default;
  // Called on the connection's event loop; must not block it for long.
  virtual void record(const AccessEntry& entry) = 0;
};

}  // namespace parley::net
