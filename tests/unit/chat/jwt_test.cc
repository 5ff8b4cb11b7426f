// Tests for chat/jwt: round trips, every rejection path, and compatibility with the standard
// HS256 construction (a token from an RFC 7515-style signer must verify).
#include "chat/jwt.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace parley::chat {
namespace {

const std::string kSecret = "test-secret-that-is-at-least-32-bytes-long!!";
constexpr int64_t kNow = 1'730'000'000;

std::string part(const std::string& token, int i) {
  size_t start = 0;
  for (int k = 0; k < i; ++k)
    start = token.find('.', start) + 1;
  const size_t end = token.find('.', start);
  return token.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string hmac_b64(const std::string& key, const std::string& input) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(input.data()),
                                input.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&st, mac);
  return base64url_encode(std::string_view(reinterpret_cast<char*>(mac), sizeof mac));
}

// A token with arbitrary header/payload JSON, signed correctly with `key`.
std::string forge(const std::string& header, const std::string& payload, const std::string& key) {
  const std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  return input + "." + hmac_b64(key, input);
}

TEST(Jwt, Base64Url) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_decode("-_8").value(), "\xfb\xff");
  EXPECT_FALSE(base64url_decode("Zg==").ok());   // padding
  EXPECT_FALSE(base64url_decode("Zm9v+").ok());  // standard alphabet
  EXPECT_FALSE(base64url_decode("Zh").ok());     // non-zero trailing bits
  EXPECT_FALSE(base64url_decode("Z").ok());
}

TEST(Jwt, SignVerifyRoundTrip) {
  const JwtCodec codec(kSecret);
  const JwtClaims in = make_claims("user@test.com", "0123456789abcdef01234567",
                                   "fedcba9876543210fedcba9876543210", kNow);
  EXPECT_EQ(in.exp - in.iat, 86400);
  const std::string token = codec.sign(in);
  auto out = codec.verify(token, kNow + 10);
  ASSERT_TRUE(out.ok()) << out.error().detail;
  EXPECT_EQ(out->email, in.email);
  EXPECT_EQ(out->user_id, in.user_id);
  EXPECT_EQ(out->session_id, in.session_id);
  EXPECT_EQ(out->iat, kNow);
  EXPECT_EQ(out->exp, kNow + 86400);
}

TEST(Jwt, WireShape) {
  const JwtCodec codec(kSecret);
  const std::string token = codec.sign(make_claims("a@b.c", "u1", "s1", kNow));
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  EXPECT_EQ(token.find('='), std::string::npos);
  EXPECT_EQ(base64url_decode(part(token, 0)).value(), R"({"alg":"HS256","typ":"JWT"})");
  const auto payload = boost::json::parse(base64url_decode(part(token, 1)).value());
  const auto& o = payload.as_object();
  EXPECT_EQ(o.at("sub").as_string(), "a@b.c");
  EXPECT_EQ(o.at("userId").as_string(), "u1");
  EXPECT_EQ(o.at("sessionId").as_string(), "s1");
  EXPECT_EQ(o.at("user").as_object().at("id").as_string(), "u1");
  EXPECT_EQ(o.at("iat").as_int64(), kNow);
  EXPECT_EQ(o.at("exp").as_int64(), kNow + 86400);
  // The signature is the standard HMAC-SHA256 over "header.payload".
  EXPECT_EQ(part(token, 2), hmac_b64(kSecret, part(token, 0) + "." + part(token, 1)));
}

TEST(Jwt, AcceptsForeignButValidTokens) {
  // What another HS256 library would emit: different header, whitespace, no "typ", extra claims.
  const JwtCodec codec(kSecret);
  const std::string token =
      forge(R"({"typ":"JWT", "alg":"HS256"})",
            R"({"sub":"x@y.z","userId":"u","sessionId":"s","exp":1730003600,"foo":[1]})", kSecret);
  auto c = codec.verify(token, kNow);
  ASSERT_TRUE(c.ok()) << c.error().detail;
  EXPECT_EQ(c->email, "x@y.z");
  EXPECT_EQ(c->iat, 0);
}

TEST(Jwt, LongAndShortKeysWork) {
  for (const std::string& key : {std::string("k"), std::string(200, 'K')}) {
    const JwtCodec codec(key);
    const std::string t = codec.sign(make_claims("a@b.c", "u", "s", kNow));
    EXPECT_TRUE(codec.verify(t, kNow).ok());
    EXPECT_EQ(part(t, 2), hmac_b64(key, part(t, 0) + "." + part(t, 1)));
  }
}

