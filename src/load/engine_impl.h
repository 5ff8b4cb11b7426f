// Private to the engine: the state of one process's engine (its loops, schedule position,
// organiser and prepared sessions) and the operations on it, whose definitions are split by
// concern: engine.cc (control, samples), spawner.cc (crowd schedule), organiser.cc (rooms),
// sweep.cc (timeouts, ping checks, settling, closing), prepare.cc (--prepare-users).
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "load/ack_recorder.h"
#include "load/client.h"
#include "load/config.h"
#include "load/loop.h"
#include "load/stats.h"

namespace parley::load::engine_detail {

struct Impl {
  Impl(const Config& c, int w, int ws, std::function<void(const Sample&)> s)
      : cfg(c),
        worker(w),
        workers(ws),
        sink(std::move(s)),
        sources(c.source_ips),
        acks(c.record_acks_file) {}

  const Config& cfg;
  int worker, workers;
  std::function<void(const Sample&)> sink;
  SourcePicker sources;
  AckRecorder acks;  // --record-acks
  std::vector<std::unique_ptr<Loop>> loops;
  std::atomic<bool> stopping{false};
  std::atomic<bool> interrupted{false};
  int64_t t0 = 0;
  int64_t timeout_ns = 0;
  std::chrono::milliseconds timeout{10000};
  uint64_t next_k = 0;   // this worker's users spawned so far (idx = worker + k * workers)
  size_t next_loop = 0;  // round robin
  std::unique_ptr<asio::steady_timer> spawn_timer;
  // --reuse-sessions: credentials from the preparation, by user index. Written on loop 0 before
  // the clock starts, only read afterwards.
  struct Creds {
    std::string token, session, user_id;
  };
  std::unordered_map<uint64_t, Creds> prepared;
  std::unique_ptr<asio::signal_set> signals;

  Loop& loop0() { return *loops[0]; }
  Loop& pick_loop() { return *loops[next_loop++ % loops.size()]; }
  uint64_t next_index() { return static_cast<uint64_t>(worker) + workers * next_k++; }
  int64_t alive_users() const {
    int64_t n = 0;
    for (const auto& l : loops)
      n += l->users.load(std::memory_order_relaxed);
    return n;
  }
  std::string email_of(uint64_t idx) const {
    return cfg.user_prefix + "-" + std::to_string(idx) + "@load.test";
  }

  // control
  asio::awaitable<void> control(std::function<void()> before_start);
  asio::awaitable<void> prepare();
  void keep_creds(uint64_t idx, const std::string& body);
  asio::awaitable<void> prepare_worker(std::shared_ptr<std::atomic<int64_t>> next,
                                       std::shared_ptr<std::array<std::atomic<int64_t>, 3>> tally);
  asio::awaitable<void> spawner();
  asio::awaitable<void> sleep_until(asio::steady_timer& t, int64_t ns);
  asio::awaitable<void> on_every_loop(void (Impl::*fn)(Loop&));
  void emit_sample(int64_t tick, bool final);
  void sweep(Loop& l);
  void close_all(Loop& l);
  void finish_rooms(Loop& l);
  void start_sweeps();
  asio::awaitable<void> sweep_loop(Loop& l);
  asio::awaitable<void> lag_probe(Loop& l);

  // organiser (room scenarios)
  struct Organiser {
    std::unique_ptr<HttpClient> http;
    std::string token;
    int rooms = 0;
  } org;
  asio::awaitable<bool> organiser_login();
  asio::awaitable<std::shared_ptr<Room>> create_room();
  std::shared_ptr<Room> broadcast_room;

  void spawn_user(Loop& l, std::shared_ptr<Room> room, int64_t intended_ns);
};

}  // namespace parley::load::engine_detail
