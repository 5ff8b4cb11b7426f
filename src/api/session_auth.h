// Sessions and tokens (§0.1, §4): issuing a session + JWT at login, and checking a token and its
// session on every authenticated request and socket CONNECT.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "api/services.h"

namespace parley::api {

enum class SessionCheck { ok, invalid, expired, unavailable };

// Valid when the user's stored session is `session_id` and idle no longer than the limit; an
// expired one is deleted. With `touch`, a valid session's activity is refreshed.
asio::awaitable<SessionCheck> check_session(Services& s, const chat::Id& user_id,
                                            const std::string& session_id, bool touch);

struct Issued {
  std::string token;
  std::string session_id;
};
// Replaces the user's session with a new one and signs a token for it.
asio::awaitable<Result<Issued>> issue_session(Services& s, const chat::User& user,
                                              std::string user_agent, std::string ip);

struct Authed {
  chat::User user;
  std::string session_id;
};
enum class AuthFailure { no_token, bad_token, bad_session, no_user, unavailable };
// The whole §0.1 check for a REST request; refreshes activity on success.
asio::awaitable<std::variant<Authed, AuthFailure>> authenticate(Services& s,
                                                                const std::string& token);

}  // namespace parley::api
