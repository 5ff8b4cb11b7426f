// The crowd schedule on loop 0: who starts when (closed ramp or open arrivals), which loop
// and room they go to; contest rooms are created as users arrive.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <random>

#include "load/engine_impl.h"
#include "load/engine_util.h"
#include "load/user.h"

namespace parley::load::engine_detail {

void Impl::spawn_user(Loop& l, std::shared_ptr<Room> room, int64_t intended_ns) {
  const uint64_t idx = next_index();
  l.users.fetch_add(1, std::memory_order_relaxed);  // counted now so the next gap sees it
  asio::post(l.io, [this, &l, room = std::move(room), intended_ns, idx]() mutable {
    auto u = std::make_shared<User>(*this, l, idx);
    if (room) {
      u->room = room;
      u->member = room->checker.add_member();
      room->slot_of[idx] = u->member;
      room->alive++;
    }
    l.members.push_back(u);
    asio::co_spawn(l.io, u->run(intended_ns), asio::detached);
  });
}

asio::awaitable<void> Impl::spawner() {
  asio::steady_timer& t = *spawn_timer;
  const bool rooms = cfg.scenario == Scenario::contest || cfg.scenario == Scenario::broadcast;
  if (rooms) {
    bool ok = co_await organiser_login();
    if (!ok) {
      // Without an organiser no room exists; retry once a second so failures keep being counted.
      while (!ok && !stopping) {
        co_await sleep_until(t, mono_ns() + 1'000'000'000);
        if (!stopping) ok = co_await organiser_login();
      }
      if (!ok) co_return;
    }
  }
  if (cfg.scenario == Scenario::broadcast) {
    while (!stopping && !broadcast_room) {
      broadcast_room = co_await create_room();
      if (!broadcast_room && !stopping) co_await sleep_until(t, mono_ns() + 1'000'000'000);
    }
  }
  const Ramp& ramp = cfg.ramp;
  // Open model: arrival k (global) belongs to worker k % workers.
  int64_t next_arrival = worker;
  // Contest organises one round per second; the others check the gap ten times a second.
  const int64_t period = cfg.scenario == Scenario::contest ? 1'000'000'000 : 100'000'000;
  for (int64_t round = 0; !stopping; ++round) {
    const int64_t now = mono_ns();
    const double t_s = static_cast<double>(now - t0) / 1e9;
    // Users to start this round, each with its intended start time.
    std::vector<int64_t> starts;
    if (ramp.open()) {
      const double horizon = t_s + static_cast<double>(period) / 1e9;
      while (next_arrival < ramp.max && ramp.arrival_time(next_arrival) < horizon) {
        starts.push_back(t0 + secs_ns(ramp.arrival_time(next_arrival)));
        next_arrival += workers;
      }
    } else {
      const int64_t want = Ramp::share(ramp.target_at(t_s), worker, workers) - alive_users();
      // Bounded per round so a crowd of thousands does not open thousands of sockets at once.
      const int64_t cap = std::max<int64_t>(50, ramp.max / 10);
      for (int64_t i = 0; i < std::min(want, cap); ++i)
        starts.push_back(now);
    }
    if (cfg.scenario == Scenario::contest) {
      size_t i = 0;
      while (i < starts.size() && !stopping) {
        std::shared_ptr<Room> room = co_await create_room();
        if (!room) break;  // counted; the users wait for the next round (still measured from then)
        const auto size = static_cast<size_t>(
            std::uniform_int_distribution<int>(cfg.room_min, cfg.room_max)(loop0().rng));
        for (size_t n = 0; n < size && i < starts.size(); ++n, ++i)
          spawn_user(room->loop, room, starts[i]);
      }
      if (ramp.open() && i < starts.size())
        next_arrival -= workers * static_cast<int64_t>(starts.size() - i);
    } else if (cfg.scenario == Scenario::broadcast) {
      for (int64_t s : starts)
        spawn_user(broadcast_room->loop, broadcast_room, s);
    } else {
      for (int64_t s : starts)
        spawn_user(pick_loop(), nullptr, s);
    }
    if (stopping) break;
    co_await sleep_until(t, t0 + (round + 1) * period);
  }
}

}  // namespace parley::load::engine_detail
