// See thread_name.h. pthread_setname_np rejects names over 15 bytes, hence the cut.
#include "core/thread_name.h"

#include <pthread.h>

#include <atomic>
#include <latch>
#include <memory>

#include <boost/asio/post.hpp>

namespace parley {

namespace {
// The name as last set or read, so a log line does not cost a system call.
thread_local std::string t_name;
thread_local bool t_known = false;
}  // namespace

void set_thread_name(std::string_view name) {
  std::string cut(name.substr(0, 15));
  pthread_setname_np(pthread_self(), cut.c_str());
  t_name = std::move(cut);
  t_known = true;
}

const std::string& thread_name() {
  if (!t_known) {
    char buf[16] = {};
    if (pthread_getname_np(pthread_self(), buf, sizeof buf) == 0) t_name = buf;
    t_known = true;
  }
  return t_name;
}

void name_pool_threads(boost::asio::thread_pool& pool, std::size_t threads,
                       std::string_view prefix) {
  // Shared with the tasks: a task may still be inside arrive_and_wait() when the caller's wait()
  // returns, so the latch must outlive this function.
  struct State {
    explicit State(std::size_t n) : all_running(static_cast<std::ptrdiff_t>(n)) {}
    std::latch all_running;
    std::atomic<std::size_t> next{0};
    std::string base;
  };
  auto state = std::make_shared<State>(threads);
  state->base = std::string(prefix);
  for (std::size_t i = 0; i < threads; ++i) {
    boost::asio::post(pool, [state] {
      set_thread_name(state->base + "-" + std::to_string(state->next.fetch_add(1)));
      state->all_running.arrive_and_wait();
    });
  }
  state->all_running.wait();
}

}  // namespace parley
