// See api_metrics.h.
#include "api/api_metrics.h"

#include <map>

namespace parley::api {

HttpStats::HttpStats(const metrics::LoopSet& loops, std::vector<std::string> routes)
    : loops_(loops), routes_(std::move(routes)), per_loop_(loops.size()) {
  const size_t rows = routes_.size() + 2;
  for (size_t l = 0; l < per_loop_.size(); ++l) {
    per_loop_[l].counts = std::vector<metrics::Cell>(rows * kStatusSlots);
    for (size_t r = 0; r < rows; ++r)
      per_loop_[l].durations.emplace_back(metrics::latency_bounds());
  }
}

void HttpStats::record(const boost::asio::any_io_executor& ex, size_t row, unsigned status,
                       std::chrono::steady_clock::duration took) {
  const size_t l = loops_.index_of(ex);
  if (l >= per_loop_.size() || row >= routes_.size() + 2) return;
  size_t slot = 0;
  while (slot < std::size(kStatuses) && kStatuses[slot] != status)
    ++slot;
  Loop& loop = per_loop_[l];
  loop.counts[row * kStatusSlots + slot].add();
  loop.durations[row].observe(std::chrono::duration<double>(took).count());
}

void HttpStats::collect(metrics::Exposition& out) const {
  // Rows of one pattern (GET and POST of /api/rooms) are one series.
  auto label = [&](size_t row) -> std::string_view {
    if (row < routes_.size()) return routes_[row];
    return row == routes_.size() ? "unmatched" : "preflight";
  };
  const size_t rows = routes_.size() + 2;
  std::map<std::pair<std::string_view, size_t>, uint64_t> counts;
  std::map<std::string_view, metrics::Snapshot> durations;
  per_loop_.each([&](const Loop& loop) {
    for (size_t r = 0; r < rows; ++r) {
      for (size_t s = 0; s < kStatusSlots; ++s) {
        const uint64_t n = loop.counts[r * kStatusSlots + s].get();
        if (n) counts[{label(r), s}] += n;
      }
      loop.durations[r].add_to(durations[label(r)]);
    }
  });
  out.family("parley_http_requests_total", "counter",
             "REST requests answered, by route pattern and status.");
  for (const auto& [key, n] : counts) {
    const std::string status =
        key.second < std::size(kStatuses) ? std::to_string(kStatuses[key.second]) : "other";
    out.sample("parley_http_requests_total", static_cast<double>(n),
               {{"route", key.first}, {"status", status}});
  }
  out.family("parley_http_request_duration_seconds", "histogram",
             "REST request handling time (request read to response ready), by route pattern.");
  for (const auto& [route, snapshot] : durations) {
    if (snapshot.count() == 0) continue;
    out.histogram("parley_http_request_duration_seconds", snapshot, {{"route", route}});
  }
}

}  // namespace parley::api
