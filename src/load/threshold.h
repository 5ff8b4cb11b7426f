// --threshold 'delivery.p99<200ms': pass/fail criteria on a run's figures, as k6 and artillery
// have them. An expression is `metric op value[unit]` with op one of < <= > >= ==; metrics are
// read from the finished report (so a threshold judges exactly what the report shows):
//   time (ms; units us, ms, s):  delivery.p50|p90|p99|p999|max|mean, <op>.p50|…|mean,
//                                server.store.p99, server.store.mean, tool.lag.p99
//   count:                       failed, ok, lost, duplicated, reordered, late, foreign,
//                                <op>.ok, <op>.failed, messages.sent, messages.received,
//                                server.sockets, server.queue_depth, crowd.short_steps,
//                                tool.limited_seconds
//   share (units %):             success_rate, server.cpu (cores, mean over the run),
//                                server.cpu.max, tool.cpu (busiest loop, of one core)
//   bytes (units B, KiB, MiB, GiB): server.rss (peak)
// With several servers a server figure is the largest of them. A metric without data (no
// --server-metrics, no successful scrape) fails its threshold: an unmeasured criterion is not met.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace parley::load {

struct Threshold {
  enum class Cmp { lt, le, gt, ge, eq };
  std::string text;  // as given
  std::string metric;
  Cmp cmp = Cmp::lt;
  double value = 0;  // in the metric's own unit (ms, count, share, bytes)
};

// Parses one expression; an unknown metric, operator or a unit that does not fit the metric is
// an error saying so.
Result<Threshold> parse_threshold(std::string_view text);

// The value of `metric` in a report built by build_report (nullopt: no data).
std::optional<double> report_metric(const boost::json::value& report, std::string_view metric);

struct ThresholdResult {
  Threshold threshold;
  std::optional<double> actual;
  bool pass = false;
};

std::vector<ThresholdResult> evaluate_thresholds(const std::vector<Threshold>& thresholds,
                                                 const boost::json::value& report);

}  // namespace parley::load
