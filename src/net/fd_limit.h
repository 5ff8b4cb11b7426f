// Raising the open-file limit at start: every connection is a descriptor, and the default soft
// limit (often 1024) is far below what the server is built to hold.
#pragma once

#include <cstdint>

namespace parley::net {

struct FdLimits {
  uint64_t soft_before = 0;
  uint64_t soft = 0;
  uint64_t hard = 0;
};

// Raises the soft RLIMIT_NOFILE to the hard limit and reports both.
FdLimits raise_fd_limit();

}  // namespace parley::net
