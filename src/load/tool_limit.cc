// Judging the tool's own CPU and loop lag second by second.
#include "load/tool_limit.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>

namespace parley::load {

namespace json = boost::json;

std::string ToolMonitor::name(const LoopSecond& l) const {
  std::string n = "loop " + std::to_string(l.loop);
  if (sources_ > 1) n = "worker " + std::to_string(l.source) + " " + n;
  return n;
}

ToolMonitor::PerLoop& ToolMonitor::slot(int source, int loop) {
  for (PerLoop& p : loops_)
    if (p.source == source && p.loop == loop) return p;
  PerLoop p;
  p.source = source;
  p.loop = loop;
  loops_.push_back(p);
  return loops_.back();
}

std::string ToolMonitor::observe(int64_t t, const std::vector<LoopSecond>& loops) {
  std::string note;
  double score = 0;
  for (const LoopSecond& l : loops) {
    PerLoop& p = slot(l.source, l.loop);
    p.seconds++;
    p.cpu_sum += l.cpu_share;
    p.cpu_max = std::max(p.cpu_max, l.cpu_share);
    p.lag_p99_max = std::max(p.lag_p99_max, l.lag_p99_ms);
    p.lag_max = std::max(p.lag_max, l.lag_max_ms);
    const bool cpu = l.cpu_share > limits_.cpu_share;
    const bool lag = l.lag_p99_ms > limits_.lag_ms;
    if (!cpu && !lag) continue;
    p.limited_s++;
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s at %.0f%% CPU, lag p99 %.0f ms", name(l).c_str(),
                  l.cpu_share * 100, l.lag_p99_ms);
    if (!note.empty()) note += "; ";
    note += buf;
    // How far past its limits the loop is; the worst second is the one the verdict names.
    score =
        std::max(score, std::max(l.cpu_share / limits_.cpu_share, l.lag_p99_ms / limits_.lag_ms));
  }
  if (!note.empty()) {
    if (limited_s_++ == 0) first_limited_t_ = t;
    if (score > worst_score_) {
      worst_score_ = score;
      worst_ = note + " (at " + std::to_string(t) + " s)";
    }
  }
  return note;
}

json::value ToolMonitor::to_json() const {
  auto r3 = [](double v) { return std::round(v * 1000) / 1000; };
  json::object o;
  o["limited"] = limited();
  o["limited_seconds"] = limited_s_;
  o["first_limited_s"] = first_limited_t_;
  o["worst"] = worst_;
  o["cpu_limit"] = limits_.cpu_share;
  o["lag_limit_ms"] = limits_.lag_ms;
  json::array loops;
  for (const PerLoop& p : loops_) {
    json::object l;
    l["worker"] = p.source;
    l["loop"] = p.loop;
    l["cpu_mean"] = r3(p.seconds ? p.cpu_sum / static_cast<double>(p.seconds) : 0);
    l["cpu_max"] = r3(p.cpu_max);
    l["lag_p99_max_ms"] = r3(p.lag_p99_max);
    l["lag_max_ms"] = r3(p.lag_max);
    l["limited_seconds"] = p.limited_s;
    loops.push_back(std::move(l));
  }
  o["loops"] = std::move(loops);
  return o;
}

}  // namespace parley::load
