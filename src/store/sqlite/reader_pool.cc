// ReaderPool: the read threads (see reader_pool.h).
#include "store/sqlite/reader_pool.h"

#include <optional>

namespace parley::store::sqlite {

ReaderPool::ReaderPool(std::vector<std::unique_ptr<Connection>> connections)
    : connections_(std::move(connections)) {
  threads_.reserve(connections_.size());
  for (auto& c : connections_) {
    threads_.emplace_back([this, db = c.get()] { loop(*db); });
  }
}

ReaderPool::~ReaderPool() {
  stop();
}

void ReaderPool::submit(std::unique_ptr<Job> job) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(job));
      wake_.notify_one();
      return;
    }
  }
  Error closed = Error::unavailable("store is closed");
  job->complete(&closed);
}

void ReaderPool::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  connections_.clear();
}

void ReaderPool::loop(Connection& db) {
  for (;;) {
    std::unique_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    std::optional<Error> failure;
    try {
      db.run("BEGIN");
      job->run(db);  // a failed read has nothing to undo; its error is its result
      db.run("COMMIT");
    } catch (const SqliteError& e) {
      failure = to_error(e);
      try {
        if (db.in_transaction()) db.run("ROLLBACK");
      } catch (const SqliteError&) {
      }
    }
    job->complete(failure ? &*failure : nullptr);
  }
}

}  // namespace parley::store::sqlite
