// See redis_presence.h.
#include "cluster/redis_presence.h"

namespace parley::cluster {

namespace {

// KEYS[1] the room's presence hash; ARGV user, node, delta (1 or -1). Returns 1 on an edge (the
// user's first socket anywhere entered / last socket anywhere left), else 0. A leave this node
// has no count for is ignored (a duplicate leave after a disconnect).
constexpr const char* kChange = R"lua(
local uf = ARGV[1]
local nf = ARGV[1] .. '@' .. ARGV[2]
local d = tonumber(ARGV[3])
local mine = tonumber(redis.call('HGET', KEYS[1], nf) or '0')
if d < 0 and mine <= 0 then return 0 end
local n = redis.call('HINCRBY', KEYS[1], nf, d)
if n <= 0 then redis.call('HDEL', KEYS[1], nf) end
local t = redis.call('HINCRBY', KEYS[1], uf, d)
if t <= 0 then redis.call('HDEL', KEYS[1], uf) end
if d > 0 and t == 1 then return 1 end
if d < 0 and t <= 0 then return 1 end
return 0
)lua";

}  // namespace

RedisPresence::RedisPresence(redis::Cluster& cluster, std::string node_id)
    : cluster_(cluster), node_id_(std::move(node_id)), script_(kChange) {}

asio::awaitable<Result<bool>> RedisPresence::enter(std::string user, std::string room) {
  co_return co_await change(std::move(user), std::move(room), 1);
}

asio::awaitable<Result<bool>> RedisPresence::leave(std::string user, std::string room) {
  co_return co_await change(std::move(user), std::move(room), -1);
}

asio::awaitable<Result<bool>> RedisPresence::change(std::string user, std::string room, int delta) {
  std::vector<std::string> keys{key(room)};
  std::vector<std::string> args{std::move(user), node_id_, std::to_string(delta)};
  auto r = co_await cluster_.eval(script_, std::move(keys), std::move(args));
  if (!r) co_return r.error();
  if (!r.value().is_integer()) {
    co_return Error::unavailable("presence script: " + r.value().str);
  }
  co_return r.value().integer == 1;
}

}  // namespace parley::cluster