TEST(Jwt, RejectsWrongKey) {
  const std::string token = JwtCodec(kSecret).sign(make_claims("a@b.c", "u", "s", kNow));
  auto r = JwtCodec(kSecret + "x").verify(token, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::invalid);
  EXPECT_EQ(r.error().detail, kJwtBadSignature);
}

TEST(Jwt, RejectsTamperedPayload) {
  const JwtCodec codec(kSecret);
  const std::string token = codec.sign(make_claims("a@b.c", "victim", "s", kNow));
  const std::string evil_payload = base64url_encode(
      R"({"sub":"a@b.c","userId":"attacker","sessionId":"s","iat":1730000000,"exp":1830000000})");
  const std::string tampered = part(token, 0) + "." + evil_payload + "." + part(token, 2);
  auto r = codec.verify(tampered, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, kJwtBadSignature);
}

TEST(Jwt, RejectsTamperedSignature) {
  const JwtCodec codec(kSecret);
  const std::string token = codec.sign(make_claims("a@b.c", "u", "s", kNow));
  std::string sig = part(token, 2);
  sig[5] = sig[5] == 'A' ? 'B' : 'A';
  auto r = codec.verify(part(token, 0) + "." + part(token, 1) + "." + sig, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, kJwtBadSignature);
  // Truncated signature: decodes, wrong length.
  r = codec.verify(part(token, 0) + "." + part(token, 1) + "." + sig.substr(0, 40), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, kJwtBadSignature);
  // Empty signature.
  r = codec.verify(part(token, 0) + "." + part(token, 1) + ".", kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, kJwtBadSignature);
}

TEST(Jwt, RejectsAlgNoneAndOthers) {
  const JwtCodec codec(kSecret);
  const std::string payload = R"({"userId":"u","sessionId":"s","exp":1830000000})";
  const std::string none =
      base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + base64url_encode(payload) + ".";
  auto r = codec.verify(none, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().detail, kJwtMalformed);
  // Even correctly MAC'd with our key, a header naming another algorithm is refused.
  for (const char* h : {R"({"alg":"HS512"})", R"({"alg":"hs256"})", R"({"alg":"RS256"})",
                        R"({"typ":"JWT"})", R"({"alg":null})", R"(["HS256"])", "not json"}) {
    r = codec.verify(forge(h, payload, kSecret), kNow);
    ASSERT_FALSE(r.ok()) << h;
    EXPECT_EQ(r.error().detail, kJwtMalformed) << h;
  }
}

TEST(Jwt, RejectsMalformed) {
  const JwtCodec codec(kSecret);
  const std::string good = codec.sign(make_claims("a@b.c", "u", "s", kNow));
  for (const std::string& t :
       {std::string(""), std::string("abc"), std::string("a.b"), good + ".x", good + ".",
        "." + good, std::string(".."), std::string("!!!.@@@.###"),
        part(good, 0) + ".%%%." + part(good, 2)}) {
    auto r = codec.verify(t, kNow);
    ASSERT_FALSE(r.ok()) << t;
    EXPECT_NE(r.error().detail, kJwtExpired) << t;
  }
}

TEST(Jwt, RejectsMissingOrMistypedClaims) {
  const JwtCodec codec(kSecret);
  const std::string h = R"({"alg":"HS256"})";
  for (const char* p :
       {R"({"sessionId":"s","exp":1830000000})", R"({"userId":"u","exp":1830000000})",
        R"({"userId":"u","sessionId":"s"})", R"({"userId":1,"sessionId":"s","exp":1830000000})",
        R"({"userId":"u","sessionId":"s","exp":"1830000000"})",
        R"({"userId":"u","sessionId":"s","exp":1.83e9})", R"([1,2,3])", R"({"userId":"u")"}) {
    auto r = codec.verify(forge(h, p, kSecret), kNow);
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.error().detail, kJwtMalformed) << p;
  }
}

TEST(Jwt, Expiry) {
  const JwtCodec codec(kSecret);
  const std::string token = codec.sign(make_claims("a@b.c", "u", "s", kNow));
  EXPECT_TRUE(codec.verify(token, kNow + 86399).ok());
  auto r = codec.verify(token, kNow + 86400);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::invalid);
  EXPECT_EQ(r.error().detail, kJwtExpired);
  // refresh-token: expiry ignored, signature still enforced.
  auto ignoring = codec.verify_ignoring_expiry(token);
  ASSERT_TRUE(ignoring.ok());
  EXPECT_EQ(ignoring->user_id, "u");
  EXPECT_FALSE(JwtCodec("other").verify_ignoring_expiry(token).ok());
}

}  // namespace
}  // namespace parley::chat
