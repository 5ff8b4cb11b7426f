// Report building and rendering. Latencies are kept in microseconds inside, shown in ms.
#include "load/report.h"

#include "load/threshold.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace parley::load {

namespace json = boost::json;

namespace {

double ms(uint64_t us) {
  return std::round(static_cast<double>(us) / 10.0) / 100.0;
}

json::object latency_json(const Histogram& h) {
  json::object o;
  o["count"] = h.count();
  o["p50"] = ms(h.percentile(0.50));
  o["p90"] = ms(h.percentile(0.90));
  o["p99"] = ms(h.percentile(0.99));
  o["p999"] = ms(h.percentile(0.999));
  o["max"] = ms(h.max());
  o["mean"] = std::round(h.mean() / 10.0) / 100.0;
  return o;
}

uint64_t u64(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  if (!o) return 0;
  const json::value* f = o->if_contains(key);
  if (!f || !f->is_number()) return 0;
  return f->is_double() ? static_cast<uint64_t>(f->get_double()) : f->to_number<uint64_t>();
}
double dbl(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  if (!o) return 0;
  const json::value* f = o->if_contains(key);
  if (!f || !f->is_number()) return 0;
  return f->to_number<double>();
}
std::string str(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  if (!o) return {};
  const json::value* f = o->if_contains(key);
  return f && f->is_string() ? std::string(f->get_string()) : std::string();
}
const json::value& at(const json::value& v, std::string_view key) {
  static const json::value kNull;
  const json::object* o = v.if_object();
  if (!o) return kNull;
  const json::value* f = o->if_contains(key);
  return f ? *f : kNull;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string top_reason(const json::value& op) {
  const json::value& r = at(op, "reasons");
  if (!r.is_object() || r.get_object().empty()) return "";
  std::string best;
  uint64_t n = 0;
  for (const auto& kv : r.get_object()) {
    const uint64_t c = kv.value().to_number<uint64_t>();
    if (c > n) {
      n = c;
      best = std::string(kv.key());
    }
  }
  std::string more =
      r.get_object().size() > 1 ? " (+" + std::to_string(r.get_object().size() - 1) + " more)" : "";
  return std::to_string(n) + "× " + best + more;
}

std::string pad(std::string s, size_t w, bool right = true) {
  if (s.size() >= w) return s;
  return right ? std::string(w - s.size(), ' ') + s : s + std::string(w - s.size(), ' ');
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The servers' figures (--server-metrics) for the summary.
std::string server_text(const json::value& servers) {
  if (!servers.is_array() || servers.get_array().empty()) return "";
  std::ostringstream out;
  out << "\nservers (--server-metrics):\n";
  auto fig = [](const json::value& sum, std::string_view k, const char* f, double scale) {
    const json::value& o = at(sum, k);
    const json::value& mean = at(o, "mean");
    const json::value& mx = at(o, "max");
    if (!mean.is_number()) return std::string("-");
    return fmt(f, mean.to_number<double>() * scale) + "/" + fmt(f, mx.to_number<double>() * scale);
  };
  for (const json::value& s : servers.as_array()) {
    const json::value& sum = at(s, "summary");
    out << "  " << str(s, "url") << " (build "
        << (str(s, "version").empty() ? "?" : str(s, "version")) << " " << str(s, "commit")
        << "): " << u64(s, "scrapes") << " scrapes, " << u64(s, "failures") << " failed"
        << (str(s, "last_error").empty() ? "" : " (last: " + str(s, "last_error") + ")")
        << "\n    mean/max: CPU " << fig(sum, "cpu_cores", "%.2f", 1) << " cores, RSS "
        << fig(sum, "rss_bytes", "%.1f", 1.0 / 1048576) << " MiB, sockets "
        << fig(sum, "sockets", "%.0f", 1) << ", store p99 " << fig(sum, "store_p99_ms", "%.2f", 1)
        << " ms, store mean " << fig(sum, "store_mean_ms", "%.2f", 1) << " ms, queue depth "
        << fig(sum, "queue_depth", "%.0f", 1) << "\n";
  }
  return out.str();
}

}  // namespace

json::value build_report(const Config& cfg, const Aggregator& agg, const RunInfo& info) {
  json::object r;
  r["tool"] = "parley-load";
  r["format"] = 1;
  json::object c;
  c["scenario"] = scenario_name(cfg.scenario);
  c["url"] = cfg.url;
  json::array ws;
  for (const Target& t : cfg.ws)
    ws.emplace_back(t.scheme + "://" + t.host_header);
  c["ws_urls"] = std::move(ws);
  c["start"] = cfg.ramp.start;
  c["step"] = cfg.ramp.step;
  c["every_s"] = cfg.ramp.every_s;
  c["max"] = cfg.ramp.max;
  c["hold_s"] = cfg.ramp.hold_s;
  c["arrival_per_s"] = cfg.ramp.arrival_per_s;
  c["duration_s"] = cfg.duration_s;
  c["threads"] = cfg.threads;
  c["procs"] = cfg.procs;
  c["source_ips"] = cfg.source_ips.size();
  c["timeout_s"] = cfg.timeout_s;
  c["read_receipts"] = cfg.read_receipts;
  json::array argv;
  for (const auto& a : cfg.argv)
    argv.emplace_back(a);
  c["argv"] = std::move(argv);
  r["config"] = std::move(c);
  r["started_at"] = info.started_at;
  r["elapsed_s"] = std::round(info.elapsed_s * 10) / 10;
  r["stop_reason"] = info.stop_reason;

  const Counters& t = agg.total();
  json::object ops;
  for (size_t i = 0; i < kOpCount; ++i) {
    const OpStats& s = t.ops[i];
    json::object o;
    o["ok"] = s.ok;
    o["failed"] = s.failed;
    json::object reasons;
    for (const auto& [k, v] : s.reasons)
      reasons[k] = v;
    o["reasons"] = std::move(reasons);
    o["latency_ms"] = latency_json(s.latency_us);
    ops[op_name(static_cast<Op>(i))] = std::move(o);
  }
  r["ops"] = std::move(ops);
  json::object totals;
  totals["ok"] = t.ok_total();
  totals["failed"] = t.failed_total();
  r["totals"] = std::move(totals);
  json::object d;
  d["expected"] = t.delivery.expected;
  d["delivered"] = t.delivery.delivered;
  d["lost"] = t.delivery.lost;
  d["duplicated"] = t.delivery.duplicated;
  d["reordered"] = t.delivery.reordered;
  d["late"] = t.delivery.late;
  d["foreign"] = t.delivery.foreign;
  d["latency_ms"] = latency_json(t.op(Op::delivery).latency_us);
  r["delivery"] = std::move(d);
  json::object m;
  m["sent"] = t.msgs_out;
  m["received"] = t.msgs_in;
  m["error_events"] = t.error_events;
  r["messages"] = std::move(m);
  json::object peak;
  peak["users"] = agg.peak_users();
  peak["connected"] = agg.peak_connected();
  r["peak"] = std::move(peak);

  json::array steps;
  for (const StepRow& s : agg.score().rows()) {
    json::object o;
    o["step"] = s.step;
    o["target"] = s.target;
    o["from_s"] = s.from_s;
    o["to_s"] = s.to_s;
    o["ok"] = s.ok;
    o["failed"] = s.failed;
    o["msgs_out"] = s.msgs_out;
    o["msgs_in"] = s.msgs_in;
    o["lost"] = s.lost;
    o["delivery_p99_ms"] = ms(s.delivery_us.percentile(0.99));
    o["connected"] = s.crowd_end;  // the crowd actually there at the step's last second
    o["crowd_min"] = std::max<int64_t>(0, s.crowd_min);
    o["crowd_max"] = s.crowd_max;
    o["crowd_short_s"] = s.short_s;
    o["crowd_ok"] = s.crowd_fail.empty();
    o["crowd_fail"] = s.crowd_fail;
    json::object per;
    for (size_t i = 0; i < kOpCount; ++i) {
      if (s.ops[i][0] == 0 && s.ops[i][1] == 0) continue;
      json::array pair;
      pair.push_back(s.ops[i][0]);
      pair.push_back(s.ops[i][1]);
      per[op_name(static_cast<Op>(i))] = std::move(pair);
    }
    o["ops"] = std::move(per);
    steps.push_back(std::move(o));
  }
  r["steps"] = std::move(steps);

  json::array series;
  for (const SeriesPoint& p : agg.series()) {
    json::object o;
    o["t"] = p.t;
    o["step"] = p.step;
    o["target"] = p.target;
    o["users"] = p.users;
    o["connected"] = p.connected;
    o["msgs_out"] = p.msgs_out;
    o["msgs_in"] = p.msgs_in;
    o["ok"] = p.ok;
    o["failed"] = p.failed;
    o["lost"] = p.lost;
    o["delivery_p50_ms"] = ms(p.delivery_p50);
    o["delivery_p99_ms"] = ms(p.delivery_p99);
    o["ops_p50_ms"] = ms(p.ops_p50);
    o["ops_p99_ms"] = ms(p.ops_p99);
    o["cpu_s"] = std::round(p.cpu_s * 1000) / 1000;
    o["rss_kb"] = p.rss_kb;
    o["crowd"] = p.crowd;
    o["crowd_required"] = p.crowd_required;
    o["crowd_short"] = p.crowd_short;
    o["tool_loop_cpu"] = std::round(p.tool_loop_cpu * 1000) / 1000;
    o["tool_lag_p99_ms"] = std::round(p.tool_lag_p99_ms * 100) / 100;
    o["tool_limited"] = p.tool_limited;
    series.push_back(std::move(o));
  }
  r["series"] = std::move(series);

  json::object res;
  res["tool_cpu_s"] = std::round(info.tool_cpu_s * 1000) / 1000;
  res["avg_cores"] =
      info.elapsed_s > 0 ? std::round(info.tool_cpu_s / info.elapsed_s * 1000) / 1000 : 0.0;
  res["user_seconds"] = agg.user_seconds();
  res["cpu_us_per_user_s"] =
      agg.user_seconds() > 0 ? std::round(info.tool_cpu_s * 1e6 / agg.user_seconds() * 100) / 100
                             : 0.0;
  res["peak_rss_kb"] = info.peak_rss_kb;
  res["rss_kb_per_user"] =
      agg.peak_users() > 0
          ? std::round(static_cast<double>(info.peak_rss_kb) / agg.peak_users() * 100) / 100
          : 0.0;
  r["resources"] = std::move(res);

  json::object crowd;
  json::array crowd_failures;
  for (const std::string& f : agg.crowd_failures())
    crowd_failures.emplace_back(f);
  crowd["ok"] = crowd_failures.empty();
  crowd["by"] =
      cfg.scenario == Scenario::api || cfg.scenario == Scenario::churn ? "users" : "sockets";
  crowd["timeout_s"] = cfg.timeout_s;
  crowd["failures"] = std::move(crowd_failures);
  const bool crowd_ok = crowd["ok"].as_bool();
  r["crowd"] = std::move(crowd);
  r["tool_limit"] = agg.tool().to_json();
  r["server"] = servers_json(info.servers);

  const bool clean = t.failed_total() == 0 && t.delivery.lost == 0 && t.delivery.duplicated == 0 &&
                     t.delivery.reordered == 0 && t.delivery.late == 0 && t.delivery.foreign == 0;
  r["clean"] = clean;
  // Thresholds read the finished report, so they judge exactly the figures it shows.
  json::value whole(r);
  json::array ths;
  bool ths_ok = true;
  for (const ThresholdResult& th : evaluate_thresholds(cfg.thresholds, whole)) {
    json::object o;
    o["expr"] = th.threshold.text;
    o["metric"] = th.threshold.metric;
    o["actual"] = th.actual ? json::value(std::round(*th.actual * 1000) / 1000) : nullptr;
    o["pass"] = th.pass;
    ths_ok = ths_ok && th.pass;
    ths.push_back(std::move(o));
  }
  r["thresholds"] = std::move(ths);
  r["pass"] = clean && crowd_ok && ths_ok;
  return r;
}

int verdict_exit_code(const json::value& report) {
  const json::value& p = at(report, "pass");
  return p.is_bool() && p.get_bool() ? 0 : 1;
}

std::string status_line(const SeriesPoint& p, const Aggregator& agg) {
  const Counters& t = agg.total();
  char buf[256];
  std::snprintf(
      buf, sizeof buf,
      "[%4llds] users %lld/%lld conn %lld | msgs/s out %llu in %llu | ok %llu fail %llu "
      "lost %llu | p99 deliv %.1fms ops %.1fms",
      static_cast<long long>(p.t), static_cast<long long>(p.users),
      static_cast<long long>(p.target), static_cast<long long>(p.connected),
      static_cast<unsigned long long>(p.msgs_out), static_cast<unsigned long long>(p.msgs_in),
      static_cast<unsigned long long>(t.ok_total()),
      static_cast<unsigned long long>(t.failed_total()),
      static_cast<unsigned long long>(t.delivery.lost), ms(p.delivery_p99), ms(p.ops_p99));
  std::string line = buf;
  if (p.crowd_short)
    line += " | CROWD SHORT: " + std::to_string(p.crowd) + " of " +
            std::to_string(p.crowd_required) + " there";
  if (!p.tool_limited.empty()) line += " | TOOL-LIMITED: " + p.tool_limited;
  return line;
}

std::string summary_text(const json::value& r) {
  std::ostringstream out;
  const json::value& cfg = at(r, "config");
  out << "\nparley-load: " << str(cfg, "scenario") << " against " << str(cfg, "url") << ", "
      << fmt("%.1f", dbl(r, "elapsed_s")) << " s, " << str(r, "stop_reason") << "\n";
  out << "crowd: peak " << u64(at(r, "peak"), "users") << " users, "
      << u64(at(r, "peak"), "connected") << " sockets; messages: " << u64(at(r, "messages"), "sent")
      << " sent, " << u64(at(r, "messages"), "received") << " received, "
      << u64(at(r, "messages"), "error_events") << " error events\n\n";
  out << pad("operation", 15, false) << pad("ok", 10) << pad("failed", 8) << pad("p50 ms", 9)
      << pad("p90 ms", 9) << pad("p99 ms", 9) << pad("p99.9 ms", 10) << pad("max ms", 9)
      << "  failures\n";
  const json::value& ops = at(r, "ops");
  for (size_t i = 0; i < kOpCount; ++i) {
    const json::value& o = at(ops, op_name(static_cast<Op>(i)));
    if (u64(o, "ok") == 0 && u64(o, "failed") == 0) continue;
    const json::value& l = at(o, "latency_ms");
    const bool has_lat = u64(l, "count") > 0;
    auto col = [&](std::string_view k, size_t w) {
      return pad(has_lat ? fmt("%.2f", dbl(l, k)) : "-", w);
    };
    out << pad(std::string(op_name(static_cast<Op>(i))), 15, false)
        << pad(std::to_string(u64(o, "ok")), 10) << pad(std::to_string(u64(o, "failed")), 8)
        << col("p50", 9) << col("p90", 9) << col("p99", 9) << col("p999", 10) << col("max", 9)
        << "  " << top_reason(o) << "\n";
  }
  const json::value& d = at(r, "delivery");
  const json::value& dl = at(d, "latency_ms");
  out << "\ndelivery: " << u64(d, "expected") << " expected, " << u64(d, "delivered")
      << " delivered, " << u64(d, "lost") << " lost, " << u64(d, "duplicated") << " duplicated, "
      << u64(d, "reordered") << " reordered, " << u64(d, "late") << " late, " << u64(d, "foreign")
      << " foreign\n";
  if (u64(dl, "count") > 0)
    out << "end to end (send → each other member): p50 " << fmt("%.2f", dbl(dl, "p50"))
        << " ms, p90 " << fmt("%.2f", dbl(dl, "p90")) << " ms, p99 " << fmt("%.2f", dbl(dl, "p99"))
        << " ms, p99.9 " << fmt("%.2f", dbl(dl, "p999")) << " ms, max "
        << fmt("%.2f", dbl(dl, "max")) << " ms\n";

  out << "\nscore by crowd step:\n"
      << pad("step", 5) << pad("target", 8) << pad("there", 7) << pad("seconds", 12)
      << pad("succeeded", 11) << pad("failed", 8) << pad("success", 9) << pad("msgs out", 10)
      << pad("msgs in", 10) << pad("lost", 7) << pad("deliv p99", 11) << "  crowd\n";
  for (const json::value& s : at(r, "steps").as_array()) {
    const uint64_t ok = u64(s, "ok"), failed = u64(s, "failed");
    const double pct = ok + failed ? 100.0 * ok / (ok + failed) : 100.0;
    const json::value& cok = at(s, "crowd_ok");
    out << pad(std::to_string(u64(s, "step")), 5) << pad(std::to_string(u64(s, "target")), 8)
        << pad(std::to_string(u64(s, "connected")), 7)
        << pad(std::to_string(u64(s, "from_s")) + "-" + std::to_string(u64(s, "to_s")), 12)
        << pad(std::to_string(ok), 11) << pad(std::to_string(failed), 8)
        << pad(fmt("%.2f%%", pct), 9) << pad(std::to_string(u64(s, "msgs_out")), 10)
        << pad(std::to_string(u64(s, "msgs_in")), 10) << pad(std::to_string(u64(s, "lost")), 7)
        << pad(fmt("%.1fms", dbl(s, "delivery_p99_ms")), 11) << "  "
        << (cok.is_bool() && !cok.get_bool()
                ? "SHORT " + std::to_string(u64(s, "crowd_short_s")) + " s (min " +
                      std::to_string(u64(s, "crowd_min")) + ")"
                : "ok")
        << "\n";
  }
  for (const json::value& f : at(at(r, "crowd"), "failures").as_array())
    out << "crowd short: " << f.as_string().c_str() << "\n";
  const json::value& res = at(r, "resources");
  out << "\ntool resources: " << fmt("%.2f", dbl(res, "tool_cpu_s")) << " s CPU ("
      << fmt("%.3f", dbl(res, "avg_cores")) << " cores on average), "
      << fmt("%.2f", dbl(res, "cpu_us_per_user_s")) << " µs CPU per user-second, peak RSS "
      << fmt("%.1f", dbl(res, "peak_rss_kb") / 1024) << " MiB ("
      << fmt("%.1f", dbl(res, "rss_kb_per_user")) << " KiB per user at the peak)\n";
  const json::value& tl = at(r, "tool_limit");
  if (const json::value& lim = at(tl, "limited"); lim.is_bool() && lim.get_bool())
    out << "TOOL-LIMITED: " << str(tl, "worst") << "; " << u64(tl, "limited_seconds")
        << " s in all: figures of those seconds measure parley-load, not the server\n";
  for (const json::value& l : at(tl, "loops").as_array())
    out << "  tool worker " << u64(l, "worker") << " loop " << u64(l, "loop") << ": CPU mean "
        << fmt("%.0f%%", dbl(l, "cpu_mean") * 100) << ", max "
        << fmt("%.0f%%", dbl(l, "cpu_max") * 100) << "; lag p99 max "
        << fmt("%.1f ms", dbl(l, "lag_p99_max_ms")) << ", max "
        << fmt("%.1f ms", dbl(l, "lag_max_ms")) << "\n";
  out << server_text(at(r, "server"));
  const json::value& ths = at(r, "thresholds");
  if (ths.is_array() && !ths.get_array().empty()) {
    out << "\nthresholds:\n";
    for (const json::value& t : ths.as_array()) {
      const json::value& a = at(t, "actual");
      const json::value& p = at(t, "pass");
      out << "  " << (p.is_bool() && p.get_bool() ? "pass" : "FAIL") << "  "
          << pad(str(t, "expr"), 28, false) << "  actual "
          << (a.is_number() ? fmt("%g", a.to_number<double>()) : "no data") << "\n";
    }
  }
  const json::value& pass = at(r, "pass");
  out << "verdict: ";
  if (pass.is_bool() && pass.get_bool()) {
    out << "PASS: every operation succeeded; no message lost, duplicated or reordered; the crowd "
           "was there";
    if (ths.is_array() && !ths.get_array().empty()) out << "; every threshold met";
  } else {
    out << "FAIL: " << u64(at(r, "totals"), "failed") << " failed operations, " << u64(d, "lost")
        << " lost, " << u64(d, "duplicated") << " duplicated, " << u64(d, "reordered")
        << " reordered";
    const size_t short_steps = at(at(r, "crowd"), "failures").as_array().size();
    if (short_steps) out << "; crowd short in " << short_steps << " step(s)";
    size_t failed_ths = 0;
    for (const json::value& t : ths.as_array())
      if (const json::value& p = at(t, "pass"); !(p.is_bool() && p.get_bool())) ++failed_ths;
    if (failed_ths) out << "; " << failed_ths << " threshold(s) not met";
  }
  out << "\n";
  return out.str();
}

// --- HTML --------------------------------------------------------------------------------------

namespace {

struct Line {
  std::string name;
  std::string color;
  std::vector<double> y;
  std::vector<double> x;  // own x values (server series); empty = the chart's
};

// The smallest 1, 2 or 5 × 10^k at least `raw`.
double nice_step(double raw) {
  if (raw <= 0) return 1;
  const double mag = std::pow(10, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

// One line chart as inline SVG: x = seconds, shared y axis from 0 to the largest value.
std::string svg_chart(const std::string& title, const std::string& unit,
                      const std::vector<double>& x, const std::vector<Line>& lines) {
  const double W = 860, H = 240, L = 60, R = 20, T = 30, B = 40;
  double xmax = 1, ymax = 0;
  for (double v : x)
    xmax = std::max(xmax, v);
  for (const Line& l : lines)
    for (double v : l.x)
      xmax = std::max(xmax, v);
  for (const Line& l : lines)
    for (double v : l.y)
      ymax = std::max(ymax, v);
  if (ymax <= 0) ymax = 1;
  ymax = nice_step(ymax);  // a round upper bound
  auto px = [&](double v) { return L + (W - L - R) * v / xmax; };
  auto py = [&](double v) { return H - B - (H - T - B) * v / ymax; };
  std::ostringstream s;
  s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << W << "' height='" << H
    << "' viewBox='0 0 " << W << ' ' << H << "' font-family='sans-serif' font-size='11'>";
  s << "<text x='" << L << "' y='18' font-size='13' font-weight='bold'>" << html_escape(title)
    << "</text>";
  for (int i = 0; i <= 5; ++i) {  // 1-2-5 bounds split in five give round labels
    const double v = ymax * i / 5;
    s << "<line x1='" << L << "' x2='" << W - R << "' y1='" << py(v) << "' y2='" << py(v)
      << "' stroke='#ddd'/><text x='" << L - 6 << "' y='" << py(v) + 4 << "' text-anchor='end'>"
      << fmt("%g", std::round(v * 1000) / 1000) << "</text>";
  }
  const double xstep = std::max(1.0, nice_step(xmax / 6));
  for (double v = 0; v <= xmax + 1e-9; v += xstep) {
    s << "<text x='" << px(v) << "' y='" << H - B + 16 << "' text-anchor='middle'>"
      << fmt("%.0f", v) << "</text>";
  }
  s << "<text x='" << (L + W - R) / 2 << "' y='" << H - 6
    << "' text-anchor='middle'>seconds</text>";
  s << "<text x='14' y='" << (T + H - B) / 2 << "' transform='rotate(-90 14 " << (T + H - B) / 2
    << ")' text-anchor='middle'>" << html_escape(unit) << "</text>";
  double legend_x = L + 220;
  for (const Line& l : lines) {
    std::ostringstream pts;
    const std::vector<double>& lx = l.x.empty() ? x : l.x;
    for (size_t i = 0; i < lx.size() && i < l.y.size(); ++i)
      pts << fmt("%.1f", px(lx[i])) << ',' << fmt("%.1f", py(l.y[i])) << ' ';
    s << "<polyline fill='none' stroke='" << l.color << "' stroke-width='1.6' points='" << pts.str()
      << "'/>";
    s << "<rect x='" << legend_x << "' y='9' width='12' height='4' fill='" << l.color
      << "'/><text x='" << legend_x + 16 << "' y='15'>" << html_escape(l.name) << "</text>";
    legend_x += 20 + 7 * static_cast<double>(l.name.size()) + 14;
  }
  s << "</svg>";
  return s.str();
}

}  // namespace

std::string html_report(const json::value& r) {
  std::vector<double> x;
  Line target{"target", "#999", {}, {}}, users{"users", "#1f77b4", {}, {}},
      conn{"connected", "#2ca02c", {}, {}};
  Line out_l{"msgs out/s", "#1f77b4", {}, {}}, in_l{"msgs in/s", "#ff7f0e", {}, {}};
  Line d50{"delivery p50", "#2ca02c", {}, {}}, d99{"delivery p99", "#d62728", {}, {}};
  Line o50{"ops p50", "#9467bd", {}, {}}, o99{"ops p99", "#8c564b", {}, {}};
  Line fail{"failed ops/s", "#d62728", {}, {}}, lost{"lost msgs/s", "#ff7f0e", {}, {}};
  Line tcpu{"busiest loop CPU %", "#9467bd", {}, {}},
      tlag{"worst loop lag p99 ms", "#8c564b", {}, {}};
  for (const json::value& p : at(r, "series").as_array()) {
    x.push_back(dbl(p, "t"));
    target.y.push_back(dbl(p, "target"));
    users.y.push_back(dbl(p, "users"));
    conn.y.push_back(dbl(p, "connected"));
    out_l.y.push_back(dbl(p, "msgs_out"));
    in_l.y.push_back(dbl(p, "msgs_in"));
    d50.y.push_back(dbl(p, "delivery_p50_ms"));
    d99.y.push_back(dbl(p, "delivery_p99_ms"));
    o50.y.push_back(dbl(p, "ops_p50_ms"));
    o99.y.push_back(dbl(p, "ops_p99_ms"));
    fail.y.push_back(dbl(p, "failed"));
    lost.y.push_back(dbl(p, "lost"));
    tcpu.y.push_back(dbl(p, "tool_loop_cpu") * 100);
    tlag.y.push_back(dbl(p, "tool_lag_p99_ms"));
  }
  const json::value& cfg = at(r, "config");
  std::ostringstream h;
  h << "<!doctype html><html><head><meta charset='utf-8'><title>parley-load report</title>"
       "<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;"
       "margin:8px 0 20px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
       "th{background:#f4f4f4}td.l,th.l{text-align:left}.pass{color:#2a7d2a}.fail{color:#b00}"
       "pre{background:#f7f7f7;padding:8px;white-space:pre-wrap}</style></head><body>";
  const json::value& pass = at(r, "pass");
  const bool ok = pass.is_bool() && pass.get_bool();
  h << "<h1>parley-load: " << html_escape(str(cfg, "scenario")) << "</h1>";
  h << "<p>Target " << html_escape(str(cfg, "url")) << ", started "
    << html_escape(str(r, "started_at")) << ", " << fmt("%.1f", dbl(r, "elapsed_s")) << " s, "
    << html_escape(str(r, "stop_reason")) << ". Peak " << u64(at(r, "peak"), "users")
    << " users. <b class='" << (ok ? "pass" : "fail") << "'>" << (ok ? "PASS" : "FAIL")
    << "</b></p>";
  std::string argv;
  for (const json::value& a : at(cfg, "argv").as_array())
    argv += (argv.empty() ? "" : " ") + std::string(a.as_string());
  h << "<pre>" << html_escape(argv) << "</pre>";
  h << svg_chart("Crowd", "users", x, {target, users, conn});
  h << svg_chart("Throughput", "messages per second", x, {out_l, in_l});
  h << svg_chart("Latency percentiles (per second)", "ms", x, {d50, d99, o50, o99});
  h << svg_chart("Failures", "per second", x, {fail, lost});
  const json::value& tl = at(r, "tool_limit");
  if (const json::value& lim = at(tl, "limited"); lim.is_bool() && lim.get_bool())
    h << "<p class='fail'><b>Tool-limited</b>: " << html_escape(str(tl, "worst")) << "; "
      << u64(tl, "limited_seconds")
      << " s in all. Figures of those seconds measure parley-load, not the server.</p>";
  h << svg_chart("The tool's own load (limits: " + fmt("%.0f%%", dbl(tl, "cpu_limit") * 100) +
                     " CPU, " + fmt("%.0f ms", dbl(tl, "lag_limit_ms")) + " lag p99)",
                 "% of a core / ms", x, {tcpu, tlag});
  // The servers' own figures (--server-metrics), one line per server.
  const json::value& servers = at(r, "server");
  if (servers.is_array() && !servers.get_array().empty()) {
    static const char* kColors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"};
    struct Fig {
      const char* key;
      const char* title;
      const char* unit;
      double scale;
    };
    const Fig figs[] = {{"cpu_cores", "Server CPU", "cores", 1},
                        {"rss_bytes", "Server RSS", "MiB", 1.0 / 1048576},
                        {"sockets", "Server sockets", "sockets", 1},
                        {"store_p99_ms", "Server store latency p99", "ms", 1},
                        {"store_mean_ms", "Server store latency mean", "ms", 1},
                        {"queue_depth", "Server store queue depth", "operations", 1}};
    h << "<h2>Servers</h2><table><tr><th class='l'>server</th><th class='l'>build</th>"
         "<th>scrapes</th><th>failed</th><th class='l'>last error</th></tr>";
    for (const json::value& s : servers.as_array())
      h << "<tr><td class='l'>" << html_escape(str(s, "url")) << "</td><td class='l'>"
        << html_escape(str(s, "version") + " " + str(s, "commit")) << "</td><td>"
        << u64(s, "scrapes") << "</td><td>" << u64(s, "failures") << "</td><td class='l'>"
        << html_escape(str(s, "last_error")) << "</td></tr>";
    h << "</table>";
    for (const Fig& f : figs) {
      std::vector<Line> lines;
      size_t k = 0;
      for (const json::value& s : servers.as_array()) {
        Line l{str(s, "url"), kColors[k++ % 5], {}, {}};
        for (const json::value& p : at(s, "series").as_array()) {
          const json::value& v = at(p, f.key);
          if (!v.is_number()) continue;
          l.x.push_back(dbl(p, "t"));
          l.y.push_back(v.to_number<double>() * f.scale);
        }
        if (!l.y.empty()) lines.push_back(std::move(l));
      }
      if (!lines.empty()) h << svg_chart(f.title, f.unit, x, lines);
    }
  }
  const json::value& ths = at(r, "thresholds");
  if (ths.is_array() && !ths.get_array().empty()) {
    h << "<h2>Thresholds</h2><table><tr><th class='l'>threshold</th><th>actual</th>"
         "<th>result</th></tr>";
    for (const json::value& t : ths.as_array()) {
      const json::value& a = at(t, "actual");
      const json::value& p = at(t, "pass");
      const bool tp = p.is_bool() && p.get_bool();
      h << "<tr><td class='l'>" << html_escape(str(t, "expr")) << "</td><td>"
        << (a.is_number() ? fmt("%g", a.to_number<double>()) : "no data") << "</td><td class='"
        << (tp ? "pass'>pass" : "fail'>FAIL") << "</td></tr>";
    }
    h << "</table>";
  }
  for (const json::value& f : at(at(r, "crowd"), "failures").as_array())
    h << "<p class='fail'>Crowd short: " << html_escape(f.as_string()) << "</p>";

  h << "<h2>Operations</h2><table><tr><th class='l'>operation</th><th>ok</th><th>failed</th>"
       "<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th>"
       "<th class='l'>failure reasons</th></tr>";
  const json::value& ops = at(r, "ops");
  for (size_t i = 0; i < kOpCount; ++i) {
    const json::value& o = at(ops, op_name(static_cast<Op>(i)));
    if (u64(o, "ok") == 0 && u64(o, "failed") == 0) continue;
    const json::value& l = at(o, "latency_ms");
    const bool has = u64(l, "count") > 0;
    h << "<tr><td class='l'>" << op_name(static_cast<Op>(i)) << "</td><td>" << u64(o, "ok")
      << "</td><td>" << u64(o, "failed") << "</td>";
    for (const char* k : {"p50", "p90", "p99", "p999", "max"})
      h << "<td>" << (has ? fmt("%.2f", dbl(l, k)) : "-") << "</td>";
    std::string reasons;
    if (const json::value& rs = at(o, "reasons"); rs.is_object())
      for (const auto& kv : rs.get_object())
        reasons += html_escape(kv.key()) + ": " + std::to_string(kv.value().to_number<uint64_t>()) +
                   "<br>";
    h << "<td class='l'>" << reasons << "</td></tr>";
  }
  h << "</table>";
  const json::value& d = at(r, "delivery");
  h << "<h2>Delivery</h2><table><tr>";
  for (const char* k :
       {"expected", "delivered", "lost", "duplicated", "reordered", "late", "foreign"})
    h << "<th>" << k << "</th>";
  h << "</tr><tr>";
  for (const char* k :
       {"expected", "delivered", "lost", "duplicated", "reordered", "late", "foreign"})
    h << "<td>" << u64(d, k) << "</td>";
  h << "</tr></table>";
  h << "<h2>Score by crowd step</h2><table><tr><th>step</th><th>target</th><th>there</th>"
       "<th>seconds</th>"
       "<th>succeeded</th><th>failed</th><th>success</th><th>msgs out</th><th>msgs in</th>"
       "<th>lost</th><th>delivery p99 ms</th><th class='l'>crowd</th></tr>";
  for (const json::value& s : at(r, "steps").as_array()) {
    const uint64_t okc = u64(s, "ok"), failed = u64(s, "failed");
    const json::value& cok = at(s, "crowd_ok");
    const bool crowd_ok = !(cok.is_bool() && !cok.get_bool());
    h << "<tr><td>" << u64(s, "step") << "</td><td>" << u64(s, "target") << "</td><td>"
      << u64(s, "connected") << "</td><td>" << u64(s, "from_s") << "–" << u64(s, "to_s")
      << "</td><td>" << okc << "</td><td>" << failed << "</td><td>"
      << fmt("%.2f%%", okc + failed ? 100.0 * okc / (okc + failed) : 100.0) << "</td><td>"
      << u64(s, "msgs_out") << "</td><td>" << u64(s, "msgs_in") << "</td><td>" << u64(s, "lost")
      << "</td><td>" << fmt("%.2f", dbl(s, "delivery_p99_ms")) << "</td><td class='l "
      << (crowd_ok ? "pass'>ok" : "fail'>") << html_escape(str(s, "crowd_fail")) << "</td></tr>";
  }
  h << "</table>";
  const json::value& res = at(r, "resources");
  h << "<h2>Tool resources</h2><p>" << fmt("%.2f", dbl(res, "tool_cpu_s")) << " s CPU ("
    << fmt("%.3f", dbl(res, "avg_cores")) << " cores on average), "
    << fmt("%.2f", dbl(res, "cpu_us_per_user_s")) << " µs CPU per user-second; peak RSS "
    << fmt("%.1f", dbl(res, "peak_rss_kb") / 1024) << " MiB ("
    << fmt("%.1f", dbl(res, "rss_kb_per_user")) << " KiB per user).</p>";
  h << "</body></html>\n";
  return h.str();
}

}  // namespace parley::load
