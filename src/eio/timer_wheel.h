// TimerWheel: the deadlines of one event loop (heartbeats, connect and upgrade timeouts, close
// lingering) in a hashed timing wheel, driven by a single asio timer per loop. A deadline costs
// an intrusive list insertion instead of an asio timer per socket (an object plus a pending wait
// and a heap operation each), which matters with 100k idle connections per loop.
//
// Threading: a wheel and all its entries belong to one loop; every call happens on it.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace parley::eio {

class TimerWheel;

struct TimerLink {
  TimerLink* prev = nullptr;
  TimerLink* next = nullptr;
};

// One deadline, embedded in its owner. When it expires the wheel calls `fn(owner)`. An entry is
// cancelled by its destructor, so an owner can never be called after it is gone.
class TimerEntry : private TimerLink {
 public:
  using Fn = void (*)(void* owner);
  TimerEntry(Fn fn, void* owner) : fn_(fn), owner_(owner) {}
  ~TimerEntry() { cancel(); }
  TimerEntry(const TimerEntry&) = delete;
  TimerEntry& operator=(const TimerEntry&) = delete;

  bool armed() const { return next != nullptr; }
  void cancel();

 private:
  friend class TimerWheel;
  std::uint64_t due_ = 0;  // in wheel ticks
  Fn fn_;
  void* owner_;
  TimerWheel* wheel_ = nullptr;
};

class TimerWheel {
 public:
  TimerWheel(boost::asio::io_context& ctx, std::chrono::milliseconds tick);
  ~TimerWheel();
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;

  // (Re)arms `entry` to fire after `delay`: never early, and late by less than one tick plus
  // the loop's own latency (the due time is rounded up to the next tick boundary).
  void schedule(TimerEntry& entry, std::chrono::milliseconds delay);
  // The same for an absolute deadline; one in the past fires on the next tick.
  void schedule_at(TimerEntry& entry, std::chrono::steady_clock::time_point at);
  std::size_t size() const { return count_; }
  std::chrono::milliseconds tick() const { return tick_; }

 private:
  friend class TimerEntry;
  static constexpr std::size_t kSlots = 512;

  std::uint64_t now_ticks() const;
  void link(TimerEntry& entry);
  void start_timer();
  void on_timer();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds tick_;
  std::chrono::steady_clock::time_point epoch_;
  std::array<TimerLink, kSlots> slots_;  // circular lists with a sentinel each
  std::uint64_t current_ = 0;            // last tick processed
  std::size_t count_ = 0;
  bool running_ = false;
  // Cleared by the destructor: a timer completion already queued must not touch a dead wheel.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace parley::eio
