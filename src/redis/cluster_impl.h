// Cluster::Impl: the state the I/O thread owns (slot map, connections, commands in flight,
// slot-map refreshes). Shared by cluster.cc and pubsub.cc; nothing here is for other layers.
#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "redis/cluster.h"
#include "redis/connection.h"
#include "redis/slot_map.h"

namespace parley::redis {

class Cluster::Impl {
 public:
  using Clock = std::chrono::steady_clock;
  using Done = std::function<void(Result<std::vector<Reply>>)>;

  explicit Impl(ClusterOptions options);
  ~Impl();  // stop() first

  // Thread side (all of these run on the I/O thread).
  void start_op(int slot, std::vector<Command> cmds, Ack ack, std::optional<Endpoint> pinned,
                Done done);
  // Reloads the slot map soon (coalesced, rate-limited, with backoff after failures); `after`
  // runs once the reload that starts from now on has finished (ok or not).
  void request_refresh(std::function<void(bool ok)> after = nullptr);
  std::shared_ptr<Connection> connection(const Endpoint& e);
  ConnectionOptions connection_options() const;

  // Caller side: runs `fn` on the I/O thread and waits (not for event loops: start/stop/tests).
  void run_sync(std::function<void()> fn);
  void stop();

  // Submits from any thread and resumes on the calling coroutine's executor.
  asio::awaitable<Result<std::vector<Reply>>> submit(int slot, std::vector<Command> cmds, Ack ack,
                                                     std::optional<Endpoint> pinned = {});

  ClusterOptions options;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::thread thread;
  SlotMap map;

  struct Counters {
    std::atomic<uint64_t> commands{0}, round_trips{0}, moved{0}, ask{0}, retries{0}, timeouts{0},
        reconnects{0}, slot_refreshes{0};
  } counters;

  std::chrono::milliseconds min_refresh_interval{50};
  std::chrono::milliseconds max_refresh_backoff{1000};

 private:
  struct Op;
  void attempt(const std::shared_ptr<Op>& op);
  void on_replies(const std::shared_ptr<Op>& op, const Endpoint& sent_to, bool asked, bool written,
                  Result<std::vector<Reply>> r);
  void retry_later(const std::shared_ptr<Op>& op, std::string why);
  void finish(const std::shared_ptr<Op>& op, Result<std::vector<Reply>> r);
  void do_refresh();
  void try_refresh(std::shared_ptr<std::vector<Endpoint>> candidates, size_t i);
  void refresh_finished(bool ok);

  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<Connection>> conns_;
  std::set<std::string> ever_opened_;
  std::set<std::shared_ptr<Op>> active_;
  bool refreshing_ = false;
  bool refresh_again_ = false;
  bool refresh_scheduled_ = false;
  Clock::time_point last_refresh_{};
  std::chrono::milliseconds refresh_backoff_{50};
  asio::steady_timer refresh_timer_;
  asio::steady_timer refresh_attempt_timer_;
  size_t refresh_rotation_ = 0;
  std::vector<std::function<void(bool)>> refresh_waiters_;       // for the refresh in progress
  std::vector<std::function<void(bool)>> next_refresh_waiters_;  // for the one after it
};

}  // namespace parley::redis
