// See histogram.h.
#include "metrics/histogram.h"

#include <numeric>

namespace parley::metrics {

Bounds make_bounds(std::vector<double> upper) {
  return std::make_shared<const std::vector<double>>(std::move(upper));
}

const Bounds& latency_bounds() {
  static const Bounds b = make_bounds({0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                       0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  return b;
}

const Bounds& size_bounds() {
  static const Bounds b = make_bounds({1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096});
  return b;
}

uint64_t Snapshot::count() const {
  return std::accumulate(counts.begin(), counts.end(), uint64_t{0});
}

namespace detail {
size_t bucket_of(const std::vector<double>& bounds, double v) {
  // Linear: under 20 bounds, and most observations land in the first few.
  size_t i = 0;
  while (i < bounds.size() && v > bounds[i])
    ++i;
  return i;
}
}  // namespace detail

}  // namespace parley::metrics
