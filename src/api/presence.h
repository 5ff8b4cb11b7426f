// Presence: who is in a room, counted per (user, room) over all of the user's sockets (§3.5), so
// the join / leave system message is stored and broadcast once, on the 0->1 and 1->0 edges.
// LocalPresence counts this process's sockets; a cluster counts every node's sockets in Redis
// (cluster/redis_presence.h) so the edges hold however many nodes the user's sockets are on.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <mutex>
#include <string>

#include "chat/presence.h"
#include "core/result.h"

namespace parley::api {

namespace asio = boost::asio;

class Presence {
 public:
  virtual ~Presence() = default;
  // A socket of `user` entered `room`: true when it is the user's first there (anywhere).
  virtual asio::awaitable<Result<bool>> enter(std::string user, std::string room) = 0;
  // A socket of `user` left `room`: true when it was the user's last there (anywhere).
  virtual asio::awaitable<Result<bool>> leave(std::string user, std::string room) = 0;
};

class LocalPresence final : public Presence {
 public:
  asio::awaitable<Result<bool>> enter(std::string user, std::string room) override {
    std::lock_guard lock(mutex_);
    co_return counter_.enter(user, room);
  }
  asio::awaitable<Result<bool>> leave(std::string user, std::string room) override {
    std::lock_guard lock(mutex_);
    co_return counter_.leave(user, room);
  }

 private:
  std::mutex mutex_;
  chat::PresenceCounter counter_;
};

}  // namespace parley::api
