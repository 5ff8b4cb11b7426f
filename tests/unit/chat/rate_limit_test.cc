// Tests for chat/rate_limit: window semantics, rejection accounting, purging, and use from
// several threads at once.
#include "chat/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace parley::chat {
namespace {

TEST(RateLimiter, AllowsUpToLimitThenRejects) {
  RateLimiter rl(3, 30000);
  const Millis t0 = 1'000'000;
  auto d = rl.check("1.2.3.4", t0);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.limit, 3);
  EXPECT_EQ(d.remaining, 2);
  EXPECT_EQ(d.reset_at_ms, t0 + 30000);
  EXPECT_EQ(d.retry_after_s, 30);
  EXPECT_TRUE(rl.check("1.2.3.4", t0 + 1).allowed);
  d = rl.check("1.2.3.4", t0 + 2);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 0);

  d = rl.check("1.2.3.4", t0 + 10500);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.remaining, 0);
  EXPECT_EQ(d.reset_at_ms, t0 + 30000);  // fixed window: the first hit decides
  EXPECT_EQ(d.retry_after_s, 20);        // 19.5 s rounded up

  d = rl.check("1.2.3.4", t0 + 29999);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_s, 1);
}

TEST(RateLimiter, NewWindowAfterExpiry) {
  RateLimiter rl(2, 1000);
  EXPECT_TRUE(rl.check("k", 0).allowed);
  EXPECT_TRUE(rl.check("k", 10).allowed);
  EXPECT_FALSE(rl.check("k", 999).allowed);
  const auto d = rl.check("k", 1000);
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.remaining, 1);
  EXPECT_EQ(d.reset_at_ms, 2000);
}

TEST(RateLimiter, RejectedHitsAreNotCounted) {
  RateLimiter rl(1, 1000);
  EXPECT_TRUE(rl.check("k", 0).allowed);
  for (int i = 1; i < 100; ++i)
    EXPECT_FALSE(rl.check("k", i).allowed);
  EXPECT_TRUE(rl.check("k", 1000).allowed);  // the retries did not extend the window
}

TEST(RateLimiter, KeysAreIndependent) {
  RateLimiter rl(1, 60000);
  EXPECT_TRUE(rl.check("user-a", 0).allowed);
  EXPECT_FALSE(rl.check("user-a", 1).allowed);
  EXPECT_TRUE(rl.check("user-b", 1).allowed);
  EXPECT_TRUE(rl.check("", 1).allowed);
}

TEST(RateLimiter, ZeroLimitRejectsEverything) {
  RateLimiter rl(0, 1000);
  EXPECT_FALSE(rl.check("k", 0).allowed);
}

TEST(RateLimiter, ExpiredWindowsArePurged) {
  RateLimiter rl(10, 1000, 4);
  for (int i = 0; i < 5000; ++i)
    (void)rl.check("ip-" + std::to_string(i), 0);
  EXPECT_EQ(rl.tracked_keys(), 5000u);
  // Once the window has passed, the next check in each shard sweeps it.
  for (int i = 0; i < 64; ++i)
    (void)rl.check("late-" + std::to_string(i), 5000);
  EXPECT_EQ(rl.tracked_keys(), 64u);
}

TEST(RateLimiter, ConcurrentChecksCountExactly) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20000;
  constexpr int kLimit = 50000;
  RateLimiter rl(kLimit, 60000);
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        if (rl.check("shared", 1000).allowed) allowed.fetch_add(1);
        (void)rl.check("own-" + std::to_string(t), 1000);
      }
    });
  }
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(allowed.load(), kLimit);  // 80000 attempts, exactly the limit admitted
  EXPECT_EQ(rl.tracked_keys(), 1u + kThreads);
}

}  // namespace
}  // namespace parley::chat

namespace parley::chat {
namespace {

TEST(RateLimiter, PeekDecidesWithoutCounting) {
  RateLimiter limiter(2, 1000);
  for (int i = 0; i < 5; ++i)
    EXPECT_TRUE(limiter.peek("ip", 0).allowed);
  EXPECT_EQ(limiter.tracked_keys(), 0u);  // a peek creates no window
  limiter.check("ip", 10);
  EXPECT_TRUE(limiter.peek("ip", 20).allowed);
  EXPECT_EQ(limiter.peek("ip", 20).remaining, 1);
  limiter.check("ip", 30);
  const auto blocked = limiter.peek("ip", 40);
  EXPECT_FALSE(blocked.allowed);
  EXPECT_EQ(blocked.retry_after_s, 1);
  EXPECT_EQ(blocked.reset_at_ms, 1010);
  EXPECT_TRUE(limiter.peek("ip", 1010).allowed);  // the window ended
  EXPECT_TRUE(limiter.peek("other", 40).allowed);
}

}  // namespace
}  // namespace parley::chat
