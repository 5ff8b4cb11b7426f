// Says when parley-load itself is the bottleneck, so that no figure of the tool's own limit is
// read as the server's. Each worker reports, per event loop and per second, the loop thread's CPU
// time (CLOCK_THREAD_CPUTIME_ID of that thread) and its lag: how late a timer scheduled every
// 50 ms actually ran (a loop busy with other work, or starved of a core, runs it late). A loop
// whose CPU share of a core exceeds --tool-cpu-limit or whose lag p99 exceeds --tool-lag-limit in
// a second makes that second "tool-limited". Pure arithmetic on the samples: unit-tested with
// synthetic ones.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace parley::load {

struct ToolLimits {
  double cpu_share = 0.85;  // of one core, per loop thread
  double lag_ms = 50;       // p99 of the loop-lag probe within one second
};

// One loop of one worker in one second.
struct LoopSecond {
  int source = 0;  // worker process (0 with --procs 1)
  int loop = 0;
  double cpu_share = 0;  // CPU seconds of the loop thread / wall seconds
  double lag_p99_ms = 0, lag_max_ms = 0;
};

class ToolMonitor {
 public:
  ToolMonitor(ToolLimits limits, int sources) : limits_(limits), sources_(sources) {}
  // Judges one second's loops; returns "" when the tool kept up, else what limited it, e.g.
  // "loop 1 at 97% CPU, lag p99 120 ms" (several loops joined by "; ").
  std::string observe(int64_t t, const std::vector<LoopSecond>& loops);

  bool limited() const { return limited_s_ > 0; }
  int64_t limited_seconds() const { return limited_s_; }
  // The worst second's note ("" when never limited), for the verdict.
  const std::string& worst() const { return worst_; }
  boost::json::value to_json() const;

 private:
  struct PerLoop {
    int source = 0, loop = 0;
    int64_t seconds = 0, limited_s = 0;
    double cpu_sum = 0, cpu_max = 0, lag_p99_max = 0, lag_max = 0;
  };
  std::string name(const LoopSecond& l) const;
  PerLoop& slot(int source, int loop);

  ToolLimits limits_;
  int sources_;
  std::vector<PerLoop> loops_;
  int64_t limited_s_ = 0;
  int64_t first_limited_t_ = -1;
  std::string worst_;
  double worst_score_ = 0;
};

}  // namespace parley::load
