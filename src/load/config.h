// Everything a parley-load run is told on the command line, already validated: targets passed
// the loopback guard, durations are seconds, the schedule is bounded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "load/guard.h"
#include "load/metrics_http.h"
#include "load/ramp.h"
#include "load/threshold.h"
#include "load/tool_limit.h"

namespace parley::load {

enum class Scenario { contest, broadcast, idle, churn, api };
std::string_view scenario_name(Scenario s);

struct Config {
  Scenario scenario = Scenario::contest;
  std::string url = "http://127.0.0.1:5001";
  std::string ws_url;  // "" = url; may list several, comma-separated (users spread over them)
  Target http;
  std::vector<Target> ws;
  Ramp ramp;
  double duration_s = 600;  // hard cap of the measured phase
  int64_t prepare_users = 0;
  // Keep the sessions the preparation created (register answers carry one) and skip the login
  // during the run: password hashing bounds how fast a server admits users, so a 19,000-user
  // idle run would otherwise spend most of its time logging in.
  bool reuse_sessions = false;
  int threads = 1;
  int procs = 1;
  std::vector<std::string> source_ips;
  double timeout_s = 10;
  double drain_s = 5;
  // contest / broadcast
  int room_min = 2, room_max = 5;
  double send_min_s = 0.5, send_max_s = 3;
  double msg_rate = 10;       // broadcast: messages per second per room
  bool read_receipts = true;  // markMessagesAsRead for every received message
  double reaction_ratio = 0.05;
  int history_limit = 30;
  // churn / api
  double churn_hold_s = 2;
  double api_think_s = 1;
  double upload_ratio = 0.05;
  // identities
  std::string user_prefix = "parley-load";
  std::string password = "Load1234!";
  uint64_t seed = 0;  // 0 = from the clock
  // output
  std::string json_file;
  std::string html_file;
  double status_every_s = 5;  // plain lines when stdout is not a terminal
  bool quiet = false;
  std::vector<std::string> argv;  // for the report
  // --server-metrics: the servers' /metrics pages, scraped every server_metrics_every_s.
  std::vector<MetricsUrl> server_metrics;
  double server_metrics_every_s = 1;
  // --threshold: criteria that decide the exit code beside the failures (threshold.h).
  std::vector<Threshold> thresholds;
  // --tool-cpu-limit / --tool-lag-limit: when the tool says it is the bottleneck.
  ToolLimits tool_limits;
  std::string record_acks_file;  // acknowledged operations as JSON lines (load/ack_recorder.h)
};

// Parses argv. Returns false when the program should exit with `exit_code` (help, usage error:
// 2, non-loopback target: 2), having printed why.
bool parse_cli(int argc, char** argv, Config& config, int& exit_code);

}  // namespace parley::load
