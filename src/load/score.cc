// Merging samples by second and grouping seconds into crowd steps.
#include "load/score.h"

#include <algorithm>

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

Aggregator::Aggregator(int sources) : sources_(static_cast<size_t>(std::max(1, sources))) {}

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
    total_.merge(p.c);
    score_.add(pt.step, tick, pt.target, p.c);
    series_.push_back(pt);
    out.push_back(pt);
    emitted_upto_ = tick;
    pending_.erase(it);
  }
  return out;
}

}  // namespace parley::load
