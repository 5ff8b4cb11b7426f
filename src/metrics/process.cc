// See process.h. /proc/self/stat fields (proc(5)): 14 utime, 15 stime, 20 num_threads,
// 22 starttime (clock ticks since boot), 24 rss (pages).
#include "metrics/process.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace parley::metrics {

namespace {

std::string read_all(const char* path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Fields after the command name, which is in parentheses and may hold spaces.
std::vector<std::string> stat_fields() {
  const std::string s = read_all("/proc/self/stat");
  const auto close = s.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream rest(s.substr(close + 1));
  std::string f;
  while (rest >> f)
    fields.push_back(f);
  return fields;  // fields[0] is field 3 (state)
}

double boot_time_seconds() {
  std::istringstream in(read_all("/proc/stat"));
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double v = 0;
      in >> v;
      return v;
    }
  }
  return 0;
}

int open_fds() {
  DIR* d = ::opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  while (const dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n - 1;  // the descriptor opendir() itself holds
}

}  // namespace

void collect_process(Exposition& out) {
  const auto f = stat_fields();
  const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(::sysconf(_SC_PAGESIZE));
  auto field = [&](size_t n) { return n - 3 < f.size() ? std::stod(f[n - 3]) : 0.0; };
  if (f.size() >= 22) {
    out.family("process_cpu_seconds_total", "counter", "User and system CPU time spent, seconds.");
    out.sample("process_cpu_seconds_total", (field(14) + field(15)) / tick);
    out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.sample("process_resident_memory_bytes", field(24) * page);
    out.family("process_threads", "gauge", "Number of OS threads in the process.");
    out.sample("process_threads", field(20));
    out.family("process_start_time_seconds", "gauge",
               "Start time of the process since the Unix epoch, seconds.");
    out.sample("process_start_time_seconds", boot_time_seconds() + field(22) / tick);
  }
  if (int fds = open_fds(); fds >= 0) {
    out.family("process_open_fds", "gauge", "Number of open file descriptors.");
    out.sample("process_open_fds", fds);
  }
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    out.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    out.sample("process_max_fds", static_cast<double>(lim.rlim_cur));
  }
}

}  // namespace parley::metrics
