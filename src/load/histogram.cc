// Log-linear bucket arithmetic, percentile walk and the sparse JSON form of Histogram.
#include "load/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include <boost/json.hpp>

namespace parley::load {

namespace json = boost::json;

size_t Histogram::index_of(uint64_t v) {
  if (v < kSubCount) return static_cast<size_t>(v);
  // Shift so that the value keeps kSubBits significant bits: v >> e lies in [64, 128).
  const int e = std::bit_width(v) - kSubBits;
  return static_cast<size_t>(kSubCount + (e - 1) * kHalf + ((v >> e) - kHalf));
}

uint64_t Histogram::bucket_low(size_t i) {
  if (i < kSubCount) return i;
  const uint64_t e = (i - kSubCount) / kHalf + 1;
  const uint64_t sub = (i - kSubCount) % kHalf + kHalf;
  return sub << e;
}

uint64_t Histogram::bucket_high(size_t i) {
  if (i < kSubCount) return i;
  const uint64_t e = (i - kSubCount) / kHalf + 1;
  return bucket_low(i) + (uint64_t{1} << e) - 1;
}

void Histogram::record(uint64_t v, uint64_t n) {
  if (n == 0) return;
  const size_t i = index_of(v);
  if (i >= buckets_.size()) buckets_.resize(i + 1, 0);
  buckets_[i] += n;
  count_ += n;
  sum_ += v * n;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
}

void Histogram::merge(const Histogram& o) {
  if (o.count_ == 0) return;
  if (o.buckets_.size() > buckets_.size()) buckets_.resize(o.buckets_.size(), 0);
  for (size_t i = 0; i < o.buckets_.size(); ++i)
    buckets_[i] += o.buckets_[i];
  count_ += o.count_;
  sum_ += o.sum_;
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
}

void Histogram::clear() {
  *this = Histogram{};
}

uint64_t Histogram::percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Rank of the wanted sample, 1-based; at least 1 so p0 is the minimum.
  const auto rank =
      std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(bucket_high(i), min_, max_);
  }
  return max_;
}

bool Histogram::operator==(const Histogram& o) const {
  if (count_ != o.count_ || sum_ != o.sum_ || min() != o.min() || max_ != o.max_) return false;
  const size_t n = std::max(buckets_.size(), o.buckets_.size());
  for (size_t i = 0; i < n; ++i) {
    const uint64_t a = i < buckets_.size() ? buckets_[i] : 0;
    const uint64_t b = i < o.buckets_.size() ? o.buckets_[i] : 0;
    if (a != b) return false;
  }
  return true;
}

json::value Histogram::to_json() const {
  json::object o;
  o["n"] = count_;
  o["min"] = min();
  o["max"] = max_;
  o["sum"] = sum_;
  json::array b;
  for (size_t i = 0; i < buckets_.size(); ++i) {
    if (buckets_[i] == 0) continue;
    json::array pair;
    pair.push_back(static_cast<uint64_t>(i));
    pair.push_back(buckets_[i]);
    b.push_back(std::move(pair));
  }
  o["b"] = std::move(b);
  return o;
}

namespace {
bool as_u64(const json::value* v, uint64_t& out) {
  if (v == nullptr) return false;
  if (v->is_uint64())
    out = v->get_uint64();
  else if (v->is_int64() && v->get_int64() >= 0)
    out = static_cast<uint64_t>(v->get_int64());
  else
    return false;
  return true;
}
}  // namespace

Result<Histogram> Histogram::from_json(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) return Error::invalid("histogram: not an object");
  Histogram h;
  uint64_t n = 0, mn = 0, mx = 0, sum = 0;
  if (!as_u64(o->if_contains("n"), n) || !as_u64(o->if_contains("min"), mn) ||
      !as_u64(o->if_contains("max"), mx) || !as_u64(o->if_contains("sum"), sum))
    return Error::invalid("histogram: missing n/min/max/sum");
  const json::value* b = o->if_contains("b");
  if (b == nullptr || !b->is_array()) return Error::invalid("histogram: missing buckets");
  uint64_t total = 0;
  for (const json::value& e : b->get_array()) {
    const json::array* pair = e.if_array();
    uint64_t idx = 0, cnt = 0;
    if (pair == nullptr || pair->size() != 2 || !as_u64(&(*pair)[0], idx) ||
        !as_u64(&(*pair)[1], cnt) || idx > 4096)
      return Error::invalid("histogram: bad bucket");
    if (idx >= h.buckets_.size()) h.buckets_.resize(idx + 1, 0);
    h.buckets_[idx] += cnt;
    total += cnt;
  }
  if (total != n) return Error::invalid("histogram: bucket counts do not add up");
  h.count_ = n;
  h.sum_ = sum;
  h.max_ = mx;
  h.min_ = n ? mn : UINT64_MAX;
  return h;
}

}  // namespace parley::load
