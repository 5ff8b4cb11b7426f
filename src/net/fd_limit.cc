// See fd_limit.h.
#include "net/fd_limit.h"

#include <sys/resource.h>

namespace parley::net {

FdLimits raise_fd_limit() {
  FdLimits out;
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return out;
  out.soft_before = rl.rlim_cur;
  out.hard = rl.rlim_max;
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
  }
  out.soft = rl.rlim_cur;
  return out;
}

}  // namespace parley::net
