// Private to the engine: one event loop (an io_context on its own thread) with the users and
// rooms it owns and the counters it records, and a room with its delivery checker. Everything
// but the counters (under `mu`) and the atomics is touched by the loop's own thread only.
#pragma once

#include <time.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "load/delivery.h"
#include "load/histogram.h"
#include "load/stats.h"

namespace parley::load::engine_detail {

struct User;
struct Room;

struct Loop {
  asio::io_context io{1};
  std::thread thread;
  std::mutex mu;
  Counters interval;  // guarded by mu
  std::atomic<int64_t> users{0};
  std::atomic<int64_t> connected{0};
  std::atomic<int64_t> pending{0};             // operations awaiting an answer
  std::vector<std::shared_ptr<User>> members;  // loop thread only
  size_t sweeps = 0;                           // loop thread only
  std::vector<std::shared_ptr<Room>> rooms;    // loop thread only
  std::mt19937_64 rng;
  // The tool's own load (tool_limit.h): the loop thread's CPU clock (set by Engine::run before
  // the loops start), its reading when the clock started, and the lateness of the lag probe's
  // timer this second (guarded by mu).
  clockid_t cpu_clock = CLOCK_THREAD_CPUTIME_ID;
  bool has_cpu_clock = false;
  double cpu_base_s = 0;
  Histogram lag_us;

  double thread_cpu_s() const {
    timespec ts{};
    if (!has_cpu_clock || ::clock_gettime(cpu_clock, &ts) != 0) return 0;
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  }

  template <class F>
  void record(F&& f) {
    std::lock_guard lock(mu);
    f(interval);
  }
  void success(Op op, uint64_t us) {
    record([&](Counters& c) { c.success(op, us); });
  }
  void failure(Op op, std::string_view reason) {
    record([&](Counters& c) { c.failure(op, reason); });
  }
  double uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); }
};

struct Room {
  Room(std::string i, Loop& l, int64_t timeout_ns)
      : id(std::move(i)), loop(l), checker(timeout_ns) {}
  std::string id;
  Loop& loop;
  DeliveryChecker checker;
  std::unordered_map<uint64_t, int> slot_of;  // user index → member slot
  int alive = 0;
};

}  // namespace parley::load::engine_detail
