// Reference counting behind PresenceCounter.
#include "chat/presence.h"

namespace parley::chat {

std::string PresenceCounter::key(std::string_view user, std::string_view room) {
  std::string k;
  k.reserve(user.size() + 1 + room.size());
  k.append(user);
  k.push_back('\x1f');
  k.append(room);
  return k;
}

bool PresenceCounter::enter(std::string_view user, std::string_view room) {
  return ++counts_[key(user, room)] == 1;
}

bool PresenceCounter::leave(std::string_view user, std::string_view room) {
  auto it = counts_.find(key(user, room));
  if (it == counts_.end()) return false;
  if (--it->second > 0) return false;
  counts_.erase(it);
  return true;
}

bool PresenceCounter::present(std::string_view user, std::string_view room) const {
  return counts_.contains(key(user, room));
}

int PresenceCounter::sockets(std::string_view user, std::string_view room) const {
  auto it = counts_.find(key(user, room));
  return it == counts_.end() ? 0 : it->second;
}

}  // namespace parley::chat
