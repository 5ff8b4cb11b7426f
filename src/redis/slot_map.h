// The cluster's slot map: which master serves each of the 16384 slots, loaded from
// CLUSTER SHARDS (Redis 7.0) and patched by MOVED redirects between full reloads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "redis/cluster.h"
#include "redis/reply.h"
#include "redis/slot.h"

namespace parley::redis {

struct ShardNode {
  std::string id;
  Endpoint endpoint;
  bool master = false;
  bool online = false;  // health "online" (not "failed" / "loading")
};

struct Shard {
  std::vector<std::pair<int, int>> slots;  // inclusive ranges
  std::vector<ShardNode> nodes;
};

// The CLUSTER SHARDS reply (RESP2: an array of shards, each a flat key/value array with
// "slots" [start, end, …] and "nodes" [[key, value, …], …]); Error::invalid when malformed.
Result<std::vector<Shard>> parse_cluster_shards(const Reply& reply);

class SlotMap {
 public:
  SlotMap();
  // The serving master of each shard: the online one when a failed master is still listed.
  static SlotMap from_shards(const std::vector<Shard>& shards);

  const Endpoint* master(int slot) const;  // nullptr when no node serves the slot
  void set_master(int slot, const Endpoint& endpoint);
  std::vector<Endpoint> masters() const;  // distinct, serving at least one slot
  const std::vector<Endpoint>& nodes() const { return nodes_; }  // every node listed, replicas too
  bool covers_all() const;
  bool empty() const { return endpoints_.empty(); }

 private:
  int index_of(const Endpoint& e);
  std::vector<Endpoint> endpoints_;
  std::array<int16_t, kSlotCount> owner_;  // index into endpoints_, -1 = none
  std::vector<Endpoint> nodes_;
};

}  // namespace parley::redis
