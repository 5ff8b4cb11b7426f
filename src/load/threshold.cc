// Threshold expressions: parsing, metric lookup in the report, evaluation.
#include "load/threshold.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <cstdlib>

#include "load/stats.h"

namespace parley::load {

namespace json = boost::json;

namespace {

enum class Kind { time, count, share, bytes };

const json::value* path(const json::value& v, std::initializer_list<std::string_view> keys) {
  const json::value* cur = &v;
  for (std::string_view k : keys) {
    const json::object* o = cur->if_object();
    if (o == nullptr) return nullptr;
    cur = o->if_contains(k);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

std::optional<double> num(const json::value* v) {
  if (v == nullptr || !v->is_number()) return std::nullopt;
  return v->to_number<double>();
}

bool is_op(std::string_view name) {
  Op op;
  return op_from_name(name, op);
}

bool is_stat(std::string_view s) {
  return s == "p50" || s == "p90" || s == "p99" || s == "p999" || s == "max" || s == "mean";
}

std::optional<Kind> kind_of(std::string_view m) {
  static const std::string_view kCounts[] = {"failed",
                                             "ok",
                                             "lost",
                                             "duplicated",
                                             "reordered",
                                             "late",
                                             "foreign",
                                             "messages.sent",
                                             "messages.received",
                                             "server.sockets",
                                             "server.queue_depth",
                                             "crowd.short_steps",
                                             "tool.limited_seconds"};
  for (std::string_view c : kCounts)
    if (m == c) return Kind::count;
  if (m == "success_rate" || m == "server.cpu" || m == "server.cpu.max" || m == "tool.cpu")
    return Kind::share;
  if (m == "server.rss") return Kind::bytes;
  if (m == "server.store.p99" || m == "server.store.mean" || m == "tool.lag.p99") return Kind::time;
  const size_t dot = m.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view head = m.substr(0, dot), tail = m.substr(dot + 1);
  if (head == "delivery" &&
      (tail == "lost" || tail == "duplicated" || tail == "reordered" || tail == "late" ||
       tail == "foreign" || tail == "expected" || tail == "delivered"))
    return Kind::count;
  if (!is_op(head)) return std::nullopt;
  if (is_stat(tail)) return Kind::time;
  if (tail == "ok" || tail == "failed") return Kind::count;
  return std::nullopt;
}

// Largest value of a figure over every server (nullopt when none has it).
std::optional<double> server_max(const json::value& r, std::string_view figure,
                                 std::string_view stat) {
  const json::value* servers = path(r, {"server"});
  if (servers == nullptr || !servers->is_array()) return std::nullopt;
  std::optional<double> best;
  for (const json::value& s : servers->get_array())
    if (auto v = num(path(s, {"summary", figure, stat}))) best = std::max(best.value_or(*v), *v);
  return best;
}

}  // namespace

Result<Threshold> parse_threshold(std::string_view text) {
  Threshold t;
  t.text = std::string(text);
  size_t i = 0;
  auto blanks = [&]() {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
  };
  blanks();
  const size_t from = i;
  while (i < text.size() &&
         (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_' || text[i] == '.'))
    ++i;
  t.metric = std::string(text.substr(from, i - from));
  if (t.metric.empty()) return Error::invalid("threshold '" + t.text + "': expected a metric name");
  const auto kind = kind_of(t.metric);
  if (!kind)
    return Error::invalid("threshold '" + t.text + "': unknown metric '" + t.metric +
                          "' (see docs/LOAD.md, Thresholds)");
  blanks();
  const std::string_view rest = text.substr(i);
  if (rest.starts_with("<=")) {
    t.cmp = Threshold::Cmp::le;
    i += 2;
  } else if (rest.starts_with(">=")) {
    t.cmp = Threshold::Cmp::ge;
    i += 2;
  } else if (rest.starts_with("==")) {
    t.cmp = Threshold::Cmp::eq;
    i += 2;
  } else if (rest.starts_with("<")) {
    t.cmp = Threshold::Cmp::lt;
    i += 1;
  } else if (rest.starts_with(">")) {
    t.cmp = Threshold::Cmp::gt;
    i += 1;
  } else {
    return Error::invalid("threshold '" + t.text + "': expected < <= > >= or ==");
  }
  blanks();
  const std::string num_text(text.substr(i));
  char* end = nullptr;
  const double v = std::strtod(num_text.c_str(), &end);
  if (end == num_text.c_str() || !std::isfinite(v))
    return Error::invalid("threshold '" + t.text + "': expected a number");
  std::string unit(end);
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.back())))
    unit.pop_back();
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.front())))
    unit.erase(unit.begin());
  double scale = 1;
  bool fits = unit.empty();
  switch (*kind) {
    case Kind::time:
      if (unit == "ms") scale = 1, fits = true;
      if (unit == "s") scale = 1000, fits = true;
      if (unit == "us" || unit == "µs") scale = 0.001, fits = true;
      break;
    case Kind::share:
      if (unit == "%") scale = 0.01, fits = true;
      break;
    case Kind::bytes:
      if (unit == "B") scale = 1, fits = true;
      if (unit == "KiB") scale = 1024, fits = true;
      if (unit == "MiB") scale = 1024.0 * 1024, fits = true;
      if (unit == "GiB") scale = 1024.0 * 1024 * 1024, fits = true;
      break;
    case Kind::count:
      break;
  }
  if (!fits)
    return Error::invalid("threshold '" + t.text + "': unit '" + unit + "' does not fit " +
                          t.metric);
  t.value = v * scale;
  return t;
}

