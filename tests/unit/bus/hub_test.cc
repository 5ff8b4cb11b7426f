// Hub: membership per loop, delivery of one shared frame to every member on every loop, the
// `except` socket skipped, removal while a delivery is iterating, and parking: frames wait for
// the loop's drain, go out socket-major in bursts, and membership changes drain first.
#include "bus/hub.h"

#include <gtest/gtest.h>

#include <boost/asio/post.hpp>
#include <future>
#include <thread>

namespace parley::bus {
namespace {

class FakeSocket final : public sio::Socket {
 public:
  FakeSocket(asio::io_context& loop, std::string id) : loop_(loop), id_(std::move(id)) {}
  const std::string& id() const override { return id_; }
  asio::any_io_executor executor() const override { return loop_.get_executor(); }
  bool connected() const override { return true; }
  void emit(std::string_view, const sio::json::value&) override {}
  void send(sio::Frame frame) override {
    received.push_back(frame);
    if (on_send) on_send();
  }
  void send_batch(const sio::FrameBatch& batch) override {
    ++batches;
    Socket::send_batch(batch);
  }
  void ack(uint64_t, const sio::json::array&) override {}
  void join(const std::string&) override {}
  void leave(const std::string&) override {}
  bool in_group(const std::string&) const override { return false; }
  void disconnect() override {}

  std::vector<sio::Frame> received;
  int batches = 0;
  std::function<void()> on_send;

