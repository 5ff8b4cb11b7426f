// Turns per-source one-second samples into the run's results: the time series (one point per
// second, all sources merged), the score table (succeeded vs failed per crowd step) and the
// cumulative counters. Sources are the worker processes (or the one in-process engine); a second
// is complete once every live source has reported it, so a slow pipe delays a point but never
// splits it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "load/stats.h"
#include "load/tool_limit.h"

namespace parley::load {

struct SeriesPoint {
  int64_t t = 0;
  int step = 0;
  int64_t target = 0, users = 0, connected = 0;
  uint64_t msgs_out = 0, msgs_in = 0, ok = 0, failed = 0, lost = 0;
  // Percentiles of this second, in microseconds: delivery end to end, and every other op.
  uint64_t delivery_p50 = 0, delivery_p99 = 0, ops_p50 = 0, ops_p99 = 0;
  double cpu_s = 0;    // all sources' CPU time so far
  int64_t rss_kb = 0;  // all sources' resident set
  // Crowd check (set_crowd_rule): the crowd that counts (connected sockets, or live users in
  // scenarios without a held socket), the crowd the schedule asked for --timeout ago, and
  // whether this second fell short of it.
  int64_t crowd = 0, crowd_required = 0;
  bool crowd_short = false;
  // The tool's own limits (tool_limit.h): the busiest loop's CPU share and the worst loop lag
  // p99 of this second, and the verdict ("" when the tool kept up).
  double tool_loop_cpu = 0, tool_lag_p99_ms = 0;
  std::string tool_limited;
};

struct StepRow {
  int step = 0;
  int64_t target = 0;  // highest target seen in the step
  int64_t from_s = 0, to_s = 0;
  uint64_t ok = 0, failed = 0, msgs_out = 0, msgs_in = 0, lost = 0;
  std::array<std::array<uint64_t, 2>, kOpCount> ops{};  // [ok, failed] per op
  Histogram delivery_us;
  // The crowd actually there (see SeriesPoint::crowd): lowest, highest and last second.
  int64_t crowd_min = -1, crowd_max = 0, crowd_end = 0;
  int64_t short_s = 0;     // seconds behind the schedule by more than --timeout
  std::string crowd_fail;  // why the step failed its crowd ("" = it did not)
};

class ScoreTable {
 public:
  void add(int step, int64_t t, int64_t target, const Counters& c);
  // Records the crowd of second t (already added with add()).
  void crowd(const SeriesPoint& p, double timeout_s);
  const std::vector<StepRow>& rows() const { return rows_; }

 private:
  std::vector<StepRow> rows_;
};

class Aggregator {
 public:
  explicit Aggregator(int sources);
  // Enables the crowd check: a second whose crowd is below the target of --timeout seconds
  // earlier fails its step. `by_sockets`: the crowd is the connected sockets (else live users).
  void set_crowd_rule(double timeout_s, bool by_sockets);
  // Limits for judging the tool's own loops (default: ToolLimits{}).
  void set_tool_limits(ToolLimits limits);
  const ToolMonitor& tool() const { return tool_; }
  // Steps that failed their crowd, with the reason, in order.
  std::vector<std::string> crowd_failures() const;
  // Adds one sample; returns the points that became complete, oldest first.
  std::vector<SeriesPoint> add(int source, Sample s);
  // A source that died without a final sample: stop waiting for it.
  std::vector<SeriesPoint> drop(int source);
  // Emits whatever is still pending (end of run).
  std::vector<SeriesPoint> flush();

  const Counters& total() const { return total_; }
  const ScoreTable& score() const { return score_; }
  const std::vector<SeriesPoint>& series() const { return series_; }
  int64_t peak_users() const { return peak_users_; }
  int64_t peak_connected() const { return peak_connected_; }
  int64_t peak_rss_kb() const { return peak_rss_kb_; }
  double cpu_s() const;                                  // latest CPU time summed over sources
  double user_seconds() const { return user_seconds_; }  // ∫ users dt

 private:
  struct Pending {
    Counters c;
    int step = 0;
    int64_t target = 0, users = 0, connected = 0;
    std::vector<LoopSecond> loops;
  };
  struct Source {
    int64_t last_tick = 0;
    int64_t loop_tick = 0;         // tick of the last loop figures
    std::vector<double> loop_cpu;  // each loop's CPU time at loop_tick
    bool done = false;
    double cpu_s = 0;
    int64_t rss_kb = 0;
  };
  std::vector<SeriesPoint> emit_ready(bool force);

  std::vector<Source> sources_;
  std::map<int64_t, Pending> pending_;
  int64_t emitted_upto_ = 0;
  Counters total_;
  ScoreTable score_;
  std::vector<SeriesPoint> series_;
  int64_t peak_users_ = 0, peak_connected_ = 0, peak_rss_kb_ = 0;
  double crowd_timeout_s_ = 0;  // 0 = no crowd check
  bool crowd_by_sockets_ = true;
  ToolMonitor tool_;
  double user_seconds_ = 0;
};

}  // namespace parley::load
