// Telemetry: everything /metrics serves, owned by run_server. It holds the per-loop counters
// that lower layers are handed (sio's event counters, api's ApiMetrics), the TimedStore
// decorator's loop set, and the Registry of collectors a scrape runs. Components keep their own
// stats (eio::Server::stats(), WriterStats, HashStats, ...); register_components() adds one
// collector per component. A new component is exposed the same way, e.g. in run_server:
//
//   telemetry.registry.add([&cluster](metrics::Exposition& out) {
//     const auto s = cluster.stats();  // a plain snapshot struct, safe on any thread
//     out.family("parley_redis_redirects_total", "counter", "MOVED/ASK replies followed.");
//     out.sample("parley_redis_redirects_total", s.redirects);
//   });
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <vector>

#include "api/api_metrics.h"
#include "metrics/named_counters.h"
#include "metrics/per_loop.h"
#include "metrics/registry.h"

namespace parley {
namespace bus {
class Hub;
}
namespace chat {
class PasswordHasher;
}
namespace eio {
class Server;
}
namespace net {
class HttpServer;
}
namespace store::sqlite {
class SqliteStore;
}
}  // namespace parley

namespace parley::app {

class TimedStore;

class Telemetry {
 public:
  // `loops`: how many event loops there will be (attach_loops() gives them).
  explicit Telemetry(size_t loops);

  // The loops, once created and before they run; must be `loops` of them.
  void attach_loops(std::vector<boost::asio::io_context*> loops);

  struct Components {
    const eio::Server* engine = nullptr;
    const bus::Hub* hub = nullptr;
    const net::HttpServer* rest = nullptr;
    const net::HttpServer* ws = nullptr;                 // may be null
    const store::sqlite::SqliteStore* sqlite = nullptr;  // may be null (another backend)
    const TimedStore* store = nullptr;
    const chat::PasswordHasher* hasher = nullptr;
  };
  // Adds the collectors for the build, the process, and each component given.
  void register_components(const Components& c);

  metrics::LoopSet loops;
  metrics::NamedCounters events_in;
  metrics::NamedCounters events_out;
  api::ApiMetrics api;
  metrics::Registry registry;
};

// The Socket.IO event names counted one by one (others count as "other").
std::vector<std::string> counted_events();

}  // namespace parley::app
