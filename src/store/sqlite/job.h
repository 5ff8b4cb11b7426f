// Job: one unit of database work handed to a worker thread (the writer or a reader), and
// submit(), which turns a plain function `Result<T>(Connection&)` into an awaitable that runs it
// on that worker and resumes the calling coroutine on its own executor (the offload pattern of
// core/offload.h, with a queue of our own instead of a thread pool, because each worker thread
// owns its connection).
//
// The two-step shape (run, then complete) is what group commit needs: the writer runs every job
// of a batch, commits once, and only then completes them, so no caller hears "done" before its
// write is durable.
#pragma once

#include <spdlog/spdlog.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "core/result.h"
#include "store/sqlite/connection.h"

namespace parley::store::sqlite {

namespace asio = boost::asio;

class Job {
 public:
  virtual ~Job() = default;
  // Does the work on the worker's connection; false when it failed (the writer then rolls back
  // just this job's savepoint).
  virtual bool run(Connection& db) = 0;
  // Reports the outcome. `failure` is set when the whole batch failed (the job's own result no
  // longer holds) or the job was refused because the worker has stopped.
  virtual void complete(const Error* failure) = 0;
};

// Anything with submit(std::unique_ptr<Job>): Writer, ReaderPool.
template <class Q>
concept JobQueue = requires(Q& q, std::unique_ptr<Job> j) {
  q.submit(std::move(j));
};

namespace detail {

// Exceptions stay in this layer: whatever the function throws becomes an Error value.
template <class R, class Fn>
R call_guarded(Fn& fn, Connection& db) {
  try {
    return fn(db);
  } catch (const SqliteError& e) {
    return to_error(e);
  } catch (const std::exception& e) {
    return Error::internal(e.what());
  }
}

template <class R, class Fn, class Handler, class Executor>
class AwaitJob final : public Job {
 public:
  AwaitJob(Fn fn, Handler handler, Executor home)
      : fn_(std::move(fn)), handler_(std::move(handler)), home_(std::move(home)) {}

  bool run(Connection& db) override {
    result_.emplace(call_guarded<R>(fn_, db));
    return result_->ok();
  }

  void complete(const Error* failure) override {
    R r = (failure || !result_) ? R(failure ? *failure : Error::internal("job did not run"))
                                : std::move(*result_);
    asio::post(home_, [h = std::move(handler_), r = std::move(r)]() mutable {
      std::move(h)(std::move(r));
    });
  }

 private:
  Fn fn_;
  Handler handler_;
  Executor home_;
  std::optional<R> result_;
};

template <class Fn>
class DetachedJob final : public Job {
 public:
  DetachedJob(Fn fn, const char* what) : fn_(std::move(fn)), what_(what) {}

  bool run(Connection& db) override {
    auto r = call_guarded<decltype(fn_(db))>(fn_, db);
    if (!r.ok()) error_ = r.error();
    return r.ok();
  }

  void complete(const Error* failure) override {
    if (failure) error_ = *failure;
    if (error_) spdlog::warn("sqlite store: {} failed: {}", what_, error_->detail);
  }

 private:
  Fn fn_;
  const char* what_;
  std::optional<Error> error_;
};

}  // namespace detail

// Runs fn(Connection&) -> Result<T> on the queue's worker; resumes on the caller's executor.
//
// GCC 12 miscompiles a lambda with non-trivial captures (or any braced aggregate) created inside
// a co_await expression: the temporary is destroyed twice. So the initiation is a named local
// here, and callers must likewise build their job functions outside the co_await (see
// sqlite_store.cc).
template <JobQueue Q, class Fn>
asio::awaitable<std::invoke_result_t<Fn&, Connection&>> submit(Q& queue, Fn fn) {
  using R = std::invoke_result_t<Fn&, Connection&>;
  auto home = co_await asio::this_coro::executor;
  auto initiation = [&queue, home](auto handler, Fn f) {
    using Await = detail::AwaitJob<R, Fn, decltype(handler), decltype(home)>;
    queue.submit(std::make_unique<Await>(std::move(f), std::move(handler), home));
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(R)>(
      std::move(initiation), asio::use_awaitable, std::move(fn));
}

// Fire and forget: nobody waits for the outcome; a failure is logged.
template <JobQueue Q, class Fn>
void submit_detached(Q& queue, Fn fn, const char* what) {
  queue.submit(std::make_unique<detail::DetachedJob<Fn>>(std::move(fn), what));
}

}  // namespace parley::store::sqlite
