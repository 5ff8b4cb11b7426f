// See hub.h.
#include "bus/hub.h"

#include <algorithm>
#include <boost/asio/post.hpp>

namespace parley::bus {

Hub::Hub(std::vector<asio::io_context*> loops) {
  for (auto* loop : loops) {
    auto local = std::make_unique<Local>();
    local->loop = loop;
    locals_.push_back(std::move(local));
  }
}

Hub::~Hub() = default;

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
  auto& members = local->groups[group].members;
  if (std::find(members.begin(), members.end(), socket) == members.end()) {
    members.push_back(socket);
  }
}

void Hub::remove(const std::string& group, sio::Socket* socket) {
  Local* local = local_for(socket->executor());
  if (!local) return;
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
  if (g.members.empty()) local->groups.erase(it);
}

void Hub::deliver(Local& local, const std::string& group, const sio::Frame& frame,
                  const sio::Socket* except) {
  auto it = local.groups.find(group);
  if (it == local.groups.end()) return;
  Group& g = it->second;
  ++g.delivering;
  // Index loop: a send may join or leave groups (appending is safe, removal leaves holes).
  for (size_t i = 0; i < g.members.size(); ++i) {
    sio::Socket* s = g.members[i];
    if (s && s != except) s->send(frame);
  }
  if (--g.delivering == 0 && g.has_holes) {
    std::erase(g.members, nullptr);
    g.has_holes = false;
    if (g.members.empty()) local.groups.erase(group);
  }
}

void Hub::publish(const std::string& group, sio::Frame frame, const sio::Socket* except) {
  Local* here = current();
  for (const auto& local : locals_) {
    if (local.get() == here) continue;
    asio::post(*local->loop, [this, l = local.get(), group, frame, except] {
      deliver(*l, group, frame, except);
    });
  }
  if (here) deliver(*here, group, frame, except);
}

size_t Hub::local_size(const std::string& group) const {
  Local* here = current();
  if (!here) return 0;
  auto it = here->groups.find(group);
  return it == here->groups.end() ? 0 : it->second.members.size();
}

}  // namespace parley::bus
