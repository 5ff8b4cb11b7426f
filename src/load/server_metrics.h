// --server-metrics: reads each server's Prometheus /metrics once a second during a run, on a
// thread of its own (never on a traffic loop), and turns consecutive scrapes into the server's
// figures beside the client-side ones: CPU in cores (rate of process_cpu_seconds_total), RSS
// (process_resident_memory_bytes), sockets (parley_sio_sockets over all labels), store latency
// (parley_store_op_duration_seconds: p99 estimated from the bucket deltas, mean from the _sum and
// _count deltas), store queue depth (parley_store_queue_depth) and the build it measured
// (parley_build_info{version,commit}). A failed scrape is counted and the run goes on.
#pragma once

#include <atomic>
#include <boost/json/value.hpp>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "load/metrics_http.h"
#include "load/prom_text.h"

namespace parley::load {

// One server's figures at one scrape; a figure the server did not expose is nullopt.
struct ServerPoint {
  double t = 0;  // seconds since the run's clock started
  std::optional<double> cpu_cores, rss_bytes, sockets, store_p99_ms, store_mean_ms, queue_depth;
};

// Figures from scrape `now` (taken at t_now) and, for rates and deltas, the previous one.
ServerPoint derive_server_point(const PromScrape& now, double t_now, const PromScrape* before,
                                double t_before);

struct ServerSeries {
  std::string url;
  std::string version, commit;  // parley_build_info labels ("" when not exposed)
  int64_t scrapes = 0, failures = 0;
  std::string last_error;
  std::vector<ServerPoint> points;
};

class ServerScraper {
 public:
  ServerScraper(std::vector<MetricsUrl> urls, double period_s, int timeout_ms);
  ~ServerScraper();
  ServerScraper(const ServerScraper&) = delete;
  ServerScraper& operator=(const ServerScraper&) = delete;

  // Starts scraping; t is measured from `t0_ns` (CLOCK_MONOTONIC, the run's start).
  void start(int64_t t0_ns);
  void stop();
  std::vector<ServerSeries> snapshot() const;
  // For the live status: "srv cpu 1.02 rss 87M sock 3000" of the latest points ("" when none).
  std::string status() const;

 private:
  void run();
  void scrape_once(size_t i, PromScrape* prev, double* prev_t);

  std::vector<MetricsUrl> urls_;
  double period_s_;
  int timeout_ms_;
  int64_t t0_ns_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::vector<ServerSeries> series_;  // guarded by mu_
  std::thread thread_;
};

// The report's "server" section: per server its build, scrape tally, summary and series.
boost::json::value servers_json(const std::vector<ServerSeries>& servers);

}  // namespace parley::load
