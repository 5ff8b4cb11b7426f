// See exposition.h. Format: https://prometheus.io/docs/instrumenting/exposition_formats/
#include "metrics/exposition.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace parley::metrics {

std::string Exposition::escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Exposition::escape_help(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Exposition::format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 9.007199254740992e15) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(v));
    (void)ec;
    return std::string(buf, end);
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip
  (void)ec;
  return std::string(buf, end);
}

void Exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += escape_help(help);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void Exposition::line(std::string_view name, std::string_view suffix, const Label* labels, size_t n,
                      const Label* extra, double value) {
  out_ += name;
  out_ += suffix;
  if (n > 0 || extra) {
    out_ += '{';
    bool first = true;
    auto put = [&](const Label& l) {
      if (!first) out_ += ',';
      first = false;
      out_ += l.name;
      out_ += "=\"";
      out_ += escape_label_value(l.value);
      out_ += '"';
    };
    for (size_t i = 0; i < n; ++i)
      put(labels[i]);
    if (extra) put(*extra);
    out_ += '}';
  }
  out_ += ' ';
  out_ += format_value(value);
  out_ += '\n';
}

void Exposition::sample(std::string_view name, double value, Labels labels) {
  line(name, {}, labels.begin(), labels.size(), nullptr, value);
}

void Exposition::sample(std::string_view name, double value, const std::vector<Label>& labels) {
  line(name, {}, labels.data(), labels.size(), nullptr, value);
}

void Exposition::histogram(std::string_view name, const Snapshot& h, Labels labels) {
  histogram(name, h, std::vector<Label>(labels));
}

void Exposition::histogram(std::string_view name, const Snapshot& h,
                           const std::vector<Label>& labels) {
  uint64_t cumulative = 0;
  const size_t bounds = h.bounds ? h.bounds->size() : 0;
  for (size_t i = 0; i <= bounds; ++i) {
    cumulative += i < h.counts.size() ? h.counts[i] : 0;
    const std::string le = i < bounds ? format_value((*h.bounds)[i]) : "+Inf";
    const Label extra{"le", le};
    line(name, "_bucket", labels.data(), labels.size(), &extra, static_cast<double>(cumulative));
  }
  line(name, "_sum", labels.data(), labels.size(), nullptr, h.sum);
  line(name, "_count", labels.data(), labels.size(), nullptr, static_cast<double>(cumulative));
}

}  // namespace parley::metrics
