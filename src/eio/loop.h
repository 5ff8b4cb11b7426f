// Loop: what Engine.IO keeps per event loop. The timer wheel for every deadline of the loop's
// sessions, and the write batcher: a WebSocket that has frames to send is flushed once the
// handlers that are ready now have run, so every frame queued to it in this turn of the loop
// (a fan-out, a burst of acks) leaves in one write system call.
//
// Under load the batcher coalesces further: a flush pass that took long (write calls to many
// sockets) is followed by a pause about as long before the next one, so the loop never spends
// much more than half its time in write calls and each call carries more frames. Light load
// (a short pass) still flushes at the end of the same turn; the added latency is bounded by
// kMaxFlushDelay.
//
// Threading: a Loop is used only from its own io_context's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <vector>

#include "eio/timer_wheel.h"

namespace parley::eio {

class WsTransport;

class Loop {
 public:
  Loop(boost::asio::io_context& ctx, std::chrono::milliseconds tick);
  ~Loop();
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  boost::asio::io_context& context() { return ctx_; }
  TimerWheel& timers() { return wheel_; }

  // Flushes `transport` at the end of this turn of the loop (or with the next flush pass when
  // the loop is busy). The caller makes sure it is queued at most once per pass.
  void defer_flush(std::shared_ptr<WsTransport> transport);

  // A pass shorter than this is light load: no pause after it.
  static constexpr std::chrono::microseconds kBusyPass{200};
  static constexpr std::chrono::milliseconds kMaxFlushDelay{5};

 private:
  void flush_all();

  boost::asio::io_context& ctx_;
  TimerWheel wheel_;
  boost::asio::steady_timer flush_timer_;
  std::chrono::steady_clock::time_point next_pass_{};
  bool pass_scheduled_ = false;
  std::vector<std::shared_ptr<WsTransport>> dirty_;
  std::vector<std::shared_ptr<WsTransport>> flushing_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace parley::eio
