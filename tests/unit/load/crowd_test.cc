// The crowd check (#14 item 9): a step whose crowd stays below its target for longer than
// --timeout after the step began fails the run, with the reason; a crowd that arrives within
// --timeout, or that lags a continuous ramp by less than --timeout, does not.
#include <gtest/gtest.h>

#include "load/score.h"

namespace parley::load {
namespace {

Sample crowd_sample(int64_t tick, int step, int64_t target, int64_t connected) {
  Sample s;
  s.tick = tick;
  s.step = step;
  s.target = target;
  s.users = target;
  s.connected = connected;
  s.interval.success(Op::login, 1000);
  return s;
}

TEST(Crowd, StalledStepFailsWithReason) {
  Aggregator agg(1);
  agg.set_crowd_rule(3, true);
  // Step 0: 10 users, all there at once. Step 1 from t=4: 20 wanted, never more than 14.
  for (int64_t t = 1; t <= 4; ++t)
    agg.add(0, crowd_sample(t, 0, 10, 10));
  std::vector<SeriesPoint> pts;
  for (int64_t t = 5; t <= 12; ++t)
    for (const SeriesPoint& p : agg.add(0, crowd_sample(t, 1, 20, 14)))
      pts.push_back(p);
  ASSERT_EQ(pts.size(), 8u);
  // t=5..7: the target of 3 s earlier was still 10 (or 20 only from t=8): not short yet.
  EXPECT_FALSE(pts[0].crowd_short);  // t=5, due: target at t=2 (10)
  EXPECT_FALSE(pts[2].crowd_short);  // t=7, due: target at t=4 (10)
  EXPECT_TRUE(pts[3].crowd_short);   // t=8, due: target at t=5 (20), 14 there
  EXPECT_EQ(pts[3].crowd, 14);
  EXPECT_EQ(pts[3].crowd_required, 20);
  const auto& rows = agg.score().rows();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].crowd_fail.empty());
  EXPECT_EQ(rows[0].crowd_end, 10);
  EXPECT_EQ(rows[1].crowd_end, 14);
  EXPECT_EQ(rows[1].crowd_max, 14);
  EXPECT_EQ(rows[1].short_s, 5);  // t = 8..12
  EXPECT_NE(rows[1].crowd_fail.find("only 14 of 20"), std::string::npos) << rows[1].crowd_fail;
  const auto failures = agg.crowd_failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(failures[0].find("step 1 (target 20)"), std::string::npos) << failures[0];
  EXPECT_NE(failures[0].find("5 s short"), std::string::npos) << failures[0];
}

TEST(Crowd, LateButWithinTimeoutPasses) {
  Aggregator agg(1);
  agg.set_crowd_rule(3, true);
  // Each step's users take two seconds to connect: behind, but by less than --timeout.
  const int64_t connected[] = {0, 0, 10, 10, 10, 10, 20, 20, 20, 20};
  for (int64_t t = 1; t <= 10; ++t) {
    const int step = t <= 4 ? 0 : 1;
    agg.add(0, crowd_sample(t, step, step == 0 ? 10 : 20, connected[t - 1]));
  }
  EXPECT_TRUE(agg.crowd_failures().empty());
  for (const SeriesPoint& p : agg.series())
    EXPECT_FALSE(p.crowd_short) << p.t;
}

TEST(Crowd, ContinuousRampLaggingLessThanTimeoutPasses) {
  Aggregator agg(1);
  agg.set_crowd_rule(2, true);
  // Open model: 10 arrivals a second, each connected one second after it arrived.
  for (int64_t t = 1; t <= 10; ++t)
    agg.add(0, crowd_sample(t, 0, 10 * t, 10 * (t - 1)));
  EXPECT_TRUE(agg.crowd_failures().empty());
}

TEST(Crowd, FinalSampleAfterTheCloseIsNotShort) {
  Aggregator agg(1);
  agg.set_crowd_rule(1, true);
  for (int64_t t = 1; t <= 3; ++t)
    agg.add(0, crowd_sample(t, 0, 5, 5));
  Sample last = crowd_sample(4, 0, 0, 0);
  last.final = true;
  agg.add(0, last);
  EXPECT_TRUE(agg.crowd_failures().empty());
  EXPECT_EQ(agg.score().rows()[0].crowd_end, 5);
  EXPECT_EQ(agg.score().rows()[0].crowd_min, 5);
}

TEST(Crowd, NoRuleNoCheck) {
  Aggregator agg(1);  // as before the rule existed: nothing is judged
  for (int64_t t = 1; t <= 20; ++t)
    agg.add(0, crowd_sample(t, 0, 100, 1));
  EXPECT_TRUE(agg.crowd_failures().empty());
}

TEST(Crowd, UsersCountWhenTheScenarioHoldsNoSocket) {
  Aggregator agg(1);
  agg.set_crowd_rule(1, false);  // api / churn: live users are the crowd
  for (int64_t t = 1; t <= 5; ++t)
    agg.add(0, crowd_sample(t, 0, 8, 0));  // users = target, no sockets
  EXPECT_TRUE(agg.crowd_failures().empty());
}

}  // namespace
}  // namespace parley::load
