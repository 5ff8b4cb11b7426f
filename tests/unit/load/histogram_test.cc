// Histogram: bucket arithmetic, percentiles within the promised precision, exact merging and the
// JSON round trip used by the worker → parent pipe.
#include "load/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace parley::load {
namespace {

TEST(Histogram, BucketsCoverEveryValueOnce) {
  const std::vector<uint64_t> values = {
      0, 1, 127, 128, 129, 255, 256, 1000, 123456789, uint64_t{1} << 40, UINT64_MAX};
  for (uint64_t v : values) {
    const size_t i = Histogram::index_of(v);
    EXPECT_LE(Histogram::bucket_low(i), v) << v;
    EXPECT_GE(Histogram::bucket_high(i), v) << v;
  }
  // Consecutive buckets tile the number line with no gap.
  for (size_t i = 0; i + 1 < 2000; ++i)
    EXPECT_EQ(Histogram::bucket_high(i) + 1, Histogram::bucket_low(i + 1)) << i;
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (uint64_t v = 1; v <= 100; ++v)
    h.record(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_EQ(h.percentile(0.5), 50u);
  EXPECT_EQ(h.percentile(0.99), 99u);
  EXPECT_EQ(h.percentile(1.0), 100u);
  EXPECT_EQ(h.percentile(0.0), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(Histogram, PercentilesWithinOnePartIn64) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(8.0, 1.5);
  std::vector<uint64_t> values;
  Histogram h;
  for (int i = 0; i < 100000; ++i) {
    const auto v = static_cast<uint64_t>(dist(rng)) + 1;
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const uint64_t exact = values[static_cast<size_t>(std::ceil(q * values.size())) - 1];
    const uint64_t got = h.percentile(q);
    EXPECT_GE(got, exact) << q;  // the bucket's highest equivalent value
    EXPECT_LE(static_cast<double>(got), static_cast<double>(exact) * (1.0 + 1.0 / 64) + 1) << q;
  }
  EXPECT_EQ(h.percentile(1.0), values.back());
}

TEST(Histogram, EmptyIsZero) {
  Histogram h;
  EXPECT_TRUE(h.empty());
  EXPECT_EQ(h.percentile(0.99), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
}

TEST(Histogram, MergeEqualsRecordingEverythingInOne) {
  Histogram a, b, all;
  for (uint64_t v = 0; v < 5000; v += 7) {
    a.record(v * 3);
    all.record(v * 3);
  }
  for (uint64_t v = 0; v < 900000; v += 913) {
    b.record(v, 2);
    all.record(v, 2);
  }
  Histogram merged = a;
  merged.merge(b);
  EXPECT_EQ(merged, all);
  EXPECT_EQ(merged.percentile(0.99), all.percentile(0.99));
  Histogram other_order = b;
  other_order.merge(a);
  EXPECT_EQ(other_order, all);
  Histogram empty;
  merged.merge(empty);
  EXPECT_EQ(merged, all);
}

TEST(Histogram, JsonRoundTrip) {
  Histogram h;
  for (uint64_t v : std::vector<uint64_t>{3, 3, 150, 99999, 7000000})
    h.record(v);
  auto back = Histogram::from_json(h.to_json());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, h);
  EXPECT_EQ(back->percentile(0.5), h.percentile(0.5));
  auto empty = Histogram::from_json(Histogram{}.to_json());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(Histogram, JsonRejectsInconsistentInput) {
  Histogram h;
  h.record(10);
  boost::json::value v = h.to_json();
  v.as_object()["n"] = 5;  // buckets hold 1
  EXPECT_FALSE(Histogram::from_json(v).ok());
  EXPECT_FALSE(Histogram::from_json(boost::json::value(3)).ok());
}

}  // namespace
}  // namespace parley::load
