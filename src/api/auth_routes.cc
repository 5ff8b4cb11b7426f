// /api/auth (§2.1): register, login, logout, verify-token, refresh-token. Password hashing runs on
// the hasher's pool and the store on its own threads; these coroutines only wait for them.
#include <boost/json.hpp>

#include "api/router.h"
#include "api/views.h"
#include "chat/ids.h"
#include "chat/jwt.h"
#include "chat/validation.h"
#include "core/clock.h"

namespace parley::api {

namespace {

constexpr std::string_view kRegisterFailed = "회원가입 처리 중 오류가 발생했습니다.";
constexpr std::string_view kLoginFailed = "로그인 처리 중 오류가 발생했습니다.";
constexpr std::string_view kBadCredentials = "이메일 또는 비밀번호가 올바르지 않습니다.";
constexpr std::string_view kNeedTokenAndSession = "토큰 또는 세션 ID가 필요합니다.";
constexpr std::string_view kInvalidToken = "유효하지 않은 토큰입니다.";
constexpr std::string_view kUserNotFound = "사용자를 찾을 수 없습니다.";
constexpr std::string_view kExpiredSession = "만료된 세션입니다.";

std::string user_agent(const net::Request& req) {
  return std::string(req[http::field::user_agent]);
}

asio::awaitable<Response> register_user(Ctx& c) {
  auto body = parse_json_body(c.req);
  if (!body) co_return malformed_json(c.req);
  auto input = chat::register_input_from_json(*body);
  if (auto errors = chat::validate_register(input); !errors.empty()) {
    co_return validation_error(c.req, errors);
  }
  const std::string email = chat::to_lower_ascii(*input.email);
  auto existing = co_await c.services.store.find_user_by_email(email);
  if (!existing) co_return store_error(c.req, existing.error(), kRegisterFailed);
  if (existing.value()) {
    co_return error_response(c.req, http::status::conflict, "이미 등록된 이메일입니다.");
  }
  auto hash = co_await c.services.hasher.hash_async(*input.password);
  if (!hash) co_return store_error(c.req, hash.error(), kRegisterFailed);
  chat::User user{.id = chat::new_object_id(),
                  .name = *input.name,
                  .email = email,
                  .password_hash = std::move(hash.value()),
                  .profile_image = "",
                  .created_at = now_ms()};
  auto created = co_await c.services.store.create_user(user);
  if (!created) {
    if (created.error().kind == Error::Kind::conflict) {  // lost a race with the same email
      co_return error_response(c.req, http::status::conflict, "이미 등록된 이메일입니다.");
    }
    co_return store_error(c.req, created.error(), kRegisterFailed);
  }
  auto issued =
      co_await issue_session(c.services, user, user_agent(c.req), client_ip(c.req, c.info));
  if (!issued) co_return store_error(c.req, issued.error(), kRegisterFailed);
  auto res = json_response(c.req, http::status::created,
                           json::object{{"success", true},
                                        {"message", "회원가입이 완료되었습니다."},
                                        {"user", auth_user(user)},
                                        {"token", issued->token},
                                        {"sessionId", issued->session_id}});
  co_return res;
}

asio::awaitable<Response> login(Ctx& c) {
  auto body = parse_json_body(c.req);
  if (!body) co_return malformed_json(c.req);
  auto input = chat::login_input_from_json(*body);
  if (auto errors = chat::validate_login(input); !errors.empty()) {
    co_return validation_error(c.req, errors);
  }
  auto found = co_await c.services.store.find_user_by_email(chat::to_lower_ascii(*input.email));
  if (!found) co_return store_error(c.req, found.error(), kLoginFailed);
  if (!found.value()) co_return error_response(c.req, http::status::unauthorized, kBadCredentials);
  chat::User user = std::move(*found.value());
  if (!co_await c.services.hasher.verify_async(*input.password, user.password_hash)) {
    co_return error_response(c.req, http::status::unauthorized, kBadCredentials);
  }
  auto issued =
      co_await issue_session(c.services, user, user_agent(c.req), client_ip(c.req, c.info));
  if (!issued) co_return store_error(c.req, issued.error(), kLoginFailed);
  auto res = json_response(c.req, http::status::ok,
                           json::object{{"success", true},
                                        {"token", issued->token},
                                        {"sessionId", issued->session_id},
                                        {"user", auth_user(user)}});
  res.set(http::field::authorization, "Bearer " + issued->token);
  res.set("x-session-id", issued->session_id);
  co_return res;
}

asio::awaitable<Response> logout(Ctx& c) {
  const std::string sid = session_id_from(c.req, c.target);
  if (sid.empty()) {
    co_return error_response(c.req, http::status::bad_request, "x-session-id 헤더가 필요합니다.");
  }
  // The token is optional: without a valid one there is nothing we may end, and logout still
  // succeeds (the client drops its state either way).
  const std::string token = token_from(c.req, c.target);
  if (!token.empty()) {
    auto claims = c.services.jwt.verify(token, now_ms() / 1000);
    if (claims && !claims->user_id.empty()) {
      auto deleted = co_await c.services.store.delete_session(claims->user_id, sid);
      if (deleted && deleted.value()) {
        c.services.events.session_ended(claims->user_id, "logout", "로그아웃되었습니다.");
      }
    }
  }
  co_return json_response(
      c.req, http::status::ok,
      json::object{{"success", true}, {"message", "로그아웃이 완료되었습니다."}});
}

// verify-token and refresh-token share their inputs and first checks.
struct TokenAndSession {
  std::string token;
  std::string session_id;
};
std::optional<TokenAndSession> token_and_session(Ctx& c) {
  TokenAndSession t{token_from(c.req, c.target), session_id_from(c.req, c.target)};
  if (t.token.empty() || t.session_id.empty()) return std::nullopt;
  return t;
}

asio::awaitable<Response> verify_token(Ctx& c) {
  auto in = token_and_session(c);
  if (!in) {
    co_return json_response(
        c.req, http::status::bad_request,
        json::object{{"success", false}, {"message", kNeedTokenAndSession}, {"user", nullptr}});
  }
  auto claims = c.services.jwt.verify(in->token, now_ms() / 1000);
  if (!claims || claims->user_id.empty()) {
    co_return error_response(c.req, http::status::unauthorized, kInvalidToken);
  }
  auto user = co_await c.services.store.get_user(claims->user_id);
  if (!user) co_return store_error(c.req, user.error(), kInvalidToken);
  if (!user.value()) co_return error_response(c.req, http::status::unauthorized, kUserNotFound);
  auto check = co_await check_session(c.services, claims->user_id, in->session_id, true);
  if (check != SessionCheck::ok) {
    co_return error_response(c.req, http::status::unauthorized, kExpiredSession);
  }
  co_return json_response(c.req, http::status::ok,
                          json::object{{"success", true},
                                       {"message", "토큰이 유효합니다."},
                                       {"user", auth_user(*user.value())}});
}

asio::awaitable<Response> refresh_token(Ctx& c) {
  constexpr std::string_view kRefreshFailed = "토큰 갱신 중 오류가 발생했습니다.";
  auto in = token_and_session(c);
  if (!in) co_return error_response(c.req, http::status::bad_request, kNeedTokenAndSession);
  // Expiry is ignored on purpose (§2.1): an expired token with a live session may be renewed.
  auto claims = c.services.jwt.verify_ignoring_expiry(in->token);
  if (!claims || claims->user_id.empty()) {
    co_return error_response(c.req, http::status::unauthorized, kInvalidToken);
  }
  auto user = co_await c.services.store.get_user(claims->user_id);
  if (!user) co_return error_response(c.req, http::status::unauthorized, kRefreshFailed);
  if (!user.value()) co_return error_response(c.req, http::status::unauthorized, kUserNotFound);
  auto check = co_await check_session(c.services, claims->user_id, in->session_id, false);
  if (check != SessionCheck::ok) {
    co_return error_response(c.req, http::status::unauthorized, kExpiredSession);
  }
  auto issued = co_await issue_session(c.services, *user.value(), user_agent(c.req),
                                       client_ip(c.req, c.info));
  if (!issued) co_return error_response(c.req, http::status::unauthorized, kRefreshFailed);
  co_return json_response(c.req, http::status::ok,
                          json::object{{"success", true},
                                       {"message", "토큰이 갱신되었습니다."},
                                       {"token", issued->token},
                                       {"sessionId", issued->session_id}});
}

asio::awaitable<Response> auth_info(Ctx& c) {
  co_return json_response(
      c.req, http::status::ok,
      json::object{{"status", "active"},
                   {"routes", json::object{{"register", "POST /api/auth/register"},
                                           {"login", "POST /api/auth/login"},
                                           {"logout", "POST /api/auth/logout"},
                                           {"verifyToken", "POST /api/auth/verify-token"},
                                           {"refreshToken", "POST /api/auth/refresh-token"}}}});
}

}  // namespace

void add_auth_routes(Router& r) {
  using V = http::verb;
  r.add(V::get, "/api/auth", Access::pub, auth_info);
  r.add(V::post, "/api/auth/register", Access::pub, register_user);
  r.add(V::post, "/api/auth/login", Access::pub, login);
  r.add(V::post, "/api/auth/logout", Access::pub, logout);
  r.add(V::post, "/api/auth/verify-token", Access::pub, verify_token);
  r.add(V::post, "/api/auth/refresh-token", Access::pub, refresh_token);
}

}  // namespace parley::api
