// The bus contract, run against every bus::Bus implementation (bus_contract_test.cc: the
// in-process Hub; tests/unit/bus_redis/: RedisBus on a real Redis Cluster). Multi-node cases run
// only where the factory can make several nodes that share a cluster.
#pragma once

#include <gtest/gtest.h>

#include <ostream>

#include "bus_node.h"

namespace parley::bus::contract {

struct Factory {
  std::string name;
  std::function<std::unique_ptr<Node>()> make_node;
  int max_nodes = 1;  // > 1: nodes made by make_node share one cluster
  // How long frames may take between nodes; a test waits at most this for an expected frame.
  std::chrono::milliseconds patience{2000};
};

// Waits until `s` has received at least `n` frames (or the deadline passes); returns them.
inline std::vector<std::string> wait_for(const RecordingSocket& s, size_t n,
                                         std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (s.received().size() < n && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  return s.received();
}

inline void PrintTo(const Factory& f, std::ostream* os) {
  *os << f.name;
}

class BusContract : public ::testing::TestWithParam<Factory> {
 protected:
  const Factory& f() const { return GetParam(); }
  std::unique_ptr<Node> node() { return f().make_node(); }
  // Until `from` publishing to `group` reaches `s` (a subscription on another node is set up
  // asynchronously), then nothing from the probes is left in flight and `s` is cleared.
  void await_route(Node& from, const std::string& group, RecordingSocket& s) {
    const auto deadline = std::chrono::steady_clock::now() + f().patience * 5;
    while (s.received().empty() && std::chrono::steady_clock::now() < deadline) {
      from.bus().publish(group, frame("probe"));
      std::this_thread::sleep_for(20ms);
    }
    ASSERT_FALSE(s.received().empty()) << "no route from the publishing node to " << group;
    std::this_thread::sleep_for(f().patience / 4);
    s.clear();
  }
  // Enough time for a frame that should not arrive to have arrived.
  void settle_remote() const { std::this_thread::sleep_for(f().patience / 4); }
};

TEST_P(BusContract, DeliversToMembersOfTheGroupOnly) {
  auto n = node();
  RecordingSocket a{n->loop(0), "a"}, b{n->loop(1), "b"}, c{n->loop(1), "c"};
  n->join("room1", a, 0);
  n->join("room1", b, 1);
  n->join("room2", c, 1);
  n->bus().publish("room1", frame("m1"));
  EXPECT_EQ(wait_for(a, 1, f().patience), std::vector<std::string>{"m1"});
  EXPECT_EQ(wait_for(b, 1, f().patience), std::vector<std::string>{"m1"});
  settle_remote();
  n->settle();
  EXPECT_EQ(a.received().size(), 1u);  // once, not again through the cluster
  EXPECT_TRUE(c.received().empty());
}

TEST_P(BusContract, SkipsTheExceptedSocket) {
  auto n = node();
  RecordingSocket a{n->loop(0), "a"}, b{n->loop(0), "b"};
  n->join("user:u1", a, 0);
  n->join("user:u1", b, 0);
  n->bus().publish("user:u1", frame("notice"), &a);
  EXPECT_EQ(wait_for(b, 1, f().patience), std::vector<std::string>{"notice"});
  settle_remote();
  n->settle();
  EXPECT_TRUE(a.received().empty());
}

TEST_P(BusContract, KeepsOnePublishersOrder) {
  auto n = node();
  RecordingSocket a{n->loop(1), "a"};
  n->join("room-list", a, 1);
  std::vector<std::string> sent;
  for (int i = 0; i < 300; ++i) {
    sent.push_back("f" + std::to_string(i));
    n->bus().publish("room-list", frame(sent.back()));
  }
  EXPECT_EQ(wait_for(a, sent.size(), f().patience), sent);
}

TEST_P(BusContract, LeavingStopsDelivery) {
  auto n = node();
  RecordingSocket a{n->loop(0), "a"};
  n->join("room1", a, 0);
  n->bus().publish("room1", frame("before"));
  EXPECT_EQ(wait_for(a, 1, f().patience), std::vector<std::string>{"before"});
  n->leave("room1", a, 0);
  n->bus().publish("room1", frame("after"));
  settle_remote();
  n->settle();
  EXPECT_EQ(a.received(), std::vector<std::string>{"before"});
}

TEST_P(BusContract, TwoNodesSeeEachOthersPublishesExactlyOnce) {
  if (f().max_nodes < 2) GTEST_SKIP() << f().name << " is a single-node bus";
  auto n1 = node();
  auto n2 = node();
  RecordingSocket a{n1->loop(0), "a"}, b{n2->loop(1), "b"}, bystander{n2->loop(0), "x"};
  n1->join("room1", a, 0);
  n2->join("room1", b, 1);
  n2->join("room2", bystander, 0);
  await_route(*n1, "room1", b);
  await_route(*n2, "room1", a);
  b.clear();  // the second probe reached b locally
  for (int i = 0; i < 50; ++i) {
    n1->bus().publish("room1", frame("from1-" + std::to_string(i)));
    n2->bus().publish("room1", frame("from2-" + std::to_string(i)));
  }
  auto got_a = wait_for(a, 100, f().patience);
  auto got_b = wait_for(b, 100, f().patience);
  settle_remote();
  got_a = a.received();
  got_b = b.received();
  EXPECT_EQ(got_a.size(), 100u);
  EXPECT_EQ(got_b.size(), 100u);
  // Exactly once each, and each publisher's frames in its order.
  for (auto* got : {&got_a, &got_b}) {
    int next1 = 0, next2 = 0;
    for (const auto& s : *got) {
      if (s == "from1-" + std::to_string(next1))
        ++next1;
      else if (s == "from2-" + std::to_string(next2))
        ++next2;
      else
        ADD_FAILURE() << "unexpected or out-of-order frame " << s;
    }
    EXPECT_EQ(next1, 50);
    EXPECT_EQ(next2, 50);
  }
  EXPECT_TRUE(bystander.received().empty());
}

TEST_P(BusContract, AnotherNodeStopsReceivingWhenItsLastMemberLeaves) {
  if (f().max_nodes < 2) GTEST_SKIP() << f().name << " is a single-node bus";
  auto n1 = node();
  auto n2 = node();
  RecordingSocket b1{n2->loop(0), "b1"}, b2{n2->loop(1), "b2"};
  n2->join("room1", b1, 0);
  n2->join("room1", b2, 1);
  await_route(*n1, "room1", b1);
  b2.clear();
  n2->leave("room1", b1, 0);  // b2 still holds the node's subscription
  n1->bus().publish("room1", frame("one"));
  EXPECT_EQ(wait_for(b2, 1, f().patience), std::vector<std::string>{"one"});
  n2->leave("room1", b2, 1);
  // Re-joining a fresh socket later must not see what was published while nobody was there.
  n1->bus().publish("room1", frame("nobody"));
  settle_remote();
  RecordingSocket late{n2->loop(0), "late"};
  n2->join("room1", late, 0);
  settle_remote();
  n2->settle();
  EXPECT_TRUE(late.received().empty());
  EXPECT_TRUE(b1.received().empty());
  EXPECT_EQ(b2.received(), std::vector<std::string>{"one"});
}

}  // namespace parley::bus::contract
