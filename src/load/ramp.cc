// Ramp arithmetic and the duration/rate syntax of the command line.
#include "load/ramp.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace parley::load {

int64_t Ramp::target_at(double t) const {
  if (t < 0) return 0;
  if (open())
    return std::min<int64_t>(max, static_cast<int64_t>(std::floor(t * arrival_per_s)) + 1);
  if (every_s <= 0 || step <= 0) return std::min(start, max);
  const auto steps = static_cast<int64_t>(std::floor(t / every_s));
  return std::min(max, start + step * steps);
}

double Ramp::full_at() const {
  if (open()) return max <= 1 ? 0.0 : static_cast<double>(max - 1) / arrival_per_s;
  if (start >= max || step <= 0 || every_s <= 0) return 0.0;
  const int64_t steps = (max - start + step - 1) / step;
  return static_cast<double>(steps) * every_s;
}

int Ramp::step_at(double t) const {
  if (t <= 0 || every_s <= 0) return 0;
  const double capped = std::min(t, full_at());
  return static_cast<int>(std::floor(capped / every_s + 1e-9));
}

double Ramp::arrival_time(int64_t k) const {
  return arrival_per_s > 0 ? static_cast<double>(k) / arrival_per_s : 0.0;
}

int64_t Ramp::share(int64_t total, int index, int count) {
  if (count <= 1) return total;
  return total / count + (index < total % count ? 1 : 0);
}

namespace {
Result<double> number_prefix(std::string_view& s) {
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p == s.data() || !std::isfinite(v) || v < 0)
    return Error::invalid("expected a non-negative number");
  s.remove_prefix(static_cast<size_t>(p - s.data()));
  return v;
}
}  // namespace

Result<double> parse_duration(std::string_view text) {
  std::string_view s = text;
  auto v = number_prefix(s);
  if (!v) return Error::invalid("bad duration '" + std::string(text) + "'");
  if (s.empty() || s == "s") return *v;
  if (s == "ms") return *v / 1000.0;
  if (s == "m") return *v * 60.0;
  if (s == "h") return *v * 3600.0;
  return Error::invalid("bad duration unit in '" + std::string(text) + "' (use ms, s, m or h)");
}

Result<double> parse_rate(std::string_view text) {
  std::string_view s = text;
  auto v = number_prefix(s);
  if (!v) return Error::invalid("bad rate '" + std::string(text) + "'");
  if (s.empty() || s == "/s") return *v;
  if (s == "/m") return *v / 60.0;
  return Error::invalid("bad rate unit in '" + std::string(text) + "' (use N/s or N/m)");
}

}  // namespace parley::load
