// Tests for the per-loop timer wheel: ordering, cancellation and re-arming from callbacks,
// entries beyond one rotation, and entries that outlive their wheel.
#include "eio/timer_wheel.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <vector>

namespace parley::eio {
namespace {

using namespace std::chrono_literals;

struct Probe {
  std::vector<int>* log;
  int id;
  TimerEntry entry{&Probe::fire, this};
  static void fire(void* p) {
    auto* self = static_cast<Probe*>(p);
    self->log->push_back(self->id);
  }
};

TEST(TimerWheel, FiresInDeadlineOrderAndStopsWhenEmpty) {
  boost::asio::io_context ctx;
  TimerWheel wheel(ctx, 5ms);
  std::vector<int> log;
  Probe a{&log, 1}, b{&log, 2}, c{&log, 3};
  wheel.schedule(c.entry, 60ms);
  wheel.schedule(a.entry, 10ms);
  wheel.schedule(b.entry, 30ms);
  EXPECT_EQ(wheel.size(), 3u);
  const auto start = std::chrono::steady_clock::now();
  ctx.run_for(2s);  // returns once the wheel is empty and its timer stopped
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_EQ(log, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(wheel.size(), 0u);
  EXPECT_FALSE(a.entry.armed());
}

TEST(TimerWheel, CancelAndReschedule) {
  boost::asio::io_context ctx;
  TimerWheel wheel(ctx, 5ms);
  std::vector<int> log;
  Probe a{&log, 1}, b{&log, 2};
  wheel.schedule(a.entry, 10ms);
  wheel.schedule(b.entry, 10ms);
  a.entry.cancel();
  wheel.schedule(b.entry, 40ms);  // re-arming moves it
  EXPECT_EQ(wheel.size(), 1u);
  ctx.run_for(2s);
  EXPECT_EQ(log, std::vector<int>{2});
}

TEST(TimerWheel, CallbacksMayRearmAndCancelOthersInTheSameSlot) {
  boost::asio::io_context ctx;
  TimerWheel wheel(ctx, 5ms);
  struct Chain {
    TimerWheel* wheel;
    int fired = 0;
    TimerEntry* victim = nullptr;
    TimerEntry entry{&Chain::fire, this};
    static void fire(void* p) {
      auto* self = static_cast<Chain*>(p);
      if (self->victim) self->victim->cancel();
      if (++self->fired < 3) self->wheel->schedule(self->entry, 5ms);
    }
  };
  Chain chain{&wheel};
  std::vector<int> log;
  Probe victim{&log, 9};
  chain.victim = &victim.entry;
  wheel.schedule(chain.entry, 10ms);
  wheel.schedule(victim.entry, 10ms);  // same slot, cancelled by the chain's first firing
  ctx.run_for(2s);
  EXPECT_EQ(chain.fired, 3);
  EXPECT_TRUE(log.empty() || log == std::vector<int>{9});  // whichever of the two ran first
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheel, DelaysLongerThanOneRotation) {
  boost::asio::io_context ctx;
  TimerWheel wheel(ctx, 1ms);  // 512 slots: one rotation is 512 ms
  std::vector<int> log;
  Probe a{&log, 1};
  const auto start = std::chrono::steady_clock::now();
  wheel.schedule(a.entry, 700ms);
  ctx.run_for(3s);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(log, std::vector<int>{1});
  EXPECT_GE(elapsed, 690ms);
  EXPECT_LT(elapsed, 1500ms);
}

// Heartbeat deadlines rely on this: an entry never fires before its deadline, and at most about
// one tick after it (whatever the phase of the deadline against the tick grid).
TEST(TimerWheel, NeverFiresEarlyAndAtMostATickLate) {
  boost::asio::io_context ctx;
  TimerWheel wheel(ctx, 10ms);
  struct Stamp {
    std::chrono::steady_clock::time_point fired{};
    TimerEntry entry{&Stamp::fire, this};
    static void fire(void* p) { static_cast<Stamp*>(p)->fired = std::chrono::steady_clock::now(); }
  };
  std::vector<std::unique_ptr<Stamp>> stamps;
  std::vector<std::chrono::steady_clock::time_point> deadlines;
  const auto base = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    stamps.push_back(std::make_unique<Stamp>());
    deadlines.push_back(base + 30ms + std::chrono::microseconds(1700 * i));  // every phase
    wheel.schedule_at(stamps.back()->entry, deadlines.back());
  }
  ctx.run_for(2s);
  for (int i = 0; i < 20; ++i) {
    ASSERT_NE(stamps[i]->fired, std::chrono::steady_clock::time_point{}) << i;
    EXPECT_GE(stamps[i]->fired, deadlines[i]) << i << ": fired early";
    EXPECT_LT(stamps[i]->fired - deadlines[i], 10ms + 30ms) << i;  // a tick plus scheduling noise
  }
}

TEST(TimerWheel, EntriesMayOutliveTheWheel) {
  std::vector<int> log;
  std::unique_ptr<Probe> probe(new Probe{&log, 1});
  {
    boost::asio::io_context ctx;
    TimerWheel wheel(ctx, 5ms);
    wheel.schedule(probe->entry, 1s);
  }
  EXPECT_FALSE(probe->entry.armed());
  probe.reset();  // no access to the dead wheel
  EXPECT_TRUE(log.empty());
}

}  // namespace
}  // namespace parley::eio
