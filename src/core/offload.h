// offload(): run a blocking function on a worker pool and resume the calling coroutine on its
// own executor with the result. This is how event loops call anything that may block
// (password hashing, SQLite) without ever blocking themselves.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <type_traits>
#include <utility>

namespace parley {

namespace asio = boost::asio;

// Pool is anything asio::post accepts as an execution context or executor
// (asio::thread_pool, a strand, a custom executor).
template <class Pool, class F>
asio::awaitable<std::invoke_result_t<F>> offload(Pool& pool, F fn) {
  using T = std::invoke_result_t<F>;
  auto home = co_await asio::this_coro::executor;
  // Named local on purpose: GCC 12 destroys a capturing lambda temporary twice when it is
  // written inside a co_await expression. Callers must follow the same rule.
  auto initiation = [&pool, home](auto handler, F f) {
    asio::post(pool, [h = std::move(handler), f = std::move(f), home]() mutable {
      T r = f();
      asio::post(home,
                 [h = std::move(h), r = std::move(r)]() mutable { std::move(h)(std::move(r)); });
    });
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(T)>(
      std::move(initiation), asio::use_awaitable, std::move(fn));
}

}  // namespace parley
