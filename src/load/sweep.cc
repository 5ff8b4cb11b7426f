// The once-a-second sweep of each loop (operation timeouts, ping-timeout detection, settling
// the rooms' delivery checks) and the end of a run (closing every socket, finishing the rooms).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "load/engine_impl.h"
#include "load/engine_util.h"
#include "load/user.h"

namespace parley::load::engine_detail {

void Impl::sweep(Loop& l) {
  const int64_t now = mono_ns();
  // Ping deadlines are tens of seconds, so each user's is checked every kPingCheckEvery sweeps:
  // an idle crowd's sweep then touches little beyond one flag per user.
  constexpr size_t kPingCheckEvery = 4;
  const size_t slice = l.sweeps++ % kPingCheckEvery;
  for (size_t i = 0; i < l.members.size(); ++i) {
    const auto& u = l.members[i];
    if (u->dead) continue;
    if (u->ops == 0) {
      if (i % kPingCheckEvery == slice && u->sio && u->sio->connected() &&
          now - u->sio->last_rx_ns() > u->sio->ping_deadline_ns())
        u->sio->abort("ping timeout");
      continue;
    }
    if (u->join_sent && now - u->join_sent > timeout_ns) {
      l.failure(Op::join_room, "timeout");
      u->join_sent = 0;
      u->pend(-1);
      u->die();
      continue;
    }
    if (u->history_sent && now - u->history_sent > timeout_ns) {
      l.failure(Op::history_fetch, "timeout");
      u->history_sent = 0;
      u->pend(-1);
      if (!u->sending && !stopping) {  // as the frontend: go on without history
        u->sending = true;
        asio::co_spawn(l.io, u->send_loop(), asio::detached);
      }
    }
    while (!u->echoes.empty() && now - u->echoes.front().second > timeout_ns) {
      l.failure(Op::message_send, "timeout (no echo)");
      u->echoes.pop_front();
      u->pend(-1);
    }
    for (auto* pending : {&u->reads, &u->reactions}) {
      for (auto it = pending->begin(); it != pending->end();) {
        if (now - it->second > timeout_ns) {
          l.failure(pending == &u->reads ? Op::read_receipt : Op::reaction, "timeout");
          it = pending->erase(it);
          u->pend(-1);
        } else {
          ++it;
        }
      }
    }
    if (u->sio && u->sio->connected() && now - u->sio->last_rx_ns() > u->sio->ping_deadline_ns())
      u->sio->abort("ping timeout");
  }
  std::erase_if(l.members, [](const std::shared_ptr<User>& u) {
    return u->dead && (!u->sio || !u->sio->connected());
  });
  for (auto& room : l.rooms) {
    const DeliveryTally t = room->checker.settle(now);
    if (t.expected == 0 && t.duplicated == 0 && t.reordered == 0 && t.late == 0 && t.foreign == 0)
      continue;
    l.record([&](Counters& c) {
      c.delivery += t;
      OpStats& d = c.op(Op::delivery);
      d.ok += t.delivered;
      d.failed += t.lost;
      if (t.lost) d.reasons["lost (not received within --timeout)"] += t.lost;
    });
  }
}

asio::awaitable<void> Impl::sweep_loop(Loop& l) {
  asio::steady_timer t(l.io);
  while (!stopping) {
    t.expires_after(std::chrono::seconds(1));
    co_await t.async_wait(kTuple);
    if (stopping) break;
    sweep(l);
  }
}

// How late a timer due every 50 ms runs: the loop's lag. A loop that is busy, or that the kernel
// does not give a core, runs everything late; this is the figure that says so.
asio::awaitable<void> Impl::lag_probe(Loop& l) {
  constexpr int64_t kPeriod = 50'000'000;
  asio::steady_timer t(l.io);
  int64_t due = mono_ns() + kPeriod;
  while (!stopping) {
    t.expires_at(at_ns(due));
    co_await t.async_wait(kTuple);
    if (stopping) break;
    const int64_t now = mono_ns();
    const uint64_t late = us_since(due, now);
    {
      std::lock_guard lock(l.mu);
      l.lag_us.record(late);
    }
    due += kPeriod;
    if (due < now) due = now + kPeriod;  // far behind: measure again, do not catch up in a burst
  }
}

void Impl::start_sweeps() {
  for (auto& l : loops) {
    l->cpu_base_s = l->thread_cpu_s();
    asio::co_spawn(l->io, sweep_loop(*l), asio::detached);
    asio::co_spawn(l->io, lag_probe(*l), asio::detached);
  }
}

void Impl::close_all(Loop& l) {
  const int64_t now = mono_ns();
  for (auto& u : l.members) {
    if (u->dead) continue;
    u->fail_pending("no answer by the end of the run");
    if (u->room && u->member >= 0) u->room->checker.left(u->member, now);
    u->die();  // sends DISCONNECT and closes; on_close counts the socket as held
  }
}

void Impl::finish_rooms(Loop& l) {
  for (auto& room : l.rooms) {
    const DeliveryTally t = room->checker.finish();
    l.record([&](Counters& c) {
      c.delivery += t;
      OpStats& d = c.op(Op::delivery);
      d.ok += t.delivered;
      d.failed += t.lost;
      if (t.lost) d.reasons["lost (not received by the end of the run)"] += t.lost;
    });
  }
  for (auto& u : l.members)
    u->fail_pending("no answer by the end of the run");
}

}  // namespace parley::load::engine_detail
