// See timer_wheel.h. Entries hash into 512 slots by due tick; each tick visits one slot and fires
// what is due there (entries due in a later rotation stay). The asio timer runs only while the
// wheel holds entries, and a late wakeup catches up on every tick it missed.
#include "eio/timer_wheel.h"

#include <algorithm>

namespace parley::eio {

namespace {

void unlink(TimerLink& l) {
  l.prev->next = l.next;
  l.next->prev = l.prev;
  l.prev = l.next = nullptr;
}

void push_back(TimerLink& head, TimerLink& l) {
  l.prev = head.prev;
  l.next = &head;
  head.prev->next = &l;
  head.prev = &l;
}

}  // namespace

void TimerEntry::cancel() {
  if (!armed()) return;
  unlink(*this);
  if (wheel_) --wheel_->count_;
  wheel_ = nullptr;
}

TimerWheel::TimerWheel(boost::asio::io_context& ctx, std::chrono::milliseconds tick)
    : timer_(ctx),
      tick_(std::max(tick, std::chrono::milliseconds(1))),
      epoch_(std::chrono::steady_clock::now()) {
  for (auto& s : slots_)
    s.prev = s.next = &s;
}

TimerWheel::~TimerWheel() {
  *alive_ = false;
  // Owners may outlive the wheel during shutdown: detach their entries so that their destructors
  // do not touch it.
  for (auto& head : slots_) {
    while (head.next != &head) {
      auto* e = static_cast<TimerEntry*>(head.next);
      unlink(*e);
      e->wheel_ = nullptr;
    }
  }
  timer_.cancel();
}

std::uint64_t TimerWheel::now_ticks() const {
  const auto elapsed = std::chrono::steady_clock::now() - epoch_;
  return static_cast<std::uint64_t>(elapsed / tick_);
}

void TimerWheel::schedule(TimerEntry& entry, std::chrono::milliseconds delay) {
  schedule_at(entry, std::chrono::steady_clock::now() + delay);
}

void TimerWheel::schedule_at(TimerEntry& entry, std::chrono::steady_clock::time_point at) {
  entry.cancel();
  const std::uint64_t now = now_ticks();
  if (count_ == 0 && !running_) current_ = now;  // idle wheel: nothing to catch up on
  // Slot t is processed once now_ticks() >= t, i.e. at epoch + t * tick or later: the first
  // tick boundary at or after `at` never fires early.
  const auto since_epoch = std::max(at - epoch_, std::chrono::steady_clock::duration::zero());
  const auto due =
      static_cast<std::uint64_t>((since_epoch + tick_ - std::chrono::nanoseconds(1)) /
                                 std::chrono::duration_cast<std::chrono::nanoseconds>(tick_));
  entry.due_ = std::max(due, current_ + 1);
  link(entry);
  if (!running_) start_timer();
}

void TimerWheel::link(TimerEntry& entry) {
  push_back(slots_[entry.due_ % kSlots], entry);
  entry.wheel_ = this;
  ++count_;
}

void TimerWheel::start_timer() {
  running_ = true;
  timer_.expires_at(epoch_ + tick_ * static_cast<std::int64_t>(current_ + 1));
  timer_.async_wait([this, alive = alive_](const boost::system::error_code&) {
    if (!*alive) return;
    on_timer();
  });
}

void TimerWheel::on_timer() {
  running_ = false;
  const std::uint64_t now = now_ticks();
  while (current_ < now && count_ > 0) {
    ++current_;
    TimerLink& head = slots_[current_ % kSlots];
    if (head.next == &head) continue;
    // Detach the slot first: a callback may cancel or schedule any entry, including ones of this
    // slot, and must find them in a consistent list.
    TimerLink batch;
    batch.next = head.next;
    batch.prev = head.prev;
    batch.next->prev = &batch;
    batch.prev->next = &batch;
    head.prev = head.next = &head;
    while (batch.next != &batch) {
      auto* e = static_cast<TimerEntry*>(batch.next);
      unlink(*e);
      if (e->due_ > current_) {  // a later rotation
        push_back(head, *e);
        continue;
      }
      --count_;
      e->wheel_ = nullptr;
      e->fn_(e->owner_);
    }
  }
  if (count_ == 0) {
    current_ = now;
    return;
  }
  if (!running_) start_timer();
}

}  // namespace parley::eio
