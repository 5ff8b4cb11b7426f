// See auth_guard.h.
#include "api/auth_guard.h"

#include <boost/json.hpp>

namespace parley::api {

AuthGuard::AuthGuard(AuthGuardOptions o)
    : options_(o),
      account_failures_(o.login_failures_per_account, o.login_account_window_ms),
      ip_failures_(o.login_failures_per_ip, o.login_ip_window_ms),
      registrations_(o.registrations_per_ip, o.register_ip_window_ms) {}

std::optional<Response> AuthGuard::login_blocked(const net::Request& req, std::string_view account,
                                                 std::string_view ip, chat::Millis now) const {
  if (auto d = ip_failures_.peek(ip, now); !d.allowed)
    return too_many_requests(req, d, options_.login_ip_window_ms);
  if (auto d = account_failures_.peek(account, now); !d.allowed)
    return too_many_requests(req, d, options_.login_account_window_ms);
  return std::nullopt;
}

void AuthGuard::login_failed(std::string_view account, std::string_view ip, chat::Millis now) {
  (void)account_failures_.check(account, now);
  (void)ip_failures_.check(ip, now);
}

std::optional<Response> AuthGuard::register_attempt(const net::Request& req, std::string_view ip,
                                                    chat::Millis now) {
  if (auto d = registrations_.check(ip, now); !d.allowed)
    return too_many_requests(req, d, options_.register_ip_window_ms);
  return std::nullopt;
}

Response too_many_requests(const net::Request& req, const chat::RateLimiter::Decision& d,
                           chat::Millis window_ms) {
  auto res = json_response(
      req, http::status::too_many_requests,
      json::object{{"success", false},
                   {"message", "너무 많은 요청이 발생했습니다. 잠시 후 다시 시도해주세요."},
                   {"meta", json::object{{"code", "TOO_MANY_REQUESTS"},
                                         {"maxRequests", d.limit},
                                         {"windowMs", window_ms},
                                         {"retryAfter", d.retry_after_s}}}});
  res.set(http::field::retry_after, std::to_string(d.retry_after_s));
  return res;
}

}  // namespace parley::api
