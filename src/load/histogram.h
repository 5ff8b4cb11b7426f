// Latency histogram in the style of HdrHistogram: log-linear buckets (128 linear sub-buckets per
// power of two, so any recorded value is reported within 1/64 of itself), plain counters, hence
// mergeable by addition. Worker processes and threads each record into their own histograms and
// the parent adds them up; percentiles of the merged histogram are exact up to bucket width,
// which averaging per-worker percentiles would not be.
//
// Values are unsigned integers in whatever unit the caller picks (parley-load uses microseconds).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <vector>

#include "core/result.h"

namespace parley::load {

class Histogram {
 public:
  // Bucket index layout: values 0..127 map to themselves; above that each power of two [2^k,
  // 2^(k+1)) is split into 64 equal sub-buckets.
  static constexpr int kSubBits = 7;
  static constexpr uint64_t kSubCount = uint64_t{1} << kSubBits;  // 128
  static constexpr uint64_t kHalf = kSubCount / 2;                // 64

  static size_t index_of(uint64_t v);
  // Smallest and largest value that land in bucket `i`.
  static uint64_t bucket_low(size_t i);
  static uint64_t bucket_high(size_t i);

  void record(uint64_t v, uint64_t n = 1);
  void merge(const Histogram& other);
  void clear();

  uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }
  // The value at quantile q in [0,1]: the highest value equivalent to the bucket holding the
  // ceil(q*count)-th smallest sample, clamped to [min, max]. 0 when empty.
  uint64_t percentile(double q) const;

  // Sparse form {"n":count,"min":..,"max":..,"sum":..,"b":[[index,count],...]} for the
  // worker → parent pipe and the JSON report.
  boost::json::value to_json() const;
  static Result<Histogram> from_json(const boost::json::value& v);

  bool operator==(const Histogram& o) const;

 private:
  std::vector<uint64_t> buckets_;  // grown on demand: most histograms hold few, small values
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  uint64_t sum_ = 0;
};

}  // namespace parley::load
