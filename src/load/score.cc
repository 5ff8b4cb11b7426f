// Merging samples by second and grouping seconds into crowd steps.
#include "load/score.h"

#include <algorithm>
#include <cstdio>
#include <iterator>

namespace parley::load {

void ScoreTable::add(int step, int64_t t, int64_t target, const Counters& c) {
  if (rows_.empty() || rows_.back().step != step) {
    StepRow r;
    r.step = step;
    r.from_s = t - 1;
    rows_.push_back(std::move(r));
  }
  StepRow& r = rows_.back();
  r.to_s = t;
  r.target = std::max(r.target, target);
  r.ok += c.ok_total();
  r.failed += c.failed_total();
  r.msgs_out += c.msgs_out;
  r.msgs_in += c.msgs_in;
  r.lost += c.delivery.lost;
  for (size_t i = 0; i < kOpCount; ++i) {
    r.ops[i][0] += c.ops[i].ok;
    r.ops[i][1] += c.ops[i].failed;
  }
  r.delivery_us.merge(c.op(Op::delivery).latency_us);
}

void ScoreTable::crowd(const SeriesPoint& p, double timeout_s) {
  if (rows_.empty()) return;
  StepRow& r = rows_.back();
  // The final sample (after every socket was closed, target 0) says nothing about the crowd.
  if (p.target == 0 && r.crowd_min >= 0) return;
  r.crowd_min = r.crowd_min < 0 ? p.crowd : std::min(r.crowd_min, p.crowd);
  r.crowd_max = std::max(r.crowd_max, p.crowd);
  r.crowd_end = p.crowd;
  if (!p.crowd_short) return;
  if (r.short_s++ == 0) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "step %d (target %lld): only %lld of %lld users there at %llds, more than "
                  "--timeout (%gs) after they were due",
                  r.step, static_cast<long long>(r.target), static_cast<long long>(p.crowd),
                  static_cast<long long>(p.crowd_required), static_cast<long long>(p.t), timeout_s);
    r.crowd_fail = buf;
  }
}

Aggregator::Aggregator(int sources)
    : sources_(static_cast<size_t>(std::max(1, sources))), tool_(ToolLimits{}, sources) {}

void Aggregator::set_tool_limits(ToolLimits limits) {
  tool_ = ToolMonitor(limits, static_cast<int>(sources_.size()));
}

std::vector<SeriesPoint> Aggregator::add(int source, Sample s) {
  Source& src = sources_.at(static_cast<size_t>(source));
  // A sample for a second already emitted (a straggler) still counts: fold it into the next one.
  const int64_t tick = std::max(s.tick, emitted_upto_ + 1);
  Pending& p = pending_[tick];
  p.c.merge(s.interval);
  p.step = std::max(p.step, s.step);
  p.target += s.target;
  p.users += s.users;
  p.connected += s.connected;
  // The loops' CPU share over the seconds since this source's previous sample. The final sample
  // covers the drain and the close, longer than a second, and is not judged.
  if (!s.final && !s.loops.empty() && s.tick > src.loop_tick) {
    const double dt = static_cast<double>(s.tick - src.loop_tick);
    src.loop_cpu.resize(s.loops.size(), 0);
    for (size_t i = 0; i < s.loops.size(); ++i) {
      LoopSecond l;
      l.source = source;
      l.loop = static_cast<int>(i);
      l.cpu_share = std::max(0.0, s.loops[i].cpu_s - src.loop_cpu[i]) / dt;
      l.lag_p99_ms = static_cast<double>(s.loops[i].lag_p99_us) / 1000;
      l.lag_max_ms = static_cast<double>(s.loops[i].lag_max_us) / 1000;
      src.loop_cpu[i] = s.loops[i].cpu_s;
      p.loops.push_back(l);
    }
    src.loop_tick = s.tick;
  }
  src.last_tick = std::max(src.last_tick, tick);
  src.cpu_s = s.cpu_s;
  src.rss_kb = s.rss_kb;
  if (s.final) src.done = true;
  return emit_ready(false);
}

