// Exposition: writes the Prometheus text format, version 0.0.4 (Content-Type
// "text/plain; version=0.0.4; charset=utf-8"). A family is announced once with its HELP and TYPE
// lines and followed by all of its samples; label values are escaped (\\, \", \n), HELP text
// too (\\, \n); histograms get cumulative _bucket{le=...} lines ending in le="+Inf", then _sum
// and _count. Collectors (registry.h) call it at scrape time; nothing here is on a hot path.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metrics/histogram.h"

namespace parley::metrics {

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

struct Label {
  std::string_view name;
  std::string_view value;
};
using Labels = std::initializer_list<Label>;

class Exposition {
 public:
  // type: "counter", "gauge", "histogram" (or "untyped").
  void family(std::string_view name, std::string_view type, std::string_view help);
  void sample(std::string_view name, double value, Labels labels = {});
  void sample(std::string_view name, double value, const std::vector<Label>& labels);
  // The _bucket, _sum and _count lines of histogram `name` (announced with family()).
  void histogram(std::string_view name, const Snapshot& h, Labels labels = {});
  void histogram(std::string_view name, const Snapshot& h, const std::vector<Label>& labels);

  const std::string& text() const { return out_; }
  std::string take() { return std::move(out_); }

  static std::string escape_label_value(std::string_view v);
  static std::string escape_help(std::string_view v);
  // Integers without exponent or fraction, others shortest round-trip; +Inf, -Inf, NaN.
  static std::string format_value(double v);

 private:
  void line(std::string_view name, std::string_view suffix, const Label* labels, size_t n,
            const Label* extra, double value);
  std::string out_;
};

}  // namespace parley::metrics
