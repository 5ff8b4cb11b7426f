// Tests for chat/password: argon2id format and parameters, verify, clamping, and the async
// wrappers resuming on the caller's executor. Each hash costs ~19 MiB and tens of ms, so the
// tests hash only a handful of times.
#include "chat/password.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

namespace parley::chat {
namespace {

namespace asio = boost::asio;

class PasswordTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    hasher_ = new PasswordHasher();
    auto h = hasher_->hash("Test1234!");
    ASSERT_TRUE(h.ok()) << h.error().detail;
    hash_ = new std::string(*h);
  }
  static void TearDownTestSuite() {
    delete hasher_;
    delete hash_;
  }
  static PasswordHasher* hasher_;
  static std::string* hash_;
};
PasswordHasher* PasswordTest::hasher_ = nullptr;
std::string* PasswordTest::hash_ = nullptr;

TEST_F(PasswordTest, HashIsArgon2idWithAtLeastTheFloorParameters) {
  EXPECT_EQ(hash_->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *hash_;
  EXPECT_EQ(hasher_->opslimit(), 2u);
  EXPECT_EQ(hasher_->memlimit(), 19u * 1024 * 1024);
}

TEST_F(PasswordTest, VerifiesRightPasswordOnly) {
  EXPECT_TRUE(hasher_->verify("Test1234!", *hash_));
  EXPECT_FALSE(hasher_->verify("Test1234", *hash_));
  EXPECT_FALSE(hasher_->verify("test1234!", *hash_));
  EXPECT_FALSE(hasher_->verify("", *hash_));
}

TEST_F(PasswordTest, GarbageHashesDoNotVerify) {
  EXPECT_FALSE(hasher_->verify("Test1234!", ""));
  EXPECT_FALSE(hasher_->verify("Test1234!", "Test1234!"));
  EXPECT_FALSE(
      hasher_->verify("Test1234!", "$2a$10$abcdefghijklmnopqrstuuJ7o3K1nq3aQv5GxZ0rXy1Yq"));
  EXPECT_FALSE(hasher_->verify("Test1234!", hash_->substr(0, hash_->size() - 2)));
  EXPECT_FALSE(hasher_->verify("Test1234!", std::string(500, '$')));  // longer than STRBYTES
}

TEST_F(PasswordTest, SaltsDiffer) {
  auto again = hasher_->hash("Test1234!");
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *hash_);
  EXPECT_TRUE(hasher_->verify("Test1234!", *again));
  EXPECT_FALSE(hasher_->needs_rehash(*again));
}

TEST_F(PasswordTest, NeedsRehash) {
  EXPECT_TRUE(hasher_->needs_rehash("$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHQ$aGFzaA"));
  EXPECT_TRUE(hasher_->needs_rehash("not a hash"));
}

TEST(PasswordHasher, ParametersAreClampedUpOnly) {
  PasswordHasherOptions weak;
  weak.opslimit = 1;
  weak.memlimit = 1024 * 1024;
  weak.threads = 0;
  const PasswordHasher clamped(weak);
  EXPECT_EQ(clamped.opslimit(), 2u);
  EXPECT_EQ(clamped.memlimit(), 19u * 1024 * 1024);

  PasswordHasherOptions strong;
  strong.opslimit = 3;
  strong.memlimit = 20 * 1024 * 1024;
  const PasswordHasher raised(strong);
  auto h = raised.hash("pw");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->rfind("$argon2id$v=19$m=20480,t=3,p=1$", 0), 0u) << *h;
  EXPECT_TRUE(raised.verify("pw", *h));
}

TEST_F(PasswordTest, AsyncWrappersRunOffTheLoopAndResumeOnIt) {
  asio::io_context io;
  const auto loop_thread = std::this_thread::get_id();
  bool done = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const bool good = co_await hasher_->verify_async("Test1234!", *hash_);
        EXPECT_TRUE(good);
        EXPECT_EQ(std::this_thread::get_id(), loop_thread);
        const bool bad = co_await hasher_->verify_async("wrong", *hash_);
        EXPECT_FALSE(bad);
        auto h = co_await hasher_->hash_async("room-pw");
        EXPECT_TRUE(h.ok());
        EXPECT_EQ(std::this_thread::get_id(), loop_thread);
        if (h.ok()) {
          EXPECT_EQ(h->rfind("$argon2id$", 0), 0u);
          EXPECT_TRUE(hasher_->verify("room-pw", *h));
        }
        done = true;
      },
      asio::detached);
  io.run();
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace parley::chat