std::vector<SeriesPoint> Aggregator::drop(int source) {
  sources_.at(static_cast<size_t>(source)).done = true;
  return emit_ready(false);
}

std::vector<SeriesPoint> Aggregator::flush() {
  return emit_ready(true);
}

void Aggregator::set_crowd_rule(double timeout_s, bool by_sockets) {
  crowd_timeout_s_ = timeout_s;
  crowd_by_sockets_ = by_sockets;
}

std::vector<std::string> Aggregator::crowd_failures() const {
  std::vector<std::string> out;
  for (const StepRow& r : score_.rows())
    if (!r.crowd_fail.empty())
      out.push_back(r.crowd_fail + " (" + std::to_string(r.short_s) + " s short)");
  return out;
}

double Aggregator::cpu_s() const {
  double c = 0;
  for (const Source& s : sources_)
    c += s.cpu_s;
  return c;
}

std::vector<SeriesPoint> Aggregator::emit_ready(bool force) {
  std::vector<SeriesPoint> out;
  while (!pending_.empty()) {
    auto it = pending_.begin();
    const int64_t tick = it->first;
    if (!force) {
      bool ready = true;
      for (const Source& s : sources_)
        if (!s.done && s.last_tick < tick) ready = false;
      if (!ready) break;
    }
    Pending& p = it->second;
    SeriesPoint pt;
    pt.t = tick;
    pt.step = p.step;
    pt.target = p.target;
    pt.users = p.users;
    pt.connected = p.connected;
    pt.msgs_out = p.c.msgs_out;
    pt.msgs_in = p.c.msgs_in;
    pt.ok = p.c.ok_total();
    pt.failed = p.c.failed_total();
    pt.lost = p.c.delivery.lost;
    const Histogram& d = p.c.op(Op::delivery).latency_us;
    pt.delivery_p50 = d.percentile(0.5);
    pt.delivery_p99 = d.percentile(0.99);
    Histogram ops;
    for (size_t i = 0; i < kOpCount; ++i)
      if (static_cast<Op>(i) != Op::delivery) ops.merge(p.c.ops[i].latency_us);
    pt.ops_p50 = ops.percentile(0.5);
    pt.ops_p99 = ops.percentile(0.99);
    pt.cpu_s = cpu_s();
    int64_t rss = 0;
    for (const Source& s : sources_)
      rss += s.rss_kb;
    pt.rss_kb = rss;
    peak_rss_kb_ = std::max(peak_rss_kb_, rss);
    peak_users_ = std::max(peak_users_, pt.users);
    peak_connected_ = std::max(peak_connected_, pt.connected);
    // Ticks are one second apart except a possible final partial one; treat each as 1 s.
    user_seconds_ += static_cast<double>(pt.users);
    pt.crowd = crowd_by_sockets_ ? pt.connected : pt.users;
    if (crowd_timeout_s_ > 0) {
      // What the schedule asked for --timeout ago: every user due by then had the whole
      // --timeout to arrive, log in and connect. The final sample (target 0) never falls short.
      const double due = static_cast<double>(tick) - crowd_timeout_s_;
      auto it = std::upper_bound(
          series_.begin(), series_.end(), due,
          [](double d, const SeriesPoint& q) { return d < static_cast<double>(q.t); });
      pt.crowd_required = it == series_.begin() ? 0 : std::prev(it)->target;
      pt.crowd_short = pt.target > 0 && pt.crowd < std::min(pt.crowd_required, pt.target);
    }
    for (const LoopSecond& l : p.loops) {
      pt.tool_loop_cpu = std::max(pt.tool_loop_cpu, l.cpu_share);
      pt.tool_lag_p99_ms = std::max(pt.tool_lag_p99_ms, l.lag_p99_ms);
    }
    if (!p.loops.empty()) pt.tool_limited = tool_.observe(tick, p.loops);
    total_.merge(p.c);
    score_.add(pt.step, tick, pt.target, p.c);
    score_.crowd(pt, crowd_timeout_s_);
    series_.push_back(pt);
    out.push_back(pt);
    emitted_upto_ = tick;
    pending_.erase(it);
  }
  return out;
}

}  // namespace parley::load
