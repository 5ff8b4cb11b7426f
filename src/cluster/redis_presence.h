// RedisPresence: api::Presence for a cluster of nodes. One hash per room, in the room's slot
// ("parley:{room:<id>}:presence", the hash tag the store uses for the room): field "<user>" is the
// user's socket count over all nodes, field "<user>@<node>" this node's share. One Lua script
// changes both and returns the edge, so the 0->1 / 1->0 transitions are decided atomically in
// Redis however many nodes' sockets enter and leave at once.
//
// Not handled yet: the counts of a node that dies without leaving stay (docs/CLUSTER.md); the
// per-node fields are there so that a reaper can subtract a dead node's share.
#pragma once

#include <string>

#include "api/presence.h"
#include "redis/cluster.h"

namespace parley::cluster {

namespace asio = boost::asio;

class RedisPresence final : public api::Presence {
 public:
  RedisPresence(redis::Cluster& cluster, std::string node_id);

  asio::awaitable<Result<bool>> enter(std::string user, std::string room) override;
  asio::awaitable<Result<bool>> leave(std::string user, std::string room) override;

  static std::string key(const std::string& room) { return "parley:{room:" + room + "}:presence"; }

 private:
  asio::awaitable<Result<bool>> change(std::string user, std::string room, int delta);

  redis::Cluster& cluster_;
  std::string node_id_;
  redis::Script script_;
};

}  // namespace parley::cluster
