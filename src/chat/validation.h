// Request validation for register, login, profile update and room creation, with the
// contract's exact error texts (§2.1–§2.3). Every failing field is reported, not just the
// first; api/ wraps the list into the VALIDATION_ERROR envelope.
//
// Input mapping from JSON (the *_from_json helpers): a field that is missing, null, or not a
// JSON string (number, bool, object, array) becomes std::nullopt and so fails like a missing
// field. Strings are taken as given (untrimmed); trimming is part of each rule.
//
// Lengths count Unicode code points, not bytes, so "홍길" is two characters. (Java counts UTF-16
// units; the two differ only for characters outside the BMP.)
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::json {
class value;
class object;
}  // namespace boost::json

namespace parley::chat {

struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

struct RegisterInput {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<std::string> password;
};

struct LoginInput {
  std::optional<std::string> email;
  std::optional<std::string> password;
};

struct ProfileInput {
  std::optional<std::string> name;
};

struct RoomCreateInput {
  std::optional<std::string> name;
  std::optional<std::string> password;
};

// The exact texts, for callers and tests that need to name them.
inline constexpr std::string_view kMsgNameTooShort = "이름은 2자 이상이어야 합니다.";
inline constexpr std::string_view kMsgNameRequired = "이름을 입력해주세요.";
inline constexpr std::string_view kMsgEmailInvalid = "올바른 이메일 형식이 아닙니다.";
inline constexpr std::string_view kMsgEmailRequired = "이메일을 입력해주세요.";
inline constexpr std::string_view kMsgPasswordTooShort = "비밀번호는 6자 이상이어야 합니다.";
inline constexpr std::string_view kMsgPasswordRequired = "비밀번호를 입력해주세요.";
inline constexpr std::string_view kMsgNotBlank = "must not be blank";
inline constexpr std::string_view kMsgRoomNameSize = "size must be between 2 and 100";
inline constexpr std::string_view kMsgRoomPasswordSize = "size must be between 4 and 100";

// register: name trimmed ≥ 2 chars; email well formed; password non-blank and ≥ 6 chars.
// A blank password gets the length text: the reference has a single rule (and text) for it.
std::vector<FieldError> validate_register(const RegisterInput& in);

// login: email non-blank, then well formed; password non-blank. A blank email reports only
// "이메일을 입력해주세요." (the format text would add nothing).
std::vector<FieldError> validate_login(const LoginInput& in);

// PUT /api/users/profile: "이름을 입력해주세요." when missing or blank, else trimmed ≥ 2 chars.
std::vector<FieldError> validate_profile(const ProfileInput& in);

// POST /api/rooms: name non-blank ("must not be blank" only, when blank) and 2–100 chars after
// trimming (it is stored trimmed); password, when present, 4–100 chars as given (so "" fails).
std::vector<FieldError> validate_room_create(const RoomCreateInput& in);

// `^[^\s@]+@[^\s@]+\.[^\s@]+$` with Java's \s ([ \t\n\x0B\f\r]), matched over the whole string.
bool is_valid_email(std::string_view s);

// Java's String.trim(): strips every char ≤ U+0020 from both ends (ASCII controls included).
std::string trim(std::string_view s);
std::string_view trim_view(std::string_view s);
// Hibernate's @NotBlank: nothing left after trim().
bool is_blank(std::string_view s);
// A-Z → a-z; every other byte (UTF-8 included) unchanged.
std::string to_lower_ascii(std::string_view s);
// Number of code points in UTF-8 text (bytes that are not continuation bytes).
size_t code_point_count(std::string_view s);

// JSON → input structs, following the mapping described at the top of this file. A body that is
// not an object yields all-nullopt input.
std::optional<std::string> string_field(const boost::json::object& obj, std::string_view key);
RegisterInput register_input_from_json(const boost::json::value& body);
LoginInput login_input_from_json(const boost::json::value& body);
ProfileInput profile_input_from_json(const boost::json::value& body);
RoomCreateInput room_create_input_from_json(const boost::json::value& body);

}  // namespace parley::chat
