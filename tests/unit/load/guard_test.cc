// The target-address guard: only loopback targets and source addresses are accepted.
#include "load/guard.h"

#include <gtest/gtest.h>

namespace parley::load {
namespace {

TEST(Guard, LoopbackTargetsAccepted) {
  auto a = parse_target("http://127.0.0.1:5001");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->ip, "127.0.0.1");
  EXPECT_EQ(a->port, 5001);
  EXPECT_EQ(a->host_header, "127.0.0.1:5001");
  auto b = parse_target("http://localhost:8080/");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->ip, "127.0.0.1");
  auto c = parse_target("ws://127.255.3.4:9");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->scheme, "ws");
  auto d = parse_target("http://[::1]:5002");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ip, "::1");
  EXPECT_EQ(d->host_header, "[::1]:5002");
  auto e = parse_target("http://127.0.0.1");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->port, 80);
}

TEST(Guard, OtherHostsRefused) {
  for (const char* url :
       {"http://10.0.0.1:5001", "http://192.168.1.10", "http://8.8.8.8:80", "http://example.com",
        "http://localhost.example.com", "http://128.0.0.1", "http://[::2]:1", "http://0.0.0.0:5001",
        "http://[::ffff:8.8.8.8]:80", "http://127.0.0.1.nip.io", "http://2130706433"}) {
    auto r = parse_target(url);
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_NE(r.error().detail.find("loopback"), std::string::npos) << r.error().detail;
  }
}

TEST(Guard, MalformedTargetsRefused) {
  for (const char* url :
       {"127.0.0.1:5001", "https://127.0.0.1", "http://127.0.0.1:0", "http://127.0.0.1:70000",
        "http://127.0.0.1:5001/api", "http://:5001", "http://user@127.0.0.1", "http://[::1"})
    EXPECT_FALSE(parse_target(url).ok()) << url;
}

TEST(Guard, LoopbackIp) {
  EXPECT_TRUE(is_loopback_ip("127.0.0.1"));
  EXPECT_TRUE(is_loopback_ip("127.1.2.3"));
  EXPECT_TRUE(is_loopback_ip("::1"));
  EXPECT_FALSE(is_loopback_ip("126.255.255.255"));
  EXPECT_FALSE(is_loopback_ip("localhost"));  // names are not addresses
  EXPECT_FALSE(is_loopback_ip("::"));
}

TEST(Guard, SourceRanges) {
  auto r = parse_source_ips("127.0.0.2-127.0.0.5, 127.0.1.9");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5",
                                          "127.0.1.9"}));
  auto cross = parse_source_ips("127.0.0.254-127.0.1.1");
  ASSERT_TRUE(cross.ok());
  EXPECT_EQ(cross->size(), 4u);
  EXPECT_TRUE(parse_source_ips("").value().empty());
  EXPECT_FALSE(parse_source_ips("10.0.0.1").ok());
  EXPECT_FALSE(parse_source_ips("127.0.0.9-127.0.0.2").ok());
  EXPECT_FALSE(parse_source_ips("127.0.0.2-128.0.0.2").ok());
  EXPECT_FALSE(parse_source_ips("127.0.0.2-x").ok());
}

}  // namespace
}  // namespace parley::load
