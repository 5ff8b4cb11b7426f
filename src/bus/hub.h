// Hub: in-process fan-out. Every event loop keeps its own registry of group -> sockets, touched
// only by that loop, so membership changes and deliveries take no locks. A publish posts one task
// per loop (not one per recipient); each loop then hands the same immutable frame to each of its
// local members. A Redis-backed bus publishes across nodes and ends in the same local delivery.
#pragma once

#include <boost/asio/io_context.hpp>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sio/groups.h"
#include "sio/socket.h"

namespace parley::bus {

namespace asio = boost::asio;

class Hub final : public sio::Groups {
 public:
  explicit Hub(std::vector<asio::io_context*> loops);
  ~Hub() override;

  // sio::Groups: called on the socket's loop.
  void add(const std::string& group, sio::Socket* socket) override;
  void remove(const std::string& group, sio::Socket* socket) override;

  // From any thread: delivers `frame` to every member of `group` on every loop, except `except`
  // (may be null). Members on the calling loop receive it before publish() returns.
  void publish(const std::string& group, sio::Frame frame, const sio::Socket* except = nullptr);

  // Members of `group` on the calling loop (for tests and diagnostics).
  size_t local_size(const std::string& group) const;

 private:
  struct Group {
    std::vector<sio::Socket*> members;
    int delivering = 0;      // > 0 while a delivery iterates members
    bool has_holes = false;  // removals during a delivery leave nulls, compacted afterwards
  };
  struct Local {
    asio::io_context* loop = nullptr;
    std::unordered_map<std::string, Group> groups;
  };

  Local* local_for(const asio::any_io_executor& ex) const;
  Local* current() const;  // the Local of the loop running this thread, or null
  void deliver(Local& local, const std::string& group, const sio::Frame& frame,
               const sio::Socket* except);

  std::vector<std::unique_ptr<Local>> locals_;
};

}  // namespace parley::bus
