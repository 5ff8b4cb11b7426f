// Services: what request and event handlers work with: the store, the password hasher, token
// keys, limits and the outbound event sink. Built once in app/ and shared by every loop; every
// member is safe to use from any loop.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <string>

#include "api/api_metrics.h"
#include "api/auth_guard.h"
#include "api/events.h"
#include "chat/jwt.h"
#include "chat/password.h"
#include "chat/rate_limit.h"
#include "files/file_services.h"
#include "store/store.h"

namespace parley::api {

namespace asio = boost::asio;

struct Limits {
  int64_t session_idle_ms = 30 * 60 * 1000;
  int64_t token_ttl_ms = 24 * 60 * 60 * 1000;
  int rooms_rate_limit = 10'000;
  int64_t rooms_rate_window_ms = 30'000;
};

// What /api/health says about this node beyond "ok": its id, and whether it reaches the shared
// cluster (a node that does not answers 503, so a load balancer's check takes it out).
struct NodeHealth {
  std::string node_id;
  std::function<asio::awaitable<bool>()> cluster_reachable;  // unset: single node, no cluster
};

struct Services {
  store::Store& store;
  chat::PasswordHasher& hasher;
  chat::RateLimiter& rooms_limiter;
  Events& events;
  chat::JwtCodec jwt;
  Limits limits;
  files::FileServices files{};    // uploads and profile images (files/)
  ApiMetrics* metrics = nullptr;  // counters for /metrics (api_metrics.h); null: not counted
  // Load balancer health (/health/ready): set once shutdown begins; the store ping's time limit.
  const std::atomic<bool>* draining = nullptr;
  int64_t ready_timeout_ms = 1'000;
  AuthGuard* auth_guard = nullptr;  // login/registration limits; null: none (and no password
                                    // change without the current password)
  NodeHealth node{};                // scale-out: node id and cluster probe for /api/health
};

}  // namespace parley::api
