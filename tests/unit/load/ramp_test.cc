// Ramp schedule arithmetic, the per-worker share and the duration/rate syntax.
#include "load/ramp.h"

#include <gtest/gtest.h>

namespace parley::load {
namespace {

TEST(Ramp, ClosedModelSteps) {
  Ramp r;  // 100 + 100 every 30 s up to 3000, hold 60 s
  EXPECT_EQ(r.target_at(0), 100);
  EXPECT_EQ(r.target_at(29.9), 100);
  EXPECT_EQ(r.target_at(30), 200);
  EXPECT_EQ(r.target_at(59), 200);
  EXPECT_EQ(r.target_at(870), 3000);
  EXPECT_EQ(r.target_at(10000), 3000);
  EXPECT_DOUBLE_EQ(r.full_at(), 29 * 30.0);
  EXPECT_DOUBLE_EQ(r.end_s(), 29 * 30.0 + 60);
  EXPECT_EQ(r.step_at(0), 0);
  EXPECT_EQ(r.step_at(31), 1);
  EXPECT_EQ(r.step_at(5000), 29);  // no new steps during the hold
}

TEST(Ramp, UnevenLastStepIsCapped) {
  Ramp r{5, 5, 2, 12, 3, 0};
  EXPECT_EQ(r.target_at(0), 5);
  EXPECT_EQ(r.target_at(2), 10);
  EXPECT_EQ(r.target_at(4), 12);
  EXPECT_DOUBLE_EQ(r.full_at(), 4);
  EXPECT_DOUBLE_EQ(r.end_s(), 7);
}

TEST(Ramp, StartAtMaxIsFullImmediately) {
  Ramp r{19000, 0, 30, 19000, 120, 0};
  EXPECT_EQ(r.target_at(0), 19000);
  EXPECT_DOUBLE_EQ(r.full_at(), 0);
  EXPECT_DOUBLE_EQ(r.end_s(), 120);
}

TEST(Ramp, OpenModelArrivals) {
  Ramp r;
  r.arrival_per_s = 50;
  r.max = 1000;
  r.hold_s = 10;
  EXPECT_TRUE(r.open());
  EXPECT_EQ(r.target_at(0), 1);  // user 0 arrives at t=0
  EXPECT_EQ(r.target_at(1), 51);
  EXPECT_EQ(r.target_at(100), 1000);
  EXPECT_DOUBLE_EQ(r.arrival_time(0), 0);
  EXPECT_DOUBLE_EQ(r.arrival_time(50), 1);
  EXPECT_DOUBLE_EQ(r.full_at(), 999 / 50.0);
  EXPECT_DOUBLE_EQ(r.end_s(), 999 / 50.0 + 10);
}

TEST(Ramp, ShareSplitsExactly) {
  for (int64_t total : {0, 1, 7, 100, 19001}) {
    for (int count : {1, 2, 3, 8}) {
      int64_t sum = 0;
      for (int i = 0; i < count; ++i) {
        const int64_t s = Ramp::share(total, i, count);
        EXPECT_LE(s, total / count + 1);
        EXPECT_GE(s, total / count);
        sum += s;
      }
      EXPECT_EQ(sum, total) << total << "/" << count;
    }
  }
}

TEST(Ramp, ParseDuration) {
  EXPECT_DOUBLE_EQ(parse_duration("30s").value(), 30);
  EXPECT_DOUBLE_EQ(parse_duration("30").value(), 30);
  EXPECT_DOUBLE_EQ(parse_duration("500ms").value(), 0.5);
  EXPECT_DOUBLE_EQ(parse_duration("2m").value(), 120);
  EXPECT_DOUBLE_EQ(parse_duration("1.5s").value(), 1.5);
  EXPECT_FALSE(parse_duration("").ok());
  EXPECT_FALSE(parse_duration("-1s").ok());
  EXPECT_FALSE(parse_duration("5 parsecs").ok());
  EXPECT_FALSE(parse_duration("s").ok());
}

TEST(Ramp, ParseRate) {
  EXPECT_DOUBLE_EQ(parse_rate("50/s").value(), 50);
  EXPECT_DOUBLE_EQ(parse_rate("50").value(), 50);
  EXPECT_DOUBLE_EQ(parse_rate("120/m").value(), 2);
  EXPECT_FALSE(parse_rate("fast").ok());
  EXPECT_FALSE(parse_rate("5/h").ok());
}

}  // namespace
}  // namespace parley::load
