// parley-load's command line (CLI11). Scenario-dependent defaults (read receipts on for contest,
// off for broadcast) are applied after parsing, unless the flag was given.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "load/config.h"

namespace parley::load {

std::string_view scenario_name(Scenario s) {
  switch (s) {
    case Scenario::contest:
      return "contest";
    case Scenario::broadcast:
      return "broadcast";
    case Scenario::idle:
      return "idle";
    case Scenario::churn:
      return "churn";
    case Scenario::api:
      return "api";
  }
  return "?";
}

namespace {
constexpr double kMaxDurationS = 3600;
}  // namespace

bool parse_cli(int argc, char** argv, Config& c, int& exit_code) {
  CLI::App cli{"parley-load: load tester for Parley (REST + Socket.IO) on this machine",
               "parley-load"};
  cli.get_formatter()->column_width(36);
  for (int i = 0; i < argc; ++i)
    c.argv.emplace_back(argv[i]);

  std::string scenario = "contest";
  cli.add_option("--scenario", scenario, "contest | broadcast | idle | churn | api")
      ->check(CLI::IsMember({"contest", "broadcast", "idle", "churn", "api"}))
      ->capture_default_str();
  cli.add_option("--url", c.url, "REST base URL (loopback only)")->capture_default_str();
  cli.add_option("--ws-url", c.ws_url, "Socket.IO base URL(s), comma-separated (default: --url)");
  std::string every = "30s", hold = "60s", duration = "600s", timeout = "10s", drain = "5s";
  std::string send_min = "0.5s", send_max = "3s", churn_hold = "2s", think = "1s";
  std::string status_every = "5s", arrival, msg_rate = "10/s", room_size = "2-5", source_ips;
  bool start_given = false;
  cli.add_option("--start", c.ramp.start, "Crowd at the start")
      ->capture_default_str()
      ->each([&](const std::string&) { start_given = true; });
  cli.add_option("--step", c.ramp.step, "Crowd added every --every")->capture_default_str();
  cli.add_option("--every", every, "Interval between crowd steps")->capture_default_str();
  cli.add_option("--max", c.ramp.max, "Largest crowd")->capture_default_str();
  cli.add_option("--hold", hold, "Time held at --max before stopping")->capture_default_str();
  cli.add_option("--arrival", arrival, "Open model: users arrive at this rate (e.g. 50/s)");
  cli.add_option("--duration", duration, "Hard cap of the run (at most 3600s)")
      ->capture_default_str();
  cli.add_option("--prepare-users", c.prepare_users,
                 "Register this many users before the clock starts");
  cli.add_flag("--reuse-sessions", c.reuse_sessions,
               "Users registered by --prepare-users keep that session instead of logging in");
  unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  c.threads = static_cast<int>(hw);
  cli.add_option("--threads", c.threads, "Event loops per process")->capture_default_str();
  cli.add_option("--procs", c.procs, "Worker processes (each up to ~19,000 sockets)")
      ->capture_default_str();
  cli.add_option("--source-ips", source_ips,
                 "Loopback source addresses, e.g. 127.0.0.2-127.0.0.20 (bind before connect)");
  cli.add_option("--timeout", timeout, "Time allowed for any one operation")->capture_default_str();
  cli.add_option("--drain", drain, "Longest wait for answers after the last send")
      ->capture_default_str();
  cli.add_option("--room-size", room_size, "contest: users per room, MIN-MAX")
      ->capture_default_str();
  cli.add_option("--send-min", send_min, "contest: shortest gap between a user's messages")
      ->capture_default_str();
  cli.add_option("--send-max", send_max, "contest: longest gap between a user's messages")
      ->capture_default_str();
  cli.add_option("--msg-rate", msg_rate, "broadcast: messages per second in the room")
      ->capture_default_str();
  bool receipts_on = false, receipts_off = false;
  cli.add_flag("--read-receipts", receipts_on,
               "markMessagesAsRead every received message (default: on except broadcast)");
  cli.add_flag("--no-read-receipts", receipts_off, "Never send markMessagesAsRead");
  cli.add_option("--reaction-ratio", c.reaction_ratio, "Share of others' messages a user reacts to")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cli.add_option("--history-limit", c.history_limit, "fetchPreviousMessages limit")
      ->capture_default_str();
  cli.add_option("--churn-hold", churn_hold, "churn: mean time a socket stays up")
      ->capture_default_str();
  cli.add_option("--think", think, "api: mean pause between a user's requests")
      ->capture_default_str();
  cli.add_option("--upload-ratio", c.upload_ratio, "api: share of requests that upload a file")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cli.add_option("--user-prefix", c.user_prefix, "Users are <prefix>-<n>@load.test")
      ->capture_default_str();
  cli.add_option("--password", c.password, "Password of every virtual user")->capture_default_str();
  cli.add_option("--seed", c.seed, "Random seed (0 = from the clock)");
  cli.add_option("--json", c.json_file, "Write the full result as JSON");
  cli.add_option("--html", c.html_file, "Write a self-contained HTML report with SVG plots");
  cli.add_option("--status-every", status_every, "Status line period when not on a terminal")
      ->capture_default_str();
  cli.add_flag("--quiet", c.quiet, "No periodic status lines");
  std::vector<std::string> server_metrics, thresholds;
  std::string metrics_every = "1s", tool_cpu = "85%", tool_lag = "50ms";
  cli.add_option("--server-metrics", server_metrics,
                 "Scrape these servers' Prometheus /metrics during the run (URL[,URL...])");
  cli.add_option("--server-metrics-every", metrics_every, "Scrape period of --server-metrics")
      ->capture_default_str();
  cli.add_option("--threshold", thresholds,
                 "Pass/fail criterion, e.g. 'delivery.p99<200ms' (repeatable; see docs/LOAD.md)");
  cli.add_option("--tool-cpu-limit", tool_cpu,
                 "A loop above this share of a core makes the tool the bottleneck")
      ->capture_default_str();
  cli.add_option("--tool-lag-limit", tool_lag,
                 "A loop lag p99 above this makes the tool the bottleneck")
      ->capture_default_str();
  cli.add_option("--record-acks", c.record_acks_file,
                 "Append every acknowledged message, read receipt and reaction to this file as "
                 "JSON lines (crash tests check them against history)");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is 0; every parse error is a usage error: 2, as docs/LOAD.md says.
    exit_code = cli.exit(e) == 0 ? 0 : 2;
    return false;
  }
  auto usage = [&](const std::string& msg) {
    std::cerr << "parley-load: " << msg << "\n";
    exit_code = 2;
    return false;
  };

