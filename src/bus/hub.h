// Hub: in-process fan-out. Every event loop keeps its own registry of group -> sockets, touched
// only by that loop, so membership changes and deliveries take no locks. A publish posts one task
// per loop (not one per recipient); each loop then hands the same immutable frame to each of its
// local members. It is the only bus there is: one process, no cross-node fan-out (a bus across
// servers, e.g. over Redis, would end in the same local delivery; none exists yet).
//
// Each loop parks what it receives until just before its next write pass (eio::SendGate), then
// delivers consecutive frames for one group socket-major: each member gets the whole burst at
// once (one FrameBatch, framed once for all WebSocket members). Anything else sent on the loop,
// and any membership change, drains the parked frames first, so every client still receives
// frames in the order they were published and a group's frames reach exactly the members it had
// when they were published.
//
// A cluster bus (bus/redis/) needs to know when this node gains its first member of a group or
// loses its last (to subscribe / unsubscribe): a MembershipListener hears those edges. They are
// counted per group across loops, touched only when a loop's own member list for the group is
// created or erased (not per socket), under one mutex; with no listener nothing is counted.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "bus/bus.h"
#include "eio/send_gate.h"
#include "metrics/cell.h"
#include "metrics/histogram.h"
#include "sio/groups.h"
#include "sio/socket.h"

namespace parley::bus {

namespace asio = boost::asio;

class Hub final : public sio::Groups, public Bus {
 public:
  // Hears the node-wide 0->1 and 1->0 edges of a group's membership. Called in edge order with
  // the hub's count lock held: must not block, must not call back into the hub.
  class MembershipListener {
   public:
    virtual ~MembershipListener() = default;
    virtual void first_member(const std::string& group) = 0;
    virtual void last_member(const std::string& group) = 0;
  };

  explicit Hub(std::vector<asio::io_context*> loops);
  ~Hub() override;

  // Before any socket joins (edges before it are not replayed); null to stop.
  void set_listener(MembershipListener* listener);

  // sio::Groups: called on the socket's loop.
  void add(const std::string& group, sio::Socket* socket) override;
  void remove(const std::string& group, sio::Socket* socket) override;

  // From any thread: delivers `frame` to every member of `group` on every loop, except `except`
  // (may be null), ordered as described above.
  void publish(const std::string& group, sio::Frame frame,
               const sio::Socket* except = nullptr) override;

  // Members of `group` on the calling loop (for tests and diagnostics).
  size_t local_size(const std::string& group) const;
  // Groups with members, counted once per loop that has members of it (for /metrics; any thread).
  int64_t group_count() const;
  // Publish to delivery (the frame queued on this loop's members' connections), every loop's
  // deliveries together (for /metrics; any thread).
  metrics::Snapshot delivery_delay() const;

 private:
  struct Group {
    std::vector<sio::Socket*> members;
    int delivering = 0;      // > 0 while a delivery iterates members
    bool has_holes = false;  // removals during a delivery leave nulls, compacted afterwards
  };
  using Clock = std::chrono::steady_clock;
  struct Parked {
    std::string group;
    sio::Frame frame;
    const sio::Socket* except;
    Clock::time_point published;
  };
  struct Local {
    asio::io_context* loop = nullptr;
    eio::SendGate* gate = nullptr;
    std::unordered_map<std::string, Group> groups;
    std::vector<Parked> parked;  // in publish order
    std::vector<Parked> spare;   // the drained vector, kept for its capacity
    bool draining = false;
    bool drain_posted = false;       // no write pass on this loop (tests): a posted drain
    metrics::GaugeCell group_count;  // groups.size(), for group_count() on other threads
    metrics::Histogram delay{metrics::latency_bounds()};  // publish to handed to the members
  };

  Local* local_for(const asio::any_io_executor& ex) const;
  Local* current() const;  // the Local of the loop running this thread, or null
  void park(Local& local, const std::string& group, const sio::Frame& frame,
            const sio::Socket* except, Clock::time_point published);
  void drain(Local& local);
  void deliver_run(Local& local, std::span<const Parked> run);
  void loop_gained(const std::string& group);  // this loop's first member of `group`
  void loop_lost(const std::string& group);    // this loop's last member of `group` left

  std::vector<std::unique_ptr<Local>> locals_;

  std::mutex counts_mutex_;
  MembershipListener* listener_ = nullptr;            // guarded by counts_mutex_
  std::unordered_map<std::string, int> loop_counts_;  // group -> loops with members (listener set)
};

}  // namespace parley::bus
