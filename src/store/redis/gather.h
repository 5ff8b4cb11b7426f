// gather(): runs several awaitables at once on the caller's executor and returns their results
// in the order given. The RedisStore uses it where one call touches many slots (a page of rooms,
// message counts of many rooms, a list of users): the commands go out together instead of one
// round trip after another.
#pragma once

#include <atomic>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace parley::store::redis {

namespace asio = boost::asio;

namespace detail {

// co_spawn needs a default-constructible result; Result<T> is not, std::optional of it is.
template <class T>
asio::awaitable<std::optional<T>> as_optional(asio::awaitable<T> op) {
  co_return co_await std::move(op);
}

template <class T, class Handler>
struct GatherState {
  explicit GatherState(Handler h, size_t n) : handler(std::move(h)), results(n), left(n) {}
  Handler handler;
  std::vector<std::optional<T>> results;
  std::atomic<size_t> left;
  std::mutex mu;
  std::exception_ptr error;
};

}  // namespace detail

template <class T>
asio::awaitable<std::vector<T>> gather(std::vector<asio::awaitable<T>> ops) {
  std::vector<T> out;
  out.reserve(ops.size());
  if (ops.size() <= 1) {
    for (auto& op : ops)
      out.push_back(co_await std::move(op));
    co_return out;
  }
  auto ex = co_await asio::this_coro::executor;
  std::vector<asio::awaitable<std::optional<T>>> wrapped;
  wrapped.reserve(ops.size());
  for (auto& op : ops)
    wrapped.push_back(detail::as_optional<T>(std::move(op)));
  // A named local: GCC 12 mishandles capturing lambda temporaries inside co_await.
  auto initiation = [ex](auto handler, std::vector<asio::awaitable<std::optional<T>>> ops) {
    using State = detail::GatherState<T, decltype(handler)>;
    auto st = std::make_shared<State>(std::move(handler), ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
      asio::co_spawn(ex, std::move(ops[i]), [st, i](std::exception_ptr e, std::optional<T> v) {
        if (e) {
          std::lock_guard lock(st->mu);
          if (!st->error) st->error = e;
        } else {
          st->results[i] = std::move(v);
        }
        if (st->left.fetch_sub(1, std::memory_order_acq_rel) == 1) {
          std::exception_ptr err;
          {
            std::lock_guard lock(st->mu);
            err = st->error;
          }
          std::move(st->handler)(err, std::move(st->results));
        }
      });
    }
  };
  auto results =
      co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                    void(std::exception_ptr, std::vector<std::optional<T>>)>(
          std::move(initiation), asio::use_awaitable, std::move(wrapped));
  for (auto& r : results)
    out.push_back(std::move(*r));
  co_return out;
}

}  // namespace parley::store::redis
