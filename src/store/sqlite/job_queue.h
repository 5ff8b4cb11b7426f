// PendingJobs: the hand-off between the event loops that submit store jobs and the store's own
// threads (the writer, the readers). Closing it refuses new jobs at once (completed with
// Error::unavailable) while the threads finish what is already queued.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "store/sqlite/job.h"

namespace parley::store::sqlite {

class PendingJobs {
 public:
  using Batch = std::vector<std::unique_ptr<Job>>;

  void submit(std::unique_ptr<Job> job);
  // Blocks until jobs are queued; empty only once closed and drained.
  std::unique_ptr<Job> take_one();
  // Blocks until jobs are queued, then takes all of them (the writer's group commit).
  void take_all(Batch& out);
  void close();
  // Jobs queued and not yet taken (for /metrics; any thread, no lock).
  size_t depth() const { return depth_.load(std::memory_order_relaxed); }

 private:
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::unique_ptr<Job>> queue_;
  bool closed_ = false;
  std::atomic<size_t> depth_{0};  // queue_.size(), stored under mu_
};

}  // namespace parley::store::sqlite
