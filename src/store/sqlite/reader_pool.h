// ReaderPool: a few threads, each owning one read connection, serving read jobs from a shared
// queue. In WAL mode readers never block the writer nor each other, so reads run in parallel
// with the group commit; keeping them off the writer thread keeps write latency flat.
// Each job runs in its own read transaction, so a job that issues several queries (a room and
// its participants, a page and its total) sees one consistent snapshot.
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include "store/sqlite/job.h"
#include "store/sqlite/job_queue.h"

namespace parley::store::sqlite {

class ReaderPool {
 public:
  // One thread per connection.
  explicit ReaderPool(std::vector<std::unique_ptr<Connection>> connections);
  ~ReaderPool();  // stop()
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // Queues a job. After stop() the job is refused at once: completed with Error::unavailable.
  void submit(std::unique_ptr<Job> job);

  // Runs what is already queued, ends the threads and closes the connections. Idempotent.
  void stop();
  // Read jobs waiting for a reader thread (for /metrics; any thread).
  size_t queue_depth() const { return queue_.depth(); }

 private:
  void loop(Connection& db);

  std::vector<std::unique_ptr<Connection>> connections_;
  PendingJobs queue_;
  std::vector<std::thread> threads_;
};

}  // namespace parley::store::sqlite
