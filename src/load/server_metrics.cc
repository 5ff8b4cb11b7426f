// Scraping the servers and deriving their figures.
#include "load/server_metrics.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>

#include "load/client.h"

namespace parley::load {

namespace json = boost::json;

ServerPoint derive_server_point(const PromScrape& now, double t_now, const PromScrape* before,
                                double t_before) {
  ServerPoint p;
  p.t = t_now;
  p.rss_bytes = now.sum("process_resident_memory_bytes");
  p.sockets = now.sum("parley_sio_sockets");
  p.queue_depth = now.sum("parley_store_queue_depth");
  if (before == nullptr || !(t_now > t_before)) return p;
  const double dt = t_now - t_before;
  const auto cpu = now.sum("process_cpu_seconds_total");
  const auto cpu0 = before->sum("process_cpu_seconds_total");
  if (cpu && cpu0 && *cpu >= *cpu0) p.cpu_cores = (*cpu - *cpu0) / dt;
  const std::string h = "parley_store_op_duration_seconds";
  const auto sum = now.sum(h + "_sum"), sum0 = before->sum(h + "_sum");
  const auto cnt = now.sum(h + "_count"), cnt0 = before->sum(h + "_count");
  if (sum && sum0 && cnt && cnt0 && *cnt > *cnt0)
    p.store_mean_ms = (*sum - *sum0) / (*cnt - *cnt0) * 1000;
  if (auto q = bucket_quantile(0.99, now.buckets(h), before->buckets(h)))
    p.store_p99_ms = *q * 1000;
  return p;
}

ServerScraper::ServerScraper(std::vector<MetricsUrl> urls, double period_s, int timeout_ms)
    : urls_(std::move(urls)), period_s_(period_s), timeout_ms_(timeout_ms) {
  for (const MetricsUrl& u : urls_) {
    ServerSeries s;
    s.url = u.text;
    series_.push_back(std::move(s));
  }
}

ServerScraper::~ServerScraper() {
  stop();
}

void ServerScraper::start(int64_t t0_ns) {
  t0_ns_ = t0_ns;
  if (urls_.empty() || thread_.joinable()) return;
  thread_ = std::thread([this]() { run(); });
}

void ServerScraper::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ServerScraper::scrape_once(size_t i, PromScrape* prev, double* prev_t) {
  const MetricsUrl& u = urls_[i];
  auto body = http_get(u.target, u.path, timeout_ms_);
  const double t = static_cast<double>(mono_ns() - t0_ns_) / 1e9;
  Result<PromScrape> scrape = body ? parse_prom_text(*body) : Result<PromScrape>(body.error());
  std::lock_guard lock(mu_);
  ServerSeries& s = series_[i];
  s.scrapes++;
  if (!scrape) {
    s.failures++;
    s.last_error = scrape.error().detail;
    return;
  }
  if (const auto* info = scrape->labels_of("parley_build_info")) {
    if (auto v = info->find("version"); v != info->end()) s.version = v->second;
    if (auto c = info->find("commit"); c != info->end()) s.commit = c->second;
  }
  s.points.push_back(derive_server_point(*scrape, t, *prev_t >= 0 ? prev : nullptr, *prev_t));
  *prev = std::move(*scrape);
  *prev_t = t;
}

void ServerScraper::run() {
  std::vector<PromScrape> prev(urls_.size());
  std::vector<double> prev_t(urls_.size(), -1);
  for (int64_t k = 0;; ++k) {
    for (size_t i = 0; i < urls_.size(); ++i)
      scrape_once(i, &prev[i], &prev_t[i]);
    // Next scrape on the period's grid, so a slow scrape does not shift the rest.
    const int64_t next_ns = t0_ns_ + static_cast<int64_t>((k + 1) * period_s_ * 1e9);
    std::unique_lock lock(mu_);
    const auto wait = std::chrono::nanoseconds(std::max<int64_t>(0, next_ns - mono_ns()));
    if (cv_.wait_for(lock, wait, [this]() { return stop_; })) return;
  }
}

std::vector<ServerSeries> ServerScraper::snapshot() const {
  std::lock_guard lock(mu_);
  return series_;
}

std::string ServerScraper::status() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const ServerSeries& s : series_) {
    if (s.points.empty()) continue;
    const ServerPoint& p = s.points.back();
    char buf[160];
    std::snprintf(buf, sizeof buf, "srv cpu %.2f rss %.0fM sock %.0f", p.cpu_cores.value_or(0),
                  p.rss_bytes.value_or(0) / 1048576.0, p.sockets.value_or(0));
    if (!out.empty()) out += ", ";
    out += buf;
  }
  return out;
}

namespace {

double r3(double v) {
  return std::round(v * 1000) / 1000;
}

json::value opt(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return nullptr;
  return r3(*v);
}

// Mean and maximum of one figure over a server's points.
json::object stats(const std::vector<ServerPoint>& pts, std::optional<double> ServerPoint::*field) {
  double sum = 0, mx = 0;
  int64_t n = 0;
  for (const ServerPoint& p : pts) {
    const auto& v = p.*field;
    if (!v || !std::isfinite(*v)) continue;
    sum += *v;
    mx = n == 0 ? *v : std::max(mx, *v);
    ++n;
  }
  json::object o;
  o["samples"] = n;
  o["mean"] = n ? json::value(r3(sum / static_cast<double>(n))) : json::value(nullptr);
  o["max"] = n ? json::value(r3(mx)) : json::value(nullptr);
  return o;
}

}  // namespace

json::value servers_json(const std::vector<ServerSeries>& servers) {
  json::array out;
  for (const ServerSeries& s : servers) {
    json::object o;
    o["url"] = s.url;
    o["version"] = s.version;
    o["commit"] = s.commit;
    o["scrapes"] = s.scrapes;
    o["failures"] = s.failures;
    o["last_error"] = s.last_error;
    json::object sum;
    sum["cpu_cores"] = stats(s.points, &ServerPoint::cpu_cores);
    sum["rss_bytes"] = stats(s.points, &ServerPoint::rss_bytes);
    sum["sockets"] = stats(s.points, &ServerPoint::sockets);
    sum["store_p99_ms"] = stats(s.points, &ServerPoint::store_p99_ms);
    sum["store_mean_ms"] = stats(s.points, &ServerPoint::store_mean_ms);
    sum["queue_depth"] = stats(s.points, &ServerPoint::queue_depth);
    o["summary"] = std::move(sum);
    json::array series;
    for (const ServerPoint& p : s.points) {
      json::object q;
      q["t"] = r3(p.t);
      q["cpu_cores"] = opt(p.cpu_cores);
      q["rss_bytes"] = opt(p.rss_bytes);
      q["sockets"] = opt(p.sockets);
      q["store_p99_ms"] = opt(p.store_p99_ms);
      q["store_mean_ms"] = opt(p.store_mean_ms);
      q["queue_depth"] = opt(p.queue_depth);
      series.push_back(std::move(q));
    }
    o["series"] = std::move(series);
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace parley::load
