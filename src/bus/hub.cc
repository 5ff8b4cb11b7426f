// See hub.h.
#include "bus/hub.h"

#include <algorithm>
#include <boost/asio/post.hpp>

namespace parley::bus {

Hub::Hub(std::vector<asio::io_context*> loops) {
  for (auto* loop : loops) {
    auto local = std::make_unique<Local>();
    local->loop = loop;
    local->gate = &asio::use_service<eio::SendGate>(*loop);
    local->gate->set_drain([this, l = local.get()] { drain(*l); });
    locals_.push_back(std::move(local));
  }
}

Hub::~Hub() {
  for (const auto& local : locals_)
    local->gate->set_drain(nullptr);
}

void Hub::set_listener(MembershipListener* listener) {
  std::lock_guard lock(counts_mutex_);
  listener_ = listener;
  if (!listener_) loop_counts_.clear();
}

void Hub::loop_gained(const std::string& group) {
  std::lock_guard lock(counts_mutex_);
  if (!listener_) return;
  if (++loop_counts_[group] == 1) listener_->first_member(group);
}

void Hub::loop_lost(const std::string& group) {
  std::lock_guard lock(counts_mutex_);
  if (!listener_) return;
  auto it = loop_counts_.find(group);
  if (it == loop_counts_.end()) return;  // gained before the listener was set
  if (--it->second > 0) return;
  loop_counts_.erase(it);
  listener_->last_member(group);
}

Hub::Local* Hub::local_for(const asio::any_io_executor& ex) const {
  auto& ctx = asio::query(ex, asio::execution::context);
  for (const auto& local : locals_) {
    if (static_cast<asio::execution_context*>(local->loop) == &ctx) return local.get();
  }
  return nullptr;
}

Hub::Local* Hub::current() const {
  for (const auto& local : locals_) {
    if (local->loop->get_executor().running_in_this_thread()) return local.get();
  }
  return nullptr;
}

void Hub::add(const std::string& group, sio::Socket* socket) {
  Local* local = local_for(socket->executor());
  if (!local) return;
  drain(*local);  // frames published before the join are not for this socket
  auto [it, created] = local->groups.try_emplace(group);
  auto& members = it->second.members;
  local->group_count.set(static_cast<int64_t>(local->groups.size()));
  if (std::find(members.begin(), members.end(), socket) == members.end()) {
    members.push_back(socket);
  }
  if (created) loop_gained(group);
}

void Hub::remove(const std::string& group, sio::Socket* socket) {
  Local* local = local_for(socket->executor());
  if (!local) return;
  drain(*local);  // frames published before the leave still are
  auto it = local->groups.find(group);
  if (it == local->groups.end()) return;
  Group& g = it->second;
  auto pos = std::find(g.members.begin(), g.members.end(), socket);
  if (pos == g.members.end()) return;
  if (g.delivering > 0) {  // a delivery is iterating: leave a hole, compact later
    *pos = nullptr;
    g.has_holes = true;
    return;
  }
  *pos = g.members.back();
  g.members.pop_back();
  if (g.members.empty()) {
    local->groups.erase(it);
    loop_lost(group);
  }
  local->group_count.set(static_cast<int64_t>(local->groups.size()));
}

void Hub::park(Local& local, const std::string& group, const sio::Frame& frame,
               const sio::Socket* except, Clock::time_point published) {
  if (!local.groups.contains(group)) return;  // no member here now, none can join before a drain
  local.parked.push_back(Parked{group, frame, except, published});
  if (local.parked.size() > 1 || local.draining) return;  // already announced / being drained
  if (local.gate->park() || local.drain_posted) return;
  local.drain_posted = true;
  asio::post(*local.loop, [this, l = &local] {
    l->drain_posted = false;
    drain(*l);
  });
}

void Hub::drain(Local& local) {
  if (local.draining) return;  // a send inside a delivery: the loop below picks up new frames
  local.draining = true;
  while (!local.parked.empty()) {
    std::vector<Parked> batch;
    batch.swap(local.spare);
    batch.swap(local.parked);
    // Runs of consecutive frames for the same group go out socket-major; a frame for another
    // group in between ends the run, which keeps every member's order intact.
    const std::span<const Parked> all(batch);
    for (size_t i = 0; i < all.size();) {
      size_t j = i + 1;
      while (j < all.size() && all[j].group == all[i].group)
        ++j;
      deliver_run(local, all.subspan(i, j - i));
      const auto delivered = Clock::now();
      for (; i < j; ++i)
        local.delay.observe(std::chrono::duration<double>(delivered - all[i].published).count());
    }
    batch.clear();
    local.spare.swap(batch);
  }
  local.draining = false;
}

void Hub::deliver_run(Local& local, std::span<const Parked> run) {
  auto it = local.groups.find(run.front().group);
  if (it == local.groups.end()) return;
  Group& g = it->second;
  ++g.delivering;
  // Index loop up to the size at the start: a send may make sockets join (they are not owed
  // this run) or leave (they leave holes, compacted below).
  const size_t count = g.members.size();
  if (run.size() == 1) {
    const Parked& p = run.front();
    for (size_t i = 0; i < count; ++i) {
      sio::Socket* s = g.members[i];
      if (s && s != p.except) s->send(p.frame);
    }
  } else {
    sio::FrameBatch batch;
    batch.frames.reserve(run.size());
    std::vector<const sio::Socket*> excepted;
    for (const Parked& p : run) {
      batch.frames.push_back(p.frame);
      if (p.except && std::find(excepted.begin(), excepted.end(), p.except) == excepted.end())
        excepted.push_back(p.except);
    }
    for (size_t i = 0; i < count; ++i) {
      sio::Socket* s = g.members[i];
      if (!s) continue;
      if (excepted.empty() || std::find(excepted.begin(), excepted.end(), s) == excepted.end()) {
        s->send_batch(batch);
        continue;
      }
      for (const Parked& p : run) {
        if (p.except != s && g.members[i] == s) s->send(p.frame);
      }
    }
  }
  if (--g.delivering == 0 && g.has_holes) {
    std::erase(g.members, nullptr);
    g.has_holes = false;
    if (g.members.empty()) {
      const std::string group = it->first;
      local.groups.erase(it);
      loop_lost(group);
    }
    local.group_count.set(static_cast<int64_t>(local.groups.size()));
  }
}

void Hub::publish(const std::string& group, sio::Frame frame, const sio::Socket* except) {
  Local* here = current();
  const auto published = Clock::now();
  for (const auto& local : locals_) {
    if (local.get() == here) continue;
    asio::post(*local->loop, [this, l = local.get(), group, frame, except, published] {
      park(*l, group, frame, except, published);
    });
  }
  if (here) park(*here, group, frame, except, published);
}

int64_t Hub::group_count() const {
  int64_t n = 0;
  for (const auto& local : locals_)
    n += local->group_count.get();
  return n;
}

metrics::Snapshot Hub::delivery_delay() const {
  metrics::Snapshot s;
  for (const auto& local : locals_)
    local->delay.add_to(s);
  return s;
}

size_t Hub::local_size(const std::string& group) const {
  Local* here = current();
  if (!here) return 0;
  auto it = here->groups.find(group);
  return it == here->groups.end() ? 0 : it->second.members.size();
}

}  // namespace parley::bus
