// Sharded fixed-window counters.
#include "chat/rate_limit.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace parley::chat {

namespace {

struct Window {
  Millis start = 0;
  int64_t count = 0;
};

// Transparent hashing lets check() look a string_view key up without building a std::string.
struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace

// Cache-line aligned so two threads working on neighbouring shards do not false-share.
struct alignas(64) RateLimiter::Shard {
  mutable std::mutex mu;
  std::unordered_map<std::string, Window, KeyHash, std::equal_to<>> windows;
  Millis next_purge_ms = 0;
};

RateLimiter::RateLimiter(int64_t limit, Millis window_ms, size_t shards)
    : limit_(std::max<int64_t>(limit, 0)),
      window_ms_(std::max<Millis>(window_ms, 1)),
      mask_(std::bit_ceil(std::max<size_t>(shards, 1)) - 1),
      shards_(std::make_unique<Shard[]>(mask_ + 1)) {}

RateLimiter::~RateLimiter() = default;

RateLimiter::Decision RateLimiter::check(std::string_view key, Millis now_ms) {
  // High bits are folded in so the shard choice is independent of the bucket choice inside the
  // shard's map (which uses the low bits of the same hash).
  const size_t h = KeyHash{}(key);
  Shard& shard = shards_[((h >> 17) ^ h) & mask_];
  std::lock_guard lock(shard.mu);

  if (now_ms >= shard.next_purge_ms) {
    std::erase_if(shard.windows,
                  [&](const auto& kv) { return now_ms >= kv.second.start + window_ms_; });
    shard.next_purge_ms = now_ms + window_ms_;
  }

  auto it = shard.windows.find(key);
  if (it == shard.windows.end()) {
    it = shard.windows.emplace(std::string(key), Window{now_ms, 0}).first;
  } else if (now_ms >= it->second.start + window_ms_) {
    it->second = Window{now_ms, 0};
  }
  Window& w = it->second;

  Decision d;
  d.limit = limit_;
  d.reset_at_ms = w.start + window_ms_;
  d.retry_after_s = std::max<int64_t>(1, (d.reset_at_ms - now_ms + 999) / 1000);
  if (w.count >= limit_) {
    d.allowed = false;
    d.remaining = 0;
  } else {
    ++w.count;
    d.allowed = true;
    d.remaining = limit_ - w.count;
  }
  return d;
}

RateLimiter::Decision RateLimiter::peek(std::string_view key, Millis now_ms) const {
  const size_t h = KeyHash{}(key);
  const Shard& shard = shards_[((h >> 17) ^ h) & mask_];
  std::lock_guard lock(shard.mu);
  Decision d;
  d.limit = limit_;
  auto it = shard.windows.find(key);
  if (it == shard.windows.end() || now_ms >= it->second.start + window_ms_) {
    d.remaining = limit_;
    d.reset_at_ms = now_ms + window_ms_;
    d.retry_after_s = std::max<int64_t>(1, (window_ms_ + 999) / 1000);
    d.allowed = limit_ > 0;
    return d;
  }
  const Window& w = it->second;
  d.reset_at_ms = w.start + window_ms_;
  d.retry_after_s = std::max<int64_t>(1, (d.reset_at_ms - now_ms + 999) / 1000);
  d.allowed = w.count < limit_;
  d.remaining = std::max<int64_t>(0, limit_ - w.count);
  return d;
}

size_t RateLimiter::tracked_keys() const {
  size_t n = 0;
  for (size_t i = 0; i <= mask_; ++i) {
    std::lock_guard lock(shards_[i].mu);
    n += shards_[i].windows.size();
  }
  return n;
}

}  // namespace parley::chat
