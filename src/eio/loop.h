// Loop: what Engine.IO keeps per event loop. The timer wheel for every deadline of the loop's
// sessions, and the write batcher: a WebSocket that has frames to send is flushed once the
// handlers that are ready now have run, so every frame queued to it in this turn of the loop
// (a fan-out, a burst of acks) leaves in one write system call.
//
// Under load the batcher coalesces further: a flush pass that took long (write calls to many
// sockets) is followed by a pause about as long before the next one, so the loop never spends
// much more than half its time in write calls and each call carries more frames. Light load
// (a short pass) still flushes at the end of the same turn; the added latency is bounded by
// kMaxFlushDelay. Each pass starts by draining the loop's SendGate, so broadcasts parked by the
// hub during the pause join the pass (see send_gate.h).
//
// Threading: a Loop is used only from its own io_context's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <span>
#include <vector>

#include "eio/send_gate.h"
#include "eio/stats.h"
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
  SendGate& gate() { return gate_; }
  // Where this loop's WebSockets read into: a read is parsed before the next one starts, so one
  // buffer serves every connection of the loop and an idle connection holds none.
  std::span<char> read_buffer() { return read_buffer_; }
  // Counters for /metrics, written only on this loop.
  LoopStats& stats() { return stats_; }
  const LoopStats& stats() const { return stats_; }

  // Flushes `transport` at the end of this turn of the loop (or with the next flush pass when
  // the loop is busy). The caller makes sure it is queued at most once per pass.
  void defer_flush(std::shared_ptr<WsTransport> transport);
  // Makes sure a pass comes (for work parked in the SendGate).
  void schedule_pass();

  // A pass shorter than this is light load: no pause after it.
  static constexpr std::chrono::microseconds kBusyPass{200};
  // Bounds the pause after a long pass. Long enough that a loop saturated by a large room's
  // fan-out gathers many frames per socket per write (measured in docs/PERFORMANCE.md), short
  // enough to stay far below a human-noticeable delay.
  static constexpr std::chrono::milliseconds kMaxFlushDelay{50};

 private:
  void flush_all();

  boost::asio::io_context& ctx_;
  TimerWheel wheel_;
  SendGate& gate_;
  boost::asio::steady_timer flush_timer_;
  std::chrono::steady_clock::time_point next_pass_{};
  bool pass_scheduled_ = false;
  std::vector<std::shared_ptr<WsTransport>> dirty_;
  std::vector<std::shared_ptr<WsTransport>> flushing_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::vector<char> read_buffer_ = std::vector<char>(64 * 1024);
  LoopStats stats_;
};

}  // namespace parley::eio
