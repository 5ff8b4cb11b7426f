// See redis_limiter.h.
#include "cluster/redis_limiter.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace parley::cluster {

namespace {

// KEYS[1] the window; ARGV limit, window ms. Returns {allowed 0|1, count, pttl ms}.
constexpr const char* kWindow = R"lua(
local limit = tonumber(ARGV[1])
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= limit then return {0, n, redis.call('PTTL', KEYS[1])} end
n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {1, n, ttl}
)lua";

}  // namespace

RedisLimiter::RedisLimiter(redis::Cluster& cluster, std::string name, int64_t limit,
                           int64_t window_ms)
    : cluster_(cluster),
      name_(std::move(name)),
      limit_(limit),
      window_ms_(window_ms),
      script_(kWindow) {}

asio::awaitable<chat::RateLimiter::Decision> RedisLimiter::check(std::string key, int64_t now_ms) {
  chat::RateLimiter::Decision d;
  d.limit = limit_;
  std::vector<std::string> keys{"parley:rl:" + name_ + ":{" + key + "}"};
  std::vector<std::string> args{std::to_string(limit_), std::to_string(window_ms_)};
  auto r = co_await cluster_.eval(script_, std::move(keys), std::move(args));
  if (!r || !r.value().is_array() || r.value().elements.size() != 3) {
    spdlog::warn("rate limit {}: cluster unavailable, hit allowed: {}", name_,
                 r ? r.value().str : r.error().detail);
    d.allowed = true;
    d.remaining = limit_;
    d.reset_at_ms = now_ms + window_ms_;
    d.retry_after_s = 1;
    co_return d;
  }
  const auto& e = r.value().elements;
  const int64_t count = e[1].integer;
  const int64_t ttl = std::max<int64_t>(0, e[2].integer);
  d.allowed = e[0].integer == 1;
  d.remaining = d.allowed ? std::max<int64_t>(0, limit_ - count) : 0;
  d.reset_at_ms = now_ms + ttl;
  d.retry_after_s = std::max<int64_t>(1, (ttl + 999) / 1000);
  co_return d;
}

}  // namespace parley::cluster
