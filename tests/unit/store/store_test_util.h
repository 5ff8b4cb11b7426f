// Helpers for the store tests: a fresh temporary directory per test, and run(), which drives a
// coroutine to completion on the test thread's io_context and hands back its result.
#pragma once

#include <stdlib.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace parley::store::sqlite::test_util {

namespace asio = boost::asio;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "parley-store-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline void rethrow_if(std::exception_ptr e) {
  if (e) std::rethrow_exception(e);
}

// The loop run() uses. It lives until the thread ends, so it outlives every store a test opens:
// a store's worker thread may still be returning from posting a completion when run() returns,
// and destroying the loop under it would be a race.
inline asio::io_context& test_loop() {
  static thread_local asio::io_context io;
  return io;
}

// Runs the awaitable on the test loop until it finishes; exceptions propagate.
template <class T>
T run(asio::awaitable<T> op) {
  asio::io_context& io = test_loop();
  io.restart();
  std::optional<T> out;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(op)); }, rethrow_if);
  io.run();
  return std::move(*out);
}

inline void run(asio::awaitable<void> op) {
  asio::io_context& io = test_loop();
  io.restart();
  asio::co_spawn(io, std::move(op), rethrow_if);
  io.run();
}

}  // namespace parley::store::sqlite::test_util
