// Per-(user, room) socket counts for presence (§3.5): a user is in a room while at least one of
// their sockets is. Entering and leaving are reported only on the 0→1 and 1→0 edges, so a page
// reload (new socket joins before the old one's disconnect is processed) neither re-announces
// the user nor removes them.
//
// Plain data, not synchronised: the owner serialises access (one strand, or its own lock).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace parley::chat {

class PresenceCounter {
 public:
  // Another socket of `user` entered `room`; true when it is the user's first there.
  bool enter(std::string_view user, std::string_view room);
  // A socket of `user` left `room`; true when it was the user's last there. Leaving a room the
  // user is not in is a no-op returning false (duplicate leave + disconnect).
  bool leave(std::string_view user, std::string_view room);

  bool present(std::string_view user, std::string_view room) const;
  int sockets(std::string_view user, std::string_view room) const;
  // Number of (user, room) pairs present; entries are erased at zero, so memory follows this.
  size_t size() const { return counts_.size(); }

 private:
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Key: user + '\x1f' + room. Ids are hex, so the separator cannot occur in either part.
  static std::string key(std::string_view user, std::string_view room);
  std::unordered_map<std::string, int, KeyHash, std::equal_to<>> counts_;
};

}  // namespace parley::chat
