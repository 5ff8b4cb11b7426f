// Tests for redis/slot: CRC16-XMODEM and key slots with {hash tag} rules. The expected slots
// were read from a real Redis 7.0.15 cluster (scripts/redis-cluster up --base-port 7101, then
// `redis-cli -p 7101 CLUSTER KEYSLOT <key>` for each key) and are written here as constants.
#include "redis/slot.h"

#include <gtest/gtest.h>

namespace parley::redis {
namespace {

TEST(RedisSlot, Crc16OfSpecCheckValue) {
  EXPECT_EQ(crc16("123456789"), 0x31C3);  // Redis Cluster spec, appendix A
  EXPECT_EQ(crc16(""), 0);
}

TEST(RedisSlot, SlotsFromTheRealServer) {
  EXPECT_EQ(key_slot("foo"), 12182);
  EXPECT_EQ(key_slot("bar"), 5061);
  EXPECT_EQ(key_slot("123456789"), 12739);
  EXPECT_EQ(key_slot("room:1"), 10963);
  EXPECT_EQ(key_slot("{room:42}:messages"), 16332);
  EXPECT_EQ(key_slot(""), 0);
}

TEST(RedisSlot, HashTagRules) {
  // The tag is hashed: both keys land where "user1000" lands.
  EXPECT_EQ(key_slot("{user1000}.following"), 3443);
  EXPECT_EQ(key_slot("{user1000}.followers"), 3443);
  EXPECT_EQ(key_slot("{user1000}.following"), key_slot("user1000"));
  // An empty tag means no tag: the whole key is hashed.
  EXPECT_EQ(hash_tag("{}x"), "{}x");
  EXPECT_EQ(key_slot("{}x"), 10595);
  // The tag runs from the first '{' to the first '}' after it.
  EXPECT_EQ(hash_tag("{{x}}"), "{x");
  EXPECT_EQ(key_slot("{{x}}"), 11068);
  EXPECT_EQ(hash_tag("foo{}{bar}"), "foo{}{bar}");
  EXPECT_EQ(key_slot("foo{}{bar}"), 8363);
  EXPECT_EQ(hash_tag("foo{{bar}}zap"), "{bar");
  EXPECT_EQ(key_slot("foo{{bar}}zap"), 4015);
  EXPECT_EQ(hash_tag("foo{bar}{zap}"), "bar");
  EXPECT_EQ(key_slot("foo{bar}{zap}"), 5061);  // = slot of "bar"
  EXPECT_EQ(hash_tag("no{close"), "no{close");
}

}  // namespace
}  // namespace parley::redis
