// Turns per-source one-second samples into the run's results: the time series (one point per
// second, all sources merged), the score table (succeeded vs failed per crowd step) and the
// cumulative counters. Sources are the worker processes (or the one in-process engine); a second
// is complete once every live source has reported it, so a slow pipe delays a point but never
// splits it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "load/stats.h"

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
};

struct StepRow {
  int step = 0;
  int64_t target = 0;  // highest target seen in the step
  int64_t from_s = 0, to_s = 0;
  uint64_t ok = 0, failed = 0, msgs_out = 0, msgs_in = 0, lost = 0;
  std::array<std::array<uint64_t, 2>, kOpCount> ops{};  // [ok, failed] per op
  Histogram delivery_us;
};

class ScoreTable {
 public:
  void add(int step, int64_t t, int64_t target, const Counters& c);
  const std::vector<StepRow>& rows() const { return rows_; }

 private:
  std::vector<StepRow> rows_;
};

class Aggregator {
 public:
  explicit Aggregator(int sources);
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
  };
  struct Source {
    int64_t last_tick = 0;
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
  double user_seconds_ = 0;
};

}  // namespace parley::load
