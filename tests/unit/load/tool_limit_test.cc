// The tool-limit detection (#14 item 5), fed synthetic per-loop samples: a loop over its CPU
// share or lag limit makes the second tool-limited and names the loop; the Aggregator turns the
// cumulative thread CPU of each loop into a share per second.
#include "load/tool_limit.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "load/score.h"

namespace parley::load {
namespace {

TEST(ToolMonitor, QuietLoopsAreNotLimited) {
  ToolMonitor m(ToolLimits{0.85, 50}, 1);
  EXPECT_EQ(m.observe(1, {{0, 0, 0.30, 2, 5}, {0, 1, 0.84, 49, 80}}), "");
  EXPECT_FALSE(m.limited());
  EXPECT_EQ(m.worst(), "");
}

TEST(ToolMonitor, CpuSaturationNamesTheLoop) {
  ToolMonitor m(ToolLimits{0.85, 50}, 1);
  const std::string note = m.observe(7, {{0, 0, 0.20, 1, 2}, {0, 1, 0.97, 120, 300}});
  EXPECT_EQ(note, "loop 1 at 97% CPU, lag p99 120 ms");
  EXPECT_TRUE(m.limited());
  EXPECT_EQ(m.limited_seconds(), 1);
  EXPECT_EQ(m.worst(), "loop 1 at 97% CPU, lag p99 120 ms (at 7 s)");
}

TEST(ToolMonitor, LagAloneIsEnoughAndWorkersAreNamed) {
  ToolMonitor m(ToolLimits{0.85, 50}, 2);
  EXPECT_EQ(m.observe(3, {{1, 0, 0.10, 75, 90}}), "worker 1 loop 0 at 10% CPU, lag p99 75 ms");
  // A worse second replaces the worst note; a milder one does not.
  m.observe(4, {{1, 0, 0.10, 200, 250}});
  m.observe(5, {{1, 0, 0.10, 60, 70}});
  EXPECT_EQ(m.limited_seconds(), 3);
  EXPECT_NE(m.worst().find("lag p99 200 ms (at 4 s)"), std::string::npos) << m.worst();
  const boost::json::value j = m.to_json();
  EXPECT_EQ(j.at("limited").as_bool(), true);
  EXPECT_EQ(j.at("limited_seconds").as_int64(), 3);
  EXPECT_EQ(j.at("first_limited_s").as_int64(), 3);
  const auto& loops = j.at("loops").as_array();
  ASSERT_EQ(loops.size(), 1u);
  EXPECT_DOUBLE_EQ(loops[0].at("lag_p99_max_ms").as_double(), 200);
  EXPECT_DOUBLE_EQ(loops[0].at("lag_max_ms").as_double(), 250);
}

Sample loop_sample(int64_t tick, std::vector<LoopUsage> loops) {
  Sample s;
  s.tick = tick;
  s.target = s.users = s.connected = 1;
  s.loops = std::move(loops);
  return s;
}

TEST(ToolMonitor, AggregatorDerivesSharesFromCumulativeCpu) {
  Aggregator agg(1);
  agg.set_tool_limits(ToolLimits{0.85, 50});
  // Loop 1's thread CPU grows 0.2 s, then 0.95 s, per second; its lag stays low.
  auto p1 = agg.add(0, loop_sample(1, {{0.1, 1000, 2000}, {0.2, 1000, 2000}}));
  auto p2 = agg.add(0, loop_sample(2, {{0.2, 1000, 2000}, {1.15, 3000, 9000}}));
  ASSERT_EQ(p1.size(), 1u);
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_NEAR(p1[0].tool_loop_cpu, 0.2, 1e-9);
  EXPECT_EQ(p1[0].tool_limited, "");
  EXPECT_NEAR(p2[0].tool_loop_cpu, 0.95, 1e-9);
  EXPECT_DOUBLE_EQ(p2[0].tool_lag_p99_ms, 3);
  EXPECT_EQ(p2[0].tool_limited, "loop 1 at 95% CPU, lag p99 3 ms");
  // The final sample spans the drain and is not judged.
  Sample last = loop_sample(3, {{5.0, 900000, 900000}, {9.0, 900000, 900000}});
  last.final = true;
  auto p3 = agg.add(0, last);
  ASSERT_EQ(p3.size(), 1u);
  EXPECT_EQ(p3[0].tool_limited, "");
  EXPECT_EQ(agg.tool().limited_seconds(), 1);
}

TEST(ToolMonitor, LoopUsageSurvivesThePipe) {
  Sample s = loop_sample(4, {{1.5, 1200, 3400}, {0.25, 0, 10}});
  auto back = Sample::from_json(s.to_json());
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->loops.size(), 2u);
  EXPECT_DOUBLE_EQ(back->loops[0].cpu_s, 1.5);
  EXPECT_EQ(back->loops[0].lag_p99_us, 1200u);
  EXPECT_EQ(back->loops[1].lag_max_us, 10u);
}

}  // namespace
}  // namespace parley::load
