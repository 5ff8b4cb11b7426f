// ReaderPool: the read threads (see reader_pool.h).
#include "store/sqlite/reader_pool.h"

#include <optional>
#include <string>

#include "core/thread_name.h"

namespace parley::store::sqlite {

ReaderPool::ReaderPool(std::vector<std::unique_ptr<Connection>> connections)
    : connections_(std::move(connections)) {
  threads_.reserve(connections_.size());
  for (auto& c : connections_) {
    threads_.emplace_back([this, db = c.get(), i = threads_.size()] {
      set_thread_name("sqlite-reader-" + std::to_string(i));
      loop(*db);
    });
  }
}

ReaderPool::~ReaderPool() {
  stop();
}

void ReaderPool::submit(std::unique_ptr<Job> job) {
  queue_.submit(std::move(job));
}

void ReaderPool::stop() {
  queue_.close();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  connections_.clear();
}

void ReaderPool::loop(Connection& db) {
  for (;;) {
    std::unique_ptr<Job> job = queue_.take_one();
    if (!job) return;  // closed, and everything queued has run
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
