// --threshold expressions: parsing (metrics, operators, units), errors for what does not fit,
// and evaluation against a report, including a metric without data.
#include "load/threshold.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace parley::load {
namespace {

namespace json = boost::json;

TEST(Threshold, ParsesOperatorsAndUnits) {
  auto a = parse_threshold("delivery.p99<200ms");
  ASSERT_TRUE(a.ok()) << a.error().detail;
  EXPECT_EQ(a->metric, "delivery.p99");
  EXPECT_EQ(a->cmp, Threshold::Cmp::lt);
  EXPECT_DOUBLE_EQ(a->value, 200);
  auto b = parse_threshold(" message_send.p50 <= 1.5s ");
  ASSERT_TRUE(b.ok()) << b.error().detail;
  EXPECT_EQ(b->cmp, Threshold::Cmp::le);
  EXPECT_DOUBLE_EQ(b->value, 1500);
  auto c = parse_threshold("failed==0");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->cmp, Threshold::Cmp::eq);
  auto d = parse_threshold("server.cpu<150%");
  ASSERT_TRUE(d.ok());
  EXPECT_DOUBLE_EQ(d->value, 1.5);
  auto e = parse_threshold("success_rate>=99.9%");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->cmp, Threshold::Cmp::ge);
  EXPECT_NEAR(e->value, 0.999, 1e-12);
  auto f = parse_threshold("server.rss<512MiB");
  ASSERT_TRUE(f.ok());
  EXPECT_DOUBLE_EQ(f->value, 512.0 * 1024 * 1024);
  auto g = parse_threshold("tool.lag.p99>250us");
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->cmp, Threshold::Cmp::gt);
  EXPECT_DOUBLE_EQ(g->value, 0.25);
}

TEST(Threshold, RejectsWhatDoesNotFit) {
  for (const char* bad : {"", "<5", "teleport.p99<5ms", "delivery.p98<5ms", "failed", "failed=0",
                          "failed==", "failed==0ms", "delivery.p99<200MiB", "server.cpu<1.5ms",
                          "delivery.p99<abc", "join_room.wrong<1"}) {
    auto t = parse_threshold(bad);
    EXPECT_FALSE(t.ok()) << bad;
  }
  EXPECT_NE(parse_threshold("teleport<1").error().detail.find("unknown metric 'teleport'"),
            std::string::npos);
}

json::value report() {
  return json::parse(R"({
    "totals": {"ok": 990, "failed": 10},
    "ops": {"join_room": {"ok": 5, "failed": 1, "latency_ms": {"count": 5, "p99": 12.5}},
            "upload": {"ok": 0, "failed": 0, "latency_ms": {"count": 0, "p99": 0}}},
    "delivery": {"lost": 0, "duplicated": 0, "latency_ms": {"count": 100, "p99": 150.0}},
    "messages": {"sent": 40},
    "crowd": {"failures": ["step 3 …"]},
    "tool_limit": {"limited_seconds": 2, "loops": [{"cpu_max": 0.4, "lag_p99_max_ms": 3},
                                                    {"cpu_max": 0.9, "lag_p99_max_ms": 70}]},
    "server": [{"summary": {"cpu_cores": {"mean": 1.2, "max": 1.9},
                            "rss_bytes": {"mean": 1e8, "max": 2e8}}},
               {"summary": {"cpu_cores": {"mean": 0.7, "max": 2.5},
                            "rss_bytes": {"mean": null, "max": null}}}]
  })");
}

bool passes(const char* expr) {
  auto t = parse_threshold(expr);
  EXPECT_TRUE(t.ok()) << expr;
  const auto res = evaluate_thresholds({*t}, report());
  return res.at(0).pass;
}

TEST(Threshold, EvaluatesAgainstTheReport) {
  EXPECT_TRUE(passes("delivery.p99<200ms"));
  EXPECT_FALSE(passes("delivery.p99<0.1s"));
  EXPECT_FALSE(passes("failed==0"));
  EXPECT_TRUE(passes("failed<=10"));
  EXPECT_TRUE(passes("ok>989"));
  EXPECT_TRUE(passes("success_rate>=99%"));
  EXPECT_FALSE(passes("success_rate>99.5%"));
  EXPECT_TRUE(passes("join_room.p99<13ms"));
  EXPECT_TRUE(passes("join_room.failed==1"));
  EXPECT_TRUE(passes("lost==0"));
  EXPECT_TRUE(passes("messages.sent==40"));
  EXPECT_TRUE(passes("crowd.short_steps==1"));
  EXPECT_TRUE(passes("server.cpu<1.5"));     // the larger mean of two servers: 1.2
  EXPECT_FALSE(passes("server.cpu.max<2"));  // 2.5 on the second server
  EXPECT_TRUE(passes("server.rss<200MiB"));  // 2e8 bytes = 190.7 MiB
  EXPECT_FALSE(passes("tool.cpu<85%"));      // busiest loop 0.9
  EXPECT_FALSE(passes("tool.lag.p99<50ms"));
  EXPECT_TRUE(passes("tool.limited_seconds==2"));
  // No data is not a pass: an upload latency that never was, a server figure never scraped.
  EXPECT_FALSE(passes("upload.p99<1000ms"));
  EXPECT_FALSE(passes("server.sockets<10"));
  auto t = parse_threshold("server.queue_depth<5");
  const auto res = evaluate_thresholds({*t}, report());
  EXPECT_FALSE(res[0].actual.has_value());
  EXPECT_FALSE(res[0].pass);
}

}  // namespace
}  // namespace parley::load
