// Fixed-window rate limiting (§5.1): at most `limit` hits per key (client IP, user id) in a
// window that starts at the key's first hit. Called from every event-loop thread on hot paths
// (each room-list request, each chat message), so state is split into shards, each with its own
// mutex, picked by key hash; two keys contend only when they share a shard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "chat/model.h"

namespace parley::chat {

class RateLimiter {
 public:
  struct Decision {
    bool allowed = true;
    int64_t limit = 0;
    int64_t remaining = 0;   // hits left in the window after this one (0 when rejected)
    Millis reset_at_ms = 0;  // when the current window ends (epoch ms)
    // Whole seconds until reset_at_ms, at least 1: the Retry-After value for a rejection.
    int64_t retry_after_s = 0;
  };

  // shards: rounded up to a power of two; 64 keeps contention negligible for a few event loops.
  RateLimiter(int64_t limit, Millis window_ms, size_t shards = 64);
  ~RateLimiter();
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Counts a hit and decides it. A rejected hit is not counted (as in the reference), so a
  // client that keeps retrying does not extend its own penalty. Memory stays bounded: each shard
  // drops its expired windows at most once per window length, during a check.
  Decision check(std::string_view key, Millis now_ms);
  // Decides as check() would, without counting a hit and without creating a window: for
  // limits on failures (login attempts), which are checked first and counted only on failure.
  Decision peek(std::string_view key, Millis now_ms) const;

  int64_t limit() const { return limit_; }
  Millis window_ms() const { return window_ms_; }
  // Keys currently held, expired ones not yet purged included (tests, metrics).
  size_t tracked_keys() const;

 private:
  struct Shard;
  int64_t limit_;
  Millis window_ms_;
  size_t mask_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace parley::chat
