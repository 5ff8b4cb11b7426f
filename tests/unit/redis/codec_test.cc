// Tests for redis/codec: command encoding, and replies decoded from input split at every byte
// boundary; garbage is a protocol error, never a crash.
#include "redis/codec.h"

#include <gtest/gtest.h>

#include <random>

namespace parley::redis {
namespace {

TEST(RedisCodec, EncodesBinarySafeCommands) {
  EXPECT_EQ(encode_command({"SET", "k", std::string("a\0b\r\n", 5)}),
            std::string("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\na\0b\r\n\r\n", 31));
  EXPECT_EQ(encode_command({"PING"}), "*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(encode_command({"SET", "k", ""}), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
}

// Every reply type once, including a nested array with a nil inside and an empty array.
std::string sample_stream(const std::string& large) {
  return "+OK\r\n-ERR bad thing\r\n:-42\r\n$5\r\nhello\r\n$-1\r\n*-1\r\n*0\r\n"
         "*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n+x\r\n$" +
         std::to_string(large.size()) + "\r\n" + large + "\r\n";
}

void check_sample(const std::vector<Reply>& r, const std::string& large) {
  ASSERT_EQ(r.size(), 9u);
  EXPECT_EQ(r[0].type, Reply::Type::status);
  EXPECT_EQ(r[0].str, "OK");
  EXPECT_EQ(r[1].type, Reply::Type::error);
  EXPECT_EQ(r[1].str, "ERR bad thing");
  EXPECT_EQ(r[2].type, Reply::Type::integer);
  EXPECT_EQ(r[2].integer, -42);
  EXPECT_EQ(r[3].type, Reply::Type::string);
  EXPECT_EQ(r[3].str, "hello");
  EXPECT_TRUE(r[4].is_nil());
  EXPECT_TRUE(r[5].is_nil());
  ASSERT_TRUE(r[6].is_array());
  EXPECT_TRUE(r[6].elements.empty());
  ASSERT_TRUE(r[7].is_array());
  ASSERT_EQ(r[7].elements.size(), 3u);
  EXPECT_EQ(r[7].elements[0].integer, 1);
  ASSERT_EQ(r[7].elements[1].elements.size(), 2u);
  EXPECT_EQ(r[7].elements[1].elements[0].str, "a");
  EXPECT_TRUE(r[7].elements[1].elements[1].is_nil());
  EXPECT_EQ(r[7].elements[2].type, Reply::Type::status);
  EXPECT_EQ(r[8].str, large);
}

TEST(RedisCodec, DecodesEveryType) {
  const std::string large(100000, 'z');
  auto r = decode_all(sample_stream(large));
  ASSERT_TRUE(r) << r.error().detail;
  check_sample(*r, large);
}

TEST(RedisCodec, SplitAtEveryByteBoundary) {
  std::string large(3000, 'q');
  large[1500] = '\r';  // binary-safe bulk: CR LF inside is data
  large[1501] = '\n';
  const std::string s = sample_stream(large);
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    Decoder d;
    std::vector<Reply> got;
    auto drain = [&] {
      for (;;) {
        auto n = d.next();
        ASSERT_TRUE(n) << n.error().detail;
        if (!n.value()) return;
        got.push_back(std::move(*n.value()));
      }
    };
    ASSERT_TRUE(d.feed(std::string_view(s).substr(0, cut)));
    drain();
    ASSERT_TRUE(d.feed(std::string_view(s).substr(cut)));
    drain();
    check_sample(got, large);
    if (HasFatalFailure()) {
      ADD_FAILURE() << "at cut " << cut;
      return;
    }
  }
}

TEST(RedisCodec, ByteByByte) {
  const std::string large(200, 'b');
  const std::string s = sample_stream(large);
  Decoder d;
  std::vector<Reply> got;
  for (char c : s) {
    ASSERT_TRUE(d.feed(std::string_view(&c, 1)));
    for (;;) {
      auto n = d.next();
      ASSERT_TRUE(n);
      if (!n.value()) break;
      got.push_back(std::move(*n.value()));
    }
  }
  check_sample(got, large);
}

TEST(RedisCodec, IncompleteInputIsNotAnError) {
  auto r = decode_all("+OK\r\n$10\r\nabc");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 1u);
}

TEST(RedisCodec, GarbageIsAProtocolError) {
  for (const std::string bad :
       {"%%%\r\n", "hello\r\n", "$abc\r\n", "*x\r\n", ":12a\r\n", "$-5\r\n", "*-7\r\n"}) {
    auto r = decode_all(bad);
    // hiredis 0.14 accepts some malformed lengths as nil; what it must never do is crash or
    // return a non-nil value for them.
    if (r) {
      for (const auto& x : *r)
        EXPECT_TRUE(x.is_nil()) << bad;
    } else {
      EXPECT_EQ(r.error().kind, Error::Kind::invalid) << bad;
      EXPECT_NE(r.error().detail.find("protocol error"), std::string::npos);
    }
  }
  auto r = decode_all("%%%\r\n");
  ASSERT_FALSE(r);
  Decoder d;
  ASSERT_TRUE(d.feed("+OK\r\n!boom\r\n"));
  auto first = d.next();
  ASSERT_TRUE(first && first.value());
  EXPECT_FALSE(d.next());
  EXPECT_TRUE(d.failed());
  EXPECT_FALSE(d.feed("+OK\r\n"));  // no resynchronising after an error
}

TEST(RedisCodec, LimitsStopHugeLengths) {
  DecoderLimits limits;
  limits.max_elements = 1000;
  limits.max_buffered = 4096;
  EXPECT_FALSE(decode_all("*1000000\r\n", limits));
  EXPECT_FALSE(decode_all("*2147483647\r\n", limits));
  EXPECT_TRUE(decode_all("*3\r\n:1\r\n:2\r\n:3\r\n", limits));
  Decoder d(limits);
  ASSERT_TRUE(d.feed("$100000\r\n"));
  auto pending = d.next();
  ASSERT_TRUE(pending);
  EXPECT_FALSE(pending.value());
  EXPECT_FALSE(d.feed(std::string(5000, 'x')));  // past max_buffered
}

TEST(RedisCodec, RandomBytesNeverCrash) {
  std::mt19937 rng(12345);
  int ok = 0, failed = 0;
  const std::string alphabet = "+-:$*\r\n0123456789-abc";
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 40, ' ');
    for (auto& c : s)
      c = alphabet[rng() % alphabet.size()];
    DecoderLimits limits;
    limits.max_elements = 1 << 10;
    limits.max_buffered = 1 << 16;
    auto r = decode_all(s, limits);
    // Either replies or a protocol error (the sanitizer build checks the memory side).
    if (r) {
      ++ok;
    } else {
      ++failed;
      ASSERT_EQ(r.error().kind, Error::Kind::invalid);
      ASSERT_NE(r.error().detail.find("protocol error"), std::string::npos) << r.error().detail;
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(failed, 0);
}

}  // namespace
}  // namespace parley::redis
