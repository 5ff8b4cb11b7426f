// Fixed-bucket histograms. Bucket bounds are chosen once (Bounds, shared and immutable); a
// Histogram holds one count per bucket and the sum. Histogram has one writer (see cell.h), so
// observe() is a few relaxed loads and stores; SharedHistogram takes several writers (atomic
// adds) for worker pools. Scrapes merge any number of them into a Snapshot.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "metrics/cell.h"

namespace parley::metrics {

// Upper bounds of the buckets, increasing; +Inf is implied.
using Bounds = std::shared_ptr<const std::vector<double>>;
Bounds make_bounds(std::vector<double> upper);
// 50 us .. 10 s: request, store and hashing latencies (seconds).
const Bounds& latency_bounds();
// 1 .. 4096: group-commit batch sizes.
const Bounds& size_bounds();

struct Snapshot {
  Bounds bounds;
  std::vector<uint64_t> counts;  // per bucket, not cumulative; counts.back() is the +Inf bucket
  double sum = 0;
  uint64_t count() const;
};

namespace detail {
size_t bucket_of(const std::vector<double>& bounds, double v);
}

template <class C>
class BasicHistogram {
 public:
  explicit BasicHistogram(Bounds bounds)
      : bounds_(std::move(bounds)), counts_(std::make_unique<C[]>(bounds_->size() + 1)) {}

  void observe(double v) {
    counts_[detail::bucket_of(*bounds_, v)].add(1);
    add_sum(v);
  }
  // Adds this histogram's counts to `out` (whose bounds must be the same, or empty).
  void add_to(Snapshot& out) const {
    if (!out.bounds) {
      out.bounds = bounds_;
      out.counts.assign(bounds_->size() + 1, 0);
    }
    for (size_t i = 0; i <= bounds_->size(); ++i)
      out.counts[i] += counts_[i].get();
    out.sum += sum_.load(std::memory_order_relaxed);
  }
  const Bounds& bounds() const { return bounds_; }

 private:
  void add_sum(double v);
  Bounds bounds_;
  std::unique_ptr<C[]> counts_;
  std::atomic<double> sum_{0};
};

template <>
inline void BasicHistogram<Cell>::add_sum(double v) {
  sum_.store(sum_.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
}
template <>
inline void BasicHistogram<SharedCell>::add_sum(double v) {
  double old = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(old, old + v, std::memory_order_relaxed)) {
  }
}

using Histogram = BasicHistogram<Cell>;
using SharedHistogram = BasicHistogram<SharedCell>;

}  // namespace parley::metrics
