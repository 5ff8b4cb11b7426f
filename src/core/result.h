// Result<T>: a value or an Error, returned across layer boundaries (store, codecs, validation)
// instead of throwing. Exceptions stay inside a layer; what crosses it is a value.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace parley {

struct Error {
  enum class Kind { conflict, not_found, invalid, unavailable, internal };
  Kind kind = Kind::internal;
  std::string detail;

  static Error conflict(std::string d = {}) { return {Kind::conflict, std::move(d)}; }
  static Error not_found(std::string d = {}) { return {Kind::not_found, std::move(d)}; }
  static Error invalid(std::string d = {}) { return {Kind::invalid, std::move(d)}; }
  static Error unavailable(std::string d = {}) { return {Kind::unavailable, std::move(d)}; }
  static Error internal(std::string d = {}) { return {Kind::internal, std::move(d)}; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace parley
