// Wall-clock time in the units the contract uses (epoch milliseconds) and its ISO-8601 form.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace parley {

inline int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// "2025-11-07T04:45:30.123Z"
std::string iso8601(int64_t epoch_ms);

}  // namespace parley
