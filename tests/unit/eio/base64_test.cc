// Tests for the strict base64 codec used by Engine.IO long-polling ("b<base64>" packets).
#include "eio/base64.h"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace parley::eio {
namespace {

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64, AllByteValuesRoundTrip) {
  std::string bytes;
  for (int i = 0; i < 256; ++i)
    bytes.push_back(static_cast<char>(i));
  const std::string encoded = base64_encode(bytes);
  EXPECT_EQ(encoded.size(), base64_encoded_size(bytes.size()));
  auto decoded = base64_decode(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, bytes);
  // Both non-alphanumeric characters of the standard alphabet appear.
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
}

TEST(Base64, AppendsToExistingContent) {
  std::string out = "b";
  base64_encode_to("\x01\x02\x03", out);
  EXPECT_EQ(out, "bAQID");
  std::string bytes = "x";
  ASSERT_TRUE(base64_decode_to("AQID", bytes).ok());
  EXPECT_EQ(bytes, std::string("x\x01\x02\x03"));
}

TEST(Base64, RejectsMalformedInput) {
  const char* bad[] = {
      "Z",        "Zg",   "Zg=",    "Zm9vY",             // length not a multiple of 4
      "Zm9!",     "Zm 9", "Zm9v\n", "Zm9v\r\n",          // characters outside the alphabet
      "Zm-_",                                            // URL-safe alphabet is not accepted
      "Zg==Zm8=", "=Zm8", "Z===",   "====",     "Zm=v",  // misplaced or excess padding
      "Zh==",     "Zm9=",                                // non-zero bits under the padding
  };
  for (const char* text : bad) {
    EXPECT_FALSE(base64_decode(text).ok()) << text;
  }
  auto r = base64_decode("Zm9!");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, Error::Kind::invalid);
}

TEST(Base64, RejectsNonAsciiBytes) {
  std::string text = "Zm9v";
  text[1] = static_cast<char>(0xc3);
  EXPECT_FALSE(base64_decode(text).ok());
  text[1] = '\0';
  EXPECT_FALSE(base64_decode(text).ok());
}

TEST(Base64, FailedDecodeLeavesOutputUntouched) {
  std::string out = "keep";
  EXPECT_FALSE(base64_decode_to("Zm9vYmFy!!!!", out).ok());
  EXPECT_EQ(out, "keep");
  EXPECT_FALSE(base64_decode_to("Zm9vZh==", out).ok());
  EXPECT_EQ(out, "keep");
}

TEST(Base64, RandomRoundTrips) {
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 2000; ++iter) {
    std::string bytes(rng() % 70, '\0');
    for (auto& c : bytes)
      c = static_cast<char>(rng());
    auto decoded = base64_decode(base64_encode(bytes));
    ASSERT_TRUE(decoded.ok());
    ASSERT_EQ(*decoded, bytes);
  }
}

// Random text must never crash the decoder, and anything it accepts must be canonical:
// re-encoding gives back the exact input.
TEST(Base64, FuzzRandomTextIsCanonicalOrRejected) {
  std::mt19937 rng(42);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
  int accepted = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string text(rng() % 13, '\0');
    for (auto& c : text)
      c = (rng() % 8 == 0) ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()];
    auto decoded = base64_decode(text);
    if (decoded.ok()) {
      ++accepted;
      ASSERT_EQ(base64_encode(*decoded), text);
    }
  }
  EXPECT_GT(accepted, 0);
}

}  // namespace
}  // namespace parley::eio
