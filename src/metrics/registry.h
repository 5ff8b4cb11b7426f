// Registry: the list of collectors one scrape runs, in order. A collector is any function that
// writes its families into an Exposition, reading the stats its component keeps (per-loop cells,
// a stats() snapshot struct, a size). There is no global registry: app/ owns one, fills it at
// start-up with a collector per component and serves scrape() on /metrics. A component written
// later (a Redis client with `ClusterStats stats()`, an S3 blob store) is exposed by one more
// add() in app/, without touching its hot paths.
//
// Threading: add() only before serving; scrape() from any thread, also concurrently, so
// collectors must only read thread-safe state.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "metrics/exposition.h"

namespace parley::metrics {

using Collector = std::function<void(Exposition&)>;

class Registry {
 public:
  void add(Collector c) { collectors_.push_back(std::move(c)); }
  std::string scrape() const {
    Exposition out;
    for (const auto& c : collectors_)
      c(out);
    return out.take();
  }

 private:
  std::vector<Collector> collectors_;
};

}  // namespace parley::metrics
