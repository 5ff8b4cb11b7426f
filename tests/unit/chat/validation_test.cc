// Tests for chat/validation: each rule, the exact texts (as bytes), and the JSON mapping.
#include "chat/validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace parley::chat {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

FieldError fe(std::string f, std::string m) {
  return FieldError{std::move(f), std::move(m)};
}

TEST(Validation, MessagesAreExactUtf8Bytes) {
  // Spelled as bytes so that a re-encoded source file cannot make this pass by accident.
  EXPECT_EQ(kMsgNameTooShort,
            "\xEC\x9D\xB4\xEB\xA6\x84\xEC\x9D\x80 2\xEC\x9E\x90 \xEC\x9D\xB4\xEC\x83\x81\xEC\x9D"
            "\xB4\xEC\x96\xB4\xEC\x95\xBC \xED\x95\xA9\xEB\x8B\x88\xEB\x8B\xA4.");
  EXPECT_EQ(kMsgNameRequired,
            "\xEC\x9D\xB4\xEB\xA6\x84\xEC\x9D\x84 \xEC\x9E\x85\xEB\xA0\xA5\xED\x95\xB4\xEC\xA3"
            "\xBC\xEC\x84\xB8\xEC\x9A\x94.");
  EXPECT_EQ(kMsgEmailInvalid,
            "\xEC\x98\xAC\xEB\xB0\x94\xEB\xA5\xB8 \xEC\x9D\xB4\xEB\xA9\x94\xEC\x9D\xBC "
            "\xED\x98\x95\xEC\x8B\x9D\xEC\x9D\xB4 \xEC\x95\x84\xEB\x8B\x99\xEB\x8B\x88\xEB\x8B"
            "\xA4.");
  EXPECT_EQ(kMsgEmailRequired,
            "\xEC\x9D\xB4\xEB\xA9\x94\xEC\x9D\xBC\xEC\x9D\x84 \xEC\x9E\x85\xEB\xA0\xA5\xED\x95"
            "\xB4\xEC\xA3\xBC\xEC\x84\xB8\xEC\x9A\x94.");
  EXPECT_EQ(kMsgPasswordTooShort,
            "\xEB\xB9\x84\xEB\xB0\x80\xEB\xB2\x88\xED\x98\xB8\xEB\x8A\x94 6\xEC\x9E\x90 "
            "\xEC\x9D\xB4\xEC\x83\x81\xEC\x9D\xB4\xEC\x96\xB4\xEC\x95\xBC \xED\x95\xA9\xEB\x8B"
            "\x88\xEB\x8B\xA4.");
  EXPECT_EQ(kMsgPasswordRequired,
            "\xEB\xB9\x84\xEB\xB0\x80\xEB\xB2\x88\xED\x98\xB8\xEB\xA5\xBC \xEC\x9E\x85\xEB\xA0"
            "\xA5\xED\x95\xB4\xEC\xA3\xBC\xEC\x84\xB8\xEC\x9A\x94.");
  EXPECT_EQ(kMsgNotBlank, "must not be blank");
  EXPECT_EQ(kMsgRoomNameSize, "size must be between 2 and 100");
  EXPECT_EQ(kMsgRoomPasswordSize, "size must be between 4 and 100");
}

TEST(Validation, RegisterValid) {
  EXPECT_THAT(validate_register({"LoadTest User 1", "loadtest-1@test.com", "Test1234!"}),
              IsEmpty());
  EXPECT_THAT(validate_register({"홍길", "a@b.c", "123456"}), IsEmpty());
}

TEST(Validation, RegisterCollectsAllFailures) {
  EXPECT_THAT(validate_register({}),
              ElementsAre(fe("name", "이름은 2자 이상이어야 합니다."),
                          fe("email", "올바른 이메일 형식이 아닙니다."),
                          fe("password", "비밀번호는 6자 이상이어야 합니다.")));
  EXPECT_THAT(validate_register({" a ", "bad", "12345"}),
              ElementsAre(fe("name", "이름은 2자 이상이어야 합니다."),
                          fe("email", "올바른 이메일 형식이 아닙니다."),
                          fe("password", "비밀번호는 6자 이상이어야 합니다.")));
}

