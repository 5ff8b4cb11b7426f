// Cluster redirections and transient cluster errors, recognised in error replies (Redis
// Cluster spec: "-MOVED 3999 127.0.0.1:6381", "-ASK 3999 127.0.0.1:6381", "-TRYAGAIN …",
// "-CLUSTERDOWN …").
#pragma once

#include <optional>
#include <string_view>

#include "redis/cluster.h"
#include "redis/reply.h"

namespace parley::redis {

struct Redirect {
  enum class Kind { moved, ask, tryagain, clusterdown };
  Kind kind = Kind::moved;
  int slot = -1;    // moved / ask
  Endpoint target;  // moved / ask; host empty = the endpoint the command was sent to
};

// The redirect an error message means, or nullopt for any other error (including a MOVED or
// ASK whose slot or address does not parse: that is the caller's error to see).
std::optional<Redirect> parse_redirect(std::string_view error_message);
std::optional<Redirect> parse_redirect(const Reply& reply);

}  // namespace parley::redis
