// ApiMetrics: what the api layer counts for /metrics, handed down through Services (null: not
// counted). All counters are per event loop (metrics/cell.h) and summed when app/ scrapes them:
//   - REST requests by route pattern (the router's, never the raw path) and status, with a
//     latency histogram per route (HttpStats);
//   - broadcast events by name (into the same counters sio uses for direct emits);
//   - AI generations: started, chunks sent, errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/cell.h"
#include "metrics/exposition.h"
#include "metrics/histogram.h"
#include "metrics/named_counters.h"
#include "metrics/per_loop.h"

namespace parley::api {

class HttpStats {
 public:
  // `routes`: the router's patterns (Router::patterns()); two more rows follow them: requests
  // no route matched (404s, the web client) and CORS preflights.
  HttpStats(const metrics::LoopSet& loops, std::vector<std::string> routes);
  size_t unmatched_row() const { return routes_.size(); }
  size_t preflight_row() const { return routes_.size() + 1; }
  // On the loop running `ex`, from its thread.
  void record(const boost::asio::any_io_executor& ex, size_t row, unsigned status,
              std::chrono::steady_clock::duration took);
  // parley_http_requests_total{route,status}, parley_http_request_duration_seconds{route}.
  void collect(metrics::Exposition& out) const;

  // The status codes that get a series of their own; others count as "other".
  static constexpr unsigned kStatuses[] = {200, 201, 204, 206, 301, 302, 304, 400, 401, 403,
                                           404, 405, 409, 413, 415, 416, 429, 431, 500, 503};
  static constexpr size_t kStatusSlots = std::size(kStatuses) + 1;

 private:
  struct Loop {
    std::vector<metrics::Cell> counts;         // row * kStatusSlots + status slot
    std::deque<metrics::Histogram> durations;  // per row
  };
  const metrics::LoopSet& loops_;
  std::vector<std::string> routes_;  // + "unmatched", "preflight"
  metrics::PerLoop<Loop> per_loop_;
};

struct AiCells {
  metrics::Cell streams;  // generations started (each gets one aiMessageStart)
  metrics::Cell chunks;   // aiMessageChunk events sent
  metrics::Cell errors;   // generations that ended in aiMessageError
};

struct ApiMetrics {
  ApiMetrics(const metrics::LoopSet& loops, std::vector<std::string> routes,
             metrics::NamedCounters* events_out)
      : loops(loops), http(loops, std::move(routes)), events_out(events_out), ai(loops.size()) {}

  // AI counters of the calling loop (a spare slot for any other thread, never read).
  AiCells& ai_here() {
    const size_t i = loops.current();
    return i < ai.size() ? ai[i] : ai_elsewhere;
  }

  // A broadcast of an AI event, on a loop: counts it by name and in the AI counters.
  void count_ai_event(std::string_view event) {
    if (events_out) events_out->add_here(event);
    AiCells& c = ai_here();
    if (event == "aiMessageStart") c.streams.add();
    if (event == "aiMessageChunk") c.chunks.add();
    if (event == "aiMessageError") c.errors.add();
  }

  const metrics::LoopSet& loops;
  HttpStats http;
  metrics::NamedCounters* events_out;  // may be null
  metrics::PerLoop<AiCells> ai;
  AiCells ai_elsewhere;
};

}  // namespace parley::api
