// RedisBus: the cluster bus. Wraps this node's Hub (which still delivers to local sockets: parked
// delivery, membership) and carries frames to the other nodes over Redis sharded pub/sub:
//   - publish: local delivery through the hub, then one SPUBLISH per frame to the group's channel
//     (once per group, never once per node: every subscribed node receives it from Redis);
//   - subscriptions follow membership: the hub reports a group's first local member (SSUBSCRIBE)
//     and its last one leaving (SUNSUBSCRIBE), counted across loops;
//   - a received frame is handed to the hub like a local publish; frames this node published
//     come back too and are skipped by their node id (see channels.h);
//   - a lost subscription (failover, MOVED, dropped connection) is re-established by
//     redis::PubSub, which reports the gap; the bus passes it on (Bus::set_gap_handler) so the
//     chat can recover what was missed from the room's stored history.
// SPUBLISH runs on the bus's own thread ("bus-publish"), started in publish order; the number in
// flight is capped (a frame beyond the cap is not sent to other nodes: counted and logged).
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bus/bus.h"
#include "bus/hub.h"
#include "redis/cluster.h"

namespace parley::bus {

struct RedisBusOptions {
  std::string node_id;    // unique per node; no spaces
  uint32_t buckets = 64;  // hash-tag buckets for channel names (channels.h)
  size_t max_in_flight = 65536;
};

struct RedisBusStats {
  uint64_t published = 0;       // SPUBLISH answered
  uint64_t publish_errors = 0;  // SPUBLISH failed (cluster unreachable / timeout)
  uint64_t dropped = 0;         // not sent: over max_in_flight
  uint64_t received = 0;        // frames from other nodes handed to the hub
  uint64_t own_skipped = 0;     // our own frames coming back
  uint64_t gaps = 0;            // subscriptions lost and re-established
  uint64_t subscriptions = 0;   // channels subscribed now
};

class RedisBus final : public Bus, private Hub::MembershipListener {
 public:
  RedisBus(Hub& hub, redis::Cluster& cluster, RedisBusOptions options);
  ~RedisBus() override;  // stops listening to the hub, waits for publishes in flight

  RedisBus(const RedisBus&) = delete;
  RedisBus& operator=(const RedisBus&) = delete;

  void publish(const std::string& group, sio::Frame frame,
               const sio::Socket* except = nullptr) override;
  void set_gap_handler(GapHandler handler) override;
  bool healthy() const override;

  const std::string& node_id() const { return options_.node_id; }
  std::string channel(const std::string& group) const;
  RedisBusStats stats() const;

 private:
  void first_member(const std::string& group) override;
  void last_member(const std::string& group) override;
  void on_message(std::string_view channel, std::string_view payload);
  void on_gap(std::string_view channel);

  Hub& hub_;
  RedisBusOptions options_;

  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::unique_ptr<redis::PubSub> pubsub_;
  std::thread thread_;

  mutable std::mutex gap_mutex_;
  GapHandler gap_handler_;

  std::atomic<size_t> in_flight_{0};
  std::atomic<uint64_t> published_{0}, publish_errors_{0}, dropped_{0}, received_{0},
      own_skipped_{0}, gaps_{0}, subscriptions_{0};
  std::atomic<int> consecutive_errors_{0};
};

}  // namespace parley::bus
