// The collector for the Redis Cluster client's counters (redis::ClusterStats), ready for the
// wiring that starts a redis::Cluster: one line in run_server, after the cluster is up,
//   telemetry.registry.add([&cluster](metrics::Exposition& out) { collect_redis(cluster.stats(),
//   out); });
// stats() is documented as safe from any thread, which is what a collector needs.
#pragma once

#include "metrics/exposition.h"
#include "redis/cluster.h"

namespace parley::app {

inline void collect_redis(const redis::ClusterStats& s, metrics::Exposition& out) {
  auto counter = [&](std::string_view name, std::string_view help, uint64_t v) {
    out.family(name, "counter", help);
    out.sample(name, static_cast<double>(v));
  };
  counter("parley_redis_commands_total", "Redis commands completed (pipelined ones each).",
          s.commands);
  counter("parley_redis_round_trips_total", "Redis writes of one or more commands answered.",
          s.round_trips);
  out.family("parley_redis_redirects_total", "counter", "Redis Cluster redirects followed.");
  out.sample("parley_redis_redirects_total", static_cast<double>(s.moved), {{"kind", "moved"}});
  out.sample("parley_redis_redirects_total", static_cast<double>(s.ask), {{"kind", "ask"}});
  counter("parley_redis_retries_total", "TRYAGAIN, CLUSTERDOWN and lost-connection retries.",
          s.retries);
  counter("parley_redis_timeouts_total", "Redis commands that ran out of time.", s.timeouts);
  counter("parley_redis_reconnects_total", "Redis connections reopened after the first.",
          s.reconnects);
  counter("parley_redis_slot_refreshes_total", "Redis Cluster slot map reloads.", s.slot_refreshes);
}

}  // namespace parley::app
