// Prometheus text exposition 0.0.4: parsing and the arithmetic on histograms.
#include "load/prom_text.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace parley::load {

namespace {

bool name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool name_char(char c) {
  return name_start(c) || (c >= '0' && c <= '9');
}

void skip_blanks(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
    ++i;
}

std::string_view read_name(std::string_view s, size_t& i) {
  const size_t from = i;
  if (i < s.size() && name_start(s[i]))
    while (i < s.size() && name_char(s[i]))
      ++i;
  return s.substr(from, i - from);
}

// Go's ParseFloat as the format uses it: decimal or exponent forms, NaN, +Inf, -Inf.
bool parse_value(std::string_view t, double& out) {
  if (t == "NaN") {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (t == "+Inf" || t == "Inf") {
    out = std::numeric_limits<double>::infinity();
    return true;
  }
  if (t == "-Inf") {
    out = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (t.empty()) return false;
  const std::string s(t);
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

Result<PromSample> parse_sample(std::string_view line) {
  PromSample s;
  size_t i = 0;
  s.name = std::string(read_name(line, i));
  if (s.name.empty()) return Error::invalid("expected a metric name");
  skip_blanks(line, i);
  if (i < line.size() && line[i] == '{') {
    ++i;
    for (;;) {
      skip_blanks(line, i);
      if (i < line.size() && line[i] == '}') {
        ++i;
        break;
      }
      const std::string key(read_name(line, i));
      if (key.empty()) return Error::invalid("expected a label name");
      skip_blanks(line, i);
      if (i >= line.size() || line[i] != '=') return Error::invalid("expected '=' after " + key);
      ++i;
      skip_blanks(line, i);
      if (i >= line.size() || line[i] != '"') return Error::invalid("expected '\"'");
      ++i;
      std::string value;
      bool closed = false;
      while (i < line.size()) {
        const char c = line[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c != '\\') {
          value += c;
          continue;
        }
        if (i >= line.size()) break;
        const char e = line[i++];
        value += e == 'n' ? '\n' : e;  // \\ → \, \" → ", \n → newline
      }
      if (!closed) return Error::invalid("unterminated label value");
      s.labels[key] = std::move(value);
      skip_blanks(line, i);
      if (i < line.size() && line[i] == ',') {
        ++i;
        continue;
      }
      if (i < line.size() && line[i] == '}') {
        ++i;
        break;
      }
      return Error::invalid("expected ',' or '}' in labels");
    }
  }
  skip_blanks(line, i);
  size_t end = i;
  while (end < line.size() && line[end] != ' ' && line[end] != '\t')
    ++end;
  if (!parse_value(line.substr(i, end - i), s.value)) return Error::invalid("bad sample value");
  i = end;
  skip_blanks(line, i);
  if (i < line.size()) {  // an optional timestamp (ms since the epoch, an integer)
    const std::string_view ts = line.substr(i);
    size_t k = ts[0] == '-' ? 1 : 0;
    if (k == ts.size()) return Error::invalid("bad timestamp");
    for (; k < ts.size(); ++k)
      if (ts[k] < '0' || ts[k] > '9') return Error::invalid("bad timestamp");
  }
  return s;
}

bool labels_match(const std::map<std::string, std::string>& have,
                  const std::map<std::string, std::string>& want) {
  for (const auto& [k, v] : want) {
    auto it = have.find(k);
    if (it == have.end() || it->second != v) return false;
  }
  return true;
}

}  // namespace

Result<PromScrape> parse_prom_text(std::string_view text) {
  PromScrape out;
  size_t lineno = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t i = 0;
    skip_blanks(line, i);
    line.remove_prefix(i);
    if (line.empty()) continue;
    if (line[0] == '#') {
      // "# TYPE name type" is the only comment with meaning here; HELP and others are skipped.
      size_t k = 1;
      skip_blanks(line, k);
      if (line.substr(k, 4) == "TYPE" && k + 4 < line.size() &&
          (line[k + 4] == ' ' || line[k + 4] == '\t')) {
        k += 4;
        skip_blanks(line, k);
        const std::string name(read_name(line, k));
        skip_blanks(line, k);
        const std::string_view type = line.substr(k);
        if (name.empty() || type.empty())
          return Error::invalid("line " + std::to_string(lineno) + ": bad TYPE line");
        out.types[name] = std::string(type);
      }
      continue;
    }
    auto s = parse_sample(line);
    if (!s) return Error::invalid("line " + std::to_string(lineno) + ": " + s.error().detail);
    out.samples.push_back(std::move(*s));
  }
  return out;
}

std::optional<double> PromScrape::sum(std::string_view name,
                                      const std::map<std::string, std::string>& match) const {
  std::optional<double> total;
  for (const PromSample& s : samples)
    if (s.name == name && labels_match(s.labels, match)) total = total.value_or(0) + s.value;
  return total;
}

const std::map<std::string, std::string>* PromScrape::labels_of(std::string_view name) const {
  for (const PromSample& s : samples)
    if (s.name == name) return &s.labels;
  return nullptr;
}

std::vector<std::pair<double, double>> PromScrape::buckets(std::string_view family) const {
  const std::string name = std::string(family) + "_bucket";
  std::map<double, double> by_le;
  for (const PromSample& s : samples) {
    if (s.name != name) continue;
    auto le = s.labels.find("le");
    double bound = 0;
    if (le == s.labels.end() || !parse_value(le->second, bound)) continue;
    by_le[bound] += s.value;
  }
  return {by_le.begin(), by_le.end()};
}

std::optional<double> bucket_quantile(double q, const std::vector<std::pair<double, double>>& now,
                                      const std::vector<std::pair<double, double>>& before) {
  if (now.empty()) return std::nullopt;
  std::vector<std::pair<double, double>> d = now;
  if (before.size() == now.size())
    for (size_t i = 0; i < d.size(); ++i)
      if (before[i].first == d[i].first) d[i].second -= before[i].second;
  const double total = d.back().second;
  if (!(total > 0)) return std::nullopt;
  const double rank = q * total;
  double prev_bound = 0, prev_count = 0;
  for (const auto& [bound, count] : d) {
    if (count >= rank) {
      // Past the last finite bound: the best estimate is that bound.
      if (std::isinf(bound)) return prev_bound;
      const double in_bucket = count - prev_count;
      if (in_bucket <= 0) return bound;
      return prev_bound + (bound - prev_bound) * (rank - prev_count) / in_bucket;
    }
    prev_bound = bound;
    prev_count = count;
  }
  return prev_bound;
}

}  // namespace parley::load
