// Collectors for the Redis side of a cluster node: the Redis Cluster clients' counters
// (redis::ClusterStats; the store's and the bus's clients, told apart by a `client` label) and
// the cluster bus's (bus::RedisBusStats: publishes, frames from other nodes, pub/sub gaps).
// Both stats() are documented as safe from any thread, which is what a collector needs.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "bus/redis/redis_bus.h"
#include "metrics/exposition.h"
#include "redis/cluster.h"

namespace parley::app {

// `clients`: (label, client) pairs; a null client is skipped.
inline void collect_redis(const std::vector<std::pair<std::string, const redis::Cluster*>>& clients,
                          metrics::Exposition& out) {
  std::vector<std::pair<std::string, redis::ClusterStats>> stats;
  for (const auto& [label, cluster] : clients)
    if (cluster) stats.emplace_back(label, cluster->stats());
  if (stats.empty()) return;
  auto counter = [&](std::string_view name, std::string_view help, auto field) {
    out.family(name, "counter", help);
    for (const auto& [label, s] : stats)
      out.sample(name, static_cast<double>(field(s)), {{"client", label}});
  };
  using S = redis::ClusterStats;
  counter("parley_redis_commands_total", "Redis commands completed (pipelined ones each).",
          [](const S& s) { return s.commands; });
  counter("parley_redis_round_trips_total", "Redis writes of one or more commands answered.",
          [](const S& s) { return s.round_trips; });
  out.family("parley_redis_redirects_total", "counter", "Redis Cluster redirects followed.");
  for (const auto& [label, s] : stats) {
    out.sample("parley_redis_redirects_total", static_cast<double>(s.moved),
               {{"client", label}, {"kind", "moved"}});
    out.sample("parley_redis_redirects_total", static_cast<double>(s.ask),
               {{"client", label}, {"kind", "ask"}});
  }
  counter("parley_redis_retries_total", "TRYAGAIN, CLUSTERDOWN and lost-connection retries.",
          [](const S& s) { return s.retries; });
  counter("parley_redis_timeouts_total", "Redis commands that ran out of time.",
          [](const S& s) { return s.timeouts; });
  counter("parley_redis_reconnects_total", "Redis connections reopened after the first.",
          [](const S& s) { return s.reconnects; });
  counter("parley_redis_slot_refreshes_total", "Redis Cluster slot map reloads.",
          [](const S& s) { return s.slot_refreshes; });
}

inline void collect_redis_bus(const bus::RedisBus& bus, metrics::Exposition& out) {
  const bus::RedisBusStats s = bus.stats();
  auto counter = [&](std::string_view name, std::string_view help, uint64_t v) {
    out.family(name, "counter", help);
    out.sample(name, static_cast<double>(v));
  };
  counter("parley_bus_published_total", "Frames published to other nodes (SPUBLISH answered).",
          s.published);
  counter("parley_bus_publish_errors_total", "SPUBLISH that failed (cluster unreachable).",
          s.publish_errors);
  counter("parley_bus_dropped_total", "Frames not published: over --bus-max-in-flight.", s.dropped);
  counter("parley_bus_received_total", "Frames from other nodes delivered to local members.",
          s.received);
  counter("parley_bus_gaps_total", "Pub/sub subscriptions lost and re-established.", s.gaps);
  out.family("parley_bus_subscriptions", "gauge", "Bus channels this node subscribes to now.");
  out.sample("parley_bus_subscriptions", static_cast<double>(s.subscriptions));
}

}  // namespace parley::app
