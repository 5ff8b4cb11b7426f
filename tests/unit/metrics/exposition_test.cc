// The Prometheus text exposition (0.0.4) as Exposition writes it, and the cells, histograms and
// named counters it reads from.
#include "metrics/exposition.h"

#include <gtest/gtest.h>

#include <limits>

#include "metrics/named_counters.h"
#include "metrics/per_loop.h"
#include "metrics/process.h"
#include "metrics/registry.h"

namespace parley::metrics {
namespace {

TEST(Exposition, EscapesLabelValues) {
  EXPECT_EQ(Exposition::escape_label_value(R"(a\b"c)"
                                           "\n"
                                           "d"),
            R"(a\\b\"c\nd)");
  Exposition e;
  e.family("x_total", "counter", "Things.");
  e.sample("x_total", 3, {{"path", "/a\"b\\c\nd"}, {"k", "v"}});
  EXPECT_EQ(e.text(),
            "# HELP x_total Things.\n# TYPE x_total counter\n"
            "x_total{path=\"/a\\\"b\\\\c\\nd\",k=\"v\"} 3\n");
}

TEST(Exposition, EscapesHelpButNotQuotes) {
  Exposition e;
  e.family("g", "gauge", "a \"quoted\" back\\slash\nnewline");
  EXPECT_EQ(e.text(), "# HELP g a \"quoted\" back\\\\slash\\nnewline\n# TYPE g gauge\n");
}

TEST(Exposition, FormatsValues) {
  EXPECT_EQ(Exposition::format_value(0), "0");
  EXPECT_EQ(Exposition::format_value(12345678901), "12345678901");
  EXPECT_EQ(Exposition::format_value(-3), "-3");
  EXPECT_EQ(Exposition::format_value(0.25), "0.25");
  EXPECT_EQ(Exposition::format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(Exposition::format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(Exposition::format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(Exposition, SampleWithoutLabelsHasNoBraces) {
  Exposition e;
  e.sample("up", 1);
  EXPECT_EQ(e.text(), "up 1\n");
}

TEST(Histogram, CumulativeBucketsSumAndCount) {
  Histogram h{make_bounds({0.1, 1})};
  h.observe(0.05);
  h.observe(0.1);  // le is inclusive
  h.observe(0.5);
  h.observe(7);
  Snapshot s;
  h.add_to(s);
  EXPECT_EQ(s.count(), 4u);
  Exposition e;
  e.family("d_seconds", "histogram", "Durations.");
  e.histogram("d_seconds", s, {{"op", "x"}});
  EXPECT_EQ(e.text(),
            "# HELP d_seconds Durations.\n# TYPE d_seconds histogram\n"
            "d_seconds_bucket{op=\"x\",le=\"0.1\"} 2\n"
            "d_seconds_bucket{op=\"x\",le=\"1\"} 3\n"
            "d_seconds_bucket{op=\"x\",le=\"+Inf\"} 4\n"
            "d_seconds_sum{op=\"x\"} 7.65\n"
            "d_seconds_count{op=\"x\"} 4\n");
}

TEST(Histogram, EmptyHistogramStillHasInfBucket) {
  Snapshot s;
  Exposition e;
  e.histogram("h", s);
  EXPECT_EQ(e.text(), "h_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n");
}

TEST(Histogram, SharedHistogramTakesSeveralWriters) {
  SharedHistogram a{latency_bounds()};
  Histogram b{latency_bounds()};
  a.observe(0.002);
  b.observe(0.002);
  b.observe(20);
  Snapshot s;
  a.add_to(s);
  b.add_to(s);
  EXPECT_EQ(s.count(), 3u);
  EXPECT_EQ(s.counts.back(), 1u);  // 20 s is beyond the last bound
  EXPECT_DOUBLE_EQ(s.sum, 20.004);
}

TEST(NamedCounters, UnknownNamesGoToOtherAndLoopsAreSummed) {
  boost::asio::io_context a, b;
  LoopSet loops{{&a, &b}};
  NamedCounters c{{"chatMessage", "joinRoom"}, loops};
  c.add(0, "chatMessage");
  c.add(1, "chatMessage", 2);
  c.add(1, "somethingElse");
  c.add(5, "joinRoom");    // not an event loop: not counted
  c.add_here("joinRoom");  // neither is the test's thread
  c.add(b.get_executor(), "joinRoom");
  std::vector<std::pair<std::string, uint64_t>> got;
  c.each([&](std::string_view name, uint64_t n) { got.emplace_back(name, n); });
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (std::pair<std::string, uint64_t>{"chatMessage", 3}));
  EXPECT_EQ(got[1], (std::pair<std::string, uint64_t>{"joinRoom", 1}));
  EXPECT_EQ(got[2], (std::pair<std::string, uint64_t>{"other", 1}));
}

TEST(Cells, GaugeGoesUpAndDown) {
  PerLoop<GaugeCell> g{2};
  g[0].add(3);
  g[1].add(-1);
  int64_t sum = 0;
  g.each([&](const GaugeCell& c) { sum += c.get(); });
  EXPECT_EQ(sum, 2);
}

TEST(Registry, RunsCollectorsInOrder) {
  Registry r;
  r.add([](Exposition& e) { e.sample("a", 1); });
  r.add([](Exposition& e) { e.sample("b", 2); });
  EXPECT_EQ(r.scrape(), "a 1\nb 2\n");
}

TEST(Process, ReportsThisProcess) {
  Exposition e;
  collect_process(e);
  const std::string& t = e.text();
  EXPECT_NE(t.find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
  EXPECT_NE(t.find("\nprocess_threads "), std::string::npos);
  auto rss = t.find("\nprocess_resident_memory_bytes ");
  ASSERT_NE(rss, std::string::npos);
  EXPECT_GT(std::stod(t.substr(rss + 31)), 1024.0);  // a running test has more than 1 KiB
  EXPECT_NE(t.find("\nprocess_open_fds "), std::string::npos);
}

}  // namespace
}  // namespace parley::metrics