  if (scenario == "contest")
    c.scenario = Scenario::contest;
  else if (scenario == "broadcast")
    c.scenario = Scenario::broadcast;
  else if (scenario == "idle")
    c.scenario = Scenario::idle;
  else if (scenario == "churn")
    c.scenario = Scenario::churn;
  else
    c.scenario = Scenario::api;

  // The guard comes first: nothing else matters for a target that is not this machine.
  auto http = parse_target(c.url);
  if (!http) return usage(http.error().detail);
  if (http->scheme != "http") return usage("--url must be http://");
  c.http = *http;
  const std::string ws_list = c.ws_url.empty() ? c.url : c.ws_url;
  for (size_t pos = 0; pos <= ws_list.size();) {
    const size_t comma = std::min(ws_list.find(',', pos), ws_list.size());
    const std::string one = ws_list.substr(pos, comma - pos);
    pos = comma + 1;
    if (one.empty()) continue;
    auto ws = parse_target(one);
    if (!ws) return usage(ws.error().detail);
    c.ws.push_back(*ws);
  }
  if (c.ws.empty()) return usage("--ws-url is empty");
  auto src = parse_source_ips(source_ips);
  if (!src) return usage(src.error().detail);
  c.source_ips = std::move(*src);

  struct {
    const std::string& text;
    double& out;
    const char* name;
  } const fields[] = {
      {every, c.ramp.every_s, "--every"},     {hold, c.ramp.hold_s, "--hold"},
      {duration, c.duration_s, "--duration"}, {timeout, c.timeout_s, "--timeout"},
      {drain, c.drain_s, "--drain"},          {send_min, c.send_min_s, "--send-min"},
      {send_max, c.send_max_s, "--send-max"}, {churn_hold, c.churn_hold_s, "--churn-hold"},
      {think, c.api_think_s, "--think"},      {status_every, c.status_every_s, "--status-every"}};
  for (const auto& f : fields) {
    auto d = parse_duration(f.text);
    if (!d) return usage(std::string(f.name) + ": " + d.error().detail);
    f.out = *d;
  }
  if (!arrival.empty()) {
    auto r = parse_rate(arrival);
    if (!r || *r <= 0) return usage("--arrival: expected a positive rate such as 50/s");
    c.ramp.arrival_per_s = *r;
  }
  auto mr = parse_rate(msg_rate);
  if (!mr || *mr <= 0) return usage("--msg-rate: expected a positive rate such as 10/s");
  c.msg_rate = *mr;
  if (const size_t dash = room_size.find('-'); dash != std::string::npos) {
    try {
      c.room_min = std::stoi(room_size.substr(0, dash));
      c.room_max = std::stoi(room_size.substr(dash + 1));
    } catch (...) {
      return usage("--room-size: expected MIN-MAX");
    }
  } else {
    try {
      c.room_min = c.room_max = std::stoi(room_size);
    } catch (...) {
      return usage("--room-size: expected MIN-MAX");
    }
  }
  if (c.room_min < 1 || c.room_max < c.room_min || c.room_max > 1000)
    return usage("--room-size: need 1 <= MIN <= MAX <= 1000");
  if (c.ramp.max < 1) return usage("--max must be at least 1");
  if (!start_given && c.ramp.start > c.ramp.max) c.ramp.start = c.ramp.max;
  if (c.ramp.start < 0 || c.ramp.start > c.ramp.max) return usage("--start must be 0..--max");
  if (c.ramp.step < 0) return usage("--step must be >= 0");
  if (c.ramp.step == 0 && c.ramp.start < c.ramp.max && !c.ramp.open())
    return usage("--step 0 never reaches --max; set --start to --max");
  if (c.ramp.every_s <= 0) return usage("--every must be positive");
  if (c.duration_s <= 0 || c.duration_s > kMaxDurationS)
    return usage("--duration must be in (0, 3600s]: every run is bounded");
  if (c.timeout_s <= 0) return usage("--timeout must be positive");
  if (c.send_min_s <= 0 || c.send_max_s < c.send_min_s)
    return usage("--send-min/--send-max: need 0 < min <= max");
  if (c.threads < 1 || c.threads > 256) return usage("--threads must be 1..256");
  if (c.procs < 1 || c.procs > 64) return usage("--procs must be 1..64");
  if (c.prepare_users < 0) return usage("--prepare-users must be >= 0");
  if (c.reuse_sessions && c.prepare_users == 0)
    return usage("--reuse-sessions needs --prepare-users");
  if (c.history_limit < 1) return usage("--history-limit must be positive");
  if (receipts_on && receipts_off) return usage("--read-receipts and --no-read-receipts conflict");
  c.read_receipts = receipts_on || (!receipts_off && c.scenario != Scenario::broadcast);
  for (const std::string& list : server_metrics) {
    for (size_t pos = 0; pos <= list.size();) {
      const size_t comma = std::min(list.find(',', pos), list.size());
      const std::string one = list.substr(pos, comma - pos);
      pos = comma + 1;
      if (one.empty()) continue;
      auto m = parse_metrics_url(one);
      if (!m) return usage("--server-metrics: " + m.error().detail);
      c.server_metrics.push_back(*m);
    }
  }
  auto every_d = parse_duration(metrics_every);
  if (!every_d || *every_d < 0.1 || *every_d > 60)
    return usage("--server-metrics-every must be 100ms..60s");
  c.server_metrics_every_s = *every_d;
  for (const std::string& t : thresholds) {
    auto th = parse_threshold(t);
    if (!th) return usage("--threshold: " + th.error().detail);
    c.thresholds.push_back(*th);
  }
  {
    std::string t = tool_cpu;
    double scale = 1;
    if (!t.empty() && t.back() == '%') {
      t.pop_back();
      scale = 0.01;
    }
    char* end = nullptr;
    const double v = std::strtod(t.c_str(), &end);
    if (t.empty() || end != t.c_str() + t.size() || !(v * scale > 0) || v * scale > 1)
      return usage("--tool-cpu-limit: expected a share of one core in (0, 100%], e.g. 85%");
    c.tool_limits.cpu_share = v * scale;
  }
  auto lag_d = parse_duration(tool_lag);
  if (!lag_d || *lag_d <= 0) return usage("--tool-lag-limit: expected a duration such as 50ms");
  c.tool_limits.lag_ms = *lag_d * 1000;
  return true;
}

}  // namespace parley::load
