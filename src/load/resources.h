// CPU time and memory of this process (and of reaped children), for the per-user cost figures:
// getrusage for CPU, /proc/self/status VmRSS / VmHWM for the resident set.
#pragma once

#include <cstdint>

namespace parley::load {

struct Usage {
  double user_s = 0;
  double sys_s = 0;
  double cpu_s() const { return user_s + sys_s; }
};

Usage self_usage();
Usage children_usage();  // reaped children only (call after waitpid)
int64_t rss_kb();        // current resident set of this process
int64_t peak_rss_kb();   // high-water mark of this process

}  // namespace parley::load
