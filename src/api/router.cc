// See router.h.
#include "api/router.h"

namespace parley::api {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/')
      ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

void Router::add(http::verb method, std::string_view pattern, Access access, RouteFn fn) {
  Route route{method, {}, std::string(pattern), access, std::move(fn)};
  for (auto seg : split_path(pattern))
    route.segments.emplace_back(seg);
  routes_.push_back(std::move(route));
}

std::optional<Router::Match> Router::match(http::verb method, std::string_view path) const {
  auto segments = split_path(path);
  for (int pass = 0; pass < 2; ++pass) {
    http::verb want = method;
    if (pass == 1) {
      if (method != http::verb::head) break;
      want = http::verb::get;
    }
    for (const auto& route : routes_) {
      if (route.method != want || route.segments.size() != segments.size()) continue;
      Match m;
      bool ok = true;
      for (size_t i = 0; i < segments.size() && ok; ++i) {
        const auto& pat = route.segments[i];
        if (!pat.empty() && pat[0] == ':') {
          m.params.push_back(decode_path_segment(segments[i]));
        } else {
          ok = pat == segments[i];
        }
      }
      if (!ok) continue;
      m.fn = &route.fn;
      m.index = static_cast<size_t>(&route - routes_.data());
      m.access = route.access;
      return m;
    }
  }
  return std::nullopt;
}

std::vector<std::string> Router::patterns() const {
  std::vector<std::string> out;
  out.reserve(routes_.size());
  for (const auto& r : routes_)
    out.push_back(r.pattern);
  return out;
}

}  // namespace parley::api
