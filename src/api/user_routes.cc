// /api/users (§2.2): profile read and update (name, or password from the profile page), account
// deletion and a status probe. Profile images belong to files/.
#include <boost/json.hpp>

#include "api/router.h"
#include "api/views.h"
#include "chat/validation.h"
#include "core/clock.h"

namespace parley::api {

namespace {

constexpr std::string_view kUserNotFound = "사용자를 찾을 수 없습니다.";

asio::awaitable<Response> get_profile(Ctx& c) {
  co_return json_response(c.req, http::status::ok,
                          json::object{{"success", true}, {"user", user_summary(c.auth->user)}});
}

asio::awaitable<Response> update_profile(Ctx& c) {
  auto body = parse_json_body(c.req);
  if (!body) co_return malformed_json(c.req);
  auto input = chat::profile_input_from_json(*body);
  chat::User user = c.auth->user;
  // The profile page changes the password through this route with {currentPassword,
  // newPassword} and no name (§2.2): accept that form too.
  std::optional<std::string> new_password;
  if (!input.name && body->is_object())
    new_password = chat::string_field(body->as_object(), "newPassword");
  if (new_password) {
    if (chat::code_point_count(*new_password) < 6 || chat::is_blank(*new_password)) {
      co_return validation_error(c.req, {{"newPassword", "비밀번호는 6자 이상이어야 합니다."}},
                                 "/api/users/profile");
    }
    auto hash = co_await c.services.hasher.hash_async(*new_password);
    if (!hash)
      co_return error_response(c.req, http::status::internal_server_error,
                               "프로필 업데이트 중 오류가 발생했습니다.");
    auto saved = co_await c.services.store.update_user_password(user.id, std::move(hash.value()));
    if (!saved)
      co_return store_error(c.req, saved.error(),
                               "프로필 업데이트 중 오류가 발생했습니다.");
  } else {
    if (auto errors = chat::validate_profile(input); !errors.empty()) {
      co_return validation_error(c.req, errors, "/api/users/profile");
    }
    auto saved = co_await c.services.store.update_user_name(user.id, *input.name);
    if (!saved) {
      if (saved.error().kind == Error::Kind::not_found) {
        co_return error_response(c.req, http::status::not_found, kUserNotFound);
      }
      co_return store_error(c.req, saved.error(),
                               "프로필 업데이트 중 오류가 발생했습니다.");
    }
    user.name = *input.name;
  }
  co_return json_response(c.req, http::status::ok,
                          json::object{{"success", true},
                                       {"message", "프로필이 업데이트되었습니다."},
                                       {"user", user_summary(user)}});
}

asio::awaitable<Response> delete_account(Ctx& c) {
  auto deleted = co_await c.services.store.delete_user(c.auth->user.id);
  if (!deleted) {
    if (deleted.error().kind == Error::Kind::not_found) {
      co_return error_response(c.req, http::status::not_found, kUserNotFound);
    }
    co_return store_error(c.req, deleted.error(),
                             "회원 탈퇴 처리 중 오류가 발생했습니다.");
  }
  co_return json_response(
      c.req, http::status::ok,
      json::object{{"success", true}, {"message", "회원 탈퇴가 완료되었습니다."}});
}

asio::awaitable<Response> user_status(Ctx& c) {
  co_return json_response(
      c.req, http::status::ok,
      json::object{
          {"success", true}, {"message", "User API is running"}, {"timestamp", iso8601(now_ms())}});
}

}  // namespace

void add_user_routes(Router& r) {
  using V = http::verb;
  r.add(V::get, "/api/users/profile", Access::authed, get_profile);
  r.add(V::put, "/api/users/profile", Access::authed, update_profile);
  r.add(V::delete_, "/api/users/account", Access::authed, delete_account);
  r.add(V::get, "/api/users/status", Access::authed, user_status);
}

}  // namespace parley::api
