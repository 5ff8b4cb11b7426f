// HS256 JSON Web Tokens (§4): what REST and Socket.IO authentication verify, and what login,
// register and refresh-token issue. Only HS256 is accepted, whatever the token's header says,
// so "alg":"none" and algorithm-confusion tokens are rejected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "chat/model.h"
#include "core/result.h"

namespace parley::chat {

struct JwtClaims {
  std::string email;       // "sub"
  Id user_id;              // "userId" (also emitted as "user":{"id":…}, Node's form)
  std::string session_id;  // "sessionId"
  int64_t iat = 0;         // seconds since the epoch
  int64_t exp = 0;         // seconds since the epoch
};

inline constexpr int64_t kJwtLifetimeSeconds = 24 * 60 * 60;

// Error::detail of a failed verification. All three are Error::Kind::invalid; the callers
// answer 401 either way, and the detail only says why (for logs and for refresh-token, which
// tolerates expiry).
inline constexpr std::string_view kJwtMalformed = "malformed token";
inline constexpr std::string_view kJwtBadSignature = "bad signature";
inline constexpr std::string_view kJwtExpired = "token expired";

// Claims for a token issued at `now_s`, valid for 24 h.
JwtClaims make_claims(std::string email, Id user_id, std::string session_id, int64_t now_s);

class JwtCodec {
 public:
  // The key is the secret's bytes, any length (the contract asks for ≥ 32; that is checked at
  // configuration time, not here).
  explicit JwtCodec(std::string secret);

  std::string sign(const JwtClaims& claims) const;

  // Checks, in order: three base64url parts; header is JSON with "alg":"HS256"; the signature
  // (constant-time compare); the payload is a JSON object with string "userId" and "sessionId"
  // and integer "exp" ("sub" and "iat" optional); then now_s < exp.
  Result<JwtClaims> verify(std::string_view token, int64_t now_s) const;
  // The same without the expiry check (refresh-token, §2.1). The signature is still required.
  Result<JwtClaims> verify_ignoring_expiry(std::string_view token) const;

 private:
  std::string mac(std::string_view signing_input) const;  // raw 32-byte HMAC-SHA256
  std::string secret_;
};

// base64url without padding (RFC 7515 §2); decoding rejects padding, whitespace and stray bits.
std::string base64url_encode(std::string_view bytes);
Result<std::string> base64url_decode(std::string_view text);

}  // namespace parley::chat