 private:
  asio::io_context& loop_;
  std::string id_;
};

// Runs `fn` on `loop` (which runs on its own thread) and waits for it.
template <class F>
void on(asio::io_context& loop, F fn) {
  std::promise<void> done;
  asio::post(loop, [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

class HubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (auto& loop : loops_) {
      guards_.emplace_back(asio::make_work_guard(loop));
      threads_.emplace_back([&loop] { loop.run(); });
    }
    hub_ = std::make_unique<Hub>(std::vector<asio::io_context*>{&loops_[0], &loops_[1]});
  }
  void TearDown() override {
    guards_.clear();
    for (auto& t : threads_)
      t.join();
  }
  void drain() {  // every loop has run what was posted before this call, and what that posted
    for (int round = 0; round < 3; ++round) {
      on(loops_[0], [] {});
      on(loops_[1], [] {});
    }
  }

  asio::io_context loops_[2];
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::unique_ptr<Hub> hub_;
};

TEST_F(HubTest, DeliversTheSameFrameToMembersOnEveryLoop) {
  FakeSocket a{loops_[0], "a"}, b{loops_[1], "b"}, c{loops_[1], "c"};
  on(loops_[0], [&] { hub_->add("room", &a); });
  on(loops_[1], [&] {
    hub_->add("room", &b);
    hub_->add("other", &c);
  });
  auto frame = std::make_shared<const std::string>("42[\"message\",{}]");
  on(loops_[0], [&] { hub_->publish("room", frame); });
  drain();
  on(loops_[0], [&] {
    ASSERT_EQ(a.received.size(), 1u);
    EXPECT_EQ(a.received[0].get(), frame.get());  // the very same buffer: encoded once
  });
  on(loops_[1], [&] {
    ASSERT_EQ(b.received.size(), 1u);
    EXPECT_EQ(b.received[0].get(), frame.get());
    EXPECT_TRUE(c.received.empty());
  });
}

TEST_F(HubTest, CountsGroupsAndTimesDeliveriesForMetrics) {
  FakeSocket a{loops_[0], "a"}, b{loops_[1], "b"};
  on(loops_[0], [&] { hub_->add("room", &a); });
  on(loops_[1], [&] {
    hub_->add("room", &b);
    hub_->add("user:b", &b);
  });
  EXPECT_EQ(hub_->group_count(), 3);  // "room" on both loops, "user:b" on one
  EXPECT_EQ(hub_->delivery_delay().count(), 0u);
  auto frame = std::make_shared<const std::string>("x");
  on(loops_[0], [&] { hub_->publish("room", frame); });
  on(loops_[0], [&] { hub_->publish("nobody-here", frame); });  // no members: nothing delivered
  drain();
  const auto d = hub_->delivery_delay();
  EXPECT_EQ(d.count(), 2u);  // one delivery on each loop
  EXPECT_GE(d.sum, 0.0);
  EXPECT_LT(d.sum, 10.0);
  on(loops_[1], [&] { hub_->remove("user:b", &b); });
  EXPECT_EQ(hub_->group_count(), 2);
}

TEST_F(HubTest, SkipsTheExceptedSocketAndRemovedMembers) {
  FakeSocket a{loops_[0], "a"}, b{loops_[0], "b"};
  on(loops_[0], [&] {
    hub_->add("room", &a);
    hub_->add("room", &b);
    hub_->add("room", &b);  // joining twice keeps one membership
    EXPECT_EQ(hub_->local_size("room"), 2u);
  });
  auto frame = std::make_shared<const std::string>("x");
  on(loops_[0], [&] { hub_->publish("room", frame, &a); });
  drain();
  on(loops_[0], [&] {
    EXPECT_TRUE(a.received.empty());
    EXPECT_EQ(b.received.size(), 1u);
    hub_->remove("room", &b);
    EXPECT_EQ(hub_->local_size("room"), 1u);
    hub_->publish("room", frame);
  });
  drain();
  on(loops_[0], [&] {
    EXPECT_EQ(a.received.size(), 1u);
    EXPECT_EQ(b.received.size(), 1u);
  });
}

TEST_F(HubTest, RemovalDuringDeliveryIsSafe) {
  FakeSocket a{loops_[0], "a"}, b{loops_[0], "b"}, c{loops_[0], "c"};
  // a's send removes b and itself, as a slow-consumer close would.
  a.on_send = [&] {
    hub_->remove("room", &b);
    hub_->remove("room", &a);
  };
  on(loops_[0], [&] {
    hub_->add("room", &a);
    hub_->add("room", &b);
    hub_->add("room", &c);
    hub_->publish("room", std::make_shared<const std::string>("x"));
  });
  drain();
  on(loops_[0], [&] {
    EXPECT_EQ(a.received.size(), 1u);
    EXPECT_EQ(b.received.size(), 0u);  // removed before its turn
    EXPECT_EQ(c.received.size(), 1u);
    EXPECT_EQ(hub_->local_size("room"), 1u);
  });
}

TEST_F(HubTest, ParkedBurstGoesOutSocketMajorInPublishOrder) {
  FakeSocket a{loops_[0], "a"}, b{loops_[0], "b"}, c{loops_[0], "c"};
  auto f = [](const char* text) { return std::make_shared<const std::string>(text); };
  auto texts = [](const FakeSocket& s) {
    std::string out;
    for (const auto& fr : s.received)
      out += *fr;
    return out;
  };
  on(loops_[0], [&] {
    hub_->add("room", &a);
    hub_->add("room", &b);
    hub_->add("lobby", &a);
    hub_->add("lobby", &c);
    hub_->publish("room", f("1"));
    hub_->publish("room", f("2"), &b);  // not to b
    hub_->publish("room", f("3"));
    hub_->publish("lobby", f("4"));  // another group ends the run
    hub_->publish("room", f("5"));
    EXPECT_TRUE(a.received.empty());  // parked until the loop drains
  });
  drain();
  on(loops_[0], [&] {
    EXPECT_EQ(texts(a), "12345");
    EXPECT_EQ(texts(b), "135");
    EXPECT_EQ(texts(c), "4");
    EXPECT_EQ(a.batches, 1);  // "123" as one burst; "4" and "5" one frame each
    EXPECT_EQ(b.batches, 0);  // excepted from part of the burst: frame by frame
  });
}

TEST_F(HubTest, MembershipChangesDrainParkedFramesFirst) {
  FakeSocket a{loops_[0], "a"}, b{loops_[0], "b"};
  auto frame = std::make_shared<const std::string>("x");
  on(loops_[0], [&] {
    hub_->add("room", &a);
    hub_->publish("room", frame);
    hub_->add("room", &b);  // joined after the publish: not owed the frame
    hub_->publish("room", frame);
    hub_->remove("room", &a);  // left after the second publish: still owed it
    EXPECT_EQ(a.received.size(), 2u);
    EXPECT_EQ(b.received.size(), 1u);
  });
  drain();
  on(loops_[0], [&] {
    EXPECT_EQ(a.received.size(), 2u);
    EXPECT_EQ(b.received.size(), 1u);
  });
}

}  // namespace
}  // namespace parley::bus
