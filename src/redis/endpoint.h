// Endpoint helpers beyond cluster.h's parse_endpoints: "host:port" text for logs and map keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "redis/cluster.h"

namespace parley::redis {

std::string to_string(const Endpoint& e);
// "host:port" (the host may be empty in a MOVED reply: "use the address you reached").
std::optional<Endpoint> parse_endpoint(std::string_view text);
inline bool operator==(const Endpoint& a, const Endpoint& b) {
  return a.port == b.port && a.host == b.host;
}

}  // namespace parley::redis
