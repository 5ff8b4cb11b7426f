// Hub's membership edges (what the cluster bus subscribes by) and the cluster bus's channel and
// payload encoding.
#include <gtest/gtest.h>

#include <mutex>
#include <set>

#include "bus/channels.h"
#include "bus_node.h"

namespace parley::bus {
namespace {

using contract::Node;
using contract::RecordingSocket;

class Edges final : public Hub::MembershipListener {
 public:
  void first_member(const std::string& g) override {
    std::lock_guard lock(mutex);
    log.push_back("+" + g);
  }
  void last_member(const std::string& g) override {
    std::lock_guard lock(mutex);
    log.push_back("-" + g);
  }
  std::vector<std::string> get() {
    std::lock_guard lock(mutex);
    return log;
  }
  std::mutex mutex;
  std::vector<std::string> log;
};

TEST(HubMembership, ReportsTheFirstAndLastMemberAcrossLoops) {
  Node n{nullptr};
  Edges edges;
  n.hub().set_listener(&edges);
  RecordingSocket a{n.loop(0), "a"}, b{n.loop(1), "b"}, c{n.loop(1), "c"};
  n.join("g", a, 0);
  n.join("g", b, 1);
  n.join("g", c, 1);
  n.join("h", c, 1);
  EXPECT_EQ(edges.get(), (std::vector<std::string>{"+g", "+h"}));
  n.leave("g", a, 0);  // loop 1 still has members
  n.leave("g", b, 1);
  EXPECT_EQ(edges.get(), (std::vector<std::string>{"+g", "+h"}));
  n.leave("g", c, 1);
  n.leave("g", c, 1);  // a second leave is no edge
  EXPECT_EQ(edges.get(), (std::vector<std::string>{"+g", "+h", "-g"}));
  n.join("g", a, 0);
  EXPECT_EQ(edges.get(), (std::vector<std::string>{"+g", "+h", "-g", "+g"}));
  n.hub().set_listener(nullptr);
}

TEST(HubMembership, RemovalDuringDeliveryStillReportsTheLastMember) {
  Node n{nullptr};
  Edges edges;
  n.hub().set_listener(&edges);
  struct Leaver final : sio::Socket {
    Leaver(asio::io_context& l, Hub& h) : loop(l), hub(h) {}
    asio::io_context& loop;
    Hub& hub;
    std::string id_ = "s";
    const std::string& id() const override { return id_; }
    asio::any_io_executor executor() const override { return loop.get_executor(); }
    bool connected() const override { return true; }
    void emit(std::string_view, const sio::json::value&) override {}
    void send(sio::Frame) override { hub.remove("g", this); }  // leaves while being delivered to
    void ack(uint64_t, const sio::json::array&) override {}
    void join(const std::string&) override {}
    void leave(const std::string&) override {}
    bool in_group(const std::string&) const override { return false; }
    void disconnect() override {}
  } s{n.loop(0), n.hub()};
  contract::on(n.loop(0), [&] { n.hub().add("g", &s); });
  n.hub().publish("g", contract::frame("x"));
  n.settle();
  EXPECT_EQ(edges.get(), (std::vector<std::string>{"+g", "-g"}));
  n.hub().set_listener(nullptr);
}

TEST(Channels, NameCarriesABucketHashTagAndTheGroup) {
  const std::string c = channel_for("user:abc", 64);
  EXPECT_TRUE(c.starts_with("parley:{b"));
  EXPECT_EQ(group_of(c), std::optional<std::string_view>("user:abc"));
  EXPECT_EQ(c, channel_for("user:abc", 64));  // stable
  EXPECT_LT(group_bucket("user:abc", 64), 64u);
  EXPECT_EQ(group_of("other:{x}:g"), std::nullopt);
  // Groups spread over buckets.
  std::set<uint32_t> seen;
  for (int i = 0; i < 1000; ++i)
    seen.insert(group_bucket("room" + std::to_string(i), 64));
  EXPECT_EQ(seen.size(), 64u);
}

TEST(Channels, PayloadNamesItsNode) {
  const std::string encoded = encode_payload("node2", "42[\"message\",{\"a b\":1}]");
  auto p = decode_payload(encoded);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->node_id, "node2");
  EXPECT_EQ(p->frame, "42[\"message\",{\"a b\":1}]");
  EXPECT_FALSE(decode_payload("nospace"));
  EXPECT_FALSE(decode_payload(" leading"));
}

}  // namespace
}  // namespace parley::bus
