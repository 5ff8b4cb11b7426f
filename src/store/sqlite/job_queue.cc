// See job_queue.h.
#include "store/sqlite/job_queue.h"

namespace parley::store::sqlite {

void PendingJobs::submit(std::unique_ptr<Job> job) {
  {
    std::lock_guard lock(mu_);
    if (!closed_) {
      queue_.push_back(std::move(job));
      depth_.store(queue_.size(), std::memory_order_relaxed);
      wake_.notify_one();
      return;
    }
  }
  Error closed = Error::unavailable("store is closed");
  job->complete(&closed);
}

std::unique_ptr<Job> PendingJobs::take_one() {
  std::unique_lock lock(mu_);
  wake_.wait(lock, [this] { return closed_ || !queue_.empty(); });
  if (queue_.empty()) return nullptr;
  std::unique_ptr<Job> job = std::move(queue_.front());
  queue_.pop_front();
  depth_.store(queue_.size(), std::memory_order_relaxed);
  return job;
}

void PendingJobs::take_all(Batch& out) {
  std::unique_lock lock(mu_);
  wake_.wait(lock, [this] { return closed_ || !queue_.empty(); });
  out.reserve(out.size() + queue_.size());
  for (auto& job : queue_)
    out.push_back(std::move(job));
  queue_.clear();
  depth_.store(0, std::memory_order_relaxed);
}

void PendingJobs::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  wake_.notify_all();
}

}  // namespace parley::store::sqlite