std::optional<double> report_metric(const json::value& r, std::string_view m) {
  if (m == "failed" || m == "ok") return num(path(r, {"totals", m}));
  if (m == "lost" || m == "duplicated" || m == "reordered" || m == "late" || m == "foreign")
    return num(path(r, {"delivery", m}));
  if (m == "messages.sent") return num(path(r, {"messages", "sent"}));
  if (m == "messages.received") return num(path(r, {"messages", "received"}));
  if (m == "success_rate") {
    const auto ok = num(path(r, {"totals", "ok"})), failed = num(path(r, {"totals", "failed"}));
    if (!ok || !failed) return std::nullopt;
    return *ok + *failed > 0 ? *ok / (*ok + *failed) : 1.0;
  }
  if (m == "server.cpu") return server_max(r, "cpu_cores", "mean");
  if (m == "server.cpu.max") return server_max(r, "cpu_cores", "max");
  if (m == "server.rss") return server_max(r, "rss_bytes", "max");
  if (m == "server.sockets") return server_max(r, "sockets", "max");
  if (m == "server.queue_depth") return server_max(r, "queue_depth", "max");
  if (m == "server.store.p99") return server_max(r, "store_p99_ms", "max");
  if (m == "server.store.mean") return server_max(r, "store_mean_ms", "mean");
  if (m == "crowd.short_steps") {
    const json::value* f = path(r, {"crowd", "failures"});
    if (f == nullptr || !f->is_array()) return std::nullopt;
    return static_cast<double>(f->get_array().size());
  }
  if (m == "tool.limited_seconds") return num(path(r, {"tool_limit", "limited_seconds"}));
  if (m == "tool.cpu" || m == "tool.lag.p99") {
    const json::value* loops = path(r, {"tool_limit", "loops"});
    if (loops == nullptr || !loops->is_array() || loops->get_array().empty()) return std::nullopt;
    double best = 0;
    for (const json::value& l : loops->get_array())
      best = std::max(best,
                      num(path(l, {m == "tool.cpu" ? "cpu_max" : "lag_p99_max_ms"})).value_or(0));
    return best;
  }
  const size_t dot = m.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view head = m.substr(0, dot), tail = m.substr(dot + 1);
  if (head == "delivery" && !is_stat(tail)) return num(path(r, {"delivery", tail}));
  if (head == "delivery") {
    if (num(path(r, {"delivery", "latency_ms", "count"})).value_or(0) == 0) return std::nullopt;
    return num(path(r, {"delivery", "latency_ms", tail}));
  }
  if (is_stat(tail)) {
    if (num(path(r, {"ops", head, "latency_ms", "count"})).value_or(0) == 0) return std::nullopt;
    return num(path(r, {"ops", head, "latency_ms", tail}));
  }
  return num(path(r, {"ops", head, tail}));
}

std::vector<ThresholdResult> evaluate_thresholds(const std::vector<Threshold>& thresholds,
                                                 const json::value& report) {
  std::vector<ThresholdResult> out;
  for (const Threshold& t : thresholds) {
    ThresholdResult res;
    res.threshold = t;
    res.actual = report_metric(report, t.metric);
    if (res.actual) {
      const double a = *res.actual, v = t.value;
      switch (t.cmp) {
        case Threshold::Cmp::lt:
          res.pass = a < v;
          break;
        case Threshold::Cmp::le:
          res.pass = a <= v;
          break;
        case Threshold::Cmp::gt:
          res.pass = a > v;
          break;
        case Threshold::Cmp::ge:
          res.pass = a >= v;
          break;
        case Threshold::Cmp::eq:
          res.pass = a == v;
          break;
      }
    }
    out.push_back(std::move(res));
  }
  return out;
}

}  // namespace parley::load
