// InstanceLock: one parley-server per data directory. An exclusive flock on DATA_DIR/parley.lock
// is held for the life of the process (the kernel drops it when the process dies, kill -9
// included, so a crash never leaves a stale lock); a second server on the same directory is
// refused with the holder's pid. The listening port has its own check (net/http_server.cc).
#pragma once

#include <string>

#include "core/result.h"

namespace parley::app {

class InstanceLock {
 public:
  static Result<InstanceLock> acquire(const std::string& data_dir);
  InstanceLock(InstanceLock&& other) noexcept;
  InstanceLock& operator=(InstanceLock&&) = delete;
  InstanceLock(const InstanceLock&) = delete;
  ~InstanceLock();

 private:
  explicit InstanceLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace parley::app