TEST(Validation, RegisterNameCountsCodePointsAfterTrim) {
  EXPECT_THAT(validate_register({"홍", "a@b.c", "123456"}),  // 3 bytes, 1 char
              ElementsAre(fe("name", std::string(kMsgNameTooShort))));
  EXPECT_THAT(validate_register({"\t홍 \n", "a@b.c", "123456"}),
              ElementsAre(fe("name", std::string(kMsgNameTooShort))));
  EXPECT_THAT(validate_register({"  ab  ", "a@b.c", "123456"}), IsEmpty());
}

TEST(Validation, RegisterPassword) {
  EXPECT_THAT(validate_register({"ab", "a@b.c", "      "}),  // 6 chars but blank
              ElementsAre(fe("password", std::string(kMsgPasswordTooShort))));
  EXPECT_THAT(validate_register({"ab", "a@b.c", "비밀번호다섯"}), IsEmpty());  // 6 chars, 18 bytes
  EXPECT_THAT(validate_register({"ab", "a@b.c", "비밀번호다"}),
              ElementsAre(fe("password", std::string(kMsgPasswordTooShort))));
}

TEST(Validation, LoginRules) {
  EXPECT_THAT(validate_login({"a@b.c", "x"}), IsEmpty());
  EXPECT_THAT(validate_login({}), ElementsAre(fe("email", "이메일을 입력해주세요."),
                                              fe("password", "비밀번호를 입력해주세요.")));
  EXPECT_THAT(validate_login({"  ", " \t"}),
              ElementsAre(fe("email", "이메일을 입력해주세요."),
                          fe("password", "비밀번호를 입력해주세요.")));
  EXPECT_THAT(validate_login({"nope", "x"}),
              ElementsAre(fe("email", "올바른 이메일 형식이 아닙니다.")));
}

TEST(Validation, ProfileRules) {
  EXPECT_THAT(validate_profile({"새 이름"}), IsEmpty());
  EXPECT_THAT(validate_profile({}), ElementsAre(fe("name", "이름을 입력해주세요.")));
  EXPECT_THAT(validate_profile({"   "}), ElementsAre(fe("name", "이름을 입력해주세요.")));
  EXPECT_THAT(validate_profile({" x "}), ElementsAre(fe("name", "이름은 2자 이상이어야 합니다.")));
}

TEST(Validation, RoomCreateRules) {
  EXPECT_THAT(validate_room_create({"Load Test Room", std::nullopt}), IsEmpty());
  EXPECT_THAT(validate_room_create({"방이", "1234"}), IsEmpty());
  EXPECT_THAT(validate_room_create({}), ElementsAre(fe("name", "must not be blank")));
  EXPECT_THAT(validate_room_create({" \t ", std::nullopt}),
              ElementsAre(fe("name", "must not be blank")));
  EXPECT_THAT(validate_room_create({" a ", std::nullopt}),
              ElementsAre(fe("name", "size must be between 2 and 100")));
  EXPECT_THAT(validate_room_create({std::string(100, 'x'), std::nullopt}), IsEmpty());
  EXPECT_THAT(validate_room_create({"  " + std::string(100, 'x') + "  ", std::nullopt}),
              IsEmpty());  // counted after trimming
  EXPECT_THAT(validate_room_create({std::string(101, 'x'), std::nullopt}),
              ElementsAre(fe("name", "size must be between 2 and 100")));
  std::string hundred_korean;
  for (int i = 0; i < 100; ++i)
    hundred_korean += "방";
  EXPECT_THAT(validate_room_create({hundred_korean, std::nullopt}), IsEmpty());
  // A present password must be 4..100; "" is present (the frontend omits the field instead).
  EXPECT_THAT(validate_room_create({"ok", ""}),
              ElementsAre(fe("password", "size must be between 4 and 100")));
  EXPECT_THAT(validate_room_create({"ok", "123"}),
              ElementsAre(fe("password", "size must be between 4 and 100")));
  EXPECT_THAT(validate_room_create({"ok", std::string(101, 'p')}),
              ElementsAre(fe("password", "size must be between 4 and 100")));
  EXPECT_THAT(validate_room_create({"", "1"}),
              ElementsAre(fe("name", "must not be blank"),
                          fe("password", "size must be between 4 and 100")));
}

