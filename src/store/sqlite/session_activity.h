// SessionActivity: coalesces touch_session writes. Activity is checked against a 30-minute idle
// limit, so writing it on every chat message would spend the writer on nothing useful. This
// map remembers, per user, the freshest activity seen and the last value written; a touch only
// asks for a write when the written value is older than the interval. get_session reads the
// database and then prefers the fresher in-memory value, so callers always see the latest
// activity; after a crash at most one interval of activity is lost, well inside the limit.
// Thread-safe: touches arrive from every event loop.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "chat/model.h"

namespace parley::store::sqlite {

class SessionActivity {
 public:
  explicit SessionActivity(chat::Millis persist_interval_ms) : interval_(persist_interval_ms) {}

  // Records activity at `now`; true when the caller should persist it now.
  bool touch(const chat::Id& user_id, const std::string& session_id, chat::Millis now);
  // The session was just written with this activity (replace_session).
  void persisted(const chat::Id& user_id, const std::string& session_id, chat::Millis activity);
  void forget(const chat::Id& user_id);
  void forget(const chat::Id& user_id, const std::string& session_id);
  // `stored` (the database's value) or the fresher in-memory one for the same session.
  chat::Millis freshest(const chat::Id& user_id, const std::string& session_id,
                        chat::Millis stored) const;

  struct Pending {
    chat::Id user_id;
    std::string session_id;
    chat::Millis activity;
  };
  // Activity not yet written (for close(), so a clean shutdown loses nothing); marks it written.
  std::vector<Pending> take_unpersisted();

 private:
  struct Entry {
    std::string session_id;
    chat::Millis activity = 0;
    chat::Millis persisted = 0;
  };
  chat::Millis interval_;
  mutable std::mutex mu_;
  std::unordered_map<chat::Id, Entry> entries_;
};

}  // namespace parley::store::sqlite
