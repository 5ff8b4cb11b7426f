// SessionActivity: the touch_session coalescing map (see session_activity.h).
#include "store/sqlite/session_activity.h"

#include <algorithm>

namespace parley::store::sqlite {

bool SessionActivity::touch(const chat::Id& user_id, const std::string& session_id,
                            chat::Millis now) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = entries_.try_emplace(user_id);
  Entry& e = it->second;
  if (inserted) {
    // Nothing known about what the database holds for this session: write once.
    e = Entry{session_id, now, now};
    return true;
  }
  // Not the session this store last wrote (replace_session records it): a stale id. Let the
  // UPDATE, which checks the id, decide; keep the freshest activity of the current session.
  if (e.session_id != session_id) return true;
  e.activity = std::max(e.activity, now);
  if (e.activity - e.persisted < interval_) return false;
  e.persisted = e.activity;
  return true;
}

void SessionActivity::persisted(const chat::Id& user_id, const std::string& session_id,
                                chat::Millis activity) {
  std::lock_guard lock(mu_);
  entries_[user_id] = Entry{session_id, activity, activity};
}

void SessionActivity::forget(const chat::Id& user_id) {
  std::lock_guard lock(mu_);
  entries_.erase(user_id);
}

void SessionActivity::forget(const chat::Id& user_id, const std::string& session_id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(user_id);
  if (it != entries_.end() && it->second.session_id == session_id) entries_.erase(it);
}

chat::Millis SessionActivity::freshest(const chat::Id& user_id, const std::string& session_id,
                                       chat::Millis stored) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(user_id);
  if (it == entries_.end() || it->second.session_id != session_id) return stored;
  return std::max(stored, it->second.activity);
}

std::vector<SessionActivity::Pending> SessionActivity::take_unpersisted() {
  std::lock_guard lock(mu_);
  std::vector<Pending> out;
  for (auto& [user_id, e] : entries_) {
    if (e.activity > e.persisted) {
      out.push_back({user_id, e.session_id, e.activity});
      e.persisted = e.activity;
    }
  }
  return out;
}

}  // namespace parley::store::sqlite
