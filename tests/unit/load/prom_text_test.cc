// The Prometheus text exposition 0.0.4 parser and the server figures derived from two scrapes:
// comments, escaped label values, special values, timestamps, histograms; malformed input is an
// error naming the line.
#include "load/prom_text.h"

#include <gtest/gtest.h>

#include <cmath>

#include "load/server_metrics.h"

namespace parley::load {
namespace {

constexpr const char* kPage = R"(# HELP process_cpu_seconds_total Total user and system CPU time.
# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 12.5
# a free comment
process_resident_memory_bytes 9.1e+07
# TYPE parley_sio_sockets gauge
parley_sio_sockets{transport="websocket",loop="0"} 1500
parley_sio_sockets{transport="websocket",loop="1"} 1498 1700000000000
parley_sio_sockets{transport="polling",loop="0"} 2
parley_build_info{version="0.3.0",commit="ab\"c\\d\ne"} 1
weird_value{a="x"} NaN
plus_inf +Inf
  # TYPE parley_store_op_duration_seconds histogram
parley_store_op_duration_seconds_bucket{op="insert",le="0.001"} 10
parley_store_op_duration_seconds_bucket{op="insert",le="0.01"} 90
parley_store_op_duration_seconds_bucket{op="insert",le="+Inf"} 100
parley_store_op_duration_seconds_bucket{op="read",le="0.001"} 50
parley_store_op_duration_seconds_bucket{op="read",le="0.01"} 50
parley_store_op_duration_seconds_bucket{op="read",le="+Inf"} 50
parley_store_op_duration_seconds_sum{op="insert"} 0.5
parley_store_op_duration_seconds_sum{op="read"} 0.01
parley_store_op_duration_seconds_count{op="insert"} 100
parley_store_op_duration_seconds_count{op="read"} 50
parley_store_queue_depth{} 3
)";

TEST(PromText, ParsesSamplesLabelsAndTypes) {
  auto s = parse_prom_text(kPage);
  ASSERT_TRUE(s.ok()) << s.error().detail;
  EXPECT_EQ(s->types.at("process_cpu_seconds_total"), "counter");
  EXPECT_EQ(s->types.at("parley_store_op_duration_seconds"), "histogram");
  EXPECT_DOUBLE_EQ(*s->sum("process_cpu_seconds_total"), 12.5);
  EXPECT_DOUBLE_EQ(*s->sum("process_resident_memory_bytes"), 9.1e7);
  EXPECT_DOUBLE_EQ(*s->sum("parley_sio_sockets"), 3000);
  EXPECT_DOUBLE_EQ(*s->sum("parley_sio_sockets", {{"transport", "websocket"}}), 2998);
  EXPECT_FALSE(s->sum("no_such_metric").has_value());
  const auto* info = s->labels_of("parley_build_info");
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->at("version"), "0.3.0");
  EXPECT_EQ(info->at("commit"), "ab\"c\\d\ne");  // \" \\ \n unescaped
  EXPECT_TRUE(std::isnan(*s->sum("weird_value")));
  EXPECT_TRUE(std::isinf(*s->sum("plus_inf")));
  EXPECT_DOUBLE_EQ(*s->sum("parley_store_queue_depth"), 3);
  const auto b = s->buckets("parley_store_op_duration_seconds");
  ASSERT_EQ(b.size(), 3u);  // summed over op
  EXPECT_DOUBLE_EQ(b[0].first, 0.001);
  EXPECT_DOUBLE_EQ(b[0].second, 60);
  EXPECT_DOUBLE_EQ(b[1].second, 140);
  EXPECT_TRUE(std::isinf(b[2].first));
  EXPECT_DOUBLE_EQ(b[2].second, 150);
}

TEST(PromText, MalformedLinesAreErrorsWithTheirLine) {
  for (const char* bad : {"ok 1\nbroken{a=\"x} 1\n", "ok 1\nx{a=x} 1\n", "ok 1\nx 1 2 3\n",
                          "ok 1\nx notanumber\n", "ok 1\n{a=\"b\"} 1\n", "ok 1\nx{a=\"b\" 1\n"}) {
    auto s = parse_prom_text(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.error().detail.find("line 2"), std::string::npos) << s.error().detail;
  }
  EXPECT_TRUE(parse_prom_text("").ok());
  EXPECT_TRUE(parse_prom_text("# only a comment\r\nx 1\r\n").ok());
}

TEST(PromText, QuantileFromBucketDeltas) {
  // Before: 100 observations all <= 1 ms. Between the scrapes: 100 more, 90 of them in (1, 10] ms
  // and 10 in (10, 100] ms.
  const std::vector<std::pair<double, double>> before = {
      {0.001, 100}, {0.01, 100}, {0.1, 100}, {INFINITY, 100}};
  const std::vector<std::pair<double, double>> now = {
      {0.001, 100}, {0.01, 190}, {0.1, 200}, {INFINITY, 200}};
  auto p50 = bucket_quantile(0.5, now, before);
  ASSERT_TRUE(p50.has_value());
  EXPECT_NEAR(*p50, 0.001 + 0.009 * 50 / 90, 1e-12);
  auto p99 = bucket_quantile(0.99, now, before);
  EXPECT_NEAR(*p99, 0.01 + 0.09 * 9 / 10, 1e-12);
  EXPECT_FALSE(bucket_quantile(0.99, before, before).has_value());  // nothing in between
  // Observations past the last finite bound: the estimate is that bound.
  auto top = bucket_quantile(0.99, {{0.001, 0}, {INFINITY, 5}}, {});
  EXPECT_DOUBLE_EQ(*top, 0.001);
}

TEST(ServerPoint, DerivedFromTwoScrapes) {
  auto a = parse_prom_text(kPage);
  std::string later = kPage;
  auto replace = [&](const std::string& from, const std::string& to) {
    later.replace(later.find(from), from.size(), to);
  };
  replace("process_cpu_seconds_total 12.5", "process_cpu_seconds_total 14.5");
  replace("{op=\"insert\",le=\"0.01\"} 90", "{op=\"insert\",le=\"0.01\"} 190");
  replace("{op=\"insert\",le=\"+Inf\"} 100", "{op=\"insert\",le=\"+Inf\"} 200");
  replace("_sum{op=\"insert\"} 0.5", "_sum{op=\"insert\"} 0.9");
  replace("_count{op=\"insert\"} 100", "_count{op=\"insert\"} 200");
  auto b = parse_prom_text(later);
  ASSERT_TRUE(a.ok() && b.ok());
  const ServerPoint first = derive_server_point(*a, 1.0, nullptr, 0);
  EXPECT_FALSE(first.cpu_cores.has_value());  // a rate needs two scrapes
  EXPECT_DOUBLE_EQ(*first.sockets, 3000);
  const ServerPoint p = derive_server_point(*b, 3.0, &*a, 1.0);
  EXPECT_DOUBLE_EQ(*p.cpu_cores, 1.0);                     // 2 CPU seconds in 2 s
  EXPECT_DOUBLE_EQ(*p.store_mean_ms, 4.0);                 // 0.4 s over 100 operations
  EXPECT_NEAR(*p.store_p99_ms, 1 + 9 * 99.0 / 100, 1e-9);  // all 100 in (1, 10] ms
  EXPECT_DOUBLE_EQ(*p.rss_bytes, 9.1e7);
  EXPECT_DOUBLE_EQ(*p.queue_depth, 3);
}

}  // namespace
}  // namespace parley::load