TEST(Validation, EmailRegexEquivalent) {
  for (const char* ok : {"a@b.c", "loadtest-1@test.com", "A.B+c@d.e.f", "a@b..c", "a@...",
                         "홍@길.동", "a@b.c.", "x@-.-"}) {
    EXPECT_TRUE(is_valid_email(ok)) << ok;
  }
  for (const char* bad : {"",
                          "a",
                          "a@",
                          "@b.c",
                          "a@b",
                          "a@b.",
                          "a@.b",
                          "a@.",
                          "a@..",
                          "a@@b.c",
                          "a@b@c.d",
                          "a b@c.d",
                          "a@b .c",
                          "a@b.c ",
                          " a@b.c",
                          "a\t@b.c",
                          "a@b.c\n",
                          "a@b.\x0B"
                          "c",
                          "a@b\f.c",
                          "a\r@b.c"}) {
    EXPECT_FALSE(is_valid_email(bad)) << bad;
  }
}

TEST(Validation, TrimIsJavaTrim) {
  EXPECT_EQ(trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(trim(std::string("\x01\x1f x \x00", 6)), "x");
  EXPECT_EQ(trim("\xC2\xA0x\xC2\xA0"), "\xC2\xA0x\xC2\xA0");  // NBSP is > U+0020: kept
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim(""), "");
  EXPECT_TRUE(is_blank(" \t\n"));
  EXPECT_FALSE(is_blank(" . "));
}

TEST(Validation, LowerAsciiAndCodePoints) {
  EXPECT_EQ(to_lower_ascii("AbC@Test.COM 홍Z"), "abc@test.com 홍z");
  EXPECT_EQ(code_point_count(""), 0u);
  EXPECT_EQ(code_point_count("abc"), 3u);
  EXPECT_EQ(code_point_count("홍길동"), 3u);
  EXPECT_EQ(code_point_count("\xF0\x9F\x98\x80"), 1u);  // an emoji
}

TEST(Validation, JsonMapping) {
  auto body = boost::json::parse(R"({"name":"홍길동","email":123,"password":null,"x":1})");
  const RegisterInput in = register_input_from_json(body);
  EXPECT_EQ(in.name, "홍길동");
  EXPECT_EQ(in.email, std::nullopt);     // not a string
  EXPECT_EQ(in.password, std::nullopt);  // null
  EXPECT_THAT(validate_register(in),
              ElementsAre(fe("email", std::string(kMsgEmailInvalid)),
                          fe("password", std::string(kMsgPasswordTooShort))));

  const LoginInput li = login_input_from_json(boost::json::parse(R"(["a@b.c","pw"])"));
  EXPECT_EQ(li.email, std::nullopt);
  EXPECT_EQ(li.password, std::nullopt);

  const RoomCreateInput ri = room_create_input_from_json(
      boost::json::parse(R"({"name":" r ","password":"","description":"ignored"})"));
  EXPECT_EQ(ri.name, " r ");
  EXPECT_EQ(ri.password, "");

  EXPECT_EQ(profile_input_from_json(boost::json::parse(R"({"name":["x"]})")).name, std::nullopt);
  EXPECT_EQ(profile_input_from_json(boost::json::parse(R"({"name":"a\u0000b"})")).name,
            std::string("a\0b", 3));
}

}  // namespace
}  // namespace parley::chat
