// HS256 over libsodium's HMAC-SHA256 (the init/update/final form, which takes a key of any
// length as HMAC specifies), and the claims as Boost.JSON.
#include "chat/jwt.h"

#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace parley::chat {

namespace json = boost::json;

namespace {

void ensure_sodium() {
  static const bool ok = sodium_init() >= 0;
  (void)ok;
}

// The fixed header: tokens are compared by their bytes nowhere, but a constant header keeps
// them identical to what a JWT library would produce.
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

Error malformed() {
  return Error::invalid(std::string(kJwtMalformed));
}

std::optional<int64_t> as_int(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_int64()) return v->get_int64();
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v->get_uint64());
  }
  return std::nullopt;
}

std::optional<std::string> as_string(const json::value* v) {
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

std::optional<json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return std::nullopt;
  return v;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  ensure_sodium();
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), kVariant);
  out.resize(out.size() - 1);  // the encoder NUL-terminates
  return out;
}

Result<std::string> base64url_decode(std::string_view text) {
  ensure_sodium();
  std::string out(text.size() * 3 / 4 + 3, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return malformed();
  }
  out.resize(len);
  return out;
}

JwtClaims make_claims(std::string email, Id user_id, std::string session_id, int64_t now_s) {
  return JwtClaims{std::move(email), std::move(user_id), std::move(session_id), now_s,
                   now_s + kJwtLifetimeSeconds};
}

JwtCodec::JwtCodec(std::string secret) : secret_(std::move(secret)) {
  ensure_sodium();
}

std::string JwtCodec::mac(std::string_view signing_input) const {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret_.data()),
                              secret_.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(signing_input.data()),
                                signing_input.size());
  std::string out(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&st, reinterpret_cast<unsigned char*>(out.data()));
  sodium_memzero(&st, sizeof st);
  return out;
}

std::string JwtCodec::sign(const JwtClaims& c) const {
  json::object payload;
  payload["sub"] = c.email;
  payload["userId"] = c.user_id;
  payload["sessionId"] = c.session_id;
  payload["user"] = json::object{{"id", c.user_id}};
  payload["iat"] = c.iat;
  payload["exp"] = c.exp;
  std::string token = base64url_encode(kHeader);
  token += '.';
  token += base64url_encode(json::serialize(payload));
  const std::string sig = base64url_encode(mac(token));
  token += '.';
  token += sig;
  return token;
}

Result<JwtClaims> JwtCodec::verify_ignoring_expiry(std::string_view token) const {
  const size_t d1 = token.find('.');
  if (d1 == std::string_view::npos) return malformed();
  const size_t d2 = token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return malformed();
  }
  const std::string_view header_b64 = token.substr(0, d1);
  const std::string_view payload_b64 = token.substr(d1 + 1, d2 - d1 - 1);
  const std::string_view sig_b64 = token.substr(d2 + 1);

  // The header decides nothing except that it must name HS256: the algorithm is fixed here.
  auto header_text = base64url_decode(header_b64);
  if (!header_text) return malformed();
  auto header = parse_json(*header_text);
  if (!header || !header->is_object()) return malformed();
  const auto alg = as_string(header->get_object().if_contains("alg"));
  if (!alg || *alg != "HS256") return malformed();

  auto sig = base64url_decode(sig_b64);
  if (!sig) return malformed();
  const std::string expected = mac(token.substr(0, d2));
  if (sig->size() != expected.size() ||
      sodium_memcmp(sig->data(), expected.data(), expected.size()) != 0) {
    return Error::invalid(std::string(kJwtBadSignature));
  }

  auto payload_text = base64url_decode(payload_b64);
  if (!payload_text) return malformed();
  auto payload = parse_json(*payload_text);
  if (!payload || !payload->is_object()) return malformed();
  const json::object& o = payload->get_object();
  JwtClaims c;
  auto user_id = as_string(o.if_contains("userId"));
  auto session_id = as_string(o.if_contains("sessionId"));
  auto exp = as_int(o.if_contains("exp"));
  if (!user_id || !session_id || !exp) return malformed();
  c.user_id = std::move(*user_id);
  c.session_id = std::move(*session_id);
  c.exp = *exp;
  c.email = as_string(o.if_contains("sub")).value_or("");
  c.iat = as_int(o.if_contains("iat")).value_or(0);
  return c;
}

Result<JwtClaims> JwtCodec::verify(std::string_view token, int64_t now_s) const {
  auto r = verify_ignoring_expiry(token);
  if (r && now_s >= r->exp) return Error::invalid(std::string(kJwtExpired));
  return r;
}

}  // namespace parley::chat
