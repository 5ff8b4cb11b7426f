// Tests for redis/slot_map: the CLUSTER SHARDS reply (Redis 7.0, RESP2) into a slot map.
#include "redis/slot_map.h"

#include <gtest/gtest.h>

namespace parley::redis {
namespace {

Reply str(std::string s) {
  Reply r;
  r.type = Reply::Type::string;
  r.str = std::move(s);
  return r;
}
Reply num(int64_t v) {
  Reply r;
  r.type = Reply::Type::integer;
  r.integer = v;
  return r;
}
Reply arr(std::vector<Reply> e) {
  Reply r;
  r.type = Reply::Type::array;
  r.elements = std::move(e);
  return r;
}
Reply node(std::string id, int port, std::string role, std::string health) {
  return arr({str("id"), str(std::move(id)), str("port"), num(port), str("ip"), str("127.0.0.1"),
              str("endpoint"), str("127.0.0.1"), str("role"), str(std::move(role)),
              str("replication-offset"), num(0), str("health"), str(std::move(health))});
}
// The shape `redis-cli -p 7101 CLUSTER SHARDS` printed on the test cluster.
Reply shards() {
  return arr({
      arr({str("slots"), arr({num(5461), num(10922)}), str("nodes"),
           arr({node("b", 7102, "master", "online"), node("e", 7104, "replica", "loading")})}),
      arr({str("slots"), arr({num(0), num(5460)}), str("nodes"),
           arr({node("a", 7101, "master", "online"), node("d", 7105, "replica", "online")})}),
      arr({str("slots"), arr({str("10923"), str("16000"), num(16001), num(16383)}), str("nodes"),
           arr({node("c", 7103, "master", "failed"), node("f", 7106, "master", "online")})}),
  });
}

TEST(RedisSlotMap, FromClusterShards) {
  auto parsed = parse_cluster_shards(shards());
  ASSERT_TRUE(parsed) << parsed.error().detail;
  ASSERT_EQ(parsed->size(), 3u);
  const auto map = SlotMap::from_shards(*parsed);
  EXPECT_TRUE(map.covers_all());
  EXPECT_EQ(map.master(0)->port, 7101);
  EXPECT_EQ(map.master(5460)->port, 7101);
  EXPECT_EQ(map.master(5461)->port, 7102);
  EXPECT_EQ(map.master(10922)->port, 7102);
  EXPECT_EQ(map.master(10923)->port, 7106);  // the online master, not the failed one
  EXPECT_EQ(map.master(16383)->port, 7106);
  EXPECT_EQ(map.master(16384), nullptr);
  EXPECT_EQ(map.masters().size(), 3u);
  EXPECT_EQ(map.nodes().size(), 6u);
}

TEST(RedisSlotMap, MovedPatchesOneSlot) {
  auto map = SlotMap::from_shards(parse_cluster_shards(shards()).value());
  map.set_master(42, Endpoint{"127.0.0.1", 7102});
  EXPECT_EQ(map.master(42)->port, 7102);
  EXPECT_EQ(map.master(41)->port, 7101);
  map.set_master(43, Endpoint{"127.0.0.1", 7999});
  EXPECT_EQ(map.master(43)->port, 7999);
  EXPECT_EQ(map.masters().size(), 4u);
}

TEST(RedisSlotMap, UncoveredSlots) {
  auto reply = arr({arr({str("slots"), arr({num(0), num(99)}), str("nodes"),
                         arr({node("a", 7101, "master", "online")})})});
  const auto map = SlotMap::from_shards(parse_cluster_shards(reply).value());
  EXPECT_FALSE(map.covers_all());
  EXPECT_NE(map.master(99), nullptr);
  EXPECT_EQ(map.master(100), nullptr);
}

TEST(RedisSlotMap, MalformedReplies) {
  EXPECT_FALSE(parse_cluster_shards(str("nope")));
  EXPECT_FALSE(parse_cluster_shards(arr({arr({str("slots"), arr({num(0)})})})));
  EXPECT_FALSE(parse_cluster_shards(
      arr({arr({str("slots"), arr({num(5), num(1)}), str("nodes"), arr({})})})));
  EXPECT_FALSE(parse_cluster_shards(
      arr({arr({str("slots"), arr({num(0), num(16384)}), str("nodes"), arr({})})})));
  EXPECT_FALSE(parse_cluster_shards(arr({arr(
      {str("slots"), arr({num(0), num(1)}), str("nodes"), arr({arr({str("id"), str("x")})})})})));
  EXPECT_TRUE(parse_cluster_shards(arr({})));
}

TEST(RedisEndpoints, ParseList) {
  auto e = parse_endpoints("127.0.0.1:7001, 127.0.0.1:7002");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->size(), 2u);
  EXPECT_EQ((*e)[1].port, 7002);
  EXPECT_FALSE(parse_endpoints(""));
  EXPECT_FALSE(parse_endpoints("127.0.0.1"));
  EXPECT_FALSE(parse_endpoints("127.0.0.1:7001,"));
  EXPECT_FALSE(parse_endpoints(":7001"));
  EXPECT_FALSE(parse_endpoints("h:0"));
}

}  // namespace
}  // namespace parley::redis
