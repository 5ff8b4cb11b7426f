// Which build this is: the CMake project version and the git commit the binary was built from
// ("unknown" when built outside a git checkout), for --version and the parley_build_info metric.
// The definitions are generated at build time (cmake/build_info.cmake).
#pragma once

#include <string>
#include <string_view>

namespace parley::build {

std::string_view version();
std::string_view commit();

// "<program> <version> (commit <commit>)"
inline std::string describe(std::string_view program) {
  return std::string(program) + " " + std::string(version()) + " (commit " + std::string(commit()) +
         ")";
}

}  // namespace parley::build
