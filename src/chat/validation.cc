// The validation rules of §2.1–§2.3, hand-written (no std::regex: it is slow, and its \s is
// locale-dependent, unlike Java's).
#include "chat/validation.h"
#include "core/ascii.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace parley::chat {

namespace {

// Java's \s without UNICODE_CHARACTER_CLASS.
bool is_java_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
}

bool name_long_enough(const std::string& name) {
  return code_point_count(trim_view(name)) >= 2;
}

FieldError err(std::string_view field, std::string_view message) {
  return FieldError{std::string(field), std::string(message)};
}

}  // namespace

std::string_view trim_view(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && static_cast<unsigned char>(s[b]) <= 0x20)
    ++b;
  while (e > b && static_cast<unsigned char>(s[e - 1]) <= 0x20)
    --e;
  return s.substr(b, e - b);
}

std::string trim(std::string_view s) {
  return std::string(trim_view(s));
}

bool is_blank(std::string_view s) {
  return trim_view(s).empty();
}

std::string to_lower_ascii(std::string_view s) {
  return ascii::to_lower(s);
}

size_t code_point_count(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool is_valid_email(std::string_view s) {
  // No part may contain whitespace or '@', so the string has exactly one '@'. The domain
  // matches `[^\s@]+\.[^\s@]+` iff some '.' in it has at least one char on each side.
  size_t at = std::string_view::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (is_java_space(c)) return false;
    if (c == '@') {
      if (at != std::string_view::npos) return false;
      at = i;
    }
  }
  if (at == std::string_view::npos || at == 0) return false;
  const std::string_view domain = s.substr(at + 1);
  if (domain.size() < 3) return false;
  const size_t dot = domain.find('.', 1);
  return dot != std::string_view::npos && dot + 1 < domain.size();
}

std::vector<FieldError> validate_register(const RegisterInput& in) {
  std::vector<FieldError> out;
  if (!in.name || !name_long_enough(*in.name)) out.push_back(err("name", kMsgNameTooShort));
  if (!in.email || !is_valid_email(*in.email)) out.push_back(err("email", kMsgEmailInvalid));
  if (!in.password || is_blank(*in.password) || code_point_count(*in.password) < 6) {
    out.push_back(err("password", kMsgPasswordTooShort));
  }
  return out;
}

std::vector<FieldError> validate_login(const LoginInput& in) {
  std::vector<FieldError> out;
  if (!in.email || is_blank(*in.email)) {
    out.push_back(err("email", kMsgEmailRequired));
  } else if (!is_valid_email(*in.email)) {
    out.push_back(err("email", kMsgEmailInvalid));
  }
  if (!in.password || is_blank(*in.password)) {
    out.push_back(err("password", kMsgPasswordRequired));
  }
  return out;
}

std::vector<FieldError> validate_profile(const ProfileInput& in) {
  std::vector<FieldError> out;
  if (!in.name || is_blank(*in.name)) {
    out.push_back(err("name", kMsgNameRequired));
  } else if (!name_long_enough(*in.name)) {
    out.push_back(err("name", kMsgNameTooShort));
  }
  return out;
}

std::vector<FieldError> validate_room_create(const RoomCreateInput& in) {
  std::vector<FieldError> out;
  if (!in.name || is_blank(*in.name)) {
    out.push_back(err("name", kMsgNotBlank));
  } else {
    const size_t n = code_point_count(trim_view(*in.name));
    if (n < 2 || n > 100) out.push_back(err("name", kMsgRoomNameSize));
  }
  if (in.password) {
    const size_t n = code_point_count(*in.password);
    if (n < 4 || n > 100) out.push_back(err("password", kMsgRoomPasswordSize));
  }
  return out;
}

std::optional<std::string> string_field(const boost::json::object& obj, std::string_view key) {
  const auto* v = obj.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  const auto& s = v->get_string();
  return std::string(s.data(), s.size());
}

namespace {
const boost::json::object* as_object(const boost::json::value& body) {
  return body.is_object() ? &body.get_object() : nullptr;
}
}  // namespace

RegisterInput register_input_from_json(const boost::json::value& body) {
  RegisterInput in;
  if (const auto* o = as_object(body)) {
    in.name = string_field(*o, "name");
    in.email = string_field(*o, "email");
    in.password = string_field(*o, "password");
  }
  return in;
}

LoginInput login_input_from_json(const boost::json::value& body) {
  LoginInput in;
  if (const auto* o = as_object(body)) {
    in.email = string_field(*o, "email");
    in.password = string_field(*o, "password");
  }
  return in;
}

ProfileInput profile_input_from_json(const boost::json::value& body) {
  ProfileInput in;
  if (const auto* o = as_object(body)) in.name = string_field(*o, "name");
  return in;
}

RoomCreateInput room_create_input_from_json(const boost::json::value& body) {
  RoomCreateInput in;
  if (const auto* o = as_object(body)) {
    in.name = string_field(*o, "name");
    in.password = string_field(*o, "password");
  }
  return in;
}

}  // namespace parley::chat
