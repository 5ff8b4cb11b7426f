// See session_table.h.
#include "eio/session_table.h"

#include "eio/session.h"

namespace parley::eio {

void SessionTable::insert(const std::shared_ptr<Session>& session) {
  Shard& s = shard(session->id());
  std::lock_guard lock(s.mutex);
  if (s.map.emplace(session->id(), session).second) size_.fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<Session> SessionTable::find(std::string_view sid) const {
  const Shard& s = shard(sid);
  std::lock_guard lock(s.mutex);
  auto it = s.map.find(sid);
  return it == s.map.end() ? nullptr : it->second;
}

void SessionTable::erase(const std::string& sid, const Session* expected) {
  std::shared_ptr<Session> dropped;  // released outside the lock
  Shard& s = shard(sid);
  {
    std::lock_guard lock(s.mutex);
    auto it = s.map.find(sid);
    if (it == s.map.end() || it->second.get() != expected) return;
    dropped = std::move(it->second);
    s.map.erase(it);
  }
  size_.fetch_sub(1, std::memory_order_relaxed);
}

std::vector<std::shared_ptr<Session>> SessionTable::snapshot() const {
  std::vector<std::shared_ptr<Session>> all;
  for (const Shard& s : shards_) {
    std::lock_guard lock(s.mutex);
    for (const auto& [sid, session] : s.map)
      all.push_back(session);
  }
  return all;
}

}  // namespace parley::eio
