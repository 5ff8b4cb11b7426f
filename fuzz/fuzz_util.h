// Helpers shared by the libFuzzer targets in fuzz/: an invariant check that aborts with a message
// (so libFuzzer records the input as a crash), and a deterministic way to split one input into
// chunks, for parsers whose result must not depend on how the network split the bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace parley::fuzz {

[[noreturn]] inline void check_failed(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", what, file, line);
  std::abort();
}

// Not assert(): it must hold in every build type.
#define FUZZ_CHECK(cond) \
  ((cond) ? (void)0 : ::parley::fuzz::check_failed(#cond, __FILE__, __LINE__))

inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Cuts `bytes` into pieces whose lengths come from `seed` (1..16 bytes each, cycling), so a
// target can feed the same input whole and in pieces and compare what came out.
inline std::vector<std::string_view> split(std::string_view bytes, std::uint8_t seed) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  unsigned step = seed;
  while (i < bytes.size()) {
    const std::size_t n = 1 + (step % 16);
    out.push_back(bytes.substr(i, n));
    i += out.back().size();
    step = step * 33 + 7;
  }
  return out;
}

}  // namespace parley::fuzz
