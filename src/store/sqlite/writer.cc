// Writer: the group-commit loop (see writer.h for why it exists).
#include "store/sqlite/writer.h"

#include "core/thread_name.h"

#include <optional>

namespace parley::store::sqlite {

Writer::Writer(std::unique_ptr<Connection> db, std::function<void()> on_abort)
    : db_(std::move(db)), on_abort_(std::move(on_abort)), thread_([this] {
        set_thread_name("sqlite-writer");
        loop();
      }) {}

Writer::~Writer() {
  stop();
}

void Writer::submit(std::unique_ptr<Job> job) {
  queue_.submit(std::move(job));
}

void Writer::stop() {
  queue_.close();
  if (thread_.joinable()) thread_.join();
}

WriterStats Writer::stats() const {
  WriterStats s{batches_.load(std::memory_order_relaxed),
                jobs_.load(std::memory_order_relaxed),
                largest_batch_.load(std::memory_order_relaxed),
                queue_.depth(),
                {}};
  batch_sizes_.add_to(s.batch_sizes);
  return s;
}

void Writer::loop() {
  std::vector<std::unique_ptr<Job>> batch;
  for (;;) {
    queue_.take_all(batch);
    if (batch.empty()) return;  // closed, and everything queued has been written
    run_batch(batch);
    batch.clear();
  }
}

void Writer::run_batch(std::vector<std::unique_ptr<Job>>& batch) {
  Connection& db = *db_;
  std::optional<Error> failure;
  try {
    db.run("BEGIN IMMEDIATE");
    for (auto& job : batch) {
      db.run("SAVEPOINT job");
      bool ok = job->run(db);  // catches its own exceptions (job.h)
      // Some errors (SQLITE_FULL, some I/O errors) make SQLite roll back the whole
      // transaction; then the jobs before this one are gone too and the batch has failed.
      if (!db.in_transaction()) throw SqliteError(SQLITE_ABORT, "transaction aborted by SQLite");
      if (!ok) db.run("ROLLBACK TO job");
      db.run("RELEASE job");
    }
    db.run("COMMIT");
  } catch (const SqliteError& e) {
    failure = to_error(e);
    failure->kind = Error::Kind::unavailable;  // the batch, not the caller's input, failed
  } catch (const std::exception& e) {
    failure = Error::unavailable(e.what());
  }

  if (failure) {
    try {
      if (db.in_transaction()) db.run("ROLLBACK");
    } catch (const SqliteError&) {
      // nothing more to undo; the next BEGIN starts clean or fails on its own
    }
    spdlog::error("sqlite store: batch of {} writes failed: {}", batch.size(), failure->detail);
    if (on_abort_) on_abort_();
  }

  batches_.fetch_add(1, std::memory_order_relaxed);
  jobs_.fetch_add(batch.size(), std::memory_order_relaxed);
  batch_sizes_.observe(static_cast<double>(batch.size()));
  if (batch.size() > largest_batch_.load(std::memory_order_relaxed)) {
    largest_batch_.store(batch.size(), std::memory_order_relaxed);
  }

  for (auto& job : batch)
    job->complete(failure ? &*failure : nullptr);
}

}  // namespace parley::store::sqlite
