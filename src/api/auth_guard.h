// AuthGuard: the limits that slow down password guessing and mass sign-ups (issue 15): failed
// logins per account and per client IP, registrations per client IP, and whether a password
// change must prove the current password. Over a limit the route answers 429 in the contract's
// envelope (§5.1) with Retry-After. Defaults are generous enough for the test suites and
// parley-load's contest runs (thousands of users from 127.0.0.x) and are set from app/config.
#pragma once

#include <cstdint>
#include <string_view>

#include "api/http_util.h"
#include "chat/rate_limit.h"

namespace parley::api {

struct AuthGuardOptions {
  // A wrong password (or unknown email) counts against the account and the client IP; while
  // either is over its limit, logins are refused before the password is checked.
  int64_t login_failures_per_account = 10;
  int64_t login_account_window_ms = 15 * 60 * 1000;
  int64_t login_failures_per_ip = 10'000;
  int64_t login_ip_window_ms = 60 * 1000;
  // Every registration attempt counts against the client IP.
  int64_t registrations_per_ip = 10'000;
  int64_t register_ip_window_ms = 60 * 1000;
  // PUT /api/users/profile with newPassword and an empty or wrong currentPassword: refused
  // unless this is set (the original web client sends currentPassword "").
  bool allow_password_change_without_current = false;
};

class AuthGuard {
 public:
  explicit AuthGuard(AuthGuardOptions options = {});

  const AuthGuardOptions& options() const { return options_; }
  // Before a login: a rejection when the account (lower-cased email) or the IP is locked out.
  std::optional<Response> login_blocked(const net::Request& req, std::string_view account,
                                        std::string_view ip, chat::Millis now) const;
  void login_failed(std::string_view account, std::string_view ip, chat::Millis now);
  // Counts a registration attempt; a rejection when the IP is over its limit.
  std::optional<Response> register_attempt(const net::Request& req, std::string_view ip,
                                           chat::Millis now);

 private:
  AuthGuardOptions options_;
  chat::RateLimiter account_failures_;
  chat::RateLimiter ip_failures_;
  chat::RateLimiter registrations_;
};

// 429 {"success":false,"message":…,"meta":{"code":"TOO_MANY_REQUESTS","maxRequests",
// "windowMs","retryAfter"}} with Retry-After, as the room list's limit answers (§5.1).
Response too_many_requests(const net::Request& req, const chat::RateLimiter::Decision& d,
                           chat::Millis window_ms);

}  // namespace parley::api
