// Fuzz target: the JSON request validators (src/chat/validation.h), fed the way the REST routes
// feed them: the input parsed as a JSON body, mapped to the register/login/profile/room inputs
// and validated; an input that is not JSON is used as every string field instead. Invariants:
// only the contract's fields and texts come out, each field at most once; the email rule agrees
// with a direct reading of its regex; trim/is_blank/code_point_count agree with each other.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "chat/validation.h"
#include "fuzz_util.h"

using namespace parley;

namespace {

bool java_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
}
bool plain(char c) {
  return !java_space(c) && c != '@';
}

// ^[^\s@]+@[^\s@]+\.[^\s@]+$ read literally: one '@' splitting non-empty runs of plain chars,
// and some '.' in the domain with a plain char before and after it.
bool reference_email(std::string_view s) {
  for (std::size_t at = 1; at < s.size(); ++at) {
    if (s[at] != '@') continue;
    bool local_ok = true;
    for (std::size_t i = 0; i < at; ++i)
      local_ok = local_ok && plain(s[i]);
    if (!local_ok) continue;
    const std::string_view domain = s.substr(at + 1);
    bool domain_plain_except_dots = true;
    for (char c : domain)
      domain_plain_except_dots = domain_plain_except_dots && plain(c);
    if (!domain_plain_except_dots) continue;
    for (std::size_t dot = 1; dot + 1 < domain.size(); ++dot)
      if (domain[dot] == '.') return true;
  }
  return false;
}

const std::set<std::string_view> kTexts = {
    chat::kMsgNameTooShort,  chat::kMsgNameRequired,     chat::kMsgEmailInvalid,
    chat::kMsgEmailRequired, chat::kMsgPasswordTooShort, chat::kMsgPasswordRequired,
    chat::kMsgNotBlank,      chat::kMsgRoomNameSize,     chat::kMsgRoomPasswordSize};

void check_errors(const std::vector<chat::FieldError>& errors,
                  const std::set<std::string_view>& fields) {
  std::set<std::string> seen;
  for (const auto& e : errors) {
    FUZZ_CHECK(fields.count(e.field) == 1);
    FUZZ_CHECK(kTexts.count(e.message) == 1);
    FUZZ_CHECK(seen.insert(e.field).second);
  }
}

bool has(const std::vector<chat::FieldError>& errors, std::string_view field) {
  for (const auto& e : errors)
    if (e.field == field) return true;
  return false;
}

void check_string_helpers(std::string_view s) {
  const std::string t = chat::trim(s);
  FUZZ_CHECK(t == chat::trim_view(s));
  FUZZ_CHECK(chat::trim(t) == t);
  FUZZ_CHECK(chat::is_blank(s) == t.empty());
  FUZZ_CHECK(chat::code_point_count(s) <= s.size());
  FUZZ_CHECK(chat::code_point_count(t) <= chat::code_point_count(s));
  const std::string lower = chat::to_lower_ascii(s);
  FUZZ_CHECK(lower.size() == s.size() && chat::to_lower_ascii(lower) == lower);
  FUZZ_CHECK(chat::is_valid_email(s) == reference_email(s));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = fuzz::as_view(data, size);
  check_string_helpers(in);

  boost::json::error_code ec;
  boost::json::value body = boost::json::parse(in, ec);
  if (ec) body = boost::json::object{{"name", in}, {"email", in}, {"password", in}};

  const auto reg = chat::register_input_from_json(body);
  const auto reg_errors = chat::validate_register(reg);
  check_errors(reg_errors, {"name", "email", "password"});
  FUZZ_CHECK(has(reg_errors, "email") == (!reg.email || !reference_email(*reg.email)));
  if (reg.email) check_string_helpers(*reg.email);
  if (reg.name) check_string_helpers(*reg.name);

  const auto login = chat::login_input_from_json(body);
  const auto login_errors = chat::validate_login(login);
  check_errors(login_errors, {"email", "password"});
  FUZZ_CHECK(has(login_errors, "email") == (!login.email || !reference_email(*login.email)));
  FUZZ_CHECK(has(login_errors, "password") == (!login.password || chat::is_blank(*login.password)));

  const auto profile = chat::profile_input_from_json(body);
  const auto profile_errors = chat::validate_profile(profile);
  check_errors(profile_errors, {"name"});
  FUZZ_CHECK(profile_errors.empty() ==
             (profile.name && chat::code_point_count(chat::trim(*profile.name)) >= 2));

  const auto room = chat::room_create_input_from_json(body);
  const auto room_errors = chat::validate_room_create(room);
  check_errors(room_errors, {"name", "password"});
  if (room.name) {
    const std::size_t n = chat::code_point_count(chat::trim(*room.name));
    FUZZ_CHECK(has(room_errors, "name") == (n < 2 || n > 100));
  } else {
    FUZZ_CHECK(has(room_errors, "name"));
  }
  FUZZ_CHECK(room.password.has_value() || !has(room_errors, "password"));
  return 0;
}
