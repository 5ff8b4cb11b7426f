// RedisLimiter: api::Limiter with its fixed windows in Redis ("parley:rl:<name>:{<key>}", one key
// per limited key, so keys spread over the masters): one Lua script reads the count, rejects at
// the limit without counting, else INCRs and starts the window's PEXPIRE on the first hit. When
// the cluster cannot be reached the hit is allowed (logged): a limiter must not stop the chat.
#pragma once

#include <string>

#include "api/limits.h"
#include "redis/cluster.h"

namespace parley::cluster {

namespace asio = boost::asio;

class RedisLimiter final : public api::Limiter {
 public:
  RedisLimiter(redis::Cluster& cluster, std::string name, int64_t limit, int64_t window_ms);
  asio::awaitable<chat::RateLimiter::Decision> check(std::string key, int64_t now_ms) override;

 private:
  redis::Cluster& cluster_;
  std::string name_;
  int64_t limit_;
  int64_t window_ms_;
  redis::Script script_;
};

}  // namespace parley::cluster
