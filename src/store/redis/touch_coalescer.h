// TouchCoalescer: decides which touch_session calls reach Redis. Activity is judged against a
// 30-minute idle limit, so renewing the session on every chat message would be one replicated
// write per message for nothing; a touch is written when the last written activity of that
// session is older than the interval. Until then the freshest activity is kept here and
// get_session reports it (on this server; another server sees the written value, at most one
// interval old, which the session TTL allows for). Thread-safe: touches come from every loop.
#pragma once

#include <algorithm>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat/model.h"

namespace parley::store::redis {

class TouchCoalescer {
 public:
  explicit TouchCoalescer(chat::Millis interval_ms) : interval_(interval_ms) {}

  // Records activity; true when the caller should write it now.
  bool touch(const chat::Id& user, const std::string& session_id, chat::Millis now) {
    std::lock_guard lock(mu_);
    auto [it, inserted] = entries_.try_emplace(user, Entry{session_id, now, 0});
    Entry& e = it->second;
    // Another session than the one last seen: write (the script checks the id, and written()
    // adopts it if it is current), but keep what is known about the other one.
    if (!inserted && e.session_id != session_id) return true;
    if (now > e.activity) e.activity = now;
    if (e.activity - e.written < interval_) return false;
    e.written = e.activity;
    return true;
  }
  // The session was written (replace_session) with this activity.
  void written(const chat::Id& user, const std::string& session_id, chat::Millis activity) {
    std::lock_guard lock(mu_);
    auto [it, inserted] = entries_.try_emplace(user, Entry{session_id, activity, activity});
    Entry& e = it->second;
    if (inserted) return;
    if (e.session_id != session_id) {
      e = Entry{session_id, activity, activity};
    } else {
      e.activity = std::max(e.activity, activity);
      e.written = std::max(e.written, activity);
    }
  }
  // A write asked for by touch() failed: let the next touch try again.
  void unwritten(const chat::Id& user, const std::string& session_id) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(user);
    if (it != entries_.end() && it->second.session_id == session_id) it->second.written = 0;
  }
  void forget(const chat::Id& user) {
    std::lock_guard lock(mu_);
    entries_.erase(user);
  }
  chat::Millis freshest(const chat::Id& user, const std::string& session_id,
                        chat::Millis stored) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(user);
    if (it == entries_.end() || it->second.session_id != session_id) return stored;
    return std::max(stored, it->second.activity);
  }
  struct Pending {
    chat::Id user;
    std::string session_id;
    chat::Millis activity;
  };
  // Activity not written yet (close() writes it); marks it written.
  std::vector<Pending> take_unwritten() {
    std::lock_guard lock(mu_);
    std::vector<Pending> out;
    for (auto& [user, e] : entries_) {
      if (e.activity > e.written) {
        out.push_back({user, e.session_id, e.activity});
        e.written = e.activity;
      }
    }
    return out;
  }

 private:
  struct Entry {
    std::string session_id;
    chat::Millis activity = 0;
    chat::Millis written = 0;
  };
  chat::Millis interval_;
  mutable std::mutex mu_;
  std::unordered_map<chat::Id, Entry> entries_;
};

}  // namespace parley::store::redis
