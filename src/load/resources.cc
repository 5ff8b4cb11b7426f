// getrusage and /proc/self/status readers.
#include "load/resources.h"

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace parley::load {

namespace {
Usage usage_of(int who) {
  rusage ru{};
  getrusage(who, &ru);
  Usage u;
  u.user_s = static_cast<double>(ru.ru_utime.tv_sec) + ru.ru_utime.tv_usec / 1e6;
  u.sys_s = static_cast<double>(ru.ru_stime.tv_sec) + ru.ru_stime.tv_usec / 1e6;
  return u;
}

int64_t status_kb(const char* key) {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  int64_t kb = 0;
  const size_t n = std::strlen(key);
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, key, n) == 0 && line[n] == ':') {
      kb = std::strtoll(line + n + 1, nullptr, 10);
      break;
    }
  }
  std::fclose(f);
  return kb;
}
}  // namespace

Usage self_usage() {
  return usage_of(RUSAGE_SELF);
}
Usage children_usage() {
  return usage_of(RUSAGE_CHILDREN);
}
int64_t rss_kb() {
  return status_kb("VmRSS");
}
int64_t peak_rss_kb() {
  return status_kb("VmHWM");
}

}  // namespace parley::load
