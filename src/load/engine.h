// The load engine of one process: `threads` event loops, each owning the virtual users (and, in
// room scenarios, the rooms with their delivery checkers) assigned to it, so a user's sockets,
// timers and bookkeeping are only ever touched by one thread. Loop 0 also runs the schedule
// (spawning users, the organiser) and, once a second, collects every loop's counters into a
// Sample for the sink. With --procs N each worker process runs one Engine on its share of the
// crowd (worker i of N gets users i, i+N, i+2N, …).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "load/config.h"
#include "load/stats.h"

namespace parley::load {

namespace engine_detail {
struct Impl;  // engine_impl.h: private to the engine's files
}  // namespace engine_detail

class Engine {
 public:
  // `sink` receives each second's Sample (and a final one) on loop 0's thread.
  Engine(const Config& config, int worker, int workers, std::function<void(const Sample&)> sink);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Registers --prepare-users (this worker's share), calls `before_start` (the procs parent uses
  // it to start every worker's clock together), runs the schedule, drains, closes every socket
  // and returns. SIGINT/SIGTERM end the schedule early (the report is still produced).
  void run(const std::function<void()>& before_start);
  // True when a signal cut the run short.
  bool interrupted() const;

 private:
  std::unique_ptr<engine_detail::Impl> impl_;
};

}  // namespace parley::load
