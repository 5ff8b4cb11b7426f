// Stats one eio::Loop keeps for /metrics: cells written only by that loop's thread (see
// metrics/cell.h), read by a scrape on any thread; eio::Server::stats() sums the loops.
#pragma once

#include <cstdint>

#include "metrics/cell.h"
#include "metrics/histogram.h"

namespace parley::eio {

struct LoopStats {
  metrics::Cell write_passes;          // Loop::flush_all runs
  metrics::Cell frames_written;        // WebSocket frames queued on a connection for writing
  metrics::Cell bytes_written;         // bytes the WebSockets' write calls took
  metrics::Cell slow_consumer_closes;  // sessions closed because their queue passed the cap
  metrics::GaugeCell polling;          // open sessions on long-polling
  metrics::GaugeCell websocket;        // open sessions on WebSocket
  metrics::Histogram pass_duration{metrics::latency_bounds()};  // of each write pass, seconds
};

// The sum over the loops, as plain numbers.
struct StatsTotal {
  uint64_t write_passes = 0;
  uint64_t frames_written = 0;
  uint64_t bytes_written = 0;
  uint64_t slow_consumer_closes = 0;
  int64_t polling = 0;
  int64_t websocket = 0;
  metrics::Snapshot pass_duration;
};

}  // namespace parley::eio
