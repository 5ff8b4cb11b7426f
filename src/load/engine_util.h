// Small helpers shared by the engine's files (private to src/load/engine*.cc, user*.cc, …):
// clock conversions, the coroutine completion token, and JSON field lookups that tolerate any
// shape (a missing or mistyped field reads as "").
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "load/client.h"

namespace parley::load::engine_detail {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

inline constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

inline Clock::time_point at_ns(int64_t ns) {
  return Clock::time_point(
      std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(ns)));
}
inline uint64_t us_since(int64_t from_ns, int64_t now_ns) {
  return now_ns > from_ns ? static_cast<uint64_t>((now_ns - from_ns) / 1000) : 0;
}
inline int64_t secs_ns(double s) {
  return static_cast<int64_t>(s * 1e9);
}

inline std::string http_reason(const Result<HttpResponse>& r) {
  if (!r) return r.error().detail;
  return "HTTP " + std::to_string(r->status);
}

// Field lookups that tolerate any shape: a missing or mistyped field is "".
inline std::string str_field(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  if (o == nullptr) return {};
  const json::value* f = o->if_contains(key);
  if (f == nullptr || !f->is_string()) return {};
  return std::string(f->get_string());
}
// As str_field, without the copy: a view into `v`, valid while `v` is.
inline std::string_view sv_field(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  if (o == nullptr) return {};
  const json::value* f = o->if_contains(key);
  if (f == nullptr || !f->is_string()) return {};
  return f->get_string();
}
inline const json::value* field(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  return o == nullptr ? nullptr : o->if_contains(key);
}
inline json::value parse_body(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  return ec ? json::value() : v;
}

}  // namespace parley::load::engine_detail
