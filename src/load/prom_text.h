// A parser for the Prometheus text exposition format 0.0.4, as parley-load reads a server's
// /metrics: `# HELP` / `# TYPE` lines and other comments, samples `name{label="value",…} value
// [timestamp]` with label values escaped (\\, \", \n), values as Go floats (NaN, +Inf, -Inf).
// Histograms arrive as their _bucket{le=…}, _sum and _count series; helpers below sum series
// over labels and estimate a quantile from bucket counts (linear within a bucket, as
// histogram_quantile does).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace parley::load {

struct PromSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct PromScrape {
  std::vector<PromSample> samples;
  std::map<std::string, std::string> types;  // metric family → counter | gauge | histogram | …

  // Sum of every series named `name` whose labels include `match` (all series when empty);
  // nullopt when there is none.
  std::optional<double> sum(std::string_view name,
                            const std::map<std::string, std::string>& match = {}) const;
  // The labels of the first series named `name`.
  const std::map<std::string, std::string>* labels_of(std::string_view name) const;
  // Cumulative bucket counts of histogram `family` summed over all its other labels, by upper
  // bound (le), ascending; +Inf last.
  std::vector<std::pair<double, double>> buckets(std::string_view family) const;
};

// Parses a whole exposition. A malformed line is an error naming its line number: a scrape
// that cannot be read is recorded as failed rather than half-read.
Result<PromScrape> parse_prom_text(std::string_view text);

// Quantile q of the observations between two scrapes of the same histogram (cumulative buckets
// `now` minus `before`, same bounds); nullopt when nothing was observed in between.
std::optional<double> bucket_quantile(double q, const std::vector<std::pair<double, double>>& now,
                                      const std::vector<std::pair<double, double>>& before);

}  // namespace parley::load
