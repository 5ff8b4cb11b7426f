// The crowd schedule. Two models:
//  - closed (ramp): the crowd is start, then start+step every `every`, up to max, held for `hold`;
//    users that drop out are replaced so the crowd keeps following the target;
//  - open (arrival): users arrive at a fixed rate until max have arrived, then `hold`; a user's
//    latencies are measured from its scheduled arrival, so a late tool or a slow server cannot
//    hide queueing (no coordinated omission).
// Pure arithmetic on seconds since the start, so it is unit-tested without a clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace parley::load {

struct Ramp {
  int64_t start = 100;
  int64_t step = 100;
  double every_s = 30;
  int64_t max = 3000;
  double hold_s = 60;
  double arrival_per_s = 0;  // > 0: open model

  bool open() const { return arrival_per_s > 0; }
  // Users that should exist (closed) or have arrived (open) at t seconds.
  int64_t target_at(double t) const;
  // Time the target first reaches max.
  double full_at() const;
  // End of the schedule: full_at() + hold.
  double end_s() const { return full_at() + hold_s; }
  // Crowd step that t falls in: 0 for the first level, +1 for each increase (open model: one
  // step per `every` seconds while users arrive).
  int step_at(double t) const;
  // Scheduled arrival time of open-model user k (0-based).
  double arrival_time(int64_t k) const;
  // The share of `total` that worker `index` of `count` runs (the first total%count get one more).
  static int64_t share(int64_t total, int index, int count);
};

// "30s", "500ms", "2m", "1.5" (seconds) → seconds.
Result<double> parse_duration(std::string_view text);
// "50/s", "50", "3000/m" → per second.
Result<double> parse_rate(std::string_view text);

}  // namespace parley::load
