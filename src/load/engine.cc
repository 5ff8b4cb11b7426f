// The scenarios and their bookkeeping.
//
// Threading: a user lives on one loop (its room's loop in room scenarios) and everything about it
// runs there. Loop 0 runs the control coroutine (clock, samples, stop) and the spawner; it
// reaches other loops only by posting work to them. Counters are recorded under a per-loop mutex
// that loop 0 takes once a second to swap the interval out.
//
// Flow of a contest user: login (register on 401) → REST join → GET room → socket CONNECT →
// joinRoom; from then on it is event driven: joinRoomSuccess → fetchPreviousMessages →
// previousMessagesLoaded → the send loop; every `message` is checked (echo, delivery) and
// marked read. A once-a-second sweep per loop times out unanswered operations, detects ping
// timeouts and settles the rooms' delivery checkers.
//
// Latencies start at the intended time of an operation (a user's scheduled arrival, a message's
// scheduled send), not when the tool got round to it, so the tool's own lateness shows.
//
// GCC 12: no capturing lambda or braced temporary inside a co_await expression (named locals).
#include "load/engine.h"

#include <pthread.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <cstdlib>

#include "load/engine_impl.h"
#include "load/engine_util.h"
#include "load/resources.h"
#include "load/user.h"

namespace parley::load::engine_detail {

asio::awaitable<void> Impl::sleep_until(asio::steady_timer& t, int64_t ns) {
  t.expires_at(at_ns(ns));
  co_await t.async_wait(kTuple);
}

asio::awaitable<void> Impl::on_every_loop(void (Impl::*fn)(Loop&)) {
  // Runs fn on every loop and resumes once all are done (a timer on loop 0 as the latch).
  auto remaining = std::make_shared<std::atomic<int>>(static_cast<int>(loops.size()));
  auto latch = std::make_shared<asio::steady_timer>(loop0().io, Clock::time_point::max());
  for (auto& lp : loops) {
    Loop* l = lp.get();
    asio::post(l->io, [this, l, fn, remaining, latch]() {
      (this->*fn)(*l);
      if (remaining->fetch_sub(1) == 1) asio::post(loop0().io, [latch]() { latch->cancel(); });
    });
  }
  co_await latch->async_wait(kTuple);
}

void Impl::emit_sample(int64_t tick, bool final) {
  Sample s;
  s.tick = tick;
  s.final = final;
  for (auto& l : loops) {
    Counters c;
    {
      std::lock_guard lock(l->mu);
      std::swap(c, l->interval);
    }
    s.interval.merge(c);
    Histogram lag;
    {
      std::lock_guard lock(l->mu);
      std::swap(lag, l->lag_us);
    }
    // Read from loop 0's thread: pthread_getcpuclockid's clock of another thread is readable
    // from any thread of the process.
    s.loops.push_back({l->thread_cpu_s() - l->cpu_base_s, lag.percentile(0.99), lag.max()});
    s.users += l->users.load(std::memory_order_relaxed);
    s.connected += l->connected.load(std::memory_order_relaxed);
  }
  const double t = static_cast<double>(tick) - 1e-3;
  s.target = final ? 0 : Ramp::share(cfg.ramp.target_at(t), worker, workers);
  s.step = cfg.ramp.step_at(t);
  s.cpu_s = self_usage().cpu_s();
  s.rss_kb = rss_kb();
  sink(s);
}

asio::awaitable<void> Impl::control(std::function<void()> before_start) {
  Loop& l0 = loop0();
  if (cfg.prepare_users > 0 && !stopping) co_await prepare();
  before_start();
  t0 = mono_ns();
  spawn_timer = std::make_unique<asio::steady_timer>(l0.io);
  start_sweeps();
  asio::co_spawn(l0.io, spawner(), asio::detached);
  asio::steady_timer tick_timer(l0.io);
  const double end_s = std::min(cfg.ramp.end_s(), cfg.duration_s);
  int64_t tick = 1;
  for (;; ++tick) {
    co_await sleep_until(tick_timer, t0 + tick * 1'000'000'000);
    emit_sample(tick, false);
    if (stopping || static_cast<double>(tick) >= end_s) break;
  }
  stopping = true;
  spawn_timer->cancel();
  // Drain: no new sends; wait for the answers still owed (bounded by --drain).
  const int64_t drain_end = mono_ns() + secs_ns(cfg.drain_s);
  for (;;) {
    int64_t pending = 0;
    for (auto& l : loops)
      pending += l->pending.load(std::memory_order_relaxed);
    if (pending <= 0 || mono_ns() >= drain_end) break;
    co_await sleep_until(tick_timer, mono_ns() + 50'000'000);
  }
  // Deliveries to other members travel with the echo; a short grace lets the last ones land.
  co_await sleep_until(tick_timer, mono_ns() + 300'000'000);
  co_await on_every_loop(&Impl::close_all);
  const int64_t close_end = mono_ns() + 3'000'000'000;
  for (;;) {
    int64_t connected = 0;
    for (auto& l : loops)
      connected += l->connected.load(std::memory_order_relaxed);
    if (connected <= 0 || mono_ns() >= close_end) break;
    co_await sleep_until(tick_timer, mono_ns() + 20'000'000);
  }
  co_await on_every_loop(&Impl::finish_rooms);
  emit_sample(tick + 1, true);
  if (signals) signals->cancel();
  for (auto& l : loops)
    l->io.stop();
}
}  // namespace parley::load::engine_detail

namespace parley::load {

using engine_detail::Impl;
using engine_detail::Loop;
using engine_detail::secs_ns;

Engine::Engine(const Config& config, int worker, int workers,
               std::function<void(const Sample&)> sink)
    : impl_(std::make_unique<Impl>(config, worker, workers, std::move(sink))) {
  Impl& im = *impl_;
  im.timeout = std::chrono::milliseconds(static_cast<int64_t>(config.timeout_s * 1000));
  im.timeout_ns = secs_ns(config.timeout_s);
  const uint64_t seed = config.seed ? config.seed + static_cast<uint64_t>(worker) * 7919
                                    : static_cast<uint64_t>(mono_ns());
  for (int i = 0; i < config.threads; ++i) {
    im.loops.push_back(std::make_unique<Loop>());
    im.loops.back()->rng.seed(seed + static_cast<uint64_t>(i) * 104729);
  }
}

Engine::~Engine() = default;

bool Engine::interrupted() const {
  return impl_->interrupted;
}

void Engine::run(const std::function<void()>& before_start) {
  Impl& im = *impl_;
  Loop& l0 = im.loop0();
  im.signals = std::make_unique<asio::signal_set>(l0.io, SIGINT, SIGTERM);
  im.signals->async_wait([&im](const boost::system::error_code& ec, int) {
    if (ec) return;
    im.interrupted = true;
    im.stopping = true;  // the control loop notices at its next tick, drains and reports
    if (im.spawn_timer) im.spawn_timer->cancel();
    // A second signal means "now": no drain, no report.
    im.signals->async_wait([](const boost::system::error_code& ec2, int) {
      if (!ec2) std::_Exit(130);
    });
  });
  asio::co_spawn(l0.io, im.control(before_start), asio::detached);
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& l : im.loops)
    guards.push_back(asio::make_work_guard(l->io));
  for (size_t i = 1; i < im.loops.size(); ++i) {
    Loop* l = im.loops[i].get();
    l->thread = std::thread([l]() { l->io.run(); });
    l->has_cpu_clock = ::pthread_getcpuclockid(l->thread.native_handle(), &l->cpu_clock) == 0;
  }
  l0.has_cpu_clock = ::pthread_getcpuclockid(::pthread_self(), &l0.cpu_clock) == 0;
  l0.io.run();
  for (size_t i = 1; i < im.loops.size(); ++i)
    im.loops[i]->thread.join();
  // Users hold references into the loops; drop them while the loops still exist.
  for (auto& l : im.loops) {
    l->members.clear();
    l->rooms.clear();
  }
}

}  // namespace parley::load
