// See loop.h.
#include "eio/loop.h"

#include <boost/asio/post.hpp>

#include "eio/ws_transport.h"

namespace parley::eio {

Loop::Loop(boost::asio::io_context& ctx, std::chrono::milliseconds tick)
    : ctx_(ctx),
      wheel_(ctx, tick),
      gate_(boost::asio::use_service<SendGate>(ctx)),
      flush_timer_(ctx) {
  gate_.attach(this);
}

Loop::~Loop() {
  gate_.attach(nullptr);
  *alive_ = false;
  flush_timer_.cancel();
}

void Loop::defer_flush(std::shared_ptr<WsTransport> transport) {
  dirty_.push_back(std::move(transport));
  schedule_pass();
}

void Loop::schedule_pass() {
  if (pass_scheduled_) return;
  pass_scheduled_ = true;
  // One pass flushes every transport that became dirty before it runs.
  auto run = [this, alive = alive_](auto&&...) {
    if (*alive) flush_all();
  };
  if (std::chrono::steady_clock::now() >= next_pass_) {
    boost::asio::post(ctx_, std::move(run));
  } else {
    flush_timer_.expires_at(next_pass_);
    flush_timer_.async_wait(std::move(run));
  }
}

void Loop::flush_all() {
  const auto start = std::chrono::steady_clock::now();
  stats_.write_passes.add();
  // Parked broadcasts go into the transports' queues now; the transports they dirty join this
  // pass (pass_scheduled_ is still set, so they schedule no other).
  gate_.drain();
  pass_scheduled_ = false;
  flushing_.swap(dirty_);
  for (auto& t : flushing_)
    t->flush();
  flushing_.clear();
  const auto end = std::chrono::steady_clock::now();
  const auto took = end - start;
  stats_.pass_duration.observe(std::chrono::duration<double>(took).count());
  next_pass_ = took < kBusyPass
                   ? end
                   : end + std::min<std::chrono::steady_clock::duration>(took, kMaxFlushDelay);
}

}  // namespace parley::eio
