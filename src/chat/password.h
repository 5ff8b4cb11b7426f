// Password hashing for users and password rooms: argon2id in libsodium's string format
// ("$argon2id$v=19$m=…,t=…,p=1$salt$hash"). Hashing is deliberately slow and memory-hungry, so it
// runs on a small pool owned by the hasher; event loops use the *_async wrappers and never block.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"
#include "metrics/histogram.h"

namespace parley::chat {

struct PasswordHasherOptions {
  // The OWASP floor for argon2id (m=19 MiB, t=2, p=1). Lower values are raised to it: a config
  // typo must never weaken stored hashes.
  static constexpr unsigned long long kMinOpsLimit = 2;
  static constexpr size_t kMinMemLimit = size_t{19} * 1024 * 1024;

  unsigned threads = 2;  // hashing pool size; each hash holds memlimit bytes while it runs
  unsigned long long opslimit = kMinOpsLimit;
  size_t memlimit = kMinMemLimit;
};

// For /metrics. Hashing costs tens of milliseconds of CPU each, so atomic adds here are noise.
struct HashStats {
  metrics::SharedCell submitted;  // *_async calls
  metrics::SharedCell started;    // of those, picked up by a pool thread
  metrics::SharedHistogram duration{metrics::latency_bounds()};  // submit to done, seconds
};

class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordHasherOptions options = {});
  // Joins the pool: work already queued finishes first. Awaiting coroutines must not outlive
  // the hasher.
  ~PasswordHasher();
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  // Blocking. Fails (Error::internal) only when libsodium cannot allocate the memory.
  Result<std::string> hash(std::string_view password) const;
  // Blocking. False for a wrong password and for anything that is not a libsodium pwhash string.
  bool verify(std::string_view password, std::string_view hash) const;
  // True when `hash` was made with other parameters than this hasher's (rehash on next login).
  bool needs_rehash(std::string_view hash) const;

  // The same on the hasher's pool; the coroutine resumes on its own executor.
  boost::asio::awaitable<Result<std::string>> hash_async(std::string password);
  boost::asio::awaitable<bool> verify_async(std::string password, std::string hash);

  unsigned long long opslimit() const { return opslimit_; }
  size_t memlimit() const { return memlimit_; }
  const HashStats& stats() const { return stats_; }

 private:
  unsigned long long opslimit_;
  size_t memlimit_;
  HashStats stats_;
  boost::asio::thread_pool pool_;
};

}  // namespace parley::chat
