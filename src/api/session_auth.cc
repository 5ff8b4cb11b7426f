// See session_auth.h.
#include "api/session_auth.h"

#include "chat/ids.h"
#include "chat/jwt.h"
#include "core/clock.h"

namespace parley::api {

asio::awaitable<SessionCheck> check_session(Services& s, const chat::Id& user_id,
                                            const std::string& session_id, bool touch) {
  if (user_id.empty() || session_id.empty()) co_return SessionCheck::invalid;
  auto stored = co_await s.store.get_session(user_id);
  if (!stored) co_return SessionCheck::unavailable;
  if (!stored.value() || stored.value()->session_id != session_id) co_return SessionCheck::invalid;
  const int64_t now = now_ms();
  if (now - stored.value()->last_activity > s.limits.session_idle_ms) {
    (void)co_await s.store.delete_session(user_id, session_id);
    co_return SessionCheck::expired;
  }
  if (touch) (void)co_await s.store.touch_session(user_id, session_id, now);
  co_return SessionCheck::ok;
}

asio::awaitable<Result<Issued>> issue_session(Services& s, const chat::User& user,
                                              std::string user_agent, std::string ip) {
  const int64_t now = now_ms();
  chat::Session session{.user_id = user.id,
                        .session_id = chat::new_session_id(),
                        .created_at = now,
                        .last_activity = now,
                        .user_agent = std::move(user_agent),
                        .ip_address = std::move(ip)};
  auto stored = co_await s.store.replace_session(session);
  if (!stored) co_return stored.error();
  chat::JwtClaims claims = chat::make_claims(user.email, user.id, session.session_id, now / 1000);
  claims.exp = (now + s.limits.token_ttl_ms) / 1000;
  co_return Issued{s.jwt.sign(claims), session.session_id};
}

asio::awaitable<std::variant<Authed, AuthFailure>> authenticate(Services& s,
                                                                const std::string& token) {
  if (token.empty()) co_return AuthFailure::no_token;
  auto claims = s.jwt.verify(token, now_ms() / 1000);
  if (!claims || claims->user_id.empty() || claims->session_id.empty()) {
    co_return AuthFailure::bad_token;
  }
  switch (co_await check_session(s, claims->user_id, claims->session_id, /*touch=*/true)) {
    case SessionCheck::ok:
      break;
    case SessionCheck::unavailable:
      co_return AuthFailure::unavailable;
    default:
      co_return AuthFailure::bad_session;
  }
  auto user = co_await s.store.get_user(claims->user_id);
  if (!user) co_return AuthFailure::unavailable;
  if (!user.value()) co_return AuthFailure::no_user;
  co_return Authed{std::move(*user.value()), claims->session_id};
}

}  // namespace parley::api
