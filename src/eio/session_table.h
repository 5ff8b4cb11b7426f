// SessionTable: every open session by sid, readable from any event loop. Polling requests (and
// upgrade requests) for a session can arrive on any loop, so the lookup is thread-safe: 16
// mutex-guarded shards keep contention negligible. The table owns open sessions; a session
// removes itself (on its own loop) when it is done.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace parley::eio {

class Session;

class SessionTable {
 public:
  void insert(const std::shared_ptr<Session>& session);
  std::shared_ptr<Session> find(std::string_view sid) const;
  // Removes `sid` if it still maps to `expected`.
  void erase(const std::string& sid, const Session* expected);
  std::size_t size() const { return size_.load(std::memory_order_relaxed); }
  std::vector<std::shared_ptr<Session>> snapshot() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<Session>, Hash, std::equal_to<>> map;
  };
  static constexpr std::size_t kShards = 16;
  Shard& shard(std::string_view sid) { return shards_[Hash{}(sid) % kShards]; }
  const Shard& shard(std::string_view sid) const { return shards_[Hash{}(sid) % kShards]; }

  std::array<Shard, kShards> shards_;
  std::atomic<std::size_t> size_{0};
};

}  // namespace parley::eio
