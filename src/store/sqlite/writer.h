// Writer: the one thread that owns the write connection and does group commit.
//
// SQLite allows one writer at a time, and with synchronous=FULL every COMMIT costs an fsync.
// Instead of many threads queueing on the write lock and fsyncing one write each, callers
// enqueue jobs; the writer takes everything queued, runs it in one BEGIN IMMEDIATE ... COMMIT,
// and completes the jobs only after COMMIT returned. Under load a single fsync then covers
// hundreds of writes (mark_read calls in particular), and with no load a lone job is committed
// at once, so batching adds no waiting.
//
// Each job runs under its own SAVEPOINT: a job that fails rolls back only its own changes and
// the rest of the batch still commits. If the batch as a whole fails (COMMIT fails, or SQLite
// aborts the transaction, e.g. disk full), every job in it is completed with that error and the
// on_abort hook lets the owner drop caches that may now be ahead of the database.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "metrics/histogram.h"
#include "store/sqlite/job.h"
#include "store/sqlite/job_queue.h"

namespace parley::store::sqlite {

struct WriterStats {
  uint64_t batches = 0;  // transactions committed or attempted
  uint64_t jobs = 0;     // jobs run in them
  uint64_t largest_batch = 0;
  uint64_t queue_depth = 0;       // jobs waiting for the next batch
  metrics::Snapshot batch_sizes;  // jobs per batch
};

class Writer {
 public:
  Writer(std::unique_ptr<Connection> db, std::function<void()> on_abort);
  ~Writer();  // stop()
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // Queues a job. After stop() the job is refused at once: completed with Error::unavailable.
  void submit(std::unique_ptr<Job> job);

  // Runs everything already queued, then ends the thread. Idempotent.
  void stop();

  // The write connection; only for use after stop() (the thread no longer touches it).
  Connection& connection() { return *db_; }
  // Closes the write connection; only after stop().
  void close_connection() { db_.reset(); }

  WriterStats stats() const;

 private:
  void loop();
  void run_batch(std::vector<std::unique_ptr<Job>>& batch);

  std::unique_ptr<Connection> db_;
  std::function<void()> on_abort_;

  PendingJobs queue_;

  std::atomic<uint64_t> batches_{0};
  std::atomic<uint64_t> jobs_{0};
  std::atomic<uint64_t> largest_batch_{0};
  metrics::Histogram batch_sizes_{metrics::size_bounds()};  // written by the writer thread only

  std::thread thread_;  // last: starts after everything above is initialised
};

}  // namespace parley::store::sqlite
