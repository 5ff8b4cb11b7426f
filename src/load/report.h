// The run's outputs, all derived from one JSON document (build_report) so the terminal table,
// the --json file and the --html page can never disagree:
//  - status_line(): the live line (each second on a TTY, every --status-every otherwise);
//  - summary_text(): the final tables (per operation, delivery, score by crowd step, resources);
//  - html_report(): one self-contained page with inline SVG plots (crowd, throughput, latency
//    percentiles, failures over time) and the same tables.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "load/config.h"
#include "load/score.h"
#include "load/server_metrics.h"

namespace parley::load {

struct RunInfo {
  std::string started_at;             // ISO-8601
  double elapsed_s = 0;               // measured phase, start of the clock to the final sample
  std::string stop_reason;            // "schedule complete" | "duration cap" | "interrupted"
  double tool_cpu_s = 0;              // every process of the tool
  int64_t peak_rss_kb = 0;            // all processes together
  std::vector<ServerSeries> servers;  // --server-metrics
};

boost::json::value build_report(const Config& config, const Aggregator& agg, const RunInfo& info);
std::string summary_text(const boost::json::value& report);
std::string html_report(const boost::json::value& report);
std::string status_line(const SeriesPoint& p, const Aggregator& agg);
// Exit status for a report: 0 = no failures and no delivery faults, 1 = otherwise.
int verdict_exit_code(const boost::json::value& report);

}  // namespace parley::load
