// parley-load: the load tester. Drives any server implementing the chat contract (REST +
// Socket.IO) on this machine with one of the scenarios in docs/LOAD.md and reports what
// succeeded, what failed and why, latency percentiles and message delivery faults.
// Exit status: 0 = no failures, 1 = failures observed, 2 = usage error or refused target.
#include <cstdio>
#include <string_view>

#include "core/build_info.h"
#include "load/config.h"
#include "load/runner.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--version") {
      std::printf("%s\n", parley::build::describe("parley-load").c_str());
      return 0;
    }
  }
  parley::load::Config config;
  int exit_code = 0;
  if (!parley::load::parse_cli(argc, argv, config, exit_code)) return exit_code;
  return parley::load::run_load(config);
}
