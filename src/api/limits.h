// Limiter: a rate limit that can be shared by every node of a cluster. LocalLimiter wraps
// chat::RateLimiter (one process); cluster/redis_limiter.h keeps the windows in Redis so a user's
// chat messages are counted once however many nodes their sockets are on.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "chat/rate_limit.h"

namespace parley::api {

namespace asio = boost::asio;

class Limiter {
 public:
  virtual ~Limiter() = default;
  // Counts a hit for `key` and decides it (a rejected hit is not counted).
  virtual asio::awaitable<chat::RateLimiter::Decision> check(std::string key, int64_t now_ms) = 0;
};

class LocalLimiter final : public Limiter {
 public:
  explicit LocalLimiter(chat::RateLimiter& limiter) : limiter_(limiter) {}
  asio::awaitable<chat::RateLimiter::Decision> check(std::string key, int64_t now_ms) override {
    co_return limiter_.check(key, now_ms);
  }

 private:
  chat::RateLimiter& limiter_;
};

}  // namespace parley::api
