// Tests for chat/ids: formats, uniqueness under concurrency, and the embedded timestamp.
#include "chat/ids.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <vector>

namespace parley::chat {
namespace {

bool all_lower_hex(const std::string& s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

TEST(Ids, ObjectIdIs24LowerHex) {
  const Id id = new_object_id();
  EXPECT_EQ(id.size(), 24u);
  EXPECT_TRUE(all_lower_hex(id));
  EXPECT_TRUE(is_object_id(id));
}

TEST(Ids, ObjectIdsAreUniqueOver100k) {
  std::unordered_set<Id> seen;
  for (int i = 0; i < 100000; ++i)
    ASSERT_TRUE(seen.insert(new_object_id()).second);
}

TEST(Ids, ObjectIdsAreUniqueAcrossThreads) {
  std::mutex mu;
  std::unordered_set<Id> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<Id> mine;
      for (int i = 0; i < 20000; ++i)
        mine.push_back(new_object_id());
      std::lock_guard lock(mu);
      for (auto& id : mine)
        seen.insert(std::move(id));
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(seen.size(), 80000u);
}

TEST(Ids, ObjectIdEmbedsSecondsBigEndian) {
  EXPECT_EQ(new_object_id(0x5f0a1b2c).substr(0, 8), "5f0a1b2c");
  EXPECT_EQ(object_id_seconds(new_object_id(1730000000)), 1730000000u);
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const auto embedded = static_cast<int64_t>(object_id_seconds(new_object_id()));
  EXPECT_LE(std::llabs(embedded - now), 2);
  EXPECT_EQ(object_id_seconds("not an id"), 0u);
}

TEST(Ids, SameThreadSameSecondIdsShareRandomPartAndCount) {
  const Id a = new_object_id(100);
  const Id b = new_object_id(100);
  EXPECT_EQ(a.substr(8, 10), b.substr(8, 10));  // per-thread random bytes
  EXPECT_LT(a, b);                              // counter increments (barring 24-bit wrap)
}

TEST(Ids, IsObjectId) {
  EXPECT_TRUE(is_object_id("0123456789abcdef01234567"));
  EXPECT_FALSE(is_object_id("0123456789ABCDEF01234567"));   // upper case
  EXPECT_FALSE(is_object_id("0123456789abcdef0123456"));    // 23
  EXPECT_FALSE(is_object_id("0123456789abcdef012345678"));  // 25
  EXPECT_FALSE(is_object_id("0123456789abcdef0123456g"));
  EXPECT_FALSE(is_object_id(""));
  EXPECT_FALSE(is_object_id("../../../../etc/passwd...."));
}

TEST(Ids, SessionIdIsUuid4Hex) {
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string s = new_session_id();
    ASSERT_EQ(s.size(), 32u);
    ASSERT_TRUE(all_lower_hex(s));
    EXPECT_EQ(s[12], '4');                                          // version
    EXPECT_NE(std::string("89ab").find(s[16]), std::string::npos);  // variant
    EXPECT_TRUE(seen.insert(s).second);
  }
}

TEST(Ids, RandomHex) {
  EXPECT_EQ(random_hex(0), "");
  const std::string a = random_hex(8);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_TRUE(all_lower_hex(a));
  EXPECT_NE(a, random_hex(8));
  EXPECT_EQ(random_hex(100).size(), 200u);
}

}  // namespace
}  // namespace parley::chat
